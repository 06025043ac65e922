"""Enrich: who searched and why, added to each search from the reviewed rule files.

Runs after `clean` (which decides what a search is) and before `facts`. It adds to searches.parquet:
- from pipeline/rules/reasons.yml (via `classify`): immigration, immigration_type, reason_categories,
  reason_era; and writes matches.parquet, the audit trail of which words made each category count;
- from pipeline/rules/pii.yml (via `pii`): reason_pii, reason_redacted (what published files show), and a
  keyed searcher_pseudonym;
- from pipeline/rules/agencies.yml (via `agencies`): agency_state, agency_type, agency_federal,
  agency_federal_tag, agency_inactive.
Both are computed once per distinct reason and per distinct agency name, so their cost does not grow
with the number of searches. Rerunning replaces the columns; nothing else in the table changes.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from .agencies import identify_many
from .atomic import atomic_path
from .classify import classify_in_duckdb
from .pii import pseudonym_sql, redact_in_duckdb

REASON_COLUMNS = ["immigration", "immigration_type", "reason_categories", "reason_era", "reason_pii",
                  "reason_redacted", "searcher_pseudonym"]
AGENCY_COLUMNS = ["agency_state", "agency_type", "agency_federal", "agency_federal_tag", "agency_inactive"]


def enrich(searches: Path, matches: Path, tmp_dir: Path, pseudonym_key: str) -> dict:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET temp_directory = '{tmp_dir}'")
    existing = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{searches}')").fetchall()}
    drop = [c for c in REASON_COLUMNS + AGENCY_COLUMNS if c in existing]
    exclude = f" EXCLUDE ({', '.join(drop)})" if drop else ""
    con.execute(f"CREATE TEMP TABLE base AS SELECT *{exclude} FROM read_parquet('{searches}')")

    classify_in_duckdb(con, "SELECT reason_clean FROM base")
    redact_in_duckdb(con, "SELECT reason_clean FROM base")

    names = [r[0] for r in con.execute("SELECT DISTINCT org_name FROM base WHERE org_name IS NOT NULL").fetchall()]
    ids = identify_many(names)
    table = pa.table({
        "org_name": pa.array(ids["org_name"].tolist(), pa.string()),
        **{c: pa.array(ids[c].tolist(), pa.string() if c in ("agency_state", "agency_type") else pa.bool_())
           for c in AGENCY_COLUMNS},
    }) if len(ids) else pa.table({"org_name": pa.array([], pa.string()),
                                  **{c: pa.array([], pa.string() if c in ("agency_state", "agency_type")
                                                 else pa.bool_()) for c in AGENCY_COLUMNS}})
    con.register("agency_arrow", table)

    with atomic_path(searches) as tmp:
        con.execute(f"""
            COPY (
                SELECT b.*, rc.immigration, rc.immigration_type, rc.reason_categories, rc.reason_era,
                       rp.reason_pii, rp.reason_redacted,
                       CASE WHEN b.name_state = 'present' THEN {pseudonym_sql('b.searcher', pseudonym_key)}
                       END AS searcher_pseudonym,
                       coalesce(a.agency_state, '') AS agency_state, coalesce(a.agency_type, 'unknown') AS agency_type,
                       coalesce(a.agency_federal, false) AS agency_federal,
                       coalesce(a.agency_federal_tag, false) AS agency_federal_tag,
                       coalesce(a.agency_inactive, false) AS agency_inactive
                FROM base b
                LEFT JOIN reason_classes rc ON b.reason_clean IS NOT DISTINCT FROM rc.reason_clean
                LEFT JOIN reason_pii rp ON b.reason_clean IS NOT DISTINCT FROM rp.reason_clean
                LEFT JOIN agency_arrow a ON a.org_name = b.org_name
                ORDER BY b.searched_at_utc, b.search_key
            ) TO '{tmp}' (FORMAT PARQUET, COMPRESSION zstd)""")
    with atomic_path(matches) as tmp:
        con.execute(f"""
            COPY (
                SELECT b.search_key, m.category, m.rule_id, m.matched_text, m.span_start, m.span_end
                FROM base b JOIN reason_matches m ON b.reason_clean IS NOT DISTINCT FROM m.reason_clean
                ORDER BY b.search_key, m.category, m.rule_id
            ) TO '{tmp}' (FORMAT PARQUET, COMPRESSION zstd)""")
    summary = dict(zip(
        ["searches", "immigration", "distinct_reasons", "distinct_agencies"],
        con.execute("""SELECT count(*), count(*) FILTER (WHERE rc.immigration),
                              (SELECT count(*) FROM reason_classes), ?
                       FROM base b LEFT JOIN reason_classes rc
                       ON b.reason_clean IS NOT DISTINCT FROM rc.reason_clean""", [len(names)]).fetchone()))
    con.close()
    return summary
