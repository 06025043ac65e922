"""Facts: the only place a published figure is computed.

Every figure is computed from data/processed/<slug>/searches.parquet (and the manifest for what was
read), in DuckDB, so notebooks only show what this module returns. A figure the release cannot give
(an agency count in a portal export that has no agency column) is None, never 0.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.io.atomic import write_json
from pipeline import project
from pipeline.io.db import literal, literal_list
from pipeline.analyze import dropdown, findings, ice287g
from pipeline.claims import claim_windows, evaluate, window_key
from pipeline.config import Jurisdiction
from pipeline.enrich.classify import load_registry


def reports_dir(j: Jurisdiction) -> Path:
    return project.reports_dir(j.root, j.slug)


def processed_dir(j: Jurisdiction) -> Path:
    return project.processed_dir(j.root, j.slug)


def connect_searches(searches: Path, window: tuple[dt.date, dt.date] | None = None) -> duckdb.DuckDBPyConnection:
    """A connection with a view `searches`: the whole release, or the searches of the local days of
    `window` (start, end, both included). Every figure of a window is the same SQL over this view."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    where = ""
    if window is not None:
        start, end = window
        where = f" WHERE searched_local_date BETWEEN DATE '{start.isoformat()}' AND DATE '{end.isoformat()}'"
    con.execute(f"CREATE VIEW searches AS SELECT * FROM read_parquet({literal(searches)}){where}")
    return con


def _iso_z(ts) -> str | None:
    if ts is None:
        return None
    return pd.Timestamp(ts).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.%fZ").replace(".000000Z", "Z")


def compute(j: Jurisdiction, window: tuple[dt.date, dt.date] | None = None) -> dict:
    """The headline figures of one jurisdiction, from its processed data; with `window`, the figures of
    those local days only (the searches and what they say; what was read is the release's)."""
    pdir = processed_dir(j)
    manifest = json.loads((pdir / "manifest.json").read_text(encoding="utf-8"))
    con = connect_searches(pdir / "searches.parquet", window)
    try:
        figures = _figures(con, j)
    finally:
        con.close()
    if window is not None:
        return {"window": {"start": window[0].isoformat(), "end": window[1].isoformat()}, **figures}
    totals = manifest["totals"]
    f = {
        "jurisdiction": j.slug,
        "name": j.name,
        "producer": j.producer,
        "synthetic": j.synthetic,
        "label": "SYNTHETIC" if j.synthetic else "REAL",
        "log_kind": manifest["log_kind"],
        "timezone": j.timezone,
        "rows_read": totals["rows_read"],
        "searches": figures.pop("searches"),
        "duplicates": totals["duplicates"],
        "rejected": totals["rejected"],
        "conflicting_searches": totals["conflicting_searches"],
        **figures,
        "period_start": j.period_start.isoformat() if j.period_start else None,
        "period_end": j.period_end.isoformat() if j.period_end else None,
        "notes": _notes(figures),
        "sources": [{"file": s["file"], "sha256": s["sha256"], "bytes": s["bytes"]} for s in manifest["raw_files"]],
        "pipeline_commit": manifest["pipeline"]["git_commit"],
    }
    # The figures of each window a published claim speaks of, by the same code over a filtered view.
    f["windows"] = {window_key(w): compute(j, w) for w in claim_windows(j.claims)}
    f.update(findings.describe(f, j.producer_state))
    _ice_287g(j, f, pdir / "searches.parquet")
    return f


def _ice_287g(j: Jurisdiction, f: dict, searches: Path) -> None:
    """Which searching agencies have a 287(g) agreement with ICE (pipeline/analyze/ice287g.py): the
    `ice_287g_*` figures and their finding, placed among the others."""
    f.update(ice287g.figures(j, searches, f))
    ice287g.add_finding(f)


def _figures(con, j: Jurisdiction) -> dict:
    """Every figure the view `searches` gives: counts, who searched and why, how far back."""
    row = con.execute("""
        SELECT count(*),
               count(DISTINCT org_name), count(*) FILTER (WHERE org_name IS NOT NULL),
               count(DISTINCT searcher) FILTER (WHERE name_state = 'present'),
               count(*) FILTER (WHERE name_state = 'present'),
               count(*) FILTER (WHERE name_state = 'masked'),
               count(*) FILTER (WHERE name_state = 'blank'),
               count(*) FILTER (WHERE name_state = 'not_exported'),
               min(searched_at_utc), max(searched_at_utc),
               min(searched_local_date), max(searched_local_date),
               count(*) FILTER (WHERE copies > 1)
        FROM searches
    """).fetchone()
    (
        searches,
        agencies,
        with_org,
        searchers,
        named,
        masked,
        blank,
        not_exported,
        first,
        last,
        first_d,
        last_d,
        with_copies,
    ) = row
    return {
        "searches": searches,
        "searches_with_copies": with_copies,
        "agencies": agencies if with_org else None,
        "searchers": searchers if named else None,
        "searches_searcher_present": named,
        "searches_searcher_masked": masked,
        "searches_searcher_blank": blank,
        "searches_searcher_not_exported": not_exported,
        "first_search_utc": _iso_z(first),
        "last_search_utc": _iso_z(last),
        "first_local_date": first_d.isoformat() if first_d else None,
        "last_local_date": last_d.isoformat() if last_d else None,
        "searches_outside_period": _outside_period(con, j),
        **_who_and_why(con, j, with_org),
        **_agencies(con, j, with_org),
        **dict(zip(("reason_categories", "no_specific_purpose_searches"), _reason_categories(con, searches))),
        **_look_back(con),
        **dropdown.figures(con, j.slug),  # Flock's dropdown value and the 2025 cameraCount (None without them)
    }


def _outside_period(con, j: Jurisdiction) -> int | None:
    if not (j.period_start or j.period_end):
        return None
    cond = []
    if j.period_start:
        cond.append(f"searched_local_date < DATE '{j.period_start.isoformat()}'")
    if j.period_end:
        cond.append(f"searched_local_date > DATE '{j.period_end.isoformat()}'")
    return con.execute(f"SELECT count(*) FROM searches WHERE {' OR '.join(cond)}").fetchone()[0]


def _notes(f: dict) -> list[str]:
    notes = []
    if f["agencies"] is None:
        notes.append(
            "agencies: the release has no agency (Org Name) column; a portal export lists only the "
            "producer's own searches"
        )
    notes.append(
        "searcher names or ids, by search: "
        + searcher_counts(
            f["searches_searcher_present"],
            f["searches_searcher_masked"],
            f["searches_searcher_blank"],
            f["searches_searcher_not_exported"],
        )
    )
    return notes


def _who_and_why(con, j: Jurisdiction, with_org: int) -> dict:
    """Immigration-related searches (from the reason registry) and who ran searches (from the agency rules).

    Federal searchers and immigration reasons are separate facts; both are reported, and where they meet.
    Figures that need an agency name are None for releases without an Org Name column.
    """
    (
        imm,
        imm_agencies,
        civil,
        criminal,
        unspecified,
        imm_states,
        states,
        federal,
        federal_imm,
        no_purpose,
        personal,
        imm_no_state,
    ) = con.execute("""
        SELECT count(*) FILTER (WHERE immigration),
               count(DISTINCT org_name) FILTER (WHERE immigration),
               count(*) FILTER (WHERE immigration_type = 'civil'),
               count(*) FILTER (WHERE immigration_type = 'criminal'),
               count(*) FILTER (WHERE immigration_type = 'unspecified'),
               list(DISTINCT agency_state ORDER BY agency_state) FILTER (WHERE immigration AND agency_state <> ''),
               count(DISTINCT agency_state) FILTER (WHERE agency_state <> ''),
               count(*) FILTER (WHERE agency_federal),
               count(*) FILTER (WHERE agency_federal AND immigration),
               count(*) FILTER (WHERE list_contains(reason_categories, 'no_stated_purpose')),
               count(*) FILTER (WHERE len(reason_pii) > 0),
               count(*) FILTER (WHERE immigration AND coalesce(agency_state, '') = '')
        FROM searches""").fetchone()
    by_state = dict(con.execute("SELECT agency_state, count(*) FROM searches GROUP BY 1 ORDER BY 1").fetchall())
    out_of_state = None
    if j.producer_state and with_org:
        out_of_state = con.execute(
            "SELECT count(*) FROM searches WHERE agency_state <> '' AND agency_state <> ?", [j.producer_state]
        ).fetchone()[0]
    named = bool(with_org)
    return {
        "immigration_searches": imm,
        "immigration_civil": civil,
        "immigration_criminal": criminal,
        "immigration_unspecified": unspecified,
        "immigration_agencies": imm_agencies if named else None,
        "immigration_states": (imm_states or []) if named else None,
        # by agencies whose state is not identified (federal agencies, most often): the states' sentence says so
        "immigration_state_not_identified": imm_no_state if named else None,
        "searcher_states": states if named else None,
        "searches_by_state": by_state if named else None,
        "searches_state_not_identified": by_state.get("", 0) if named else None,
        "out_of_state_searches": out_of_state,
        "federal_searches": federal if named else None,
        "federal_immigration_searches": federal_imm if named else None,
        "no_stated_purpose_searches": no_purpose,
        "reasons_flagged_personal_data": personal,
    }


def _agencies(con, j: Jurisdiction, with_org: int) -> dict:
    """Agencies outside the producer's state (state read from the name; unknown is not outside), and
    each federal agency by name with its searches. None when the release names no agency."""
    if not with_org:
        return {"out_of_state_agencies": None, "agencies_state_not_identified": None, "federal_agencies": None}
    outside, unknown = con.execute(
        """
        SELECT count(DISTINCT org_name) FILTER (WHERE agency_state <> '' AND agency_state <> ?),
               count(DISTINCT org_name) FILTER (WHERE coalesce(agency_state, '') = '')
        FROM searches WHERE org_name IS NOT NULL""",
        [j.producer_state or ""],
    ).fetchone()
    federal = con.execute("""
        SELECT org_name, count(*), count(*) FILTER (WHERE immigration) FROM searches
        WHERE agency_federal AND org_name IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1""").fetchall()
    return {
        "out_of_state_agencies": outside if j.producer_state else None,
        "agencies_state_not_identified": unknown,
        "federal_agencies": [{"agency": a, "searches": n, "immigration_searches": i} for a, n, i in federal],
    }


def reason_category_ids() -> list[str]:
    """Every category of rules/reasons.yml, in the order its rules are written."""
    return list(dict.fromkeys(r["category"] for r in load_registry()["rules"]))


def _reason_categories(con, searches: int) -> tuple[list[dict], int]:
    """Searches in each category of the reason rules (a search can be in several), and in none; and the
    searches whose reason states no specific purpose (any category caveats.yml lists as such)."""
    ids = reason_category_ids()
    cols = ", ".join(f"count(*) FILTER (WHERE list_contains(reason_categories, {literal(c)}))" for c in ids)
    counts = con.execute(f"""SELECT {cols}, count(*) FILTER (WHERE coalesce(len(reason_categories), 0) = 0)
                             FROM searches""").fetchone()
    labels = findings.category_labels()
    vague = findings.no_specific_purpose_categories()
    no_purpose = con.execute(f"""SELECT count(*) FROM searches
                                 WHERE len(list_intersect(reason_categories, {literal_list(vague)})) > 0""").fetchone()[
        0
    ]
    out = [
        {
            "id": c,
            "label": labels[c]["label"],
            "searches": n,
            "share": n / searches if searches else None,
            "csv": f"reasons/{c}.csv",
            "caveat": labels[c]["caveat"],
        }
        for c, n in zip(ids, counts)
    ]
    other = findings.OTHER_REASONS
    out.append(
        {
            "id": other,
            "label": labels[other]["label"],
            "searches": counts[-1],
            "share": counts[-1] / searches if searches else None,
            "csv": None,
            "caveat": labels[other]["caveat"],
        }
    )
    return out, no_purpose


LOOK_BACK_DAYS = 30  # "more than 30 days before the search": the figure the Okaloosa release was reported for


def _look_back(con) -> dict:
    """How far back the searches reached: searches whose Time Frame starts more than LOOK_BACK_DAYS days
    before the search, and the longest reach in whole days. None when the release has no Time Frame."""
    over, longest, with_frame = con.execute(f"""
        SELECT count(*) FILTER (WHERE searched_at_utc - time_frame_start_utc > INTERVAL {LOOK_BACK_DAYS} DAY),
               max(date_diff('day', time_frame_start_utc, searched_at_utc)),
               count(time_frame_start_utc)
        FROM searches""").fetchone()
    return {
        "look_back_days": LOOK_BACK_DAYS,
        "searches_looking_back_over_30_days": over if with_frame else None,
        "longest_look_back_days": longest if with_frame else None,
    }


# Which function counts each headline figure, for the page with code (issue 27): a fact-checker reads the
# figure, its value and the function with its SQL side by side. `how_counted` checks every key is in facts.
HEADLINE_FIGURES = (
    (_figures, ("searches", "agencies", "searchers", "first_search_utc", "last_search_utc")),
    (
        _who_and_why,
        (
            "immigration_searches",
            "immigration_civil",
            "immigration_criminal",
            "immigration_unspecified",
            "immigration_agencies",
            "immigration_state_not_identified",
            "out_of_state_searches",
            "federal_searches",
            "no_stated_purpose_searches",
        ),
    ),
    (_agencies, ("out_of_state_agencies", "agencies_state_not_identified")),
    (_look_back, ("searches_looking_back_over_30_days", "longest_look_back_days")),
    (dropdown.figures, ("searches_with_offense_type", "camera_count_local_only_searches")),
    (ice287g.figures, ("ice_287g_agencies", "ice_287g_searches", "ice_287g_immigration_searches")),
)


def how_counted(f: dict) -> list[dict]:
    """Each headline figure with its value and the source of the function that counts it (its SQL inside):
    [{"function", "figures": [(key, value)], "source"}], in the order of HEADLINE_FIGURES."""
    import inspect

    out = []
    for fn, keys in HEADLINE_FIGURES:
        missing = [k for k in keys if k not in f]
        if missing:
            raise KeyError(f"facts.json has no {', '.join(missing)}: HEADLINE_FIGURES names a figure it does not hold")
        out.append(
            {
                "function": f"{fn.__module__}.{fn.__qualname__}",
                "figures": [(k, f[k]) for k in keys],
                "source": inspect.getsource(fn),
            }
        )
    return out


def write(j: Jurisdiction, facts: dict) -> Path:
    target = reports_dir(j) / "facts.json"
    write_json(target, facts)
    return target


def check_claims(j: Jurisdiction, facts: dict) -> list[dict]:
    """Evaluate the jurisdiction's published claims against its facts; write claims.json."""
    results = evaluate(list(j.claims), facts)
    write_json(
        reports_dir(j) / "claims.json",
        {
            "jurisdiction": j.slug,
            "synthetic": j.synthetic,
            "all_hold": all(r["holds"] for r in results),
            "claims": results,
        },
    )
    return results


def searcher_counts(present: int, masked: int, blank: int, not_exported: int) -> str:
    """The searcher (Name / userId) cells as they are: a masked cell, a blank one and a column the file
    did not export are three different things, and none of them is a name."""
    parts = [
        f"{n:,} {what}"
        for n, what in (
            (present, "with a name or id"),
            (masked, "masked"),
            (blank, "blank"),
            (not_exported, "from files without that column"),
        )
        if n
    ]
    return "; ".join(parts) if parts else "no searches"
