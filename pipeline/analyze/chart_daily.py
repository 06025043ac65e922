"""The per-day chart: searches on each local day, with each released file's days shaded behind the bars.

Its title is chart_words.daily_title of the days it draws: the daily average, or the change when the rate
changed more than twofold over the period (an average of 25 a day would hide a fall from 40 to 2). A file
is marked partial only where it really is: when it starts after or ends before the period the jurisdiction
states (tables.release_coverage), or, with no stated period, when it does not cover whole months. A release
of one file is not shaded at all: the band would cover the whole chart and say nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import altair as alt
import pandas as pd

from pipeline.analyze import chart_words as words
from pipeline.analyze.chart_style import BAR_COLOR, FONT, TEXT_PX, WIDTH, finish, require, subject

RELEASE_FILLS = ("#f2f2f2", "#e6eef6")  # alternate shades behind the days of each released file
PARTIAL_FILL = "#fbe3c0"  # a file that covers less than its period


def _zone_words(timezone: str, first: dt.date, last: dt.date) -> str:
    """ "Central time (CST)" style: the zone's abbreviations over the period, not its IANA name."""
    zone = ZoneInfo(timezone)
    names = dict.fromkeys(dt.datetime.combine(d, dt.time(12), zone).tzname() for d in (first, last))
    return f"local time ({'/'.join(n for n in names if n)})"


def _releases(releases: pd.DataFrame | None) -> pd.DataFrame | None:
    """Each released file's span of local days, with `partial` and why. The table's own `partial` column
    (tables.release_coverage, which knows the period the jurisdiction states) decides when present; without
    it a file that does not cover whole calendar months is partial."""
    if releases is None or releases.empty:
        return None
    require(releases, ("file", "first_local_date", "last_local_date"), "releases")
    spans = pd.DataFrame(
        {
            "file": [Path(f).name for f in releases["file"].astype(str)],
            "first": pd.to_datetime(releases["first_local_date"]).dt.date,
            "last": pd.to_datetime(releases["last_local_date"]).dt.date,
        }
    )
    if "partial" in releases:
        spans["partial"] = releases["partial"].fillna(False).astype(bool).to_numpy()
        spans["why"] = "less than the period the release states"
    else:
        spans["partial"] = [not words.whole_months(a, b) for a, b in zip(spans["first"], spans["last"])]
        spans["why"] = "not whole months"
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
        .mark_text(align="left", baseline="top", dx=4, y=4, font=FONT, fontSize=TEXT_PX, color="#444444")
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
    """Bar chart: one bar per local calendar day; the title states the daily rate (or its change) and the peak.

    `daily` has columns local_date (datetime.date, datetime64 or "YYYY-MM-DD") and searches (int).
    Days missing from the table show no bar. `log_kind` picks the wording: "network" (searches of the
    jurisdiction's cameras), "organization" (searches run by it), anything else (its audit log).
    `period` is the period in words for the subtitle (computed from the days when None). `releases`
    (tables.release_coverage: file, first_local_date, last_local_date[, partial]) shades each file's days
    when there are several and marks the partial ones.
    """
    require(daily, ("local_date", "searches"), "daily")
    dates = pd.to_datetime(daily["local_date"])
    data = pd.DataFrame({"local_date": dates.dt.strftime("%Y-%m-%d"), "searches": daily["searches"].astype("int64")})
    first, last = (dates.min().date(), dates.max().date()) if len(data) else (dt.date.today(),) * 2
    period = period or (words.span(first, last) if len(data) else None)
    total, n_days = int(data["searches"].sum()), (last - first).days + 1
    text, description = _daily_words(data, jurisdiction_name, log_kind, period, total, n_days)
    spans = _releases(releases)
    subtitle = [
        (
            f"Searches {subject(jurisdiction_name, log_kind)} per day, {period or 'no days'}; "
            f"days in {_zone_words(timezone, first, last)}."
        )
    ]
    if spans is not None:
        subtitle.append(_partial_note(spans))
    shaded = spans is not None and len(spans) > 1
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
    layers = ([*_release_layers(spans, n_days)] if shaded else []) + [bars]
    return finish(
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
    """(title, description) of the per-day chart, from its numbers (a day missing from the table is 0)."""
    if total == 0:
        return "No searches in this period", f"Bar chart of searches {subject(name, log_kind)} per day: none."
    days = pd.to_datetime(data["local_date"]).dt.date
    full = pd.Series(data["searches"].to_numpy(), index=days).reindex(
        [days.min() + dt.timedelta(days=i) for i in range(n_days)], fill_value=0
    )
    values, index = [int(v) for v in full], list(full.index)
    text = words.daily_title(values, index)
    peak = max(range(n_days), key=lambda i: (values[i], -i))
    low = min(range(n_days), key=lambda i: (values[i], i))
    stretches = words.rate_stretches(values, index)
    change = ""
    if stretches and words.changed([r for _, _, r in stretches]):
        change = (
            " By stretch: "
            + "; ".join(
                f"{words.short_date(index[a])}–{words.short_date(index[b])} {words.per_day(r)}" for a, b, r in stretches
            )
            + "."
        )
    description = (
        f"Bar chart of searches {subject(name, log_kind)} per local day, {period}: {total:,} "
        f"searches in {n_days:,} {words.plural(n_days, 'day')}, an average of {round(total / n_days):,} a day."
        f"{change} Most on {words.date(index[peak])} ({values[peak]:,}), fewest on {words.date(index[low])} "
        f"({values[low]:,})."
    )
    return text, description


def _partial_note(spans: pd.DataFrame) -> str:
    """What the shading means, and which files cover less than their period."""
    parts = [
        f"{row.file} covers {words.span(row.first, row.last)}, {row.why}" for row in spans.itertuples() if row.partial
    ]
    if len(spans) == 1:
        return ("The released file is partial: " + parts[0] + ".") if parts else "One released file covers the period."
    shading = f"Shaded: the {words.count(len(spans))} released files"
    if not parts:
        return shading + "."
    return f"{shading}; partial period (amber): " + "; ".join(parts) + "."
