"""The pages and notebook outputs a chart is read in: its offline HTML page (charts/<name>.html) and what a
notebook cell displays (`show`: an image with the chart's written description as its alt text).

The page is a Jinja2 template with autoescape: the description and names (agency names come from the
public) are escaped; only the spec, made script-safe by the caller, is pasted raw. The Vega runtime (about
1 MB) is not embedded in each page: it is one shared file, reports/assets/vega-<versions>.js, loaded by a
relative <script src> (which works offline, from file:// too), so 78 chart pages weigh 78 specs, not 78
runtimes. The chart is drawn as SVG scaled to the window's width (never wider than its own).
"""

from __future__ import annotations

import base64
import contextlib
import functools
import html
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from pipeline.io.atomic import write_text
from pipeline.io.warmup import WarmUp
from pipeline.io.text import strip_bidi

ANALYSIS_PAGE = "../03_analyze.html"  # the page that made a jurisdiction's chart (charts/ sits beside it)
INDEX_PAGE = "../../index.html"  # reports/index.html from reports/<slug>/charts/
CORPUS_ANALYSIS_PAGE = "../04_corpus.html"  # a corpus chart: reports/corpora/<name>/charts/
CORPUS_INDEX_PAGE = "../../../index.html"
ASSETS = "assets"  # reports/assets/: files shared by every page (the Vega runtime)
SYNTHETIC_PREFIX = "SYNTHETIC DATA — "

_PAGE = jinja2.Environment(autoescape=True).from_string("""\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ tab_title }}</title>
<style>
  body { margin: 0 auto; padding: 16px; max-width: 1100px; box-sizing: border-box;
         font: 15px/1.45 Helvetica, Arial, sans-serif; color: #111; }
  nav { display: flex; flex-wrap: wrap; gap: 4px 18px; margin-bottom: 12px; font-size: 14px; }
  .synthetic { background: #b00020; color: #fff; font-weight: bold; padding: 8px 12px; margin: 0 0 12px; }
  .description { max-width: 70ch; color: #333; }
  #vis { width: 100%; max-width: 100%; overflow: hidden; }
  #vis.vega-embed { display: block; }
  #vis svg { max-width: 100%; height: auto; }
  /* On a phone the chart keeps its own size (12 px text) and scrolls sideways rather than shrink to 5 px. */
  @media (max-width: 600px) { #vis { overflow-x: auto; } #vis svg { max-width: none; } }
  .files { font-size: 14px; }
</style>
<script src="{{ runtime }}"></script>
</head>
<body>
<nav aria-label="Back"><a href="{{ analysis }}">← {{ jurisdiction or "Analysis" }}: the analysis page</a>
<a href="{{ index }}">All jurisdictions (index)</a></nav>
{% if synthetic %}<p class="synthetic" role="alert">SYNTHETIC DATA: generated test data, not a real public-records release.</p>{% endif %}
<main>
<h1 style="font-size: 19px; margin: 0 0 8px;">{{ heading }}</h1>
<p class="description" id="description">{{ description }}</p>
<div id="vis" role="img" aria-describedby="description"></div>
<p class="files">This chart as <a href="{{ name }}.png">PNG</a>, <a href="{{ name }}.svg">SVG</a>
and its data as <a href="{{ name }}.csv">CSV</a>.</p>
</main>
<script type="text/javascript">
  const spec = {{ spec }};
  vegaEmbed('#vis', spec, {renderer: "svg", actions: {export: true, source: false, compiled: false, editor: false}})
    .catch(console.error);
</script>
</body>
</html>
""")


@dataclass(frozen=True)
class ChartPage:
    name: str  # file stem: charts/<name>.html, .png, .svg, .csv
    title: str  # the chart's title (its finding), without the SYNTHETIC prefix
    jurisdiction: str
    synthetic: bool
    description: str


@dataclass(frozen=True)
class Place:
    """Where a chart page sits: its links back and the shared runtime's file, as seen from the page."""

    analysis: str
    index: str
    runtime_dir: Path  # the folder the runtime file is written to
    runtime_href: str  # the runtime's folder relative to the page, ending in /


def place(path: Path) -> Place:
    """reports/<slug>/charts/x.html or reports/corpora/<name>/charts/x.html: the runtime under reports/assets/.
    A page anywhere else (a test's folder) keeps its runtime beside it, so it still opens."""
    path = Path(path)
    parents = path.parents
    if len(parents) > 3 and parents[2].name == "reports":
        return Place(ANALYSIS_PAGE, INDEX_PAGE, parents[2] / ASSETS, f"../../{ASSETS}/")
    if len(parents) > 4 and parents[2].name == "corpora" and parents[3].name == "reports":
        return Place(CORPUS_ANALYSIS_PAGE, CORPUS_INDEX_PAGE, parents[3] / ASSETS, f"../../../{ASSETS}/")
    return Place(ANALYSIS_PAGE, INDEX_PAGE, path.parent, "")


def runtime_name() -> str:
    """The shared runtime's file name, by the versions that make it (a new Vega-Lite makes a new file)."""
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    return f"vega-runtime_vl-convert-{vlc.__version__}_vega-lite-{vl_version_for_vl_convert()}.js"


def write_runtime(folder: Path) -> Path:
    """The Vega runtime in `folder`, written once (unchanged when it is there with the same bytes)."""
    target = Path(folder) / runtime_name()
    bundle = _bundle()
    try:
        if target.stat().st_size == len(bundle.encode("utf-8")):
            return target
    except OSError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text(target, bundle)
    return target


@functools.cache
def _bundle() -> str:
    """The Vega JavaScript Altair's own pages embed. vl-convert takes about 2 s to assemble it, so it is kept
    under build/cache/, named by the versions that make it (a new vl-convert or Vega-Lite makes a new file)."""
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert
    from pipeline import ROOT
    from pipeline.project import build_dir

    vl = vl_version_for_vl_convert()
    kept = build_dir(ROOT) / "cache" / f"vega-bundle_vl-convert-{vlc.__version__}_vega-lite-{vl}.js"
    try:
        return kept.read_text(encoding="utf-8")
    except OSError:
        pass
    bundle = vlc.javascript_bundle(vl_version=vl)
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        write_text(kept, bundle)
    except OSError:  # a read-only checkout assembles it once per process
        pass
    return bundle


def render_page(spec_json: str, page: ChartPage, where: Place | None = None) -> str:
    """The page's HTML; `spec_json` must already be safe inside <script> (no '<', '>' or '&' unescaped).
    where: the page's place (default: reports/<slug>/charts/)."""
    if "<" in spec_json:
        raise ValueError("the spec must be script-safe JSON (charts._ScriptSafeJSON)")
    where = where or Place(ANALYSIS_PAGE, INDEX_PAGE, Path(ASSETS), f"../../{ASSETS}/")
    what = f"{page.jurisdiction}: {page.title}" if page.jurisdiction else page.title
    tab = (SYNTHETIC_PREFIX if page.synthetic else "") + f"{what} (chart)"
    return _PAGE.render(
        tab_title=tab,
        heading=(SYNTHETIC_PREFIX if page.synthetic else "") + page.title,
        jurisdiction=page.jurisdiction,
        synthetic=page.synthetic,
        description=page.description,
        name=page.name,
        analysis=where.analysis,
        index=where.index,
        spec=Markup(spec_json),
        runtime=where.runtime_href + runtime_name(),
    )


def write_page(path: Path, spec_json: str, page: ChartPage) -> None:
    """The chart page at `path`, and the shared runtime it loads if it is not there yet."""
    where = place(Path(path))
    write_runtime(where.runtime_dir)
    write_text(Path(path), render_page(spec_json, page, where))


class ChartOutput:
    """What a notebook cell displays: the chart as an <img> whose alt is its description (text/html, which
    nbconvert's default lab template shows as is), plus the PNG with {"alt": description} in its metadata
    (read by nbconvert's classic template) and the description as plain text.

    With `src` (the chart's SVG file as published beside the page, "charts/x.svg"), the <img> points at
    that file instead of carrying the drawing inline, and no PNG is kept: the page and the executed
    notebook then weigh a few hundred bytes per chart, not a few hundred kilobytes."""

    def __init__(self, svg: str, png: bytes | None, description: str, src: str | None = None):
        self.svg, self.png, self.description, self.src = svg, png, description, src

    def _repr_mimebundle_(self, include=None, exclude=None):
        src = self.src or ("data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii"))
        img = (
            f'<img src="{html.escape(src, quote=True)}" alt="{html.escape(self.description, quote=True)}" '
            'style="width: 100%; height: auto;">'  # the column's width: larger at 1,400 px, 12 px text at 800
        )
        data = {"text/html": img, "text/plain": self.description}
        if self.png is not None:
            data["image/png"] = base64.b64encode(self.png).decode("ascii")
            return data, {"alt": self.description, "image/png": {"alt": self.description}}
        return data, {"alt": self.description}


@dataclass(frozen=True)
class Drawn:
    """A chart drawn once, for every file and display made of it: its Vega-Lite spec (built and validated
    once: Altair re-validates the whole spec on every save), the SVG, and the PNG at scale 2 (rasterised
    from that SVG, which gives the same bytes as vl-convert drawing the PNG from the spec again)."""

    spec: dict
    svg: str
    png: bytes

    @property
    def description(self) -> str:
        value = self.spec.get("description")
        return value if isinstance(value, str) else ""


def without_bidi(o):
    """The spec with Unicode's bidirectional controls taken out of every string (titles and data alike): an
    agency name holding a right-to-left override would otherwise read backwards in the image and the page."""
    if isinstance(o, str):
        return strip_bidi(o)
    if isinstance(o, dict):
        return {strip_bidi(k): without_bidi(v) for k, v in o.items()}
    if isinstance(o, list):
        return [without_bidi(v) for v in o]
    return o


def _first_conversion() -> None:
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    with contextlib.suppress(Exception):  # a failure here is met again, and reported, by the first draw
        vlc.vegalite_to_svg({"data": {"values": [{"x": 1}]}, "mark": "point"}, vl_version=vl_version_for_vl_convert())


# vl-convert's JavaScript engine started in a thread: its first conversion in a process takes about half a
# second (V8 and the Vega bundles load), which then overlaps the figures a notebook computes before its first
# chart (the conversion releases the GIL). Not in the kernel template: the engine runs threads, which a fork
# must not copy. draw waits for it first.
_WARM = WarmUp("chart-warm-up", _first_conversion)
warm_up = _WARM.start


def draw(chart) -> Drawn:
    """`chart` (an Altair chart, or a Drawn already) drawn once by vl-convert, as Altair's own save would."""
    if isinstance(chart, Drawn):
        return chart
    _WARM.wait()
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    spec = without_bidi(chart.to_dict())
    svg = vlc.vegalite_to_svg(spec, vl_version=vl_version_for_vl_convert())
    return Drawn(spec=spec, svg=svg, png=vlc.svg_to_png(svg, scale=2, ppi=72))


def show(chart, description: str | None = None, src: str | None = None) -> ChartOutput:
    """Display `chart` (or a Drawn) in a notebook with `description` (default: the chart's own) as its alt
    text; the PNG shown is at scale 1 (the saved one is at scale 2). src: the published SVG to point at
    (relative to the page) instead of embedding the drawing."""
    d = draw(chart)
    text = description if description is not None else d.description
    if src is not None:
        return ChartOutput(d.svg, None, text, src)
    import vl_convert as vlc

    return ChartOutput(d.svg, vlc.svg_to_png(d.svg, scale=1), text)
