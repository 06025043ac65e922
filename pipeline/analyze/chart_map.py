"""The state map (each state shaded by the searches of agencies based there) and the state table it and
the by-state charts read: pipeline/rules/geo/, boundaries shipped with the project (see SOURCE.md there),
embedded in the chart itself, so nothing is fetched when it is drawn. States with no search are grey, and
the legend says so ("No searches") beside the shading's scale.
"""

from __future__ import annotations

import functools
import json

import altair as alt
import pandas as pd

from pipeline import RULES
from pipeline.analyze import chart_words as words
from pipeline.analyze.chart_style import FONT, MAP_WIDTH, TEXT_PX, finish, possessive, require, subject, with_period
from pipeline.io.rules import read_data_file

NO_STATE = "State not identified"
NO_SEARCHES = "No searches"
NO_SEARCHES_COLOR = "#e4e4e4"
GEO = RULES / "geo"


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


TOPOLOGY = "us-states-topology"  # the name the map's layers give its boundaries (top-level datasets)


@functools.lru_cache(maxsize=1)
def _topologytext() -> str:
    return (GEO / "us-states-10m.json").read_text(encoding="utf-8")


def us_states_topology() -> dict:
    """The us-atlas 3.0.1 states-10m TopoJSON (objects "states", ids = FIPS; "nation"), a fresh copy."""
    return json.loads(_topologytext())


def by_state(df: pd.DataFrame) -> pd.DataFrame:
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
    "AK": {
        "type": "conicEqualArea",
        "rotate": [154, 0],
        "center": [-2, 58.5],
        "parallels": [55, 65],
        "box": [[0.0, 0.68], [0.24, 1.0]],
    },
    "HI": {
        "type": "conicEqualArea",
        "rotate": [157, 0],
        "center": [-3, 19.9],
        "parallels": [8, 18],
        "box": [[0.23, 0.84], [0.37, 1.0]],
    },
}
LOWER_48 = {"type": "albers", "box": [[0.0, 0.0], [1.0, 0.97]]}


def _map_words(
    data: pd.DataFrame, on_map: pd.DataFrame, name: str, log_kind: str, period: str | None
) -> tuple[str, list[str], str]:
    """(title, subtitle, description) of the map, from its numbers."""
    whole, n = int(data["searches"].sum()), len(on_map)
    what = subject(name, log_kind)
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
        with_period(f"Searches {what} by the searching agency's state", period)
        + "; darker is more, on a log scale; grey: none."
    ]
    if off_map:
        subtitle.append("Not on the map: " + "; ".join(off_map) + ".")
    ranked = on_map.sort_values(["searches", "state"], ascending=[False, True])
    top = "; ".join(
        f"{r.state} {r.searches:,} ({words.percent(r.searches, whole)})" for r in ranked.head(3).itertuples()
    )
    description = (
        f"Map of the United States shading each state by the searches {what} run by agencies based "
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
    require(df, ("agency_state", "searches"), "searches_by_state_map")
    data = by_state(df)
    drawn = state_table()[~state_table()["code"].isin(NOT_DRAWN)]
    on_map = data[data["code"].isin(drawn["code"]) & (data["searches"] > 0)].merge(drawn[["code", "fips"]], on="code")
    text, subtitle, description = _map_words(data, on_map, jurisdiction_name, log_kind, period)
    # The boundaries by name, held once in the chart's top-level datasets (finish): inline in the layers they
    # were deep-copied by every layer Altair builds.
    geo = alt.NamedData(name=TOPOLOGY, format=alt.DataFormat(type="topojson", feature="states"))
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
            labelFontSize=TEXT_PX,
            titleFontSize=13,
        ),
    )
    tooltip = [alt.Tooltip("state:N", title="State"), alt.Tooltip("searches:Q", title="Searches", format=",d")]
    height = 380  # the lower 48 are about 0.6 as tall as wide

    def region(codes: list[str], box, **projection) -> list[alt.LayerChart]:
        """Every state of the region in grey, then those with searches shaded on top (one layer would drop
        the states without a value instead of greying them)."""
        fips = list(drawn.loc[drawn["code"].isin(codes), "fips"])
        extent = [[MAP_WIDTH * box[0][0], height * box[0][1]], [MAP_WIDTH * box[1][0], height * box[1][1]]]
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
    return finish(
        alt.layer(alt.layer(*layers, data=geo), _no_searches_key()),
        text=text,
        subtitle=subtitle,
        synthetic=synthetic,
        source=source,
        description=description,
        jurisdiction_name=jurisdiction_name,
        width=MAP_WIDTH,
        height=height,
        below=8,
        datasets={TOPOLOGY: us_states_topology()},
    )


def _no_searches_key() -> alt.Chart:
    """A legend entry of its own for the grey states: a square of their colour labelled "No searches"
    (a symbol legend of an invisible point, since the grey is a fixed fill, not a value of the scale)."""
    return (
        alt.Chart(alt.Data(values=[{"key": NO_SEARCHES}]))
        .mark_point(filled=True, color=NO_SEARCHES_COLOR, opacity=0, size=0)
        .encode(
            shape=alt.Shape(
                "key:N",
                title=None,
                scale=alt.Scale(domain=[NO_SEARCHES], range=["square"]),
                legend=alt.Legend(
                    orient="right",
                    labelFont=FONT,
                    labelFontSize=TEXT_PX,
                    symbolFillColor=NO_SEARCHES_COLOR,
                    symbolStrokeColor="#999999",
                    symbolOpacity=1,
                    symbolSize=180,
                ),
            )
        )
    )
