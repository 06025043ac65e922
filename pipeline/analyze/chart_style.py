"""What every chart shares: its fixed words, sizes, fonts and colours, the title block, the source and
credit lines, the SYNTHETIC stamp inside the plot, and the small encodings the bar charts reuse.

Every chart follows the conventions of a newsroom chart (Datawrapper's): a title that states the finding,
computed from the data; a subtitle with what is counted, the period and the units; direct value labels
instead of an axis to read off; a source line and a credit line under the chart; and a written description
(the chart's Vega-Lite `description`, used as alt text). The fixed words (credit, default source, synthetic
labels) are reviewed text in pipeline/rules/charts.yml.

Sizes are for a chart read at the page's width: the notebook page shows each chart at 100% of its column,
which is about the chart's own width at 800 px (so text drawn at 12 px or more stays at least 12 px there)
and larger at 1400 px.
"""

from __future__ import annotations

import functools

import altair as alt
import pandas as pd

from pipeline import RULES
from pipeline.analyze import chart_words as words
from pipeline.io.rules import read_data_file


@functools.lru_cache(maxsize=1)
def text() -> dict:
    """pipeline/rules/charts.yml: the reviewed fixed words of every chart."""
    return read_data_file(RULES / "charts.yml")


SYNTHETIC_PREFIX = text()["synthetic_prefix"]
SYNTHETIC_NOTE = text()["synthetic_note"]
SYNTHETIC_STAMP = text()["synthetic_stamp"]
SYNTHETIC_COLOR = "#b00020"
DEFAULT_SOURCE = text()["default_source"]
SYNTHETIC_SOURCE = text()["synthetic_source"]
CREDIT = text()["credit"]
NO_AGENCY = "(agency not recorded)"

# The page shows a chart at its column's width: about 740 px at 800 px (so a chart about that wide keeps its
# 12 px text at 12 px or more there) and about 1,150 px at 1,400 px (the chart scaled up).
COLUMN = 740
WIDTH = 660  # the plot of a full-width chart; with its axis about 720 px
MAP_WIDTH = 600  # the map's plot; with its legend to the right about 720 px
BAR_WIDTH = 320  # horizontal bars; the labels to their left take up to LABEL_CHARS characters
LABEL_CHARS = 32  # agency names longer than this are shortened at a word, with "…" (full name in the tooltip)
LABEL_LIMIT = 300  # Vega's own cut, set wider than LABEL_CHARS at 12 px so it never cuts a word itself
TITLE_CHARS = 66  # wrap titles and captions so nothing runs past the chart's edge
CAPTION_CHARS = 88
FONT = "Helvetica, Arial, sans-serif"
TEXT_PX = 12  # the smallest text of any chart (axis labels, source and credit lines)
BAR_COLOR = "#4c78a8"
VALUE_COLOR = "#333333"
FOOTER_COLOR = "#595959"
GREY_COLOR = "#b5b5b5"  # bars that are not the finding (state not identified, reasons in no category)


def enable_offline_renderer() -> None:
    """Make charts displayed in a notebook static SVG outputs, which nbconvert HTML shows without a network;
    and start the converter that draws them now, in the background (chart_page.warm_up)."""
    from pipeline.analyze.chart_page import warm_up

    alt.renderers.enable("svg")
    warm_up()


def possessive(name: str) -> str:
    """ "Alvin ISD" -> "Alvin ISD's"; "Kansas City Schools" -> "Kansas City Schools'" (AP style)."""
    name = name.strip()
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def title(text_: str, subtitle: list[str], synthetic: bool) -> alt.TitleParams:
    """The title block: the finding (wrapped), then the subtitle lines; red and labelled when synthetic."""
    if synthetic:
        text_ = SYNTHETIC_PREFIX + text_
        subtitle = [SYNTHETIC_NOTE, *subtitle]
    lines = [line for part in subtitle for line in words.wrap(part, CAPTION_CHARS)]
    return alt.TitleParams(
        text=words.wrap(text_, TITLE_CHARS),
        subtitle=lines,
        anchor="start",
        font=FONT,
        fontSize=18,
        subtitleFont=FONT,
        subtitleFontSize=13,
        color=SYNTHETIC_COLOR if synthetic else "#111111",
        subtitleColor=SYNTHETIC_COLOR if synthetic else "#555555",
        offset=14,
        subtitlePadding=6,
    )


def source_line(source: str | None, synthetic: bool) -> str:
    """ "Source: ….", with the synthetic suffix when the data is generated."""
    if source is None:
        source = SYNTHETIC_SOURCE if synthetic else DEFAULT_SOURCE
    line = f"Source: {source.strip().rstrip('.')}."
    return f"{line} {text()['synthetic_source_suffix']}" if synthetic else line


def footer(source: str | None, synthetic: bool, below: int, chars: int = CAPTION_CHARS) -> alt.Chart:
    """The source and credit lines, `below` px under the plot (past its axis labels), left-aligned with the
    plot and wrapped at `chars` characters."""
    lines = [*words.wrap(source_line(source, synthetic), chars), CREDIT]
    return alt.Chart(alt.Data(values=[{}])).mark_text(
        text=lines,
        align="left",
        baseline="top",
        x=0,
        y=alt.expr(f"height + {below}"),
        font=FONT,
        fontSize=TEXT_PX,
        lineHeight=16,
        color=SYNTHETIC_COLOR if synthetic else FOOTER_COLOR,
    )


def synthetic_stamp() -> alt.Chart:
    """SYNTHETIC written across the middle of the plot area, so that a cropped image still says so."""
    return alt.Chart(alt.Data(values=[{}])).mark_text(
        text=SYNTHETIC_STAMP,
        align="center",
        baseline="middle",
        x=alt.expr("width / 2"),
        y=alt.expr("height / 2"),
        font=FONT,
        fontSize=44,
        fontWeight="bold",
        color=SYNTHETIC_COLOR,
        opacity=0.22,
    )


def finish(
    chart,
    *,
    text: str,
    subtitle: list[str],
    synthetic: bool,
    source: str | None,
    description: str,
    jurisdiction_name: str,
    width: int,
    height,
    below: int = 14,
    datasets: dict | None = None,
):
    """Layer the footer (and the SYNTHETIC stamp) over `chart`, with its size, title, description, page
    metadata and CONFIG, in ONE chart built once: each Altair .properties() or .configure_*() rebuilds a
    layered chart and deep-copies every layer with its inline data. `datasets`: named data the layers refer
    to (alt.NamedData), such as the map's boundaries, put in the spec after Altair has built it (WithDatasets)."""
    # The footer starts at the plot's left edge: beside bar labels it has less room than the title above.
    chars = min(CAPTION_CHARS, int(width / 6.6) + 20) if isinstance(width, int) else CAPTION_CHARS
    layers = [chart, footer(source, synthetic, below, chars)] + ([synthetic_stamp()] if synthetic else [])
    built = alt.layer(
        *layers,
        width=width,
        height=height,
        title=title(text, subtitle, synthetic),
        description=description,
        usermeta={"title": text, "jurisdiction": jurisdiction_name, "synthetic": bool(synthetic)},
        config=config(),
    )
    return WithDatasets.of(built, datasets) if datasets else built


class WithDatasets(alt.LayerChart):
    """A finished layered chart whose named datasets join its spec in to_dict, after Altair has built and
    validated the rest. Handed to Altair, the map's boundaries (13,000 nested lists) were copied by every
    layer and checked against the schema at each drawing: a second of each page's three or four."""

    @classmethod
    def of(cls, chart: alt.LayerChart, datasets: dict) -> WithDatasets:
        object.__setattr__(chart, "__class__", cls)  # the same chart (no rebuild, no copy), with to_dict below
        chart.__dict__["named_datasets"] = datasets  # beside the chart's schema properties, not among them
        return chart

    def to_dict(self, *args, **kwargs) -> dict:
        spec = super().to_dict(*args, **kwargs)
        spec["datasets"] = {**spec.get("datasets", {}), **self.__dict__["named_datasets"]}
        return spec


def config() -> alt.Config:
    """Axis fonts at TEXT_PX or more, and no frame around the plot."""
    return alt.Config(
        axis=alt.AxisConfig(
            labelFont=FONT, titleFont=FONT, labelFontSize=TEXT_PX, titleFontSize=13, titleFontWeight="normal"
        ),
        view=alt.ViewConfig(stroke=None),
    )


def subject(jurisdiction_name: str, log_kind: str) -> str:
    """The searches a chart counts: "of Alvin ISD's cameras", "run by Salem PD" or "in X's search audit"."""
    if log_kind == "network":
        return f"of {possessive(jurisdiction_name)} cameras"
    if log_kind == "organization":
        return f"run by {jurisdiction_name}"
    return f"in {possessive(jurisdiction_name)} search audit"


def with_period(text_: str, period: str | None) -> str:
    return f"{text_}, {period}" if period else text_


def bar_labels(bars: alt.Chart, field: str = "label") -> alt.Chart:
    """Each bar's value written just past its end (direct labels: no axis to read off)."""
    return bars.mark_text(align="left", baseline="middle", dx=5, fontSize=13, font=FONT).encode(
        text=alt.Text(f"{field}:N"), color=alt.value(VALUE_COLOR)
    )


def name_axis(order: list[str], field: str = "name") -> alt.Y:
    """The category axis of a horizontal bar chart, in `order`; labels already short enough (short_names)."""
    return alt.Y(
        f"{field}:N",
        title=None,
        sort=order,
        axis=alt.Axis(labelLimit=LABEL_LIMIT, labelFontSize=13, ticks=False, domain=False, labelFont=FONT),
    )


def short_names(names: pd.Series, chars: int = LABEL_CHARS) -> pd.Series:
    """Each name as it fits the label space, cut only between words (words.shorten); a name that would read
    the same as another keeps more words, so every bar has its own label."""
    out = [words.shorten(n, chars) for n in names]
    seen: dict[str, int] = {}
    for i, s in enumerate(out):
        seen[s] = seen.get(s, 0) + 1
    return pd.Series(
        [s if seen[s] == 1 else str(n) for s, n in zip(out, names)],
        index=names.index,
        dtype="object",
    )


def value_label(values: pd.Series, whole: int | None) -> pd.Series:
    """ "12,345 (4.5%)" when the whole is known, else "12,345"."""
    if not whole:
        return values.map(lambda v: f"{v:,}")
    return values.map(lambda v: f"{v:,} ({words.percent(v, whole)})")


def require(df: pd.DataFrame, columns: tuple[str, ...], label: str) -> None:
    """A clear error when a chart's table lacks a column it draws."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{label} table lacks column(s) {', '.join(missing)}; it has {', '.join(map(str, df.columns))}."
        )


def agency_names(values: pd.Series) -> pd.Series:
    """Agency names trimmed, a missing or empty one as "(agency not recorded)"."""
    names = values.astype("object").where(values.notna(), "").astype(str).str.strip()
    return names.where(names != "", NO_AGENCY)
