"""Every published page of this project in a real browser, as an editor would open it: `make check-pages`.

The browser tests (tests/test_browser.py) check the pages of a small end-to-end run; this checks the pages
of the bundled jurisdictions and corpora as they are under reports/ now, at 1400 and 800 px: nothing wider
than the window, no table, chart or code cell cut or scrolled sideways, no image without a real
description, every local link leading to a file that exists, no console error, nothing fetched from the
network. A full-page screenshot of each is kept in build/screenshots/bundled/<page>__<width>.png. Exits 1
and names the page, width and problem when anything fails.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline import ROOT

WIDTHS = (1400, 800)
PLACEHOLDER = "No description has been provided"
INNER = ".jp-OutputArea-output, .jp-InputArea-editor, .cm-content"


def pages(reports: Path) -> list[Path]:
    return (
        [reports / "index.html"]
        + sorted(reports.glob("*/*.html"))
        + sorted(reports.glob("*/charts/*.html"))
        + sorted(reports.glob("corpora/*/*.html"))
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
    hrefs = pg.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))")
    out += [
        f"link to a missing file: {h}"
        for h in hrefs
        if not h.startswith(("http:", "https:", "#", "mailto:")) and not (page.parent / h.split("#")[0]).exists()
    ]
    return out


def main(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=ROOT)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args(argv)
    reports, shots = args.root / "reports", args.root / "build" / "screenshots" / "bundled"
    shots.mkdir(parents=True, exist_ok=True)
    failures, seen = [], pages(reports)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
        for width in WIDTHS:
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
                failures += [f"{rel} at {width} px: {x}" for x in found]
                pg.screenshot(
                    path=str(shots / (str(rel.with_suffix("")).replace("/", "__") + f"__{width}.png")), full_page=True
                )
                pg.close()
            ctx.close()
        browser.close()
    print(f"{len(seen)} pages at {' and '.join(map(str, WIDTHS))} px; screenshots in {shots.relative_to(args.root)}/")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
