"""Facts: the only place a published figure is computed.

Every figure is computed from data/processed/<slug>/searches.parquet (and the manifest for what was
read), in DuckDB, so notebooks only show what this module returns. A figure the release cannot give
(an agency count in a portal export that has no agency column) is None, never 0.
"""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.io.atomic import write_json
from pipeline import project
from pipeline.io.db import literal
from pipeline.claims import evaluate
from pipeline.config import Jurisdiction


def reports_dir(j: Jurisdiction) -> Path:
    return project.reports_dir(j.root, j.slug)


def processed_dir(j: Jurisdiction) -> Path:
    return project.processed_dir(j.root, j.slug)


def connect_searches(searches: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"CREATE VIEW searches AS SELECT * FROM read_parquet({literal(searches)})")
    return con


def _iso_z(ts) -> str | None:
    if ts is None:
        return None
    return pd.Timestamp(ts).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.%fZ").replace(".000000Z", "Z")


# Long (~70 lines) on purpose: one query and the figures it gives, so each published figure sits beside its SQL.
def compute(j: Jurisdiction) -> dict:
    """The headline figures of one jurisdiction, from its processed data."""
    pdir = processed_dir(j)
    manifest = json.loads((pdir / "manifest.json").read_text(encoding="utf-8"))
    con = connect_searches(pdir / "searches.parquet")
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
    (searches, agencies, with_org, searchers, named, masked, blank, not_exported, first, last, first_d, last_d,
     with_copies) = row
    totals = manifest["totals"]
    outside = None
    if j.period_start or j.period_end:
        cond = []
        if j.period_start:
            cond.append(f"searched_local_date < DATE '{j.period_start.isoformat()}'")
        if j.period_end:
            cond.append(f"searched_local_date > DATE '{j.period_end.isoformat()}'")
        outside = con.execute(f"SELECT count(*) FROM searches WHERE {' OR '.join(cond)}").fetchone()[0]
    who = _who_and_why(con, j, with_org)
    lookback = _look_back(con)
    con.close()
    notes = []
    agencies_value = agencies if with_org else None
    if agencies_value is None:
        notes.append("agencies: the release has no agency (Org Name) column; a portal export lists only the "
                     "producer's own searches")
    searchers_value = searchers if named else None
    notes.append("searcher names or ids, by search: " + searcher_counts(named, masked, blank, not_exported))
    return {
        "jurisdiction": j.slug,
        "name": j.name,
        "producer": j.producer,
        "synthetic": j.synthetic,
        "label": "SYNTHETIC" if j.synthetic else "REAL",
        "log_kind": manifest["log_kind"],
        "timezone": j.timezone,
        "rows_read": totals["rows_read"],
        "searches": searches,
        "duplicates": totals["duplicates"],
        "rejected": totals["rejected"],
        "conflicting_searches": totals["conflicting_searches"],
        "searches_with_copies": with_copies,
        "agencies": agencies_value,
        "searchers": searchers_value,
        "searches_searcher_present": named,
        "searches_searcher_masked": masked,
        "searches_searcher_blank": blank,
        "searches_searcher_not_exported": not_exported,
        "first_search_utc": _iso_z(first),
        "last_search_utc": _iso_z(last),
        "first_local_date": first_d.isoformat() if first_d else None,
        "last_local_date": last_d.isoformat() if last_d else None,
        "period_start": j.period_start.isoformat() if j.period_start else None,
        "period_end": j.period_end.isoformat() if j.period_end else None,
        "searches_outside_period": outside,
        **who,
        **lookback,
        "notes": notes,
        "sources": [{"file": f["file"], "sha256": f["sha256"], "bytes": f["bytes"]} for f in manifest["raw_files"]],
        "pipeline_commit": manifest["pipeline"]["git_commit"],
    }


def _who_and_why(con, j: Jurisdiction, with_org: int) -> dict:
    """Immigration-related searches (from the reason registry) and who ran searches (from the agency rules).

    Federal searchers and immigration reasons are separate facts; both are reported, and where they meet.
    Figures that need an agency name are None for releases without an Org Name column.
    """
    (imm, imm_agencies, civil, criminal, unspecified, imm_states, states, federal, federal_imm, no_purpose,
     personal) = \
        con.execute("""
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
               count(*) FILTER (WHERE len(reason_pii) > 0)
        FROM searches""").fetchone()
    by_state = dict(con.execute("SELECT agency_state, count(*) FROM searches GROUP BY 1 ORDER BY 1").fetchall())
    out_of_state = None
    if j.producer_state and with_org:
        out_of_state = con.execute("SELECT count(*) FROM searches WHERE agency_state <> '' AND agency_state <> ?",
                                   [j.producer_state]).fetchone()[0]
    named = bool(with_org)
    return {
        "immigration_searches": imm,
        "immigration_civil": civil,
        "immigration_criminal": criminal,
        "immigration_unspecified": unspecified,
        "immigration_agencies": imm_agencies if named else None,
        "immigration_states": (imm_states or []) if named else None,
        "searcher_states": states if named else None,
        "searches_by_state": by_state if named else None,
        "searches_state_not_identified": by_state.get("", 0) if named else None,
        "out_of_state_searches": out_of_state,
        "federal_searches": federal if named else None,
        "federal_immigration_searches": federal_imm if named else None,
        "no_stated_purpose_searches": no_purpose,
        "reasons_flagged_personal_data": personal,
    }


LOOK_BACK_DAYS = 30     # "more than 30 days before the search": the figure the Okaloosa release was reported for


def _look_back(con) -> dict:
    """How far back the searches reached: searches whose Time Frame starts more than LOOK_BACK_DAYS days
    before the search, and the longest reach in whole days. None when the release has no Time Frame."""
    over, longest, with_frame = con.execute(f"""
        SELECT count(*) FILTER (WHERE searched_at_utc - time_frame_start_utc > INTERVAL {LOOK_BACK_DAYS} DAY),
               max(date_diff('day', time_frame_start_utc, searched_at_utc)),
               count(time_frame_start_utc)
        FROM searches""").fetchone()
    return {"look_back_days": LOOK_BACK_DAYS,
            "searches_looking_back_over_30_days": over if with_frame else None,
            "longest_look_back_days": longest if with_frame else None}


def write(j: Jurisdiction, facts: dict) -> Path:
    target = reports_dir(j) / "facts.json"
    write_json(target, facts)
    return target


def check_claims(j: Jurisdiction, facts: dict) -> list[dict]:
    """Evaluate the jurisdiction's published claims against its facts; write claims.json."""
    results = evaluate(list(j.claims), facts)
    write_json(reports_dir(j) / "claims.json", {"jurisdiction": j.slug, "synthetic": j.synthetic,
                                                "all_hold": all(r["holds"] for r in results), "claims": results})
    return results


def searcher_counts(present: int, masked: int, blank: int, not_exported: int) -> str:
    """The searcher (Name / userId) cells as they are: a masked cell, a blank one and a column the file
    did not export are three different things, and none of them is a name."""
    parts = [f"{n:,} {what}" for n, what in ((present, "with a name or id"), (masked, "masked"),
                                              (blank, "blank"), (not_exported, "from files without that column"))
             if n]
    return "; ".join(parts) if parts else "no searches"


def sentences(f: dict) -> list[str]:
    """The headline figures as sentences an editor can read and a fact-checker can trace."""
    label = "[SYNTHETIC DATA] " if f["synthetic"] else ""
    out = [f"{label}{f['producer']}'s {f['log_kind']} log lists {f['searches']:,} distinct searches "
           f"between {f['first_local_date']} and {f['last_local_date']} (local days, {f['timezone']})."]
    if f["agencies"] is not None:
        out.append(f"{label}{f['agencies']:,} agencies (distinct Org Name as released) ran them.")
    else:
        out.append(f"{label}The release does not say which agency ran each search (no Org Name column).")
    if f["searchers"] is not None:
        out.append(f"{label}{f['searchers']:,} distinct searcher names or ids appear unmasked, on "
                   f"{f['searches_searcher_present']:,} of the {f['searches']:,} searches.")
    if f["immigration_searches"]:
        who = (f" by {f['immigration_agencies']:,} agencies" if f["immigration_agencies"] is not None else "")
        out.append(f"{label}{f['immigration_searches']:,} searches{who} gave an immigration-related reason: "
                   f"{f['immigration_civil']:,} civil/administrative, {f['immigration_criminal']:,} criminal "
                   f"(Flock's dropdown values) and {f['immigration_unspecified']:,} in free text that names "
                   "immigration enforcement.")
    else:
        out.append(f"{label}No search gave an immigration-related reason.")
    if f["federal_searches"]:
        out.append(f"{label}Federal agencies ran {f['federal_searches']:,} searches, "
                   f"{f['federal_immigration_searches']:,} of them with an immigration-related reason.")
    if f["out_of_state_searches"] is not None:
        out.append(f"{label}{f['out_of_state_searches']:,} searches were run by agencies outside the producer's "
                   f"state; agencies from {f['searcher_states']:,} states searched "
                   f"({f['searches_state_not_identified']:,} searches by agencies whose state the name does not tell).")
    if f.get("searches_looking_back_over_30_days") is not None:
        out.append(f"{label}{f['searches_looking_back_over_30_days']:,} searches reached back more than "
                   f"{f['look_back_days']} days before they were run (the Time Frame searched started earlier); "
                   f"the longest reached back {f['longest_look_back_days']:,} days.")
    out.append(f"{label}{f['rows_read']:,} rows were read: {f['duplicates']:,} were further copies of a search "
               f"already counted and {f['rejected']:,} were rejected (see reconciliation.csv and rejected.csv).")
    return out
