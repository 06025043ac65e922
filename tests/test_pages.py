"""The pages around the notebooks: tab titles, the navigation bar, the code page's parameters, the build log
kept off editor pages, and the files page (every published file with its real SHA-256)."""

from __future__ import annotations

import hashlib
import re

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from pipeline.report import pages, render


def _notebook(path, stem="01_clean"):
    nb = new_notebook(
        cells=[
            new_markdown_cell("# 01 Clean"),
            new_code_cell("jurisdiction = 'default-slug'", metadata={"tags": ["parameters"]}),
            new_code_cell("jurisdiction = 'alvin-isd'", metadata={"tags": ["injected-parameters"]}),
            new_code_cell(
                "build()",
                metadata={"tags": [render.LOG_TAG]},
                outputs=[
                    new_output("stream", name="stdout", text="typed 745,765 rows in 10.0 s (74,508 rows/s)\n"),
                    new_output("display_data", data={"text/markdown": "745,765 rows read: summary-line"}),
                ],
            ),
            new_code_cell("print('kept')", outputs=[new_output("stream", name="stdout", text="ordinary-print\n")]),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    target = path / f"{stem}.ipynb"
    nbformat.write(nb, target)
    return target


def _links(page: str) -> list[str]:
    return re.findall(r'<a href="([^"#]+)"', page)


def test_titles_name_the_jurisdiction_and_page(tmp_path):
    out = render.render_notebook(_notebook(tmp_path), tmp_path, synthetic=True, jurisdiction_name="Alvin ISD")
    assert "<title>SYNTHETIC DATA — Alvin ISD — 01 Clean</title>" in out["editor"].read_text(encoding="utf-8")
    assert "<title>SYNTHETIC DATA — Alvin ISD — 01 Clean (with code)</title>" in out["code"].read_text(encoding="utf-8")


def test_editor_page_leaves_out_the_build_log_but_keeps_its_summary(tmp_path):
    out = render.render_notebook(_notebook(tmp_path), tmp_path, synthetic=False, jurisdiction_name="X")
    editor, code = (out[k].read_text(encoding="utf-8") for k in ("editor", "code"))
    assert "rows/s" not in editor and "summary-line" in editor and "ordinary-print" in editor
    assert "rows/s" in code and "summary-line" in code


def test_code_page_shows_the_run_parameters_before_the_defaults(tmp_path):
    code = render.render_notebook(_notebook(tmp_path), tmp_path, synthetic=False, jurisdiction_name="X")[
        "code"
    ].read_text(encoding="utf-8")
    assert code.index("alvin-isd") < code.index("default-slug")
    assert code.index("The parameters this run used") < code.index("alvin-isd")


def test_navigation_links_only_pages_that_exist_after_refresh(tmp_path):
    render.render_notebook(_notebook(tmp_path), tmp_path, synthetic=False, jurisdiction_name="Alvin ISD")
    first = (tmp_path / "01_clean.html").read_text(encoding="utf-8")
    assert "02_validate.html" not in _links(first)  # not run yet: named, not linked
    render.render_notebook(_notebook(tmp_path, "02_validate"), tmp_path, synthetic=False, jurisdiction_name="Alvin ISD")
    (tmp_path / "facts.json").write_text("{}")
    pages.refresh(tmp_path, "Alvin ISD", synthetic=False)
    for page in ("01_clean.html", "01_clean.code.html", "02_validate.html", "files.html"):
        text = (tmp_path / page).read_text(encoding="utf-8")
        assert text.count(pages.NAV_START) == 1
        for href in _links(text):
            target = (tmp_path / href).resolve()
            assert target.exists() or href == "../index.html", (page, href)
        assert "02_validate" in text and "03 Analyze (not run)" in text


def test_files_page_lists_every_file_with_its_sha256(tmp_path):
    (tmp_path / "charts").mkdir()
    files = {
        "agencies.csv": b"agency\nA\n",
        "charts/top_agencies.png": b"\x89PNG",
        "facts.json": b"{}",
        "new_kind_of_output.xyz": b"?",
    }
    for rel, data in files.items():
        (tmp_path / rel).write_bytes(data)
    page = pages.write_files_page(tmp_path, "Eugene <PD>", synthetic=True).read_text(encoding="utf-8")
    for rel, data in files.items():
        assert f'href="{rel}"' in page and hashlib.sha256(data).hexdigest() in page
    assert "Eugene &lt;PD&gt;" in page and "<PD>" not in page  # autoescaped
    assert "SYNTHETIC DATA" in page and "Content-Security-Policy" in page and "<script" not in page
    assert "New kind of output" in page  # an unknown output is still listed
    assert pages.describe("charts/top_agencies.svg") == ("charts", "Agencies that searched most: SVG")
