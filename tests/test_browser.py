"""Every report page in a real browser: headless Chromium, opened from disk with the network off.

The pages come from the shared end-to-end run (fixture `e2e`): reports/index.html, each jurisdiction's
notebook pages (0N_*.html, 0N_*.code.html) and its interactive charts (charts/*.html). For each page:
the charts drew, nothing failed to load, no request left the machine and the console has no errors.
A screenshot of every page is saved in the run's build/screenshots/ and, for people to look at, copied to
build/browser_test/ of this checkout (gitignored). Nothing is written under any reports/: a reporter who
zips reports/ to share it ships only what the pipeline published. Skipped only when no Chromium is installed
(`apt-get install -y chromium`).
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from browser import CANDIDATES, Browser, find_chromium
from pipeline import ROOT

SCREENSHOTS = "build/screenshots"     # under the end-to-end run's root
REVIEW_COPY = ROOT / "build" / "browser_test"
IMAGE_MIME = ("image/png", "image/svg+xml", "image/jpeg", "image/gif")

# Vega-embed draws into #vis; wait for its marks (or its error message) before looking.
SETTLE = ("!document.querySelector('.vega-embed, #vis') || "
          "document.querySelector('.vega-embed svg.marks g.role-mark > *, .vega-embed canvas, .vega-embed .error')")

# What the page shows: Vega's chart (SVG marks or painted canvas pixels), notebook images, inline SVGs.
CHECK = """(() => {
  const shown = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const embed = document.querySelector('.vega-embed');
  const svg = embed && embed.querySelector('svg.marks');
  const canvas = embed && embed.querySelector('canvas');
  let inked = 0;
  if (canvas && canvas.width && canvas.height) {
    const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < px.length; i += 4) if (px[i]) inked++;
  }
  return {
    embed: !!embed,
    marks: svg && shown(svg) ? svg.querySelectorAll('g.role-mark > *').length : 0,
    canvasPixels: canvas && shown(canvas) ? inked : 0,
    embedError: embed ? ((embed.querySelector('.error') || {}).textContent || '') : '',
    images: [...document.images].map(img => ({src: img.currentSrc.slice(0, 60), decoded: img.complete && img.naturalWidth > 0,
                                               shown: shown(img)})),
    inlineSvgs: [...document.querySelectorAll('.jp-OutputArea-output svg')]
                  .filter(s => shown(s) && s.querySelector('path, rect, text')).length,
    bodyText: document.body ? document.body.innerText.trim().length : 0,
  };
})()"""


@pytest.fixture(scope="module")
def chromium() -> str:
    path = find_chromium()
    if path is None:
        looked = (f"CHROMIUM={os.environ['CHROMIUM']!r} is not an executable" if os.environ.get("CHROMIUM")
                  else f"none of {', '.join(CANDIDATES)} found")
        pytest.skip(f"Chromium is not installed: {looked} (install it with `apt-get install -y chromium`, "
                    "or set CHROMIUM=/path/to/chromium)")
    return path


def _pages(reports: Path) -> list[Path]:
    return sorted(reports.rglob("*.html"))


def _shot_name(reports: Path, page: Path) -> str:
    return "__".join(page.relative_to(reports).with_suffix("").parts) + ".png"


@pytest.fixture(scope="module")
def visits(e2e, chromium):
    """{page path relative to reports/: Visit}, every page visited once; screenshots saved."""
    root, _, _ = e2e
    reports = root / "reports"
    pages = _pages(reports)
    assert pages, f"the end-to-end run wrote no HTML page under {reports}"
    shots = root / SCREENSHOTS
    shots.mkdir(parents=True, exist_ok=True)
    out = {}
    with Browser(chromium) as browser:
        for page in pages:
            visit = browser.visit(page.as_uri(), settle_js=SETTLE, check_js=CHECK)
            if visit.screenshot:
                (shots / _shot_name(reports, page)).write_bytes(visit.screenshot)
            out[page.relative_to(reports).as_posix()] = visit
    REVIEW_COPY.mkdir(parents=True, exist_ok=True)
    for old in REVIEW_COPY.glob("*.png"):
        old.unlink()
    for shot in shots.glob("*.png"):
        shutil.copyfile(shot, REVIEW_COPY / shot.name)
    return out


def _expected_images(page: Path) -> int:
    """How many image outputs the executed notebook behind a notebook page has (0 for other pages)."""
    stem = page.name.removesuffix(".code.html").removesuffix(".html")
    nb = page.with_name(f"{stem}.ipynb")
    if not nb.is_file():
        return 0
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    return sum(1 for c in cells for o in c.get("outputs", []) if any(m in o.get("data", {}) for m in IMAGE_MIME))


def test_every_report_page_was_visited(e2e, visits):
    root, _, _ = e2e
    names = set(visits)
    assert "index.html" in names
    for slug in ("foster-city-ca-pd", "alvin-isd"):
        for nb in ("01_clean", "02_validate", "03_analyze"):
            assert {f"{slug}/{nb}.html", f"{slug}/{nb}.code.html"} <= names, slug
        assert any(n.startswith(f"{slug}/charts/") for n in names), f"{slug}: no chart page"


def test_pages_load_offline_without_errors(visits):
    """(b) nothing failed to load and nothing went to the network; (c) no console error or exception."""
    failures = [f"{name}: {problem}" for name, visit in visits.items() for problem in visit.problems()]
    assert not failures, "in the browser:\n" + "\n".join(failures)


def test_charts_drew(e2e, visits):
    """(a) every interactive chart page has Vega marks; every notebook page shows each of its charts."""
    root, _, _ = e2e
    reports = root / "reports"
    failures = []
    for name, visit in visits.items():
        c = visit.check or {}
        if not visit.loaded or not c:
            failures.append(f"{name}: the page did not load, so nothing could be checked")
            continue
        if c["bodyText"] == 0 and not c["images"]:
            failures.append(f"{name}: the page is blank")
        if "/charts/" in f"/{name}":
            if not c["embed"]:
                failures.append(f"{name}: no vega-embed element")
            elif c["embedError"]:
                failures.append(f"{name}: vega-embed shows an error: {c['embedError']}")
            elif c["marks"] == 0 and c["canvasPixels"] == 0:
                failures.append(f"{name}: the chart drew no marks (no SVG marks, blank canvas)")
        for img in c["images"]:
            if not img["decoded"]:
                failures.append(f"{name}: an image did not load or decode: {img['src']}…")
        expected = _expected_images(reports / name)
        drawn = sum(1 for img in c["images"] if img["decoded"] and img["shown"]) + c["inlineSvgs"]
        if drawn < expected:
            failures.append(f"{name}: {expected} chart image(s) in the notebook, {drawn} shown on the page")
    assert not failures, "\n".join(failures)


def test_screenshots_saved(e2e, visits):
    root, _, _ = e2e
    reports = root / "reports"
    for name in visits:
        shot = root / SCREENSHOTS / _shot_name(reports, reports / name)
        assert shot.is_file() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{name}: no screenshot"
    assert len(list(REVIEW_COPY.glob("*.png"))) == len(visits)
    assert not list(reports.rglob("*.png")) or all("/charts/" in p.as_posix() for p in reports.rglob("*.png"))


def test_the_checks_catch_a_broken_page(tmp_path, chromium):
    """The detector itself: a page that needs the network, logs an error and throws is reported for each."""
    page = tmp_path / "broken.html"
    page.write_text("""<!DOCTYPE html><html><head><meta charset="utf-8">
<script src="https://cdn.jsdelivr.net/npm/vega@6"></script></head>
<body><p>x</p><img src="missing.png"><img src="http://192.0.2.1/pixel.gif">
<script>console.error("chart failed"); fetch("http://127.0.0.1:9/x").catch(() => {}); notDefined();</script>
</body></html>""", encoding="utf-8")
    with Browser(chromium) as browser:
        visit = browser.visit(page.as_uri(), check_js=CHECK)
    problems = "\n".join(visit.problems())
    assert "request to the network: https://cdn.jsdelivr.net/npm/vega@6" in problems
    assert "request to the network: http://192.0.2.1/pixel.gif" in problems
    assert "request to the network: http://127.0.0.1:9/x" in problems
    assert "failed request: file://" in problems and "missing.png" in problems
    assert "console error: chart failed" in problems
    assert "uncaught exception: ReferenceError: notDefined is not defined" in problems
    assert [img["decoded"] for img in visit.check["images"]] == [False, False]
