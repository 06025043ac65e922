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

from .atomic import write_json
from .build import processed_dir
from .config import Jurisdiction


def reports_dir(j: Jurisdiction) -> Path:
    return j.root / "reports" / j.slug


def _con(searches: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"CREATE VIEW searches AS SELECT * FROM read_parquet('{searches}')")
    return con


def _iso_z(ts) -> str | None:
    if ts is None:
        return None
    return pd.Timestamp(ts).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.%fZ").replace(".000000Z", "Z")


def compute(j: Jurisdiction) -> dict:
    """The headline figures of one jurisdiction, from its processed data."""
    pdir = processed_dir(j)
    manifest = json.loads((pdir / "manifest.json").read_text(encoding="utf-8"))
    con = _con(pdir / "searches.parquet")
    row = con.execute("""
        SELECT count(*),
               count(DISTINCT org_name), count(*) FILTER (WHERE org_name IS NOT NULL),
               count(DISTINCT searcher) FILTER (WHERE name_state = 'present'),
               count(*) FILTER (WHERE name_state = 'present'),
               count(*) FILTER (WHERE name_state = 'masked'),
               count(*) FILTER (WHERE name_state = 'not_exported'),
               min(searched_at_utc), max(searched_at_utc),
               min(searched_local_date), max(searched_local_date),
               count(*) FILTER (WHERE copies > 1)
        FROM searches
    """).fetchone()
    (searches, agencies, with_org, searchers, named, masked, not_exported, first, last, first_d, last_d,
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
    con.close()
    notes = []
    agencies_value = agencies if with_org else None
    if agencies_value is None:
        notes.append("agencies: the release has no agency (Org Name) column; a portal export lists only the "
                     "producer's own searches")
    searchers_value = searchers if named else None
    if searchers_value is None:
        notes.append("searchers: " + ("every searcher name or id is masked in this release" if masked
                                      else "the release has no searcher column" if not_exported
                                      else "no searcher names in this release"))
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
        "searches_searcher_masked": masked,
        "first_search_utc": _iso_z(first),
        "last_search_utc": _iso_z(last),
        "first_local_date": first_d.isoformat() if first_d else None,
        "last_local_date": last_d.isoformat() if last_d else None,
        "period_start": j.period_start.isoformat() if j.period_start else None,
        "period_end": j.period_end.isoformat() if j.period_end else None,
        "searches_outside_period": outside,
        "notes": notes,
        "sources": [{"file": f["file"], "sha256": f["sha256"], "bytes": f["bytes"]} for f in manifest["raw_files"]],
        "pipeline_commit": manifest["pipeline"]["git_commit"],
    }


def write(j: Jurisdiction, facts: dict) -> Path:
    target = reports_dir(j) / "facts.json"
    write_json(target, facts)
    return target


def daily_searches(j: Jurisdiction) -> pd.DataFrame:
    """Searches per local day in the producer's time zone (days with none are shown as 0)."""
    con = _con(processed_dir(j) / "searches.parquet")
    df = con.execute("""
        WITH d AS (SELECT searched_local_date AS local_date, count(*) AS searches FROM searches GROUP BY 1),
             span AS (SELECT CAST(unnest(generate_series(min(local_date), max(local_date), INTERVAL 1 DAY)) AS DATE)
                      AS local_date FROM d)
        SELECT span.local_date, coalesce(d.searches, 0) AS searches FROM span LEFT JOIN d USING (local_date)
        ORDER BY 1
    """).df()
    con.close()
    return df


def top_agencies(j: Jurisdiction, n: int = 20) -> pd.DataFrame:
    """The n agencies (Org Name as released, trimmed) that ran the most searches."""
    con = _con(processed_dir(j) / "searches.parquet")
    df = con.execute(f"""
        SELECT org_name, count(*) AS searches FROM searches WHERE org_name IS NOT NULL
        GROUP BY 1 ORDER BY searches DESC, org_name LIMIT {int(n)}
    """).df()
    con.close()
    return df


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
        out.append(f"{label}{f['searchers']:,} distinct searcher ids appear unmasked.")
    out.append(f"{label}{f['rows_read']:,} rows were read: {f['duplicates']:,} were further copies of a search "
               f"already counted and {f['rejected']:,} were rejected (see reconciliation.csv and rejected.csv).")
    return out
