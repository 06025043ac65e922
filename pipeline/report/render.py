"""Rendering: executed notebooks -> HTML for editors (no code) and fact-checkers (with code).

Every page written here opens offline and makes no network request. nbconvert's template loads require.js,
MathJax and mermaid from cdnjs; those <script> elements are removed (the notebooks' charts are static
SVG/PNG outputs and need no JavaScript), and a Content-Security-Policy forbids scripts and remote
resources in case anything slips through. Pages made from synthetic data carry a red banner at the top."""
from __future__ import annotations

import copy
import html
import re
from pathlib import Path

import nbformat

from pipeline.io.atomic import write_text


SYNTHETIC_BANNER_TEXT = ("SYNTHETIC DATA — generated for testing and demonstration; "
                         "not a real public-records release.")
PARAMETER_TAGS = ("parameters", "injected-parameters")

# No scripts, no remote anything: styles inline, images inline (data:) or beside the page.
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data: 'self'; font-src data:; "
       "base-uri 'none'; form-action 'none'")
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'

BANNER_HTML = (
    '<div class="synthetic-banner" role="alert" style="position:sticky;top:0;z-index:10000;margin:0;'
    'padding:10px 16px;background:#b00020;color:#fff;font:bold 16px/1.35 Helvetica,Arial,sans-serif;'
    'text-align:center;border-bottom:3px solid #6d0014;">'
    f"{html.escape(SYNTHETIC_BANNER_TEXT)}</div>"
)

_SCRIPT_RE = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.IGNORECASE | re.DOTALL)
_BODY_RE = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_HEAD_RE = re.compile(r"<head\b[^>]*>", re.IGNORECASE)
_TITLE_RE = re.compile(r"<title>.*?</title>", re.IGNORECASE | re.DOTALL)
_EXTERNAL_LINK_RE = re.compile(r"<link\b[^>]*\bhref=[\"']?(?:https?:)?//[^>]*>", re.IGNORECASE)


# --------------------------------------------------------------------------------------------------
# Notebooks


def render_notebook(executed: Path, out_dir: Path, *, synthetic: bool) -> dict[str, Path]:
    """Write out_dir/<stem>.html (editors: no code, no parameter cells) and out_dir/<stem>.code.html
    (fact-checkers: everything) from one executed notebook. Returns {"editor": path, "code": path}.

    The page title is the notebook's metadata "title" if set, else its file stem; synthetic pages get the
    SYNTHETIC prefix in the title and a red banner right after <body>.
    """
    from nbconvert import HTMLExporter  # imported here: it is slow to import and only rendering needs it

    executed, out_dir = Path(executed), Path(out_dir)
    nb = nbformat.read(executed, as_version=4)
    stem = executed.stem
    title = str(nb.metadata.get("title") or stem)

    editor_nb = copy.deepcopy(nb)  # the code view keeps every cell
    editor_nb.cells = [c for c in editor_nb.cells
                       if not set(c.get("metadata", {}).get("tags", [])) & set(PARAMETER_TAGS)]
    editor_body, _ = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True) \
        .from_notebook_node(editor_nb, resources={"metadata": {"name": title}})
    code_body, _ = HTMLExporter().from_notebook_node(nb, resources={"metadata": {"name": title}})

    paths = {"editor": out_dir / f"{stem}.html", "code": out_dir / f"{stem}.code.html"}
    write_text(paths["editor"], make_offline(editor_body, synthetic=synthetic, title=title))
    write_text(paths["code"], make_offline(code_body, synthetic=synthetic, title=f"{title} (with code)"))
    return paths


def make_offline(page: str, *, synthetic: bool, title: str | None = None) -> str:
    """Remove every <script> element and remote stylesheet link, add the CSP, set the <title>, and, for
    synthetic data, prefix the title and insert the banner right after <body ...>."""
    page = _SCRIPT_RE.sub("", page)
    page = _EXTERNAL_LINK_RE.sub("", page)
    if title is not None:
        full = ("SYNTHETIC DATA — " if synthetic else "") + title
        new_title = f"<title>{html.escape(full)}</title>"
        if _TITLE_RE.search(page):
            page = _TITLE_RE.sub(lambda _m: new_title, page, count=1)
        else:
            page = _HEAD_RE.sub(lambda m: m.group(0) + new_title, page, count=1)
    page = _HEAD_RE.sub(lambda m: m.group(0) + "\n" + CSP_META, page, count=1)
    if synthetic:
        if not _BODY_RE.search(page):
            raise ValueError("page has no <body> element to put the SYNTHETIC banner after")
        page = _BODY_RE.sub(lambda m: m.group(0) + "\n" + BANNER_HTML, page, count=1)
    return page
