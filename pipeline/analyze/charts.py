"""Charts for the reports: each built from one small, pre-aggregated table and saved together with that table.

This module is the one the notebooks import; the work is split by job:
- chart_style: the fixed words, sizes, title block, source and credit lines, SYNTHETIC stamp;
- chart_words: every sentence a chart carries, each a function of the numbers it draws;
- chart_daily: searches per day; chart_bars: top agencies and reason categories;
- chart_immigration: immigration-related searches by type, agency and state;
- chart_map: the state map and the state table;
- chart_save: the four files of a chart (PNG, SVG, an offline HTML page, the CSV of its data).

`no_chart` says when a chart would tell nothing a sentence cannot (no searches, or every bar the same):
the notebook then prints that sentence instead of the chart.
"""

from __future__ import annotations

import pandas as pd

from pipeline.analyze import chart_words as words
from pipeline.analyze.chart_bars import reason_categories, top_agencies
from pipeline.analyze.chart_daily import PARTIAL_FILL, searches_per_day
from pipeline.analyze.chart_immigration import (
    IMMIGRATION_COLORS,
    IMMIGRATION_LABELS,
    IMMIGRATION_TYPES,
    IMMIGRATION_TYPES_NOTE,
    immigration_by_agency,
    immigration_by_state,
    immigration_types,
    type_color,
    types_title,
)
from pipeline.analyze.chart_map import (
    NO_SEARCHES_COLOR,
    NO_STATE,
    searches_by_state_map,
    state_table,
    us_states_topology,
)
from pipeline.analyze.chart_page import draw, show
from pipeline.analyze.chart_save import ScriptSafeJSON, clear_charts, save_chart
from pipeline.analyze.chart_style import (
    BAR_COLOR,
    BAR_WIDTH,
    FONT,
    SYNTHETIC_PREFIX,
    SYNTHETIC_STAMP,
    VALUE_COLOR,
    WIDTH,
    agency_names,
    bar_labels,
    enable_offline_renderer,
    finish,
    name_axis,
    possessive,
    require,
    subject,
    value_label,
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

# The column each chart's table counts in, for no_chart.
_COUNTED = {"immigration_types": "searches", "top_agencies": "searches", "immigration_by_state": "searches"}


def describe(name: str, df: pd.DataFrame, **style) -> str:
    """The written description (alt text) of chart `name` ("top_agencies", ...) drawn from `df` with `style`:
    the same sentences the chart itself carries."""
    return CHARTS[name](df, **style).description


def no_chart(name: str, df: pd.DataFrame, what: str) -> str | None:
    """The sentence to print instead of chart `name` when its bars would all be the same (all zero, or one
    value repeated), else None. `what` names the counted searches ("immigration-related searches")."""
    values = [int(v) for v in df[_COUNTED.get(name, "searches")]] if len(df) else []
    total = sum(values)
    if total == 0:
        return f"No {what} in this release, so there is no chart of them."
    if len(values) > 1 and len(set(values)) == 1:
        return f"Each of the {words.count(len(values))} bars would show the same {values[0]:,} {what}, so no chart is drawn."
    return None


__all__ = [
    "BAR_COLOR",
    "BAR_WIDTH",
    "CHARTS",
    "FONT",
    "IMMIGRATION_COLORS",
    "IMMIGRATION_LABELS",
    "IMMIGRATION_TYPES",
    "IMMIGRATION_TYPES_NOTE",
    "NO_SEARCHES_COLOR",
    "NO_STATE",
    "PARTIAL_FILL",
    "SYNTHETIC_PREFIX",
    "SYNTHETIC_STAMP",
    "VALUE_COLOR",
    "WIDTH",
    "ScriptSafeJSON",
    "agency_names",
    "bar_labels",
    "clear_charts",
    "describe",
    "draw",
    "enable_offline_renderer",
    "finish",
    "immigration_by_agency",
    "immigration_by_state",
    "immigration_types",
    "name_axis",
    "no_chart",
    "possessive",
    "reason_categories",
    "require",
    "save_chart",
    "searches_by_state_map",
    "searches_per_day",
    "show",
    "state_table",
    "subject",
    "top_agencies",
    "type_color",
    "types_title",
    "us_states_topology",
    "value_label",
]
