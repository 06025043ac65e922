"""Report rendering: editor and fact-checker HTML from an executed notebook, and the index page."""

from __future__ import annotations

import base64
import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from pipeline.report import index, render

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><text x="2" y="15">chart-marker</text></svg>'
BANNER = "SYNTHETIC DATA — generated for testing and demonstration; not a real public-records release."


def _notebook(path):
    nb = new_notebook(
        cells=[
            new_markdown_cell("## How many searches were there?"),
            new_code_cell("slug = 'example'", metadata={"tags": ["parameters"]}),
            new_code_cell(
                "slug = 'alvin-isd'  # injected",
                metadata={"tags": ["injected-parameters"]},
                outputs=[new_output("stream", name="stdout", text="param-output\n")],
            ),
            new_code_cell(
                "show_chart_of_searches()",
                execution_count=3,
                outputs=[new_output("display_data", data={"image/svg+xml": SVG, "text/plain": "<Chart>"})],
            ),
            new_code_cell(
                "print('hello')", execution_count=4, outputs=[new_output("stream", name="stdout", text="hello\n")]
            ),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _svg_shown(page: str) -> bool:
    if "chart-marker" in page:
        return True
    for blob in re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", page):
        if b"chart-marker" in base64.b64decode(blob):
            return True
    return False


def _no_network(page: str) -> None:
    assert not re.search(r"<script[^>]*\bsrc\s*=\s*[\"']?(https?:)?//", page, re.IGNORECASE)
    assert "<script" not in page.lower()
    assert not re.search(r"<link[^>]*href=[\"']?(https?:)?//", page, re.IGNORECASE)
    assert "Content-Security-Policy" in page


@pytest.mark.parametrize("synthetic", [True, False])
def test_render_notebook(tmp_path, synthetic):
    executed = _notebook(tmp_path / "03_analyze.ipynb")
    out = render.render_notebook(executed, tmp_path / "html", synthetic=synthetic)
    assert out == {"editor": tmp_path / "html" / "03_analyze.html", "code": tmp_path / "html" / "03_analyze.code.html"}
    editor = out["editor"].read_text(encoding="utf-8")
    code = out["code"].read_text(encoding="utf-8")

    assert "hello" in editor and _svg_shown(editor)
    assert "How many searches were there?" in editor
    assert "show_chart_of_searches" not in editor and ">print<" not in editor
    assert "slug" not in editor and "param-output" not in editor  # parameter cells dropped

    assert "show_chart_of_searches" in code and ">print<" in code and "hello" in code and _svg_shown(code)
    assert "alvin-isd" in code  # fact-checkers see the injected parameters

    for page in (editor, code):
        _no_network(page)
        assert (BANNER in page) is synthetic
        assert ("SYNTHETIC" in page) is synthetic
        if synthetic:  # right after <body ...>
            assert re.search(r"<body[^>]*>\s*<div class=\"synthetic-banner\"", page)
            assert "<title>SYNTHETIC DATA — 03_analyze" in page


def _entry(slug, name, **kw):
    e = {
        "slug": slug,
        "name": name,
        "producer": "Alvin ISD Police",
        "synthetic": False,
        "log_kind": "network",
        "status": "ok",
        "status_note": None,
        "facts": {
            "rows_read": 1234567,
            "searches": 1234000,
            "duplicates": 500,
            "rejected": 67,
            "agencies": 1523,
            "searchers": None,
            "first_local_date": "2024-01-01",
            "last_local_date": "2024-12-31",
        },
    }
    e.update(kw)
    return e


def test_write_index(tmp_path):
    (tmp_path / "alvin-isd").mkdir()
    for name in ("01_clean.html", "01_clean.code.html", "03_analyze.html", "facts.json"):
        (tmp_path / "alvin-isd" / name).write_text("x")
    entries = [
        _entry("alvin-isd", "Alvin ISD <script>alert(1)</script>"),
        _entry(
            "synth-town",
            "Synth Town",
            synthetic=True,
            producer="Pipeline & Co",
            status="failed",
            status_note="clean: 3 rows <bad>",
            facts=None,
        ),
        _entry(
            "no-agencies",
            "No Agencies PD",
            status="stale",
            facts={
                "rows_read": 10,
                "searches": 9,
                "duplicates": 0,
                "rejected": 1,
                "agencies": None,
                "searchers": 0,
                "first_local_date": None,
                "last_local_date": None,
            },
        ),
    ]
    path = index.write_index(tmp_path, entries, generated_at="2026-11-28 19:45 UTC")
    assert path == tmp_path / "index.html"
    page = path.read_text(encoding="utf-8")

    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<bad>" not in page and "&lt;bad&gt;" in page and "Pipeline &amp; Co" in page
    _no_network(page)
    assert "2026-11-28 19:45 UTC" in page

    compare = page[page.index('id="compare"') : page.index('id="claims"')]
    rows = dict(zip(["alvin-isd", "synth-town", "no-agencies"], re.findall(r"<tr class=.*?</tr>", compare, re.S)))
    assert 'label real">REAL' in rows["alvin-isd"] and "SYNTHETIC" not in rows["alvin-isd"]
    assert 'label synthetic">SYNTHETIC' in rows["synth-town"] and "REAL" not in rows["synth-town"]
    assert "1,234,000" in rows["alvin-isd"] and "1,523" in rows["alvin-isd"]
    assert "2024-01-01 – 2024-12-31 (366 days)" in rows["alvin-isd"]
    agencies_cell = re.findall(r"<td[^>]*>(.*?)</td>", rows["no-agencies"])[4]
    assert "not in release" in agencies_cell and ">0<" not in agencies_cell
    assert "not computed" in rows["synth-town"] and ">0<" not in rows["synth-town"]
    runs = page[page.index('id="runs"') :]
    assert "1,234,567 rows read" in runs and "500 duplicates" in runs and "clean: 3 rows &lt;bad&gt;" in runs

    links = re.findall(r'href="([^"]+)"', page)
    # only the jurisdiction's page is linked (its files are on its files page); every #link to an element
    assert {h for h in links if not h.startswith("#")} == {"alvin-isd/03_analyze.html"}
    assert all(f'id="{h[1:]}"' in page for h in links if h.startswith("#"))
    assert "no pages yet" in rows["synth-town"]
