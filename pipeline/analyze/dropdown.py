"""Flock's dropdown reason (offenseType) and the 2025 cameraCount: their figures, table and chart.

Two columns some portal exports have and others do not, so every figure here is None (never 0) for a
release without the column, and page 03 says so instead of showing an empty table:

- offense_type: the value an officer picked from Flock's dropdown (2026 exports), read against the
  reviewed list pipeline/rules/dropdown.yml by enrich/offense.py. A multi-select cell counts in every
  value it selects; a value not on the list is counted apart and named (page 02 turns YELLOW for it).
- camera_count: 2025 exports' cameraCount. On a search of the agency's own cameras it holds that
  agency's camera count; on a shared search a network count. It is never called a count of networks.
  A search "looks local-only" when its cameraCount is at least 1 and at most the producer's own cameras,
  as pipeline/rules/camera_count.yml states them with their source; without a stated count it is None.

facts.py adds `figures(con, slug)` to facts.json; notebook 03 calls `table`, `chart` and `camera_words`.
"""

from __future__ import annotations

import functools

import altair as alt
import pandas as pd

from pipeline import RULES
from pipeline.io.rules import read_data_file
from pipeline.analyze import chart_style, chart_words, words
from pipeline.enrich import offense

IMMIGRATION_FROM = ("reason", "offense_type", "both")


@functools.cache
def camera_rules() -> dict:
    """rules/camera_count.yml: the producers' own camera counts ({slug: {cameras, source}})."""
    doc = read_data_file(RULES / "camera_count.yml") or {}
    own = doc.get("own_cameras") or {}
    for slug, e in own.items():
        if not isinstance(e, dict) or not isinstance(e.get("cameras"), int) or not str(e.get("source", "")).strip():
            raise ValueError(f"pipeline/rules/camera_count.yml: own_cameras.{slug} needs cameras (a number) and source")
    return {"own_cameras": own}


def figures(con, slug: str) -> dict:
    """The dropdown and cameraCount figures of the view `searches` (facts.json keys listed in docs/formats.md)."""
    return {**_offense_figures(con), **_camera_figures(con, slug)}


def _has(con, column: str) -> bool:
    return column in {r[0] for r in con.execute("DESCRIBE searches").fetchall()}


def _offense_figures(con) -> dict:
    none = {
        "offense_type_summary": None,
        "offense_type_exported": False,
        "searches_with_offense_type": None,
        "offense_type_values": None,
        "offense_type_unknown_values": None,
        "offense_type_unknown_searches": None,
        "immigration_from_reason": None,
        "immigration_from_offense_type": None,
    }
    if not _has(con, "offense_type"):
        return none
    searches, exported, picked, unknown_n, by_reason, by_offense = con.execute("""
        SELECT count(*), count(offense_type),
               count(*) FILTER (WHERE nullif(trim(offense_type), '') IS NOT NULL),
               count(*) FILTER (WHERE offense_type_unknown IS NOT NULL),
               count(*) FILTER (WHERE immigration_from IN ('reason', 'both')),
               count(*) FILTER (WHERE immigration_from IN ('offense_type', 'both'))
        FROM searches""").fetchone()
    if not exported:
        return none
    counts = dict(
        con.execute(
            "SELECT v, count(*) FROM (SELECT unnest(offense_categories) AS v FROM searches) GROUP BY 1"
        ).fetchall()
    )
    marks = {e["value"]: e.get("immigration") for e in offense.vocabulary()}
    values = [
        {"value": v, "searches": n, "share": n / searches, "immigration": marks.get(v)}
        for v, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    unknown = [
        {"value": v, "searches": n}
        for v, n in con.execute("""
            SELECT offense_type_unknown, count(*) FROM searches WHERE offense_type_unknown IS NOT NULL
            GROUP BY 1 ORDER BY 2 DESC, 1""").fetchall()
    ]
    return {
        "offense_type_summary": _summary(picked, searches, values, unknown_n),
        "offense_type_exported": True,
        "searches_with_offense_type": picked,
        "offense_type_values": values,
        "offense_type_unknown_values": unknown,
        "offense_type_unknown_searches": unknown_n,
        "immigration_from_reason": by_reason,
        "immigration_from_offense_type": by_offense,
    }


def _summary(picked: int, searches: int, values: list[dict], unknown: int) -> str:
    """One sentence for the index: how many searches have a dropdown value, the most picked, the immigration
    values, the values not on the list."""
    parts = [f"{words.count(picked, 'search', 'searches')} of {searches:,} have a value from Flock's dropdown"]
    if values:
        parts.append(f"most often {values[0]['value']} ({values[0]['searches']:,})")
    imm = [f"{v['value']} {v['searches']:,}" for v in values if v["immigration"]]
    parts.append("immigration values: " + ", ".join(imm) if imm else "no immigration value")
    if unknown:
        parts.append(f"{words.count(unknown, 'search', 'searches')} with a value not on Flock's list")
    return "; ".join(parts) + "."


def _camera_figures(con, slug: str) -> dict:
    own = camera_rules()["own_cameras"].get(slug)
    out = {
        "camera_count_searches": None,
        "camera_count_max": None,
        "camera_count_zero_searches": None,
        "camera_count_own_cameras": own["cameras"] if own else None,
        "camera_count_own_cameras_source": own["source"] if own else None,
        "camera_count_local_only_searches": None,
    }
    if not _has(con, "camera_count"):
        return out
    n, top, zero, local = con.execute(
        """SELECT count(camera_count), max(camera_count), count(*) FILTER (WHERE camera_count = 0),
                  count(*) FILTER (WHERE camera_count BETWEEN 1 AND ?) FROM searches""",
        [own["cameras"] if own else -1],
    ).fetchone()
    if not n:
        return out
    out.update(
        camera_count_searches=n,
        camera_count_max=top,
        camera_count_zero_searches=zero,
        camera_count_local_only_searches=local if own else None,
    )
    return out


def table(f: dict) -> pd.DataFrame | None:
    """The dropdown values picked, most first, with searches, share and the immigration mark; then the
    values not on the list. None when the release has no dropdown column."""
    if not f.get("offense_type_exported"):
        return None
    rows = [
        {
            "value": v["value"],
            "searches": v["searches"],
            "share": v["share"],
            "on Flock's list": "yes",
            "immigration": v["immigration"] or "",
        }
        for v in f["offense_type_values"]
    ]
    rows += [
        {
            "value": u["value"],
            "searches": u["searches"],
            "share": u["searches"] / f["searches"] if f["searches"] else None,
            "on Flock's list": "no: not classed (see page 02)",
            "immigration": "",
        }
        for u in f["offense_type_unknown_values"]
    ]
    return pd.DataFrame(rows, columns=["value", "searches", "share", "on Flock's list", "immigration"])


def sentences(f: dict) -> list[str]:
    """What the dropdown figures say, in words (shown above the table)."""
    if not f.get("offense_type_exported"):
        return []
    n = f["searches"]
    first = (
        f"{words.count(f['searches_with_offense_type'], 'search', 'searches')} of {n:,} have a value from Flock's "
        "dropdown (offenseType), kept apart from the free-text reason; a search whose value selects several "
        "categories counts in each."
    )
    out = [first]
    if f["immigration_searches"]:
        out.append(
            f"Immigration-related: {f['immigration_searches']:,} searches, {f['immigration_from_offense_type']:,} "
            f"by the dropdown value and {f['immigration_from_reason']:,} by the words of the reason (a search can be both)."
        )
    if f["offense_type_unknown_searches"]:
        listed = ", ".join(f"'{u['value']}'" for u in f["offense_type_unknown_values"][:5])
        out.append(
            f"{words.count(f['offense_type_unknown_searches'], 'search has', 'searches have')} a value not on "
            f"the reviewed list (pipeline/rules/dropdown.yml), not classed: {listed}."
        )
    return out


def camera_words(f: dict) -> str | None:
    """How many searches look local-only, and how that is decided; None without a cameraCount column."""
    n = f.get("camera_count_searches")
    if not n:
        return None
    what = (
        f"{words.count(n, 'search carries', 'searches carry')} a 2025 cameraCount, kept as released and not called a count of networks: on a search of the agency's own cameras it holds "
        "that agency's camera count, on a shared search a count of the networks it reached. The largest "
        f"cameraCount here is {f['camera_count_max']:,}; {words.count(f['camera_count_zero_searches'], 'search has', 'searches have')} "
        "a cameraCount of 0. "
    )
    own = f.get("camera_count_own_cameras")
    if own is None:
        return what + (
            "How many searches looked only at the agency's own cameras cannot be told: its own camera count is not "
            "stated in the project's reviewed list of producers' cameras."
        )
    return what + (
        f"{words.count(f['camera_count_local_only_searches'], 'search looks', 'searches look')} local-only: their "
        f"cameraCount is from 1 to {own:,}, the agency's own cameras, as published in "
        f"{f['camera_count_own_cameras_source']}. A shared search reaching no more than {own:,} would be "
        "counted local-only too."
    )


def chart(df: pd.DataFrame, *, jurisdiction_name: str, synthetic: bool, log_kind: str, source: str, period: str):
    """Horizontal bars: each dropdown value picked, most first, with its searches and share; values not on
    Flock's list in grey."""
    data = df.assign(
        name=df["value"].astype(str),
        counted=df["on Flock's list"].eq("yes"),
        label=[f"{s:,} ({chart_words.percent(p, 1.0)})" for s, p in zip(df["searches"], df["share"])],
    )
    subject = chart_style.subject(jurisdiction_name, log_kind)
    if data.empty:
        text = "No search has a value from Flock's dropdown"
        listed = "none"
    else:
        first = data.iloc[0]
        text = (
            f"{first['name']}: {chart_words.percent(first['share'], 1.0)} of searches, the dropdown value picked most"
        )
        listed = "; ".join(f"{r.name} {r.searches:,}" for r in data.itertuples())
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=chart_style.name_axis(list(data["name"])),
            x=alt.X("searches:Q", title=None, axis=None),
            color=alt.Color(
                "counted:N",
                legend=None,
                scale=alt.Scale(domain=[True, False], range=[chart_style.BAR_COLOR, chart_style.GREY_COLOR]),
            ),
            tooltip=[alt.Tooltip("name:N", title="Dropdown value"), alt.Tooltip("searches:Q", format=",d")],
        )
    )
    subtitle = [
        chart_style.with_period(f"Searches {subject} by the value picked from Flock's dropdown (offenseType)", period)
        + "; share of all searches in brackets.",
        "A search that selects several values counts in each. Grey: a value not on Flock's list, not classed.",
    ]
    return chart_style.finish(
        alt.layer(bars, chart_style.bar_labels(bars)),
        text=text,
        subtitle=subtitle,
        synthetic=synthetic,
        source=source,
        description=f"Bar chart of searches {subject} by dropdown value: {listed}.",
        jurisdiction_name=jurisdiction_name,
        width=chart_style.BAR_WIDTH,
        height=alt.Step(26),
    )
