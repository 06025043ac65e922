"""The immigration charts: immigration-related searches by type, by agency and by the agency's state.

The three types are coloured the same way everywhere (IMMIGRATION_COLORS, Okabe-Ito colours that stay
distinct for the common kinds of colour blindness). Titles are functions of the bars drawn
(chart_words.types_title: "84 to 32: 2.6 times as many"; chart_words.state_share_title, which says so
when most searches come from agencies whose state is not identified, such as Border Patrol).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from pipeline.analyze import chart_words as words
from pipeline.analyze.chart_map import NO_STATE, by_state
from pipeline.analyze.chart_style import (
    BAR_COLOR,
    BAR_WIDTH,
    FONT,
    GREY_COLOR,
    VALUE_COLOR,
    agency_names,
    bar_labels,
    finish,
    name_axis,
    require,
    short_names,
    subject,
    value_label,
    with_period,
)

IMMIGRATION_TYPES = ("civil", "criminal", "unspecified")
IMMIGRATION_LABELS = {"civil": "Civil", "criminal": "Criminal", "unspecified": "Unspecified"}
IMMIGRATION_COLORS = {"civil": "#0072B2", "criminal": "#E69F00", "unspecified": "#7F7F7F"}
IMMIGRATION_TYPES_NOTE = (
    "Civil and criminal: immigration reasons picked from Flock's drop-down list. "
    "Unspecified: a typed-in reason that names immigration enforcement."
)
ALL_AGENCIES_UP_TO = 60  # more agencies than this: only the top TOP_AGENCIES are shown
TOP_AGENCIES = 30


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


def type_color(legend: alt.Legend | None) -> alt.Color:
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
            "name": agency_names(df["org_name"]),
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
    data["short"] = data["name"].map(dict(zip(shown["name"], short_names(shown["name"]))))
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
    require(df, ("org_name", "immigration_type", "searches"), "immigration_by_agency")
    data, totals = _by_agency_and_type(df)
    whole, order = int(totals["searches"].sum()), list(dict.fromkeys(data["short"]))
    data["label"] = value_label(data["total"], whole)
    shown = (
        f"the top {len(order):,} of {len(totals):,} agencies"
        if len(totals) > len(order)
        else f"all {len(totals):,} {words.plural(len(totals), 'agency', 'agencies')}"
    )
    subtitle = [
        with_period(f"Immigration-related searches {subject(jurisdiction_name, log_kind)}, by agency and type", period)
        + f"; {shown}; total and share of all immigration-related searches."
    ]
    text, description = _leader_words("agency", totals, whole, jurisdiction_name, log_kind, period)
    y = name_axis(order, "short")
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=y,
            x=alt.X("sum(searches):Q", title=None, stack="zero", axis=None),
            color=type_color(
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
    ends = data.drop_duplicates("name")[["name", "short", "total", "label"]]
    labels = (
        alt.Chart(ends)
        .mark_text(align="left", baseline="middle", dx=5, fontSize=12, font=FONT, color=VALUE_COLOR)
        .encode(y=y, x=alt.X("total:Q"), text="label:N")
    )
    return finish(
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
    what = f"immigration-related searches {subject(name, log_kind)}"
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
    require(df, ("agency_state", "searches"), "immigration_by_state")
    data = by_state(df).rename(columns={"state": "name"})
    known = data[data["name"] != NO_STATE].sort_values(["searches", "name"], ascending=[False, True], kind="stable")
    data = pd.concat([known, data[data["name"] == NO_STATE]], ignore_index=True)
    data["identified"] = data["name"] != NO_STATE
    whole, n_states = int(data["searches"].sum()), len(known)
    data["label"] = value_label(data["searches"], whole)
    subtitle = [
        with_period(
            f"Immigration-related searches {subject(jurisdiction_name, log_kind)}, by the searching agency's state",
            period,
        )
        + f"; {n_states:,} {words.plural(n_states, 'state')}, as identified from the agencies' names; "
        "share of all immigration-related searches in brackets."
    ]
    _, description = _leader_words("state", known.reset_index(drop=True), whole, jurisdiction_name, log_kind, period)
    unidentified = int(data.loc[~data["identified"], "searches"].sum())
    known_rows = [(str(s), int(n)) for s, n in zip(known["name"], known["searches"]) if n]
    text = words.state_share_title(known_rows, unidentified, "immigration-related searches")
    if unidentified:
        description += (
            f" Agencies whose state is not identified: {unidentified:,} ({words.percent(unidentified, whole)})."
        )
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=name_axis(list(data["name"])),
            x=alt.X("searches:Q", title=None, axis=None),
            color=alt.Color(
                "identified:N", legend=None, scale=alt.Scale(domain=[True, False], range=[BAR_COLOR, GREY_COLOR])
            ),
            tooltip=[alt.Tooltip("name:N", title="State"), alt.Tooltip("searches:Q", title="Searches", format=",d")],
        )
    )
    return finish(
        alt.layer(bars, bar_labels(bars)),
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
    require(df, ("immigration_type", "searches"), "immigration_types")
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
    data["label"] = value_label(data["searches"], total)
    text = types_title(data, total)
    subtitle = [
        with_period(
            f"{total:,} immigration-related {words.plural(total, 'search', 'searches')} "
            f"{subject(jurisdiction_name, log_kind)}",
            period,
        )
        + ", by type.",
        IMMIGRATION_TYPES_NOTE,
    ]
    counts = "; ".join(
        f"{r.type.lower()} {r.searches:,} ({words.percent(r.searches, total)})" for r in data.itertuples()
    )
    description = (
        f"Bar chart of the {total:,} immigration-related searches {subject(jurisdiction_name, log_kind)}"
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
            color=type_color(None),
            tooltip=[alt.Tooltip("type:N", title="Type"), alt.Tooltip("searches:Q", title="Searches", format=",d")],
        )
    )
    labels = bar_labels(bars).encode(size=alt.value(13))
    return finish(
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


def types_title(data: pd.DataFrame, total: int) -> str:
    """ "Civil immigration reasons outnumbered criminal ones, 84 to 32: 2.6 times as many" (chart_words)."""
    counts = {str(t): int(n) for t, n in zip(data["immigration_type"], data["searches"])}
    return words.types_title(counts, IMMIGRATION_LABELS)
