"""Charts for the reports: each built from one small, pre-aggregated table and saved together with that table.

Every chart follows the conventions of a newsroom chart (Datawrapper's): a title that states the finding,
computed from the data; a subtitle with what is counted, the period and the units; direct value labels
instead of an axis to read off; a source line and a credit line under the chart; and a written description
(the chart's Vega-Lite `description`, used as alt text by `show` and on the chart page). The fixed words
(credit, default source, synthetic labels) are reviewed text in pipeline/rules/charts.yml.

Every chart is saved four ways by `save_chart`: PNG and SVG (static, drawn by vl-convert without a browser),
a self-contained HTML page (the Vega JavaScript is embedded, so it works offline; see chart_page.py) and the
CSV of the data behind it. Notebooks call `enable_offline_renderer()` and display charts with `show`.

Text in the charts (agency names come from the public) is escaped by vl-convert in the SVG, and the spec
embedded in the HTML page is written so that no string can close its <script> element.

The immigration charts colour the three types the same way everywhere (IMMIGRATION_COLORS). The state map
draws boundaries shipped with the project (pipeline/rules/geo/, see SOURCE.md there), embedded in the
chart itself, so nothing is fetched when it is drawn.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import altair as alt
import pandas as pd

from pipeline import RULES
from pipeline.analyze import chart_words as words
from pipeline.analyze.chart_page import ChartPage, Drawn, draw, show, write_page
from pipeline.io.atomic import atomic_path
from pipeline.io.publish import write_csv
from pipeline.io.rules import read_data_file


@functools.lru_cache(maxsize=1)
def _text() -> dict:
    return read_data_file(RULES / "charts.yml")


SYNTHETIC_PREFIX = _text()["synthetic_prefix"]
SYNTHETIC_NOTE = _text()["synthetic_note"]
SYNTHETIC_COLOR = "#b00020"
DEFAULT_SOURCE = _text()["default_source"]
SYNTHETIC_SOURCE = _text()["synthetic_source"]
CREDIT = _text()["credit"]
NO_AGENCY = "(agency not recorded)"

WIDTH = 720
BAR_WIDTH = 420  # horizontal bars; the labels to their left take up to LABEL_LIMIT px
LABEL_LIMIT = 230  # longer agency names end in "…" (the full name is in the tooltip and the CSV)
TITLE_CHARS = 78  # wrap titles and captions so nothing runs past the chart's edge
CAPTION_CHARS = 112
FONT = "Helvetica, Arial, sans-serif"
BAR_COLOR = "#4c78a8"
VALUE_COLOR = "#333333"
FOOTER_COLOR = "#666666"

# Immigration-related searches by type: the order and colours of every chart (Okabe-Ito colours, which
# stay distinct for the common kinds of colour blindness).
IMMIGRATION_TYPES = ("civil", "criminal", "unspecified")
IMMIGRATION_LABELS = {"civil": "Civil", "criminal": "Criminal", "unspecified": "Unspecified"}
IMMIGRATION_COLORS = {"civil": "#0072B2", "criminal": "#E69F00", "unspecified": "#7F7F7F"}
IMMIGRATION_TYPES_NOTE = (
    "Civil and criminal: immigration reasons picked from Flock's drop-down list. "
    "Unspecified: a typed-in reason that names immigration enforcement."
)
ALL_AGENCIES_UP_TO = 60  # more agencies than this: only the top TOP_AGENCIES are shown
TOP_AGENCIES = 30
NO_STATE = "State not identified"
NO_STATE_COLOR = "#b5b5b5"
NO_SEARCHES_COLOR = "#e4e4e4"
RELEASE_FILLS = ("#f2f2f2", "#e6eef6")  # alternate shades behind the days of each released file
PARTIAL_FILL = "#fbe3c0"  # a file that does not cover whole months
GEO = RULES / "geo"


def enable_offline_renderer() -> None:
    """Make charts displayed in a notebook static SVG outputs, which nbconvert HTML shows without a network."""
    alt.renderers.enable("svg")


def possessive(name: str) -> str:
    """ "Alvin ISD" -> "Alvin ISD's"; "Kansas City Schools" -> "Kansas City Schools'" (AP style)."""
    name = name.strip()
    return f"{name}'" if name.endswith("s") else f"{name}'s"


# --------------------------------------------------------------------------------------------------
# What every chart shares: title, subtitle, source and credit lines, description


def _title(text: str, subtitle: list[str], synthetic: bool) -> alt.TitleParams:
    if synthetic:
        text = SYNTHETIC_PREFIX + text
        subtitle = [SYNTHETIC_NOTE, *subtitle]
    lines = [line for part in subtitle for line in words.wrap(part, CAPTION_CHARS)]
    return alt.TitleParams(
        text=words.wrap(text, TITLE_CHARS),
        subtitle=lines,
        anchor="start",
        font=FONT,
        fontSize=17,
        subtitleFont=FONT,
        subtitleFontSize=12,
        color=SYNTHETIC_COLOR if synthetic else "#111111",
        subtitleColor=SYNTHETIC_COLOR if synthetic else "#555555",
        offset=14,
        subtitlePadding=6,
    )


def _source_line(source: str | None, synthetic: bool) -> str:
    if source is None:
        source = SYNTHETIC_SOURCE if synthetic else DEFAULT_SOURCE
    line = f"Source: {source.strip().rstrip('.')}."
    return f"{line} {_text()['synthetic_source_suffix']}" if synthetic else line


def _footer(source: str | None, synthetic: bool, below: int) -> alt.Chart:
    """The source and credit lines, `below` px under the plot (past its axis labels), left-aligned."""
    lines = [*words.wrap(_source_line(source, synthetic), CAPTION_CHARS), CREDIT]
    return alt.Chart(alt.Data(values=[{}])).mark_text(
        text=lines,
        align="left",
        baseline="top",
        x=0,
        y=alt.expr(f"height + {below}"),
        font=FONT,
        fontSize=10,
        lineHeight=14,
        color=SYNTHETIC_COLOR if synthetic else FOOTER_COLOR,
    )


def _finish(
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
):
    """Layer the footer under `chart`, then set its size, title, description and page metadata."""
    full = alt.layer(chart, _footer(source, synthetic, below)).properties(
        width=width,
        height=height,
        title=_title(text, subtitle, synthetic),
        description=description,
        usermeta={"title": text, "jurisdiction": jurisdiction_name, "synthetic": bool(synthetic)},
    )
    return _configure(full)


def _configure(chart):
    return chart.configure_axis(
        labelFont=FONT, titleFont=FONT, labelFontSize=11, titleFontSize=12, titleFontWeight="normal"
    ).configure_view(stroke=None)


def _subject(jurisdiction_name: str, log_kind: str) -> str:
    """The searches a chart counts: "of Alvin ISD's cameras", "run by Salem PD" or "in X's search audit"."""
    if log_kind == "network":
        return f"of {possessive(jurisdiction_name)} cameras"
    if log_kind == "organization":
        return f"run by {jurisdiction_name}"
    return f"in {possessive(jurisdiction_name)} search audit"


def _with_period(text: str, period: str | None) -> str:
    return f"{text}, {period}" if period else text


def _bar_labels(bars: alt.Chart, field: str = "label") -> alt.Chart:
    """Each bar's value written just past its end (direct labels: no axis to read off)."""
    return bars.mark_text(align="left", baseline="middle", dx=5, fontSize=12, font=FONT).encode(
        text=alt.Text(f"{field}:N"), color=alt.value(VALUE_COLOR)
    )


def _name_axis(order: list[str]) -> alt.Y:
    return alt.Y(
        "name:N",
        title=None,
        sort=order,
        axis=alt.Axis(labelLimit=LABEL_LIMIT, labelFontSize=12, ticks=False, domain=False, labelFont=FONT),
    )


def _value_label(values: pd.Series, whole: int | None) -> pd.Series:
    """ "12,345 (4%)" when the whole is known, else "12,345"."""
    if not whole:
        return values.map(lambda v: f"{v:,}")
    return values.map(lambda v: f"{v:,} ({words.percent(v, whole)})")


def _require(df: pd.DataFrame, columns: tuple[str, ...], label: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{label} table lacks column(s) {', '.join(missing)}; it has {', '.join(map(str, df.columns))}."
        )


def describe(name: str, df: pd.DataFrame, **style) -> str:
    """The written description (alt text) of chart `name` ("top_agencies", ...) drawn from `df` with `style`:
    the same sentences the chart itself carries."""
    return CHARTS[name](df, **style).description


# --------------------------------------------------------------------------------------------------
# Searches per day


def _zone_words(timezone: str, first: dt.date, last: dt.date) -> str:
    """ "Central time (CST)" style: the zone's abbreviations over the period, not its IANA name."""
    zone = ZoneInfo(timezone)
    names = dict.fromkeys(dt.datetime.combine(d, dt.time(12), zone).tzname() for d in (first, last))
    return f"local time ({'/'.join(n for n in names if n)})"


def _releases(releases: pd.DataFrame | None) -> pd.DataFrame | None:
    """Each released file's span of local days, with `partial` when it does not cover whole calendar months
    (or when the table says so, e.g. it ends before the period the jurisdiction states)."""
    if releases is None or releases.empty:
        return None
    _require(releases, ("file", "first_local_date", "last_local_date"), "releases")
    spans = pd.DataFrame(
        {
            "file": [Path(f).name for f in releases["file"].astype(str)],
            "first": pd.to_datetime(releases["first_local_date"]).dt.date,
            "last": pd.to_datetime(releases["last_local_date"]).dt.date,
        }
    )
    spans["partial"] = [not words.whole_months(a, b) for a, b in zip(spans["first"], spans["last"])]
    if "partial" in releases:
        spans["partial"] |= releases["partial"].fillna(False).astype(bool).to_numpy()
    return spans.sort_values(["first", "file"]).reset_index(drop=True)


def _release_layers(spans: pd.DataFrame, n_days: int) -> list[alt.Chart]:
    """A shaded band behind each file's days (partial files in amber) and its label at the top."""
    band = pd.DataFrame(
        {
            "start": [a.isoformat() for a in spans["first"]],
            "end": [(b + dt.timedelta(days=1)).isoformat() for b in spans["last"]],
            "fill": [PARTIAL_FILL if p else RELEASE_FILLS[i % 2] for i, p in enumerate(spans["partial"])],
            "label": [
                ("Partial: " if p else "") + f"{words.short_date(a)}–{words.short_date(b)}"
                for a, b, p in zip(spans["first"], spans["last"], spans["partial"])
            ],
            "file": spans["file"],
            "limit": [
                max(30, WIDTH * ((b - a).days + 1) / max(n_days, 1) - 8) for a, b in zip(spans["first"], spans["last"])
            ],
        }
    )
    x = alt.X("start:T", timeUnit="utcyearmonthdate")
    tips = [alt.Tooltip("file:N", title="File"), alt.Tooltip("label:N", title="Days")]
    rect = (
        alt.Chart(band)
        .mark_rect(opacity=1)
        .encode(x=x, x2=alt.X2("end:T"), fill=alt.Fill("fill:N", scale=None), tooltip=tips)
    )
    text = (
        alt.Chart(band)
        .mark_text(align="left", baseline="top", dx=4, y=4, font=FONT, fontSize=11, color="#444444")
        .encode(x=x, text="label:N", tooltip=tips)
    )
    return [rect, text]


def searches_per_day(
    daily: pd.DataFrame,
    *,
    jurisdiction_name: str,
    synthetic: bool,
    timezone: str,
    log_kind: str = "network",
    source: str | None = None,
    period: str | None = None,
    releases: pd.DataFrame | None = None,
) -> alt.Chart:
    """Bar chart: one bar per local calendar day; the title states the daily average and the peak.

    `daily` has columns local_date (datetime.date, datetime64 or "YYYY-MM-DD") and searches (int).
    Days missing from the table show no bar. `log_kind` picks the wording: "network" (searches of the
    jurisdiction's cameras), "organization" (searches run by it), anything else (its audit log).
    `period` is the period in words for the subtitle (computed from the days when None). `releases`
    (tables.release_coverage: file, first_local_date, last_local_date[, partial]) shades each file's days
    and marks the files that cover only part of a month.
    """
    _require(daily, ("local_date", "searches"), "daily")
    dates = pd.to_datetime(daily["local_date"])
    data = pd.DataFrame({"local_date": dates.dt.strftime("%Y-%m-%d"), "searches": daily["searches"].astype("int64")})
    first, last = (dates.min().date(), dates.max().date()) if len(data) else (dt.date.today(),) * 2
    period = period or (words.span(first, last) if len(data) else None)
    total, n_days = int(data["searches"].sum()), (last - first).days + 1
    text, description = _daily_words(data, jurisdiction_name, log_kind, period, total, n_days)
    spans = _releases(releases)
    subtitle = [
        f"Searches {_subject(jurisdiction_name, log_kind)} per day, {period or 'no days'}; "
        f"days in {_zone_words(timezone, first, last)}."
    ]
    if spans is not None:
        subtitle.append(_partial_note(spans))
    top = max(int(data["searches"].max()) if len(data) else 1, 1)
    # Date-only ISO strings are parsed as UTC midnight by Vega; the utc time unit keeps each bar on its own
    # day whatever the time zone of the machine that draws the chart.
    bars = (
        alt.Chart(data)
        .mark_bar(color=BAR_COLOR)
        .encode(
            x=alt.X(
                "local_date:T",
                timeUnit="utcyearmonthdate",
                title=None,
                axis=alt.Axis(format="%b %-d", labelAngle=0, labelOverlap=True, grid=False, labelFont=FONT),
            ),
            y=alt.Y(
                "searches:Q",
                title="Searches a day",
                scale=alt.Scale(domain=[0, top * 1.12], nice=False),
                axis=alt.Axis(format=",d", tickMinStep=1, tickCount=5),
            ),
            tooltip=[
                alt.Tooltip("local_date:T", timeUnit="utcyearmonthdate", title="Local day", format="%a %b %-d, %Y"),
                alt.Tooltip("searches:Q", title="Searches", format=",d"),
            ],
        )
    )
    layers = ([*_release_layers(spans, n_days)] if spans is not None else []) + [bars]
    return _finish(
        alt.layer(*layers),
        text=text,
        subtitle=subtitle,
        synthetic=synthetic,
        source=source,
        description=description,
        jurisdiction_name=jurisdiction_name,
        width=WIDTH,
        height=280,
        below=30,
    )


def _daily_words(
    data: pd.DataFrame, name: str, log_kind: str, period: str | None, total: int, n_days: int
) -> tuple[str, str]:
    """(title, description) of the per-day chart, from its numbers."""
    if total == 0:
        return "No searches in this period", f"Bar chart of searches {_subject(name, log_kind)} per day: none."
    peak = data.sort_values(["searches", "local_date"], ascending=[False, True]).iloc[0]
    low = data.sort_values(["searches", "local_date"], ascending=[True, True]).iloc[0]
    peak_day, low_day = (words.date(dt.date.fromisoformat(r["local_date"])) for r in (peak, low))
    average = round(total / n_days)
    text = (
        f"About {average:,} searches a day, up to {int(peak['searches']):,} on {peak_day}"
        if n_days > 1
        else f"{total:,} {words.plural(total, 'search', 'searches')} on {peak_day}"
    )
    description = (
        f"Bar chart of searches {_subject(name, log_kind)} per local day, {period}: {total:,} "
        f"searches in {n_days:,} {words.plural(n_days, 'day')}, an average of {average:,} a day. "
        f"Most on {peak_day} ({int(peak['searches']):,}), fewest on {low_day} ({int(low['searches']):,})."
    )
    return text, description


def _partial_note(spans: pd.DataFrame) -> str:
    parts = [
        f"{row.file} covers {words.span(row.first, row.last)}, not whole months"
        for row in spans.itertuples()
        if row.partial
    ]
    shading = (
        "Shaded: the released file" if len(spans) == 1 else f"Shaded: the {words.count(len(spans))} released files"
    )
    if not parts:
        return shading + (", covering whole months." if len(spans) == 1 else ", each covering whole months.")
    return f"{shading}; partial period (amber): " + "; ".join(parts) + "."


# --------------------------------------------------------------------------------------------------
# Agencies


def _concentration(data: pd.DataFrame, whole: int, limit: int) -> tuple[int, int]:
    """(k, their searches): the fewest top agencies that ran at least half of `whole`, at most `limit`."""
    running = data["searches"].cumsum().to_numpy()
    reached = [i for i, s in enumerate(running) if 2 * s >= whole]
    k = min(reached[0] + 1 if reached else len(data), limit)
    return k, int(running[k - 1]) if k else 0


def top_agencies(
    top: pd.DataFrame,
    *,
    jurisdiction_name: str,
    synthetic: bool,
    n: int = 20,
    log_kind: str = "network",
    source: str | None = None,
    period: str | None = None,
    total: int | None = None,
    all_searches: int | None = None,
) -> alt.Chart:
    """Horizontal bars: the `n` agencies with the most searches, largest first, each labelled with its count.

    `top` has columns org_name (str; missing names are shown as "(agency not recorded)") and searches (int).
    `total` is the number of agencies in the whole release (the table is often cut already): the subtitle
    says "top 20 of 3,150 agencies". `all_searches`, the release's searches, adds shares to the labels and
    lets the title say how concentrated the searching was. Ties are ordered by name. Names longer than the
    label space end in "…"; the tooltip has them in full.
    """
    _require(top, ("org_name", "searches"), "top")
    data = pd.DataFrame({"name": _agency_names(top["org_name"]), "searches": top["searches"].astype("int64")})
    data = data.sort_values(["searches", "name"], ascending=[False, True], kind="stable")
    n_agencies = max(int(total or 0), len(data))
    data = data.head(n).reset_index(drop=True)
    data["label"] = _value_label(data["searches"], all_searches)
    text, description = _top_words(data, jurisdiction_name, log_kind, period, n_agencies, all_searches)
    shown = (
        f"the top {len(data):,} of {n_agencies:,} agencies"
        if n_agencies > len(data)
        else f"all {n_agencies:,} {words.plural(n_agencies, 'agency', 'agencies')}"
    )
    subtitle = [
        _with_period(f"Searches {_subject(jurisdiction_name, log_kind)}, by searching agency", period)
        + f"; {shown}"
        + ("; share of all searches in brackets." if all_searches else ".")
    ]
    order = list(data["name"])
    bars = (
        alt.Chart(data)
        .mark_bar(color=BAR_COLOR)
        .encode(
            y=_name_axis(order),
            x=alt.X("searches:Q", title=None, axis=None),
            tooltip=[alt.Tooltip("name:N", title="Agency"), alt.Tooltip("searches:Q", title="Searches", format=",d")],
        )
    )
    return _finish(
        alt.layer(bars, _bar_labels(bars)),
        text=text,
        subtitle=subtitle,
        synthetic=synthetic,
        source=source,
        description=description,
        jurisdiction_name=jurisdiction_name,
        width=BAR_WIDTH,
        height=alt.Step(22),
    )


def _top_words(data, name, log_kind, period, n_agencies, all_searches) -> tuple[str, str]:
    if data.empty:
        return "No agency is named in this release", "Bar chart of searching agencies: none is named."
    first, most = data["name"].iloc[0], int(data["searches"].iloc[0])
    if all_searches:
        k, theirs = _concentration(data, all_searches, len(data))
        who = first if k == 1 else f"{words.count(k, capital=True)} agencies"
        text = f"{who} ran {words.percent(theirs, all_searches)} of the searches"
        if k == len(data) and 2 * theirs < all_searches:
            text = f"The top {k:,} of {n_agencies:,} agencies ran {words.percent(theirs, all_searches)} of the searches"
    else:
        text = f"{first} ran the most searches: {most:,}"
    runners = "; ".join(f"{r.name} ({r.searches:,})" for r in data.iloc[1:3].itertuples())
    description = (
        f"Bar chart of the {len(data):,} agencies, of {n_agencies:,}, that ran the most searches "
        f"{_subject(name, log_kind)}{', ' + period if period else ''}. {first} ran the most, {most:,}"
        + (f", then {runners}." if runners else ".")
    )
    return text, description


def _agency_names(values: pd.Series) -> pd.Series:
    names = values.astype("object").where(values.notna(), "").astype(str).str.strip()
    return names.where(names != "", NO_AGENCY)


# --------------------------------------------------------------------------------------------------
# Immigration-related searches


def _immigration_type(values: pd.Series) -> pd.Series:
    """civil / criminal / unspecified, whatever the case and spacing; anything else is an error."""
    types = values.astype("object").where(values.notna(), "").astype(str).str.strip().str.lower()
    unknown = sorted(set(types) - set(IMMIGRATION_TYPES))
    if unknown:
        raise ValueError(
            f"unknown immigration_type value(s) {', '.join(map(repr, unknown))}; "
            f"expected {', '.join(IMMIGRATION_TYPES)}."
        )
    return types


def _type_color(legend: alt.Legend | None) -> alt.Color:
    labels = [IMMIGRATION_LABELS[t] for t in IMMIGRATION_TYPES]
    return alt.Color(
        "type:N",
        title="Type",
        legend=legend,
        scale=alt.Scale(domain=labels, range=[IMMIGRATION_COLORS[t] for t in IMMIGRATION_TYPES]),
        sort=labels,
    )


def _by_agency_and_type(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows per shown agency and type, totals per agency largest first, every agency)."""
    data = pd.DataFrame(
        {
            "name": _agency_names(df["org_name"]),
            "immigration_type": _immigration_type(df["immigration_type"]),
            "searches": df["searches"].astype("int64"),
        }
    )
    data = data.groupby(["name", "immigration_type"], as_index=False, sort=True)["searches"].sum()
    totals = (
        data.groupby("name", as_index=False)["searches"]
        .sum()
        .sort_values(["searches", "name"], ascending=[False, True], kind="stable")
        .reset_index(drop=True)
    )
    shown = totals.head(TOP_AGENCIES) if len(totals) > ALL_AGENCIES_UP_TO else totals
    data = data[data["name"].isin(shown["name"])].copy()
    data["type"] = data["immigration_type"].map(IMMIGRATION_LABELS)
    data["stack"] = data["immigration_type"].map(IMMIGRATION_TYPES.index)
    data["total"] = data["name"].map(dict(zip(totals["name"], totals["searches"])))
    data["rank"] = data["name"].map({name: i for i, name in enumerate(shown["name"])})
    return data.sort_values(["rank", "stack"]).reset_index(drop=True), totals


def immigration_by_agency(
    df: pd.DataFrame,
    *,
    jurisdiction_name: str,
    synthetic: bool,
    log_kind: str = "network",
    source: str | None = None,
    period: str | None = None,
) -> alt.Chart:
    """Horizontal bars, one per agency, stacked by type (civil, criminal, unspecified), largest total first,
    each labelled with its total and share.

    `df` has columns org_name, immigration_type and searches: one row per agency and type (repeated rows are
    added up). Up to 60 agencies are all shown; with more, the top 30 and the subtitle says so. Ties are
    ordered by name. Missing or empty names are shown as "(agency not recorded)".
    """
    _require(df, ("org_name", "immigration_type", "searches"), "immigration_by_agency")
    data, totals = _by_agency_and_type(df)
    whole, order = int(totals["searches"].sum()), list(dict.fromkeys(data["name"]))
    data["label"] = _value_label(data["total"], whole)
    shown = (
        f"the top {len(order):,} of {len(totals):,} agencies"
        if len(totals) > len(order)
        else f"all {len(totals):,} {words.plural(len(totals), 'agency', 'agencies')}"
    )
    subtitle = [
        _with_period(
            f"Immigration-related searches {_subject(jurisdiction_name, log_kind)}, by agency and type", period
        )
        + f"; {shown}; total and share of all immigration-related searches."
    ]
    text, description = _leader_words("agency", totals, whole, jurisdiction_name, log_kind, period)
    y = _name_axis(order)
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=y,
            x=alt.X("sum(searches):Q", title=None, stack="zero", axis=None),
            color=_type_color(
                alt.Legend(orient="top", direction="horizontal", title=None, labelFontSize=12, labelFont=FONT)
            ),
            order=alt.Order("stack:Q", sort="ascending"),
            tooltip=[
                alt.Tooltip("name:N", title="Agency"),
                alt.Tooltip("type:N", title="Type"),
                alt.Tooltip("searches:Q", title="Searches", format=",d"),
                alt.Tooltip("total:Q", title="All immigration-related", format=",d"),
            ],
        )
    )
    ends = data.drop_duplicates("name")[["name", "total", "label"]]
    labels = (
        alt.Chart(ends)
        .mark_text(align="left", baseline="middle", dx=5, fontSize=12, font=FONT, color=VALUE_COLOR)
        .encode(y=y, x=alt.X("total:Q"), text="label:N")
    )
    return _finish(
        alt.layer(bars, labels),
        text=text,
        subtitle=subtitle,
        synthetic=synthetic,
        source=source,
        description=description,
        jurisdiction_name=jurisdiction_name,
        width=BAR_WIDTH,
        height=alt.Step(22),
    )


def _leader_words(
    kind: str, totals: pd.DataFrame, whole: int, name: str, log_kind: str, period: str | None
) -> tuple[str, str]:
    """Title and description of a ranking of immigration-related searches by agency or by state."""
    what = f"immigration-related searches {_subject(name, log_kind)}"
    if totals.empty or whole == 0:
        return f"No {what}", f"Bar chart of {what}: there are none."
    first, most = totals["name"].iloc[0], int(totals["searches"].iloc[0])
    who = first if kind == "agency" else f"Agencies based in {first}"
    n = len(totals)
    if n == 1:
        text = f"{who} ran all {whole:,} immigration-related searches"
    else:
        text = f"{who} ran {words.percent(most, whole)} of the {whole:,} immigration-related searches"
    runners = "; ".join(f"{r.name} ({r.searches:,})" for r in totals.iloc[1:3].itertuples())
    unit = "agencies" if kind == "agency" else "states"
    description = (
        f"Bar chart of {whole:,} {what}{', ' + period if period else ''}, by {kind}: {n:,} "
        f"{unit if n != 1 else kind}. The most by {first}, {most:,} ({words.percent(most, whole)})"
        + (f", then {runners}." if runners else ".")
    )
    return text, description


def immigration_by_state(
    df: pd.DataFrame,
    *,
    jurisdiction_name: str,
    synthetic: bool,
    log_kind: str = "network",
    source: str | None = None,
    period: str | None = None,
) -> alt.Chart:
    """Horizontal bars: immigration-related searches by the state of the searching agency, largest first,
    each labelled with its count and share.

    `df` has columns agency_state (two-letter code; "" or missing when not identified) and searches.
    Codes are shown as state names; an unknown code as written. "State not identified" comes last, in grey.
    """
    _require(df, ("agency_state", "searches"), "immigration_by_state")
    data = _by_state(df).rename(columns={"state": "name"})
    known = data[data["name"] != NO_STATE].sort_values(["searches", "name"], ascending=[False, True], kind="stable")
    data = pd.concat([known, data[data["name"] == NO_STATE]], ignore_index=True)
    data["identified"] = data["name"] != NO_STATE
    whole, n_states = int(data["searches"].sum()), len(known)
    data["label"] = _value_label(data["searches"], whole)
    subtitle = [
        _with_period(
            f"Immigration-related searches {_subject(jurisdiction_name, log_kind)}, by the searching agency's state",
            period,
        )
        + f"; {n_states:,} {words.plural(n_states, 'state')}, as identified from the agencies' names; "
        "share of all immigration-related searches in brackets."
    ]
    text, description = _leader_words("state", known.reset_index(drop=True), whole, jurisdiction_name, log_kind, period)
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=_name_axis(list(data["name"])),
            x=alt.X("searches:Q", title=None, axis=None),
            color=alt.Color(
                "identified:N", legend=None, scale=alt.Scale(domain=[True, False], range=[BAR_COLOR, NO_STATE_COLOR])
            ),
            tooltip=[alt.Tooltip("name:N", title="State"), alt.Tooltip("searches:Q", title="Searches", format=",d")],
        )
    )
    return _finish(
        alt.layer(bars, _bar_labels(bars)),
        text=text,
        subtitle=subtitle,
        synthetic=synthetic,
        source=source,
        description=description,
        jurisdiction_name=jurisdiction_name,
        width=BAR_WIDTH,
        height=alt.Step(22),
    )


def immigration_types(
    df: pd.DataFrame,
    *,
    jurisdiction_name: str,
    synthetic: bool,
    log_kind: str = "network",
    source: str | None = None,
    period: str | None = None,
) -> alt.Chart:
    """Three bars, civil, criminal and unspecified, each labelled with its count and share; a type missing
    from `df` is shown as 0. The title compares the two most common types. `df`: immigration_type, searches."""
    _require(df, ("immigration_type", "searches"), "immigration_types")
    data = (
        pd.DataFrame(
            {"immigration_type": _immigration_type(df["immigration_type"]), "searches": df["searches"].astype("int64")}
        )
        .groupby("immigration_type")["searches"]
        .sum()
        .reindex(list(IMMIGRATION_TYPES), fill_value=0)
        .rename_axis("immigration_type")
        .reset_index()
    )
    data["type"] = data["immigration_type"].map(IMMIGRATION_LABELS)
    total = int(data["searches"].sum())
    data["label"] = _value_label(data["searches"], total)
    text = _types_title(data, total)
    subtitle = [
        _with_period(
            f"{total:,} immigration-related {words.plural(total, 'search', 'searches')} "
            f"{_subject(jurisdiction_name, log_kind)}",
            period,
        )
        + ", by type.",
        IMMIGRATION_TYPES_NOTE,
    ]
    counts = "; ".join(
        f"{r.type.lower()} {r.searches:,} ({words.percent(r.searches, total)})" for r in data.itertuples()
    )
    description = (
        f"Bar chart of the {total:,} immigration-related searches {_subject(jurisdiction_name, log_kind)}"
        f"{', ' + period if period else ''}, by type: {counts}."
    )
    order = [IMMIGRATION_LABELS[t] for t in IMMIGRATION_TYPES]
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("type:N", title=None, sort=order, axis=alt.Axis(labelFontSize=13, ticks=False, domain=False)),
            # With no search at all, a 0-to-1 scale keeps the zero bars and their labels at the left.
            x=alt.X(
                "searches:Q", title=None, axis=None, scale=alt.Scale(domain=[0, 1]) if total == 0 else alt.Undefined
            ),
            color=_type_color(None),
            tooltip=[alt.Tooltip("type:N", title="Type"), alt.Tooltip("searches:Q", title="Searches", format=",d")],
        )
    )
    labels = _bar_labels(bars).encode(size=alt.value(13))
    return _finish(
        alt.layer(bars, labels),
        text=text,
        subtitle=subtitle,
        synthetic=synthetic,
        source=source,
        description=description,
        jurisdiction_name=jurisdiction_name,
        width=480,
        height=alt.Step(40),
    )


def _types_title(data: pd.DataFrame, total: int) -> str:
    """ "Civil immigration reasons outnumbered criminal ones 2 to 1", from the two most common types."""
    if total == 0:
        return "No immigration-related searches"
    ranked = data.sort_values(["searches", "immigration_type"], ascending=[False, True]).reset_index(drop=True)
    a, b = ranked.iloc[0], ranked.iloc[1]
    first, second = a["type"], b["type"].lower()
    if b["searches"] == 0:
        return f"All {total:,} immigration-related searches gave {first.lower()} immigration reasons"
    if a["searches"] == b["searches"]:
        return f"{first} and {second} immigration reasons were as common: {int(a['searches']):,} each"
    return (
        f"{first} immigration reasons outnumbered {second} ones {words.times(int(a['searches']), int(b['searches']))}"
    )


# --------------------------------------------------------------------------------------------------
# Why officers said they searched (pipeline/rules/reasons.yml)


def reason_categories(
    df: pd.DataFrame,
    *,
    jurisdiction_name: str,
    synthetic: bool,
    log_kind: str = "network",
    source: str | None = None,
    period: str | None = None,
) -> alt.Chart:
    """Horizontal bars: every reason category, largest first, each labelled with its searches and share.

    `df` has columns id (the category of rules/reasons.yml), label (its name in words), searches (int) and
    share (searches / all searches, 0 to 1; FACTS' facts.json["reason_categories"]). The categories that are
    lists to read rather than counts (charts.yml review_categories) come last, in grey.
    """
    _require(df, ("id", "label", "searches", "share"), "reason_categories")
    review, rest = set(_text()["review_categories"]), set(_text()["rest_categories"])
    data = pd.DataFrame(
        {
            "id": df["id"].astype(str),
            "name": df["label"].astype(str),
            "searches": df["searches"].astype("int64"),
            "share": df["share"].astype(float),
        }
    )
    data["counted"] = ~data["id"].isin(review | rest)
    data = data.sort_values(["counted", "searches", "name"], ascending=[False, False, True], kind="stable")
    data["label"] = [f"{s:,} ({_share_words(p)})" for s, p in zip(data["searches"], data["share"])]
    counted = data[data["counted"]]
    subtitle = [
        _with_period(
            f"Searches {_subject(jurisdiction_name, log_kind)} by the reason officers typed or "
            "picked, grouped by the project's reason rules",
            period,
        )
        + "; share of all searches in brackets.",
        _text()["overlap_note"],
    ]
    if data["id"].isin(review).any():
        subtitle.append(_text()["review_note"])
    if data["id"].isin(rest).any():
        subtitle.append(_text()["rest_note"])
    text, description = _reason_words(counted, jurisdiction_name, log_kind, period)
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=_name_axis(list(data["name"])),
            x=alt.X("searches:Q", title=None, axis=None),
            color=alt.Color(
                "counted:N", legend=None, scale=alt.Scale(domain=[True, False], range=[BAR_COLOR, NO_STATE_COLOR])
            ),
            tooltip=[
                alt.Tooltip("name:N", title="Category"),
                alt.Tooltip("searches:Q", title="Searches", format=",d"),
                alt.Tooltip("share:Q", title="Share of all searches", format=".1%"),
            ],
        )
    )
    return _finish(
        alt.layer(bars, _bar_labels(bars)),
        text=text,
        subtitle=subtitle,
        synthetic=synthetic,
        source=source,
        description=description,
        jurisdiction_name=jurisdiction_name,
        width=BAR_WIDTH,
        height=alt.Step(26),
    )


def _share_words(share: float) -> str:
    return words.percent(share, 1.0)


def _reason_words(counted: pd.DataFrame, name: str, log_kind: str, period: str | None) -> tuple[str, str]:
    what = f"searches {_subject(name, log_kind)}"
    if counted.empty or int(counted["searches"].max()) == 0:
        return (
            "No search fell into a reason category",
            f"Bar chart of {what} by reason category{', ' + period if period else ''}: none fell into one.",
        )
    first = counted.iloc[0]
    text = f"{first['name']}: {_share_words(first['share'])} of searches, the largest reason category"
    listed = "; ".join(f"{r.name} {r.searches:,} ({_share_words(r.share)})" for r in counted.itertuples())
    description = (
        f"Bar chart of {what} by reason category{', ' + period if period else ''}: {listed}. "
        "A search can be in several categories."
    )
    return text, description


# --------------------------------------------------------------------------------------------------
# States


def state_table() -> pd.DataFrame:
    """pipeline/rules/geo/states.yml as a table: code (USPS), fips (2-digit string), name; 50 states, DC, PR."""
    return _state_table().copy()


@functools.lru_cache(maxsize=1)
def _state_table() -> pd.DataFrame:
    rows = read_data_file(GEO / "states.yml")["states"]
    table = pd.DataFrame(rows, columns=["code", "fips", "name"]).astype(str)
    if table["code"].duplicated().any() or table["fips"].duplicated().any():
        raise ValueError(f"{GEO / 'states.yml'} repeats a code or a FIPS number")
    return table


@functools.lru_cache(maxsize=1)
def _topology_text() -> str:
    return (GEO / "us-states-10m.json").read_text(encoding="utf-8")


def us_states_topology() -> dict:
    """The us-atlas 3.0.1 states-10m TopoJSON (objects "states", ids = FIPS; "nation"), a fresh copy."""
    return json.loads(_topology_text())


def _by_state(df: pd.DataFrame) -> pd.DataFrame:
    """agency_state codes -> columns code (upper case, "" when not identified), state (name) and searches,
    one row per code."""
    names = dict(zip(_state_table()["code"], _state_table()["name"]))
    raw = df["agency_state"].astype("object").where(df["agency_state"].notna(), "").astype(str).str.strip()
    codes = [v.upper() if v.upper() in names else v for v in raw]  # an unknown value is kept as written
    data = (
        pd.DataFrame({"code": codes, "searches": df["searches"].astype("int64").to_numpy()})
        .groupby("code", as_index=False, sort=True)["searches"]
        .sum()
    )
    data["state"] = [names.get(c, c) if c else NO_STATE for c in data["code"]]
    return data


# The map is drawn like Albers USA (the lower 48 and DC, Alaska and Hawaii as insets at the lower left) but
# as three projections of our own, each fitted to its box: d3's albersUsa clips the lower 48 to a box that
# cuts off the Florida Keys. Boxes are fractions of the map's width and height. Puerto Rico is not drawn.
NOT_DRAWN = ("PR",)
INSETS = {
    "AK": dict(
        type="conicEqualArea", rotate=[154, 0], center=[-2, 58.5], parallels=[55, 65], box=[[0.0, 0.68], [0.24, 1.0]]
    ),
    "HI": dict(
        type="conicEqualArea", rotate=[157, 0], center=[-3, 19.9], parallels=[8, 18], box=[[0.23, 0.84], [0.37, 1.0]]
    ),
}
LOWER_48 = dict(type="albers", box=[[0.0, 0.0], [1.0, 0.97]])


def _map_words(
    data: pd.DataFrame, on_map: pd.DataFrame, name: str, log_kind: str, period: str | None
) -> tuple[str, list[str], str]:
    """(title, subtitle, description) of the map, from its numbers."""
    whole, n = int(data["searches"].sum()), len(on_map)
    subject = _subject(name, log_kind)
    places = f"{n:,} {words.plural(n, 'state')}" + (" (DC counted as one)" if "DC" in set(on_map["code"]) else "")
    text = (
        f"Agencies in {places} searched {possessive(name)} cameras"
        if log_kind == "network"
        else f"The searching agencies were based in {places}"
    )
    off_map = [
        f"{r.searches:,} by agencies in {r.state}"
        for r in data.itertuples()
        if r.code not in set(on_map["code"]) and r.code and r.searches
    ]
    unidentified = int(data.loc[data["state"] == NO_STATE, "searches"].sum())
    if unidentified:
        off_map.append(f"{unidentified:,} by agencies whose state was not identified")
    subtitle = [
        _with_period(f"Searches {subject} by the searching agency's state", period)
        + "; darker is more, on a log scale; grey: none."
    ]
    if off_map:
        subtitle.append("Not on the map: " + "; ".join(off_map) + ".")
    ranked = on_map.sort_values(["searches", "state"], ascending=[False, True])
    top = "; ".join(
        f"{r.state} {r.searches:,} ({words.percent(r.searches, whole)})" for r in ranked.head(3).itertuples()
    )
    description = (
        f"Map of the United States shading each state by the searches {subject} run by agencies based "
        f"there{', ' + period if period else ''}: {places}." + (f" Most: {top}." if top else "")
    )
    return text, subtitle, description


def searches_by_state_map(
    df: pd.DataFrame,
    *,
    jurisdiction_name: str,
    synthetic: bool,
    log_kind: str = "network",
    source: str | None = None,
    period: str | None = None,
) -> alt.Chart:
    """Map of the United States, each state shaded by the searches run by agencies based there.

    `df` has columns agency_state (two-letter code) and searches. Shading is sequential on a log scale (the
    largest state often has hundreds of times the searches of the smallest); states with none are light grey.
    Searches the map cannot show (state not identified, Puerto Rico, unknown codes) are counted in the subtitle.
    The boundaries are embedded in the chart as inline TopoJSON, so the saved files draw offline.
    """
    _require(df, ("agency_state", "searches"), "searches_by_state_map")
    data = _by_state(df)
    drawn = state_table()[~state_table()["code"].isin(NOT_DRAWN)]
    on_map = data[data["code"].isin(drawn["code"]) & (data["searches"] > 0)].merge(drawn[["code", "fips"]], on="code")
    text, subtitle, description = _map_words(data, on_map, jurisdiction_name, log_kind, period)
    geo = alt.InlineData(values=us_states_topology(), format=alt.DataFormat(type="topojson", feature="states"))
    lookup = alt.LookupData(data=on_map[["fips", "searches"]], key="fips", fields=["searches"])
    color = alt.Color(
        "searches:Q",
        title="Searches",
        scale=alt.Scale(type="log", scheme=alt.SchemeParams(name="blues", extent=[0.25, 1.0])),
        legend=alt.Legend(
            format=",d",
            orient="right",
            gradientLength=200,
            titleFont=FONT,
            labelFont=FONT,
            titleFontWeight="normal",
            labelOverlap="greedy",
        ),
    )
    tooltip = [alt.Tooltip("state:N", title="State"), alt.Tooltip("searches:Q", title="Searches", format=",d")]
    height = 450

    def region(codes: list[str], box, **projection) -> list[alt.LayerChart]:
        """Every state of the region in grey, then those with searches shaded on top (one layer would drop
        the states without a value instead of greying them)."""
        fips = list(drawn.loc[drawn["code"].isin(codes), "fips"])
        extent = [[WIDTH * box[0][0], height * box[0][1]], [WIDTH * box[1][0], height * box[1][1]]]
        base = (
            alt.Chart()
            .transform_filter(alt.FieldOneOfPredicate(field="id", oneOf=fips))
            .transform_calculate(state="datum.properties.name")
        )
        none = (
            base.transform_calculate(searches="0")
            .mark_geoshape(fill=NO_SEARCHES_COLOR, stroke="#ffffff", strokeWidth=0.8)
            .encode(tooltip=tooltip)
        )
        shaded = (
            base.transform_lookup(lookup="id", from_=lookup)
            .transform_filter("isValid(datum.searches) && datum.searches > 0")
            .mark_geoshape(stroke="#ffffff", strokeWidth=0.8)
            .encode(color=color, tooltip=tooltip)
        )
        # One projection for both, fitted to the region's features (the grey layer holds them all).
        return [alt.layer(none, shaded).project(extent=extent, **projection)]

    lower = [c for c in drawn["code"] if c not in INSETS]
    layers = region(lower, LOWER_48["box"], type=LOWER_48["type"])
    for code, spec in INSETS.items():
        layers += region([code], spec["box"], **{k: v for k, v in spec.items() if k != "box"})
    return _finish(
        alt.layer(*layers, data=geo),
        text=text,
        subtitle=subtitle,
        synthetic=synthetic,
        source=source,
        description=description,
        jurisdiction_name=jurisdiction_name,
        width=WIDTH,
        height=height,
        below=8,
    )


CHARTS = {
    "searches_per_day": searches_per_day,
    "top_agencies": top_agencies,
    "immigration_by_agency": immigration_by_agency,
    "immigration_by_state": immigration_by_state,
    "immigration_types": immigration_types,
    "reason_categories": reason_categories,
    "searches_by_state_map": searches_by_state_map,
}


class _ScriptSafeJSON(json.JSONEncoder):
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
        json.dumps(drawn.spec, cls=_ScriptSafeJSON, indent=None, sort_keys=True, ensure_ascii=False),
        page,
    )
    write_csv(data, paths["csv"], synthetic=page.synthetic, date_format="%Y-%m-%d")
    return {ext: str(path) for ext, path in paths.items()}


__all__ = [
    "enable_offline_renderer",
    "searches_per_day",
    "top_agencies",
    "immigration_by_agency",
    "immigration_by_state",
    "immigration_types",
    "reason_categories",
    "searches_by_state_map",
    "save_chart",
    "draw",
    "show",
    "describe",
    "possessive",
    "state_table",
    "us_states_topology",
    "SYNTHETIC_PREFIX",
    "IMMIGRATION_TYPES",
    "IMMIGRATION_COLORS",
    "CHARTS",
]
