"""Notebook pages link one shared stylesheet (reports/notebook.css) instead of embedding nbconvert's 260 KB
of JupyterLab styling each, and still open offline from file:// with that styling applied."""

from __future__ import annotations

import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from pipeline.report import pages, render


def _executed(path):
    nb = new_notebook(
        cells=[
            new_markdown_cell("# 02 Validate"),
            new_code_cell("x = 1", outputs=[new_output("stream", name="stdout", text="1\n")], execution_count=1),
        ]
    )
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize(
    "folder, site, href",
    [("x-pd", pages.JURISDICTION, "../notebook.css"), ("corpora/six", pages.CORPUS, "../../notebook.css")],
)
def test_pages_link_the_shared_stylesheet_beside_the_index(tmp_path, folder, site, href):
    out = tmp_path / "reports" / folder
    out.mkdir(parents=True)
    paths = render.render_notebook(
        _executed(out / "02_validate.ipynb"), out, synthetic=False, jurisdiction_name="X", site=site
    )
    css = tmp_path / "reports" / "notebook.css"
    assert css.exists() and css.stat().st_size > 200_000  # JupyterLab's theme and pygments', once
    for path in paths.values():
        page = path.read_text(encoding="utf-8")
        assert f'<link rel="stylesheet" href="{href}">' in page
        head = page[: page.index("</head>")]
        assert sum(len(s) for s in re.findall(r"<style\b.*?</style>", head, re.S)) < 20_000  # only the pipeline's own
        assert len(page) < 60_000
        assert "style-src 'self' 'unsafe-inline'" in page  # the CSP lets the page load it, and nothing remote


@pytest.mark.browser
def test_the_shared_styling_applies_offline(tmp_path):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from browser import Browser, find_chromium

    if not find_chromium():
        pytest.skip("no Chromium")
    out = tmp_path / "reports" / "x-pd"
    out.mkdir(parents=True)
    paths = render.render_notebook(_executed(out / "02_validate.ipynb"), out, synthetic=True, jurisdiction_name="X")
    with Browser() as b:
        visit = b.visit(
            paths["editor"].as_uri(),
            width=900,
            check_js="getComputedStyle(document.body).getPropertyValue('--jp-ui-font-size1').trim()",
        )
    assert visit.problems() == []
    assert visit.check == "13px"  # a variable only JupyterLab's theme (now in notebook.css) defines
