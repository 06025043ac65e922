"""Every published page of this project in a real browser, as an editor would open it: `make check-pages`.

The browser tests (tests/test_browser.py) check the pages of a small end-to-end run; this checks the pages
of the bundled jurisdictions and corpora as they are under reports/ now, at 1400, 800 and 390 px: nothing
wider than the window, no table, chart or code cell cut or scrolled sideways, no image without a real
description, every local link leading to a file that exists and no link to a CSV with no row, no console
error, nothing fetched from the network; the index under 8,000 px tall at 1400 px; no plumbing word
(pipeline/rules/plumbing_words.yml) on an editor page outside a section folded for fact-checkers; and
reports/ without the explorer under 60 MB. A full-page screenshot of each page is kept in
build/screenshots/bundled/<page>__<width>.png. Exits 1 and names the page, width and problem when anything
fails.
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
from pathlib import Path


from pipeline import ROOT
from pipeline.io.rules import read_data_file

WIDTHS = (1400, 800, 390)
PLACEHOLDER = "No description has been provided"
INNER = ".jp-OutputArea-output, .jp-InputArea-editor, .cm-content"
INDEX_MAX_HEIGHT = 8000  # px at 1400 px: the story fits in a few screens
REPORTS_MAX_BYTES = 60_000_000  # reports/ without the explorer, for the bundled jurisdictions
EDITOR_PAGE = re.compile(r"^(index\.html|0[0-9]_[a-z_]+\.html)$")  # not .code.html, files.html or charts
# The text a reader sees with every folded section (<details>) left out.
VISIBLE_TEXT = "(() => { const b = document.body.cloneNode(true); b.querySelectorAll('details').forEach(d => d.remove()); return b.innerText; })()"


@functools.cache
def plumbing_words() -> list[str]:
    return [w["text"] for w in read_data_file(ROOT / "pipeline" / "rules" / "plumbing_words.yml")]


def pages(reports: Path) -> list[Path]:
    return (
        [reports / "index.html"]
        + sorted(reports.glob("*/*.html"))
        + sorted(reports.glob("*/charts/*.html"))
        + sorted(reports.glob("corpora/*/*.html"))
        + sorted(reports.glob("corpora/*/charts/*.html"))
    )


def is_editor_page(page: Path) -> bool:
    return bool(EDITOR_PAGE.match(page.name)) and page.parent.name != "charts"


def csv_is_empty(path: Path) -> bool:
    """A CSV with its header line and no row."""
    with path.open("rb") as f:
        f.readline()
        return not f.readline().strip()


def link_problems(page: Path, hrefs: list[str]) -> list[str]:
    out = []
    for h in hrefs:
        if h.startswith(("http:", "https:", "#", "mailto:", "data:")):
            continue
        target = page.parent / h.split("#")[0]
        if not target.exists():
            out.append(f"link to a missing file: {h}")
        elif target.suffix == ".csv" and csv_is_empty(target):
            out.append(f"link to a CSV with no row (say 'none' instead): {h}")
    return out


def plumbing_problems(text: str) -> list[str]:
    return [f"plumbing on an editor page (fold it for fact-checkers): {w!r}" for w in plumbing_words() if w in text]


def reports_size(reports: Path) -> int:
    """Bytes under reports/, the explorer's database left out (it is built apart, on demand)."""
    return sum(
        p.stat().st_size
        for p in reports.rglob("*")
        if p.is_file() and "explore" not in p.relative_to(reports).parts[:1]
    )


def problems(pg, page: Path, width: int) -> list[str]:
    out = []
    scroll = pg.evaluate("document.documentElement.scrollWidth")
    if scroll > width + 1:
        out.append(f"the page is {scroll} px wide")
    alts = pg.evaluate(f"[...document.images].filter(i => !i.alt || i.alt.startsWith('{PLACEHOLDER}')).length")
    if alts:
        out.append(f"{alts} image(s) without a real description")
    inner = pg.evaluate(
        f"[...document.querySelectorAll('{INNER}')].filter(e => e.scrollWidth > e.clientWidth + 1)"
        ".map(e => e.innerText.slice(0, 60))"
    )
    out += [f"content wider than its box: {text!r}" for text in inner]
    out += link_problems(
        page, pg.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))")
    )
    if page.name == "index.html" and page.parent.name == "reports" and width == 1400:
        height = pg.evaluate("document.documentElement.scrollHeight")
        if height >= INDEX_MAX_HEIGHT:
            out.append(f"the index is {height:,} px tall (at most {INDEX_MAX_HEIGHT:,})")
    if is_editor_page(page) and width == WIDTHS[0]:
        out += plumbing_problems(pg.evaluate(VISIBLE_TEXT))
    return out


def main(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    from pipeline.report.outputs import size_words

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=ROOT)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--widths", type=int, nargs="+", default=list(WIDTHS))
    args = ap.parse_args(argv)
    reports, shots = args.root / "reports", args.root / "build" / "screenshots" / "bundled"
    shots.mkdir(parents=True, exist_ok=True)
    failures, seen = [], pages(reports)
    size = reports_size(reports)
    if size >= REPORTS_MAX_BYTES:
        failures.append(
            f"reports/ without the explorer is {size_words(size)} (at most {size_words(REPORTS_MAX_BYTES)})"
        )
        print("FAIL", failures[-1], flush=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
        for width in args.widths:
            ctx = browser.new_context(viewport={"width": width, "height": 900})
            ctx.route(
                "http*://**",
                lambda route: (failures.append(f"request left the machine: {route.request.url}"), route.abort()),
            )
            for page in seen:
                pg = ctx.new_page()
                errors: list[str] = []
                pg.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
                pg.goto(page.resolve().as_uri())
                pg.wait_for_timeout(150)
                rel = page.relative_to(reports)
                found = problems(pg, page, width) + [f"console error: {e}" for e in errors]
                for x in found:  # said as found: a long check shows its problems before it ends
                    print(f"FAIL {rel} at {width} px: {x}", flush=True)
                failures += [f"{rel} at {width} px: {x}" for x in found]
                pg.screenshot(
                    path=str(shots / (str(rel.with_suffix("")).replace("/", "__") + f"__{width}.png")), full_page=True
                )
                pg.close()
            ctx.close()
        browser.close()
    print(
        f"{len(seen)} pages at {' and '.join(map(str, args.widths))} px; reports/ without the explorer: "
        f"{size_words(size)}; screenshots in {shots.relative_to(args.root)}/"
    )
    print(f"{len(failures)} problem(s)" if failures else "no problem found")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
