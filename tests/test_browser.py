"""Every report page in a real browser: headless Chromium (Debian's, driven by Playwright), from disk, network off.

The pages come from the shared end-to-end run (fixture `e2e`): reports/index.html, each jurisdiction's
notebook pages (0N_*.html, 0N_*.code.html) and its interactive charts (charts/*.html), each opened at
1400 and 800 px wide. For each page at each width: nothing sticks out sideways (the document is no wider
than the window), every link to a local file leads to a file that exists (and its #anchor to an element),
every image has a real description, the charts drew, nothing failed to load, no request left the machine
and the console has no errors. Each failure names the page, the width and the element or link.

Screenshots, named <slug>__<page>__<width>.png (the index is all__index__<width>.png, a chart page
<slug>__charts-<name>__<width>.png), are saved in the run's build/screenshots/ and, for people to look at,
copied to build/browser_test/ of this checkout (gitignored). Nothing is written under any reports/: a
reporter who zips reports/ to share it ships only what the pipeline published. Skipped only when no
Chromium is installed (`make browser` installs Debian's).
"""

from __future__ import annotations

import html
import json
import os
import shutil
import urllib.parse
from collections import defaultdict
from pathlib import Path

import pytest

from browser import CANDIDATES, Browser, find_chromium
from pipeline import ROOT

WIDTHS = (1400, 800)
SCREENSHOTS = "build/screenshots"  # under the end-to-end run's root
REVIEW_COPY = ROOT / "build" / "browser_test"
IMAGE_MIME = ("image/png", "image/svg+xml", "image/jpeg", "image/gif")
NBCONVERT_DEFAULT_ALT = "No description has been provided for this image"

# Vega-embed draws into #vis; wait for its marks (or its error message) before looking.
SETTLE = (
    "!document.querySelector('.vega-embed, #vis') || "
    "document.querySelector('.vega-embed svg.marks g.role-mark > *, .vega-embed canvas, .vega-embed .error')"
)

# What the page shows (charts, images), what sticks out of the window, its links and its images' alt text.
CHECK = """(() => {
  const shown = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const describe = el => {
    let d = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '');
    if (typeof el.className === 'string' && el.className.trim()) d += '.' + el.className.trim().split(/\\s+/).slice(0, 3).join('.');
    const text = (el.innerText || el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 70);
    return text ? `${d} ("${text}")` : d;
  };
  const vw = window.innerWidth;
  const clipped = el => {   // inside a box that scrolls or clips sideways: it cannot widen the document
    for (let a = el.parentElement; a && a !== document.body && a !== document.documentElement; a = a.parentElement)
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    return false;
  };
  const sticksOut = el => { const r = el.getBoundingClientRect(); return (r.width || r.height) && r.right > vw + 1; };
  const overflow = [];
  if (document.documentElement.scrollWidth > vw + 1 && document.body) {
    for (const el of document.body.querySelectorAll('*')) {
      if (!sticksOut(el) || clipped(el)) continue;
      const parent = el.parentElement;
      if (parent && parent !== document.body && sticksOut(parent)) continue;   // report the outermost one
      const r = el.getBoundingClientRect();
      overflow.push({el: describe(el), right: Math.round(r.right), width: Math.round(r.width)});
      if (overflow.length >= 8) break;
    }
  }
  const cut = [];   // boxes whose content is wider than they are: scrolled sideways inside, or cut off
  for (const box of document.body ? document.body.querySelectorAll('*') : []) {
    const how = getComputedStyle(box).overflowX;
    if (how === 'visible' || !box.clientWidth || box.scrollWidth <= box.clientWidth + 1) continue;
    let widest = null;
    for (const ch of box.children) if (!widest || ch.getBoundingClientRect().width > widest.getBoundingClientRect().width) widest = ch;
    cut.push({box: describe(box), how, content: box.scrollWidth, shown: box.clientWidth, el: widest ? describe(widest) : ''});
    if (cut.length >= 12) break;
  }
  const embed = document.querySelector('.vega-embed');
  const svg = embed && embed.querySelector('svg.marks');
  const canvas = embed && embed.querySelector('canvas');
  let inked = 0;
  if (canvas && canvas.width && canvas.height) {
    const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < px.length; i += 4) if (px[i]) inked++;
  }
  const here = location.href.split('#')[0];
  return {
    scrollWidth: document.documentElement.scrollWidth, viewport: vw, overflow, cut,
    links: [...document.querySelectorAll('a[href]')].map(a => {
      const hash = a.hash ? decodeURIComponent(a.hash.slice(1)) : '';
      const samePage = a.href.split('#')[0] === here;
      return {href: a.getAttribute('href'), url: a.href, text: (a.textContent || '').trim().slice(0, 60),
              anchorHere: samePage && hash ? !!(document.getElementById(hash) || document.getElementsByName(hash).length) : null};
    }),
    alts: [...document.images].map(img => ({src: img.getAttribute('src') ? img.getAttribute('src').slice(0, 70) : '',
                                            alt: img.getAttribute('alt')})),
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
        looked = (
            f"CHROMIUM={os.environ['CHROMIUM']!r} is not an executable"
            if os.environ.get("CHROMIUM")
            else f"none of {', '.join(CANDIDATES)} found"
        )
        pytest.skip(
            f"Chromium is not installed: {looked} (`make browser` installs Debian's chromium, "
            "or set CHROMIUM=/path/to/chromium)"
        )
    return path


def _pages(reports: Path) -> list[Path]:
    return sorted(reports.rglob("*.html"))


def shot_name(reports: Path, page: Path, width: int) -> str:
    """<slug>__<page>__<width>.png: all__index__1400.png, alvin-isd__03_analyze.code__800.png,
    alvin-isd__charts-top_agencies__1400.png."""
    parts = page.relative_to(reports).with_suffix("").parts
    slug, rest = (parts[0], parts[1:]) if len(parts) > 1 else ("all", parts)
    return f"{slug}__{'-'.join(rest)}__{width}.png"


@pytest.fixture(scope="module")
def visits(e2e, chromium):
    """{(page path relative to reports/, width): Visit}, every page visited once at each width; screenshots saved."""
    root, _, _ = e2e
    reports = root / "reports"
    pages = _pages(reports)
    assert pages, f"the end-to-end run wrote no HTML page under {reports}"
    shots = root / SCREENSHOTS
    shots.mkdir(parents=True, exist_ok=True)
    out = {}
    with Browser(chromium) as browser:
        for page in pages:
            for width in WIDTHS:
                visit = browser.visit(page.as_uri(), width=width, settle_js=SETTLE, check_js=CHECK)
                if visit.screenshot:
                    (shots / shot_name(reports, page, width)).write_bytes(visit.screenshot)
                out[page.relative_to(reports).as_posix(), width] = visit
    REVIEW_COPY.mkdir(parents=True, exist_ok=True)
    for old in REVIEW_COPY.glob("*.png"):
        old.unlink()
    for shot in shots.glob("*.png"):
        shutil.copyfile(shot, REVIEW_COPY / shot.name)
    return out


def _report(found: dict[tuple[str, str], list[int]], what: str) -> str:
    """One line per (page, problem), naming the widths it was seen at; a count first."""
    pages = {name for name, _ in found}
    lines = [
        f"{name} at {' and '.join(f'{w} px' for w in sorted(set(ws), reverse=True))}: {problem}"
        for (name, problem), ws in sorted(found.items())
    ]
    return f"{len(lines)} {what} on {len(pages)} page(s):\n" + "\n".join(lines)


def _collect(visits, problems_of) -> dict[tuple[str, str], list[int]]:
    found: dict[tuple[str, str], list[int]] = defaultdict(list)
    for (name, width), visit in visits.items():
        for problem in problems_of(name, visit):
            found[name, problem].append(width)
    return found


def _expected_images(page: Path) -> int:
    """How many image outputs the executed notebook behind a notebook page has (0 for other pages)."""
    stem = page.name.removesuffix(".code.html").removesuffix(".html")
    nb = page.with_name(f"{stem}.ipynb")
    if not nb.is_file():
        return 0
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    return sum(1 for c in cells for o in c.get("outputs", []) if any(m in o.get("data", {}) for m in IMAGE_MIME))


def test_every_report_page_was_visited_at_both_widths(e2e, visits):
    names = {name for name, _ in visits}
    assert {(n, w) for n in names for w in WIDTHS} == set(visits)
    assert "index.html" in names
    for slug in ("foster-city-ca-pd", "alvin-isd"):
        for nb in ("01_clean", "02_validate", "03_analyze"):
            assert {f"{slug}/{nb}.html", f"{slug}/{nb}.code.html"} <= names, slug
        assert any(n.startswith(f"{slug}/charts/") for n in names), f"{slug}: no chart page"


def test_pages_load_offline_without_errors(visits):
    """Nothing failed to load, nothing went to the network, no console error or uncaught exception."""
    found = _collect(visits, lambda name, visit: visit.problems())
    assert not found, _report(found, "load, network or console problem(s)")


def overflow_problems(name: str, visit) -> list[str]:
    c = visit.check or {}
    if not c or c["scrollWidth"] <= c["viewport"] + 1:
        return []
    culprits = "; ".join(f"{o['el']} reaches {o['right']} px ({o['width']} px wide)" for o in c["overflow"])
    return [
        f"the page is {c['scrollWidth']} px wide in a {c['viewport']} px window; sticking out: "
        + (culprits or "no single element found (a margin or a transform?)")
    ]


def test_no_page_is_wider_than_the_window(visits):
    """A reader never scrolls sideways: document scrollWidth <= window width + 1 at 1400 and 800 px."""
    found = _collect(visits, overflow_problems)
    assert not found, _report(found, "horizontal overflow(s)")


def cut_problems(name: str, visit) -> list[str]:
    return [
        f"{c['box']} shows {c['shown']} px of {c['content']} px (overflow-x: {c['how']}); the widest part: {c['el']}"
        for c in (visit.check or {}).get("cut", [])
    ]


def test_nothing_is_cut_off_or_scrolled_sideways_inside_the_page(visits):
    """Stricter than the page width: a table or chart wider than its box is cut off (overflow hidden) or
    needs a sideways scroll inside the page (overflow auto), which a reader of a printed or narrow page misses."""
    found = _collect(visits, cut_problems)
    assert not found, _report(found, "box(es) whose content is wider than the box")


def _has_anchor(path: Path, fragment: str) -> bool:
    text = path.read_text(encoding="utf-8", errors="replace")
    for attr in ("id", "name"):
        for quote in ('"', "'"):
            if (
                f"{attr}={quote}{html.escape(fragment, quote=True)}{quote}" in text
                or f"{attr}={quote}{fragment}{quote}" in text
            ):
                return True
    return False


def link_problems(name: str, visit, reports: Path) -> list[str]:
    """Every <a href> to a file: URL leads to a file that exists, and its #anchor to an element there."""
    out = []
    for link in (visit.check or {}).get("links", []):
        url = urllib.parse.urlsplit(link["url"])
        if url.scheme != "file":
            continue
        target = Path(urllib.parse.unquote(url.path))
        said = f'<a href="{link["href"]}"> ("{link["text"]}")'
        if not target.exists():
            out.append(
                f"{said} leads to {target.relative_to(reports) if target.is_relative_to(reports) else target}, "
                "which does not exist"
            )
        elif target.is_dir():
            out.append(f"{said} leads to a folder, not a file")
        elif url.fragment:
            fragment = urllib.parse.unquote(url.fragment)
            found = link["anchorHere"] if link["anchorHere"] is not None else _has_anchor(target, fragment)
            if not found:
                out.append(f"{said}: no element with id or name {fragment!r} in {target.name}")
    return out


def test_every_local_link_leads_to_a_file_that_exists(e2e, visits):
    reports = e2e[0] / "reports"
    found = _collect(visits, lambda name, visit: link_problems(name, visit, reports))
    assert not found, _report(found, "broken link(s)")


def test_no_local_link_leaves_reports(e2e, visits):
    """A reporter shares reports/ (zipped, or on a web server): a link to data/ or build/ breaks there."""
    reports = (e2e[0] / "reports").resolve()

    def outside(name, visit):
        return [
            f'<a href="{link["href"]}"> ("{link["text"]}") points outside reports/'
            for link in (visit.check or {}).get("links", [])
            if link["url"].startswith("file:")
            and not Path(urllib.parse.unquote(urllib.parse.urlsplit(link["url"]).path))
            .resolve()
            .is_relative_to(reports)
        ]

    found = _collect(visits, outside)
    assert not found, _report(found, "link(s) out of reports/")


def alt_problems(name: str, visit) -> list[str]:
    out = []
    alts = (visit.check or {}).get("alts", [])
    for n, img in enumerate(alts, 1):
        alt = img["alt"]
        where = f'image {n} of {len(alts)}, <img src="{img["src"]}…">'
        if alt is None:
            out.append(f"{where} has no alt attribute")
        elif not alt.strip():
            out.append(f"{where} has an empty alt")
        elif alt.strip() == NBCONVERT_DEFAULT_ALT:
            out.append(f'{where} has nbconvert\'s placeholder alt "{NBCONVERT_DEFAULT_ALT}"')
    return out


def test_every_image_has_a_real_description(visits):
    found = _collect(visits, alt_problems)
    assert not found, _report(found, "image(s) without a real description")


def chart_problems(name: str, visit, reports: Path) -> list[str]:
    c = visit.check or {}
    if not visit.loaded or not c:
        return ["the page did not load, so nothing could be checked"]
    out = []
    if c["bodyText"] == 0 and not c["images"]:
        out.append("the page is blank")
    if "/charts/" in f"/{name}":
        if not c["embed"]:
            out.append("no vega-embed element")
        elif c["embedError"]:
            out.append(f"vega-embed shows an error: {c['embedError']}")
        elif c["marks"] == 0 and c["canvasPixels"] == 0:
            out.append("the chart drew no marks (no SVG marks, blank canvas)")
    out += [f"an image did not load or decode: {img['src']}…" for img in c["images"] if not img["decoded"]]
    expected = _expected_images(reports / name)
    drawn = sum(1 for img in c["images"] if img["decoded"] and img["shown"]) + c["inlineSvgs"]
    if drawn < expected:
        out.append(f"{expected} chart image(s) in the notebook, {drawn} shown on the page")
    return out


def test_charts_drew(e2e, visits):
    """Every interactive chart page has Vega marks; every notebook page shows each of its charts."""
    reports = e2e[0] / "reports"
    found = _collect(visits, lambda name, visit: chart_problems(name, visit, reports))
    assert not found, _report(found, "chart problem(s)")


def test_screenshots_saved(e2e, visits):
    root = e2e[0]
    reports = root / "reports"
    for name, width in visits:
        shot = root / SCREENSHOTS / shot_name(reports, reports / name, width)
        assert shot.is_file() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{name} at {width} px: no screenshot"
        assert (REVIEW_COPY / shot.name).read_bytes() == shot.read_bytes()
    assert len(list(REVIEW_COPY.glob("*.png"))) == len(visits)
    assert not list(reports.rglob("*.png")) or all("/charts/" in p.as_posix() for p in reports.rglob("*.png"))


BROKEN = """<!DOCTYPE html><html><head><meta charset="utf-8">
<script src="https://cdn.jsdelivr.net/npm/vega@6"></script></head>
<body><p id="top">x</p><img src="missing.png"><img src="http://192.0.2.1/pixel.gif" alt="">
<img src="{GIF}" alt="No description has been provided for this image">
<a href="gone.csv">gone</a> <a href="#nowhere">here</a> <a href="#top">top</a> <a href="other.html#nope">other</a>
<a href="other.html#there">fine</a> <a href="https://example.org/">outside</a>
<div style="width: 1000px" class="wide">a wide box</div>
<div style="overflow-x: auto; width: 100%"><table style="width: 3000px"><tr><td>scrolls in its box</td></tr></table></div>
<script>console.error("chart failed"); fetch("http://127.0.0.1:9/x").catch(() => {});
new WebSocket("ws://192.0.2.1/s"); notDefined();</script>
</body></html>""".replace("{GIF}", "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def test_the_checks_catch_a_broken_page(tmp_path, chromium):
    """The detectors themselves: each fault of a broken page is reported, and only those."""
    page = tmp_path / "broken.html"
    page.write_text(BROKEN, encoding="utf-8")
    (tmp_path / "other.html").write_text('<p id="there">x</p>', encoding="utf-8")
    with Browser(chromium) as browser:
        narrow = browser.visit(page.as_uri(), width=800, check_js=CHECK)
        wide = browser.visit(page.as_uri(), width=1400, check_js=CHECK)
    problems = "\n".join(narrow.problems())
    for url in (
        "https://cdn.jsdelivr.net/npm/vega@6",
        "http://192.0.2.1/pixel.gif",
        "http://127.0.0.1:9/x",
        "ws://192.0.2.1/s",
    ):
        assert f"request to the network: {url}" in problems
    assert "failed request: file://" in problems and "missing.png" in problems
    assert "console error: chart failed" in problems
    assert "uncaught exception: ReferenceError: notDefined is not defined" in problems
    assert [img["decoded"] for img in narrow.check["images"]] == [False, False, True]

    (over,) = overflow_problems("broken.html", narrow)
    assert (
        "1008 px wide in a 800 px window" in over
        and "reaches 1008 px (1000 px wide)" in over
        and 'div.wide ("a wide box")' in over
    )
    assert "scrolls in its box" not in over  # clipped by its scrolling box: not a culprit
    assert overflow_problems("broken.html", wide) == []
    (cut,) = cut_problems("broken.html", wide)
    assert (
        'div ("scrolls in its box") shows 1384 px' in cut
        and "of 3000 px (overflow-x: auto)" in cut
        and 'table ("scrolls in its box")' in cut
    )

    links = link_problems("broken.html", narrow, tmp_path)
    assert links == [
        '<a href="gone.csv"> ("gone") leads to gone.csv, which does not exist',
        '<a href="#nowhere"> ("here"): no element with id or name \'nowhere\' in broken.html',
        '<a href="other.html#nope"> ("other"): no element with id or name \'nope\' in other.html',
    ]
    assert alt_problems("broken.html", narrow) == [
        'image 1 of 3, <img src="missing.png…"> has no alt attribute',
        'image 2 of 3, <img src="http://192.0.2.1/pixel.gif…"> has an empty alt',
        'image 3 of 3, <img src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEA…"> has nbconvert\'s '
        "placeholder alt "
        f'"{NBCONVERT_DEFAULT_ALT}"',
    ]
