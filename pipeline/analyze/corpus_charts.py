"""Charts of a corpus (several producers' logs, each search counted once), with charts.py's conventions:
a title that states the finding, computed from the data; a subtitle with what is counted and the period
(UTC days); direct value labels; source and credit lines; SYNTHETIC on synthetic data; a written
description (alt text). Saved four ways by charts.save_chart; shown in 04 by show.chart.

Each function takes the small table corpus_report.compute returns (or facts.json's figures) and the corpus's
display name; nothing here reads the copies.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from pipeline.analyze import chart_words as words
from pipeline.analyze import charts as c

HEAT_LOW, HEAT_HIGH = "#eef3f8", "#08306b"


def _across(name: str, producers: int) -> str:
    return f"across the {words.count(producers)} producers' logs of {name}"


def _sub(text: str, period: str | None) -> str:
    return f"{text}, {period}" if period else text


def producers_per_search(
    dist: pd.DataFrame,
    *,
    corpus_name: str,
    synthetic: bool,
    producers: int,
    period: str | None = None,
    source: str | None = None,
) -> alt.Chart:
    """One bar per number of logs (1, 2, ...): the distinct searches found in that many producers' logs.
    `dist`: producers (int or str), distinct_searches (int)."""
    c.require(dist, ("producers", "distinct_searches"), "producers_per_search")
    data = pd.DataFrame({"k": dist["producers"].astype(int), "searches": dist["distinct_searches"].astype("int64")})
    data = data.sort_values("k").reset_index(drop=True)
    data["name"] = [f"{k} {words.plural(k, 'log')}" for k in data["k"]]
    total = int(data["searches"].sum())
    data["label"] = c.value_label(data["searches"], total)
    shared = int(data.loc[data["k"] > 1, "searches"].sum())
    most = int(data.loc[data["searches"] > 0, "k"].max()) if total else 0
    if not shared:
        text = f"None of the {total:,} searches appears in more than one producer's log"
    else:
        text = (
            f"{words.percent(shared, total)} of the {total:,} searches appear in more than one producer's "
            f"log, the most-shared in {words.count(most)}"
        )
    counts = "; ".join(f"{r.name}: {r.searches:,}" for r in data.itertuples())
    description = (
        f"Bar chart of the {total:,} distinct searches {_across(corpus_name, producers)}"
        f"{', ' + period if period else ''}, by how many logs each appears in. {counts}."
    )
    subtitle = [
        _sub(f"Distinct searches {_across(corpus_name, producers)}, by the number of logs each appears in", period)
        + "; share of all distinct searches in brackets. A search is one Flock ID (or one "
        "fingerprint where a log has no ID), however many logs hold a copy."
    ]
    bars = (
        alt.Chart(data)
        .mark_bar(color=c.BAR_COLOR)
        .encode(
            y=c.name_axis(list(data["name"])),
            x=alt.X("searches:Q", title=None, axis=None),
            tooltip=[
                alt.Tooltip("name:N", title="Appears in"),
                alt.Tooltip("searches:Q", title="Searches", format=",d"),
            ],
        )
    )
    return c.finish(
        alt.layer(bars, c.bar_labels(bars)),
        text=text,
        subtitle=subtitle,
        synthetic=synthetic,
        source=source,
        description=description,
        jurisdiction_name=corpus_name,
        width=c.BAR_WIDTH,
        height=alt.Step(24),
    )


def _pairs(overlap: pd.DataFrame) -> pd.DataFrame:
    """The overlap table (producer x producer) as one row per ordered pair: a, b, searches."""
    c.require(overlap, ("producer",), "overlap")
    long = overlap.melt(id_vars="producer", var_name="b", value_name="searches").rename(columns={"producer": "a"})
    long["searches"] = long["searches"].astype("int64")
    return long


def overlap(
    table: pd.DataFrame, *, corpus_name: str, synthetic: bool, period: str | None = None, source: str | None = None
) -> alt.Chart:
    """Heat map, producer x producer: the distinct searches in both logs (the diagonal: in that log), each
    cell labelled. `table`: corpus_report's overlap (column producer, then one column per producer)."""
    data = _pairs(table)
    order = list(table["producer"])
    off = data[data["a"] < data["b"]].sort_values(["searches", "a", "b"], ascending=[False, True, True])
    if off.empty or int(off["searches"].iloc[0]) == 0:
        text = "No search appears in two producers' logs"
        top = "no two logs share a search"
    else:
        a, b, n = off.iloc[0]["a"], off.iloc[0]["b"], int(off.iloc[0]["searches"])
        text = f"{a} and {b} share the most searches: {n:,}"
        top = f"the most by {a} and {b}, {n:,}"
    data["label"] = data["searches"].map(lambda v: f"{v:,}")
    data["dark"] = data["searches"] > data["searches"].max() / 2
    description = (
        f"Heat map of the distinct searches shared by each pair of the {len(order)} producers' logs of "
        f"{corpus_name}{', ' + period if period else ''}; the diagonal counts each log's own: {top}."
    )
    subtitle = [_sub("Distinct searches in both producers' logs (the diagonal: in that log)", period) + "."]
    axis = dict(title=None, sort=order, axis=alt.Axis(labelFontSize=11, ticks=False, domain=False, labelFont=c.FONT))
    base = alt.Chart(data).encode(x=alt.X("b:N", **axis), y=alt.Y("a:N", **axis))
    cells = base.mark_rect().encode(
        color=alt.Color("searches:Q", legend=None, scale=alt.Scale(range=[HEAT_LOW, HEAT_HIGH])),
        tooltip=[
            alt.Tooltip("a:N", title="Log"),
            alt.Tooltip("b:N", title="and log"),
            alt.Tooltip("searches:Q", title="Searches in both", format=",d"),
        ],
    )
    labels = base.mark_text(fontSize=10, font=c.FONT).encode(
        text="label:N", color=alt.condition("datum.dark", alt.value("white"), alt.value(c.VALUE_COLOR))
    )
    side = max(44 * len(order), 200)
    return c.finish(
        alt.layer(cells, labels),
        text=text,
        subtitle=subtitle,
        synthetic=synthetic,
        source=source,
        description=description,
        jurisdiction_name=corpus_name,
        width=min(side, c.WIDTH),
        height=min(side, c.WIDTH),
        below=60,
    )


def agencies_most_producers(
    agencies: pd.DataFrame,
    *,
    corpus_name: str,
    synthetic: bool,
    producers: int,
    n: int = 20,
    period: str | None = None,
    source: str | None = None,
) -> alt.Chart:
    """Horizontal bars: the `n` agencies whose searches reached the most producers' logs, each labelled
    "k of P logs (N searches)". `agencies`: agency, producers_searched, distinct_searches."""
    c.require(agencies, ("agency", "producers_searched", "distinct_searches"), "agencies")
    data = pd.DataFrame(
        {
            "name": c.agency_names(agencies["agency"]),
            "logs": agencies["producers_searched"].astype("int64"),
            "searches": agencies["distinct_searches"].astype("int64"),
        }
    )
    data = data.sort_values(["logs", "searches", "name"], ascending=[False, False, True], kind="stable")
    n_agencies = len(data)
    data = data.head(n).reset_index(drop=True)
    data["label"] = [f"{k:,} of {producers:,} ({s:,} searches)" for k, s in zip(data["logs"], data["searches"])]
    if data.empty:
        text, description = "No agency is named in this corpus", "Bar chart of searching agencies: none is named."
    else:
        k = int(data["logs"].iloc[0])
        tied = int((agencies["producers_searched"].astype("int64") == k).sum())  # over every agency, not the shown
        who = data["name"].iloc[0] if tied == 1 else f"{words.count(tied, capital=True)} agencies"
        text = f"{who} searched the cameras of {words.count(k)} of the {words.count(producers)} producers"
        description = (
            f"Bar chart of the {len(data):,} agencies, of {n_agencies:,}, whose searches reached the most "
            f"producers' logs {_across(corpus_name, producers)}{', ' + period if period else ''}. "
            f"{data['name'].iloc[0]}: {k:,} logs, {int(data['searches'].iloc[0]):,} distinct searches."
        )
    shown = (
        f"the top {len(data):,} of {n_agencies:,} agencies"
        if n_agencies > len(data)
        else f"all {n_agencies:,} {words.plural(n_agencies, 'agency', 'agencies')}"
    )
    subtitle = [
        _sub(f"Producers' logs that hold an agency's searches, {_across(corpus_name, producers)}", period)
        + f"; {shown}; distinct searches in brackets."
    ]
    bars = (
        alt.Chart(data)
        .mark_bar(color=c.BAR_COLOR)
        .encode(
            y=c.name_axis(list(data["name"])),
            x=alt.X("logs:Q", title=None, axis=None, scale=alt.Scale(domain=[0, max(producers, 1)])),
            tooltip=[
                alt.Tooltip("name:N", title="Agency"),
                alt.Tooltip("logs:Q", title="Producers' logs"),
                alt.Tooltip("searches:Q", title="Distinct searches", format=",d"),
            ],
        )
    )
    return c.finish(
        alt.layer(bars, c.bar_labels(bars)),
        text=text,
        subtitle=subtitle,
        synthetic=synthetic,
        source=source,
        description=description,
        jurisdiction_name=corpus_name,
        width=c.BAR_WIDTH,
        height=alt.Step(22),
    )


def immigration_types(
    facts: dict,
    *,
    corpus_name: str,
    synthetic: bool,
    producers: int,
    period: str | None = None,
    source: str | None = None,
) -> alt.Chart:
    """Three bars, civil, criminal and unspecified: immigration-related distinct searches across the corpus
    (facts immigration_civil / _criminal / _unspecified), each labelled with its count and share."""
    data = type_table(facts)
    data["type"] = data["immigration_type"].map(c.IMMIGRATION_LABELS)
    total = int(data["searches"].sum())
    data["label"] = c.value_label(data["searches"], total)
    text = c.types_title(data, total)
    counts = "; ".join(
        f"{r.type.lower()} {r.searches:,} ({words.percent(r.searches, total)})" for r in data.itertuples()
    )
    description = (
        f"Bar chart of the {total:,} immigration-related distinct searches {_across(corpus_name, producers)}"
        f"{', ' + period if period else ''}, by type: {counts}."
    )
    subtitle = [
        _sub(
            f"{total:,} immigration-related distinct {words.plural(total, 'search', 'searches')} "
            f"{_across(corpus_name, producers)}, each counted once",
            period,
        )
        + ", by type.",
        c.IMMIGRATION_TYPES_NOTE,
    ]
    order = [c.IMMIGRATION_LABELS[t] for t in c.IMMIGRATION_TYPES]
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("type:N", title=None, sort=order, axis=alt.Axis(labelFontSize=13, ticks=False, domain=False)),
            x=alt.X(
                "searches:Q", title=None, axis=None, scale=alt.Scale(domain=[0, 1]) if total == 0 else alt.Undefined
            ),
            color=c.type_color(None),
            tooltip=[alt.Tooltip("type:N", title="Type"), alt.Tooltip("searches:Q", title="Searches", format=",d")],
        )
    )
    return c.finish(
        alt.layer(bars, c.bar_labels(bars).encode(size=alt.value(13))),
        text=text,
        subtitle=subtitle,
        synthetic=synthetic,
        source=source,
        description=description,
        jurisdiction_name=corpus_name,
        width=480,
        height=alt.Step(40),
    )


def type_table(facts: dict) -> pd.DataFrame:
    """The data behind immigration_types: immigration_type, searches (one row per type, zeros kept)."""
    return pd.DataFrame(
        {
            "immigration_type": list(c.IMMIGRATION_TYPES),
            "searches": [int(facts.get(f"immigration_{t}", 0)) for t in c.IMMIGRATION_TYPES],
        }
    )


CHARTS = {
    "producers_per_search": producers_per_search,
    "overlap": overlap,
    "agencies_most_producers": agencies_most_producers,
    "immigration_types": immigration_types,
}
