"""Saving a chart: PNG and SVG (static, drawn by vl-convert without a browser), a self-contained HTML page
(chart_page.py) and the CSV of the data behind it, each written atomically.

Text in the charts (agency names come from the public) is escaped by vl-convert in the SVG, and the spec
embedded in the HTML page is written so that no string can close its <script> element (ScriptSafeJSON).
"""

from __future__ import annotations

import json
from pathlib import Path

import altair as alt
import pandas as pd

from pipeline.analyze.chart_page import ChartPage, Drawn, draw, write_page
from pipeline.io.atomic import atomic_path
from pipeline.io.publish import write_csv


class ScriptSafeJSON(json.JSONEncoder):
    """JSON that is safe inside an HTML <script>: '<', '>' and '&' are written as \\u escapes.

    The page pastes the spec (which holds the data) into a <script> element; an agency named
    "</script><script>..." would otherwise end it and run as code.
    """

    def encode(self, o) -> str:
        return (
            super()
            .encode(o)
            .replace("<", "\\u003c")
            .replace(">", "\\u003e")
            .replace("&", "\\u0026")
            .replace("\u2028", "\\u2028")
            .replace("\u2029", "\\u2029")
        )


def save_chart(
    chart: alt.Chart | Drawn, data: pd.DataFrame, out_dir: Path, name: str, *, description: str | None = None
) -> dict[str, str]:
    """Write out_dir/name.{png,svg,html,csv}, each atomically; return {"png": path, "svg": ..., "html": ..., "csv": ...}.

    `chart` may be drawn already (chart_page.draw), so that the notebook shows the same drawing it saved.
    The PNG is drawn at scale 2. The HTML page (chart_page.py) embeds the Vega JavaScript (about 0.9 MB) so it
    opens offline, fits the window, names the jurisdiction and chart in its <title>, shows the description
    (`description`, else the chart's own) and links back to the analysis page and the index.
    The CSV is `data` as given, formula-safe (publish.write_csv): pass the aggregate table the chart was built from.
    """
    drawn = draw(chart)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {ext: out_dir / f"{name}.{ext}" for ext in ("png", "svg", "html", "csv")}
    with atomic_path(paths["png"]) as tmp:
        tmp.write_bytes(drawn.png)
    with atomic_path(paths["svg"]) as tmp:
        tmp.write_text(drawn.svg, encoding="utf-8")
    meta = drawn.spec.get("usermeta") or {}
    page = ChartPage(
        name=name,
        title=str(meta.get("title") or name.replace("_", " ")),
        jurisdiction=str(meta.get("jurisdiction") or ""),
        synthetic=bool(meta.get("synthetic")),
        description=description or drawn.description,
    )
    # as Altair's to_json writes it (keys sorted, not ASCII-escaped), made safe inside <script>
    write_page(
        paths["html"],
        json.dumps(drawn.spec, cls=ScriptSafeJSON, indent=None, sort_keys=True, ensure_ascii=False),
        page,
    )
    write_csv(data, paths["csv"], synthetic=page.synthetic, date_format="%Y-%m-%d")
    return {ext: str(path) for ext, path in paths.items()}


def clear_charts(out_dir: Path, names) -> list[Path]:
    """Remove the files of charts `names` left in out_dir by an earlier run, so that a chart this run does
    not draw (a sentence instead, or a log of one agency) is not published stale beside the page."""
    gone = []
    for name in names:
        for ext in ("png", "svg", "html", "csv"):
            path = Path(out_dir) / f"{name}.{ext}"
            if path.is_file():
                path.unlink()
                gone.append(path)
    return gone
