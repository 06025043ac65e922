"""Enrich: who searched and why, added to each search from the reviewed rule files.

Runs after `clean` (which decides what a search is) and before `facts`. It adds to searches.parquet:
- from pipeline/rules/reasons.yml (via `classify`): immigration, immigration_type, reason_categories,
  reason_era; and writes matches.parquet, the audit trail of which words made each category count;
- from pipeline/rules/pii.yml (via `pii`): reason_pii, reason_redacted (what published files show), and a
  keyed searcher_pseudonym;
- from pipeline/rules/agencies.yml (via `agencies`): agency_state, agency_type, agency_federal,
  agency_federal_tag, agency_inactive.
Both are computed once per distinct reason and per distinct agency name, so their cost does not grow
with the number of searches. Rerunning replaces the columns; nothing else in the table changes. The
searches stream through in batches, in the order `clean` wrote them (by search time).
"""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .agencies import identify_many
from .atomic import atomic_path
from .sources.stage import BATCH_ROWS
from .clean import connect
from .classify import classify_in_duckdb
from .pii import pseudonym_sql, redact_in_duckdb

REASON_COLUMNS = ["immigration", "immigration_type", "reason_categories", "reason_era", "reason_pii",
                  "reason_redacted", "searcher_pseudonym"]
AGENCY_COLUMNS = ["agency_state", "agency_type", "agency_federal", "agency_federal_tag", "agency_inactive"]


def _arrays(table: pa.Table) -> dict[str, pa.Array]:
    """A small lookup table as one contiguous array per column (done once, not per batch)."""
    return {name: table.column(name).combine_chunks() for name in table.column_names}


def _lookup(keys: pa.Array, table: dict[str, pa.Array], key: str, columns: list[str]) -> dict:
    """Columns of `table` for each value of `keys` (exact match, null matching null); absent keys give null."""
    idx = pc.index_in(keys, value_set=table[key], skip_nulls=False)
    return {c: table[c].take(idx) for c in columns}


def enrich(searches: Path, matches: Path, tmp_dir: Path, pseudonym_key: str) -> dict:
    con = connect(tmp_dir)
    existing = pq.ParquetFile(searches).schema_arrow.names
    keep = [c for c in existing if c not in REASON_COLUMNS + AGENCY_COLUMNS]
    con.execute(f"CREATE VIEW base AS SELECT {', '.join(keep)} FROM read_parquet('{searches}')")

    # The rules run once per distinct reason, agency name and searcher (small tables) ...
    classify_in_duckdb(con, "SELECT reason_clean FROM base")
    redact_in_duckdb(con, "SELECT reason_clean FROM base")
    reasons = _arrays(con.sql("""SELECT rc.*, rp.reason_pii, rp.reason_redacted FROM reason_classes rc
                             JOIN reason_pii rp ON rc.reason_clean IS NOT DISTINCT FROM rp.reason_clean""").to_arrow_table())
    searchers = _arrays(con.sql(f"""SELECT DISTINCT searcher, {pseudonym_sql('searcher', pseudonym_key)} AS searcher_pseudonym
                                FROM base WHERE name_state = 'present'""").to_arrow_table())
    names = [r[0] for r in con.execute("SELECT DISTINCT org_name FROM base WHERE org_name IS NOT NULL").fetchall()]
    ids = identify_many(names)
    agencies = _arrays(pa.table({"org_name": pa.array(ids["org_name"].tolist() if len(ids) else [], pa.string()),
                         **{c: pa.array(ids[c].tolist() if len(ids) else [],
                                        pa.string() if c in ("agency_state", "agency_type") else pa.bool_())
                            for c in AGENCY_COLUMNS}}))

    # ... and the searches stream past them batch by batch, in the order clean wrote them (by search time):
    # memory stays bounded and no sort is needed.
    source = pq.ParquetFile(searches)
    writer = None
    immigration = total = 0
    with atomic_path(searches) as tmp:
        try:
            for batch in source.iter_batches(batch_size=BATCH_ROWS, columns=keep):
                cols = {name: batch.column(name) for name in keep}
                cols.update(_lookup(batch.column("reason_clean"), reasons, "reason_clean",
                                    ["immigration", "immigration_type", "reason_categories", "reason_era",
                                     "reason_pii", "reason_redacted"]))
                present = pc.equal(batch.column("name_state"), "present")
                pseudo = _lookup(batch.column("searcher"), searchers, "searcher", ["searcher_pseudonym"])
                cols["searcher_pseudonym"] = pc.if_else(present, pseudo["searcher_pseudonym"], pa.scalar(None, pa.string()))
                found = _lookup(batch.column("org_name"), agencies, "org_name", AGENCY_COLUMNS)
                cols["agency_state"] = pc.fill_null(found["agency_state"], "")
                cols["agency_type"] = pc.fill_null(found["agency_type"], "unknown")
                for c in ("agency_federal", "agency_federal_tag", "agency_inactive"):
                    cols[c] = pc.fill_null(found[c], False)
                out = pa.RecordBatch.from_pydict(cols)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, out.schema, compression="zstd")
                writer.write_batch(out)
                immigration += pc.sum(pc.cast(cols["immigration"], pa.int64())).as_py() or 0
                total += out.num_rows
        finally:
            if writer is not None:
                writer.close()
    with atomic_path(matches) as tmp:
        con.execute(f"""
            COPY (
                SELECT b.search_key, m.category, m.rule_id, m.matched_text, m.span_start, m.span_end
                FROM base b JOIN reason_matches m ON b.reason_clean IS NOT DISTINCT FROM m.reason_clean
                ORDER BY b.search_key, m.category, m.rule_id
            ) TO '{tmp}' (FORMAT PARQUET, COMPRESSION zstd)""")
    con.close()
    return {"searches": total, "immigration": immigration, "distinct_reasons": len(reasons["reason_clean"]),
            "distinct_agencies": len(names), "distinct_searchers": len(searchers["searcher"])}
