"""Rendering: executed notebooks -> HTML for editors (no code) and fact-checkers (with code).

Every page written here opens offline and makes no network request. nbconvert's template loads require.js,
MathJax and mermaid from cdnjs; those <script> elements are removed (the notebooks' charts are static
SVG/PNG outputs and need no JavaScript), and a Content-Security-Policy forbids scripts and remote
resources in case anything slips through. Pages made from synthetic data carry a red banner at the top.

nbconvert's own styling (JupyterLab's theme and pygments', about 260 KB, the same for every page) is written
once, to reports/notebook.css beside the index, and each page links it by a relative path, so a page still
opens offline from file:// and a folder of pages does not carry twenty copies of it. Rendering is the
costliest part of a small run after the kernels: the two exporters (and their template environments) are
made once per process, and both pages come from one read of the executed notebook."""

from __future__ import annotations

import copy
import functools
import hashlib
import html
import posixpath
import re
from pathlib import Path

import nbformat

from pipeline.io.atomic import write_text
from pipeline.io.warmup import WarmUp
from pipeline.report import pages
from pipeline.report.pages import CSP, CSP_META, SYNTHETIC_BANNER_TEXT  # noqa: F401  (one home, shared with the files page and the index)

PARAMETER_TAGS = ("parameters", "injected-parameters")
CODE_ONLY_TAG = "code-page-only"  # a cell for fact-checkers alone (how each figure is counted): not on the editor page
LOG_TAG = "build-log"  # a cell whose printed progress is for the terminal and the code page, not editors

BANNER_HTML = (
    '<div class="synthetic-banner" role="alert" style="position:sticky;top:0;z-index:10000;margin:0;'
    "padding:10px 16px;background:#b00020;color:#fff;font:bold 16px/1.35 Helvetica,Arial,sans-serif;"
    'text-align:center;border-bottom:3px solid #6d0014;">'
    f"{html.escape(SYNTHETIC_BANNER_TEXT)}</div>"
)

_SCRIPT_RE = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.IGNORECASE | re.DOTALL)
_BODY_RE = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_HEAD_RE = re.compile(r"<head\b[^>]*>", re.IGNORECASE)
_TITLE_RE = re.compile(r"<title>.*?</title>", re.IGNORECASE | re.DOTALL)
_EXTERNAL_LINK_RE = re.compile(r"<link\b[^>]*\bhref=[\"']?(?:https?:)?//[^>]*>", re.IGNORECASE)
_STYLE_RE = re.compile(r"<style\b[^>]*>(.*?)</style\s*>\s*", re.IGNORECASE | re.DOTALL)
SHARED_CSS = "notebook.css"  # beside reports/index.html
# A notebook page may also load the shared stylesheet from its own site ('self': a file beside it, offline).
NOTEBOOK_CSP_META = CSP_META.replace("style-src 'unsafe-inline'", "style-src 'self' 'unsafe-inline'")


# --------------------------------------------------------------------------------------------------
# Notebooks


def render_notebook(
    executed: Path,
    out_dir: Path,
    *,
    synthetic: bool,
    jurisdiction_name: str | None = None,
    site: pages.Site = pages.JURISDICTION,
) -> dict[str, Path]:
    """Write out_dir/<stem>.html (editors: no code, no parameter cells, no build logs) and
    out_dir/<stem>.code.html (fact-checkers: everything, the parameters of the run first) from one executed
    notebook. Returns {"editor": path, "code": path}.

    The tab title names the jurisdiction and the page ("Alvin ISD — 03 Analyze"); synthetic pages get the
    SYNTHETIC prefix in the title and a red banner right after <body>. Every page gets the navigation bar
    (pages.nav) and the stylesheet that keeps it within the window.
    """
    _WARM.wait()
    executed, out_dir = Path(executed), Path(out_dir)
    nb = nbformat.read(executed, as_version=4)
    stem = executed.stem
    name = jurisdiction_name or str(nb.metadata.get("title") or "")
    titles = {
        code: (pages.page_title(name, stem, code=code, site=site) if name else stem + (" (with code)" if code else ""))
        for code in (False, True)
    }
    css_href = posixpath.join(posixpath.dirname(site.index_href), SHARED_CSS)
    paths = {"editor": out_dir / f"{stem}.html", "code": out_dir / f"{stem}.code.html"}
    for view, make in (("editor", editor_view), ("code", code_view)):
        code = view == "code"
        body, _ = _exporter(code).from_notebook_node(make(nb), resources={"metadata": {"name": titles[code]}})
        body = share_styles(body, out_dir / css_href, css_href)
        page = make_offline(body, synthetic=synthetic, title=titles[code])
        write_text(paths[view], add_furniture(page, pages.nav(out_dir, name or stem, stem, code=code, site=site)))
    return paths


def _render_a_small_notebook() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# *warm*"), nbformat.v4.new_code_cell("print(1)")]
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="1\n")]
    for code in (False, True):
        _exporter(code).from_notebook_node(nb)


# Both exporters made, and a small notebook rendered with each, while this process waits for a kernel: the
# first page a process renders otherwise pays about half a second for nbconvert's templates, Markdown and
# Pygments to load. render_notebook waits for it first, so no exporter is ever used by two threads.
_WARM = WarmUp("render-warm-up", _render_a_small_notebook)
warm_up = _WARM.start


@functools.cache
def _exporter(code: bool):
    """One exporter per view and process: building one loads and compiles nbconvert's templates."""
    from nbconvert import HTMLExporter  # imported here: it is slow to import and only rendering needs it

    if code:
        return HTMLExporter()
    return HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)


def share_styles(page: str, css_path: Path, href: str) -> str:
    """Move the <style> elements nbconvert put in <head> into the shared stylesheet at css_path (written
    when its content changes), and link it by href in their place."""
    head_end = page.find("</head>")
    if head_end < 0:
        return page
    head, rest = page[:head_end], page[head_end:]
    css = "\n".join(m.group(1).strip() for m in _STYLE_RE.finditer(head))
    if not css:
        return page
    _write_shared(css_path, css + "\n")
    link = f'<link rel="stylesheet" href="{html.escape(href)}">\n'
    head = _STYLE_RE.sub("", head)
    return head + link + rest


def _write_shared(path: Path, css: str) -> None:
    path = Path(path).resolve()
    digest = hashlib.sha256(css.encode()).hexdigest()
    if _written.get(path) == digest:
        return
    try:
        same = hashlib.sha256(path.read_bytes()).hexdigest() == digest
    except OSError:
        same = False
    if not same:
        write_text(path, css)
    _written[path] = digest


_written: dict[Path, str] = {}


def editor_view(nb):
    """The notebook an editor reads: no parameter cells nor cells for fact-checkers alone, and a build cell's progress log left out (the cell
    shows a one-line summary of its own; the log stays on the code page)."""
    nb = copy.deepcopy(nb)
    hidden = {*PARAMETER_TAGS, CODE_ONLY_TAG}
    nb.cells = [c for c in nb.cells if not set(c.get("metadata", {}).get("tags", [])) & hidden]
    for c in nb.cells:
        if LOG_TAG in c.get("metadata", {}).get("tags", []):
            c["outputs"] = [o for o in c.get("outputs", []) if o.get("output_type") != "stream"]
    return nb


def code_view(nb):
    """The notebook a fact-checker reads: every cell, with the parameters this run used first and the
    notebook's defaults (which papermill's parameters replace) after them, each saying which it is."""
    nb = copy.deepcopy(nb)
    tags = [set(c.get("metadata", {}).get("tags", [])) for c in nb.cells]
    injected = [i for i, t in enumerate(tags) if "injected-parameters" in t]
    defaults = [i for i, t in enumerate(tags) if "parameters" in t]
    if injected and defaults and injected[0] > defaults[0]:
        run_cell, default_cell = nb.cells[injected[0]], nb.cells[defaults[0]]
        first = defaults[0]
        rest = [c for i, c in enumerate(nb.cells) if i not in (injected[0], defaults[0])]
        nb.cells = (
            rest[:first]
            + [
                nbformat.v4.new_markdown_cell("**The parameters this run used** (given by the runner):"),
                run_cell,
                nbformat.v4.new_markdown_cell("The notebook's defaults, which the parameters above replace:"),
                default_cell,
            ]
            + rest[first:]
        )
    return nb


def add_furniture(page: str, nav_html: str) -> str:
    """The stylesheet at the end of <head> (after nbconvert's own, so it wins) and the navigation bar at the
    top of <body> (after the SYNTHETIC banner when there is one)."""
    page = page.replace("</head>", f"<style>\n{pages.stylesheet()}\n</style>\n</head>", 1)
    if 'class="synthetic-banner"' in page:
        return page.replace(f"{BANNER_HTML}", f"{BANNER_HTML}\n{nav_html}", 1)
    return _BODY_RE.sub(lambda m: m.group(0) + "\n" + nav_html, page, count=1)


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
    csp = NOTEBOOK_CSP_META if 'rel="stylesheet"' in page else CSP_META
    page = _HEAD_RE.sub(lambda m: m.group(0) + "\n" + csp, page, count=1)
    if synthetic:
        if not _BODY_RE.search(page):
            raise ValueError("page has no <body> element to put the SYNTHETIC banner after")
        page = _BODY_RE.sub(lambda m: m.group(0) + "\n" + BANNER_HTML, page, count=1)
    return page
