"""The pages and notebook outputs a chart is read in: its offline HTML page (charts/<name>.html) and what a
notebook cell displays (`show`: an image with the chart's written description as its alt text).

The page is a Jinja2 template with autoescape: the description and names (agency names come from the
public) are escaped; only the Vega bundle and the spec, made script-safe by the caller, are pasted raw.
The chart is drawn as SVG scaled to the window's width (never wider than its own), so it fits at 800 px.
"""
from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from pipeline.io.atomic import write_text

ANALYSIS_PAGE = "../03_analyze.html"      # the page that made the chart (charts/ sits beside it)
INDEX_PAGE = "../../index.html"           # reports/index.html
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
  .files { font-size: 14px; }
</style>
<script type="text/javascript">
{{ bundle }}
</script>
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
    name: str             # file stem: charts/<name>.html, .png, .svg, .csv
    title: str            # the chart's title (its finding), without the SYNTHETIC prefix
    jurisdiction: str
    synthetic: bool
    description: str


def render_page(spec_json: str, page: ChartPage) -> str:
    """The page's HTML; `spec_json` must already be safe inside <script> (no '<', '>' or '&' unescaped)."""
    if "<" in spec_json:
        raise ValueError("the spec must be script-safe JSON (charts._ScriptSafeJSON)")
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert   # the bundle Altair's own pages embed
    bundle = vlc.javascript_bundle(vl_version=vl_version_for_vl_convert())
    what = f"{page.jurisdiction}: {page.title}" if page.jurisdiction else page.title
    tab = (SYNTHETIC_PREFIX if page.synthetic else "") + f"{what} (chart)"
    return _PAGE.render(tab_title=tab, heading=(SYNTHETIC_PREFIX if page.synthetic else "") + page.title,
                        jurisdiction=page.jurisdiction, synthetic=page.synthetic, description=page.description,
                        name=page.name, analysis=ANALYSIS_PAGE, index=INDEX_PAGE, spec=Markup(spec_json),
                        bundle=Markup(bundle))


def write_page(path: Path, spec_json: str, page: ChartPage) -> None:
    write_text(Path(path), render_page(spec_json, page))


class ChartOutput:
    """What a notebook cell displays: the chart as an <img> whose alt is its description (text/html, which
    nbconvert's default lab template shows as is), plus the PNG with {"alt": description} in its metadata
    (read by nbconvert's classic template) and the description as plain text."""

    def __init__(self, svg: str, png: bytes, description: str):
        self.svg, self.png, self.description = svg, png, description

    def _repr_mimebundle_(self, include=None, exclude=None):
        src = "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")
        img = (f'<img src="{src}" alt="{html.escape(self.description, quote=True)}" '
               'style="max-width: 100%; height: auto;">')
        data = {"text/html": img, "image/png": base64.b64encode(self.png).decode("ascii"),
                "text/plain": self.description}
        return data, {"alt": self.description, "image/png": {"alt": self.description}}


def show(chart, description: str | None = None) -> ChartOutput:
    """Display `chart` in a notebook with `description` (default: the chart's own) as its alt text."""
    import vl_convert as vlc
    spec = chart.to_dict()
    text = description if description is not None else str(spec.get("description") or "")
    return ChartOutput(vlc.vegalite_to_svg(spec), vlc.vegalite_to_png(spec, scale=1), text)
