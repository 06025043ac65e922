"""Write what clean publishes for one jurisdiction, from the DuckDB tables clean built: searches.parquet (in
release order, with the enrichment rules' answers), rejected.csv, conflicts.csv and reconciliation.csv,
each whole or not at all."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.config import Jurisdiction
from pipeline.enrich.apply import Enrichment, lookup_arrays
from pipeline.ingest.stage import BATCH_ROWS
from pipeline.io.atomic import atomic_path
from pipeline.io.db import literal
from pipeline.io.progress import rate
from pipeline.clean.parse import CONTENT_FIELDS, CellSql, state_sql

# The dropdown value of a search: its first copy's, or else a later copy's (SQL over {first} and {fill}).
OFFENSE_FILLED = "CASE WHEN nullif(trim({first}), '') IS NULL AND {fill} IS NOT NULL THEN {fill} ELSE {first} END"


def write_searches(
    con, j: Jurisdiction, log_kind: str, cells: CellSql, out_dir: Path, key: str, progress: Callable[[str], None]
) -> Enrichment:
    """searches.parquet: the first copy of each search (earliest file in input order, then earliest row), in
    release order, with the enrichment rules' answers; and matches.parquet, the rules' audit trail."""
    mask, tz = cells.mask, cells.tz
    con.execute("""
        CREATE TEMP TABLE others AS
        SELECT search_key, list(s.source_file || coalesce(' [' || s.source_sheet || ']', '') || ' row ' || c.source_row
                                ORDER BY c.source_index, c.source_row) AS other_copies,
               -- a later copy's dropdown value, for a first copy from a release without one (or with it blank)
               first(c.offense_type ORDER BY c.copy_rank) FILTER (WHERE c.offense_type_clean IS NOT NULL)
                   AS offense_type_fill
        FROM copies c JOIN src s USING (source_index) WHERE copy_rank > 1 GROUP BY search_key
    """)
    state = state_sql("searcher", mask)
    enrichment = Enrichment(
        con,
        f"""SELECT f.reason_clean, f.searcher, {state} AS name_state, f.org_name_t AS org_name, f.search_key,
                   {OFFENSE_FILLED.format(first="f.offense_type", fill="o.offense_type_fill")} AS offense_type
            FROM firsts f LEFT JOIN others o USING (search_key)""",
        key,
    )
    # each source's citation by its index, from lists in the query (a join would not keep the order)
    files, shas, sheets = (
        "CAST([" + ", ".join("NULL" if v is None else literal(v) for v in values) + "] AS VARCHAR[])"
        for values in zip(
            *con.execute("SELECT source_file, source_sha256, source_sheet FROM src ORDER BY source_index").fetchall()
        )
    )
    search_sql = f"""
        SELECT {literal(j.slug)} AS jurisdiction, {literal(j.producer)} AS producer, {literal(log_kind)} AS log_kind,
               r.search_key, CASE WHEN NOT starts_with(r.search_key, 'h:') THEN r.search_key END AS flock_id,
               r.searched_at_utc,
               CAST(timezone({tz}, r.searched_at_utc) AS DATE) AS searched_local_date,
               r.org_name_t AS org_name, r.searcher, r.license_plate,
               {state_sql("r.searcher", mask)} AS name_state, {state_sql("r.license_plate", mask)} AS plate_state,
               r.total_networks_n AS total_networks, r.total_devices_n AS total_devices,
               r.camera_count_n AS camera_count,
               r.time_frame_start_utc, r.time_frame_end_utc, r.reason, r.reason_clean,
               r.offense_type,   -- (a later copy's value filled in by _with_others where this one has none)
               r.case_number, r.filters,
               r.search_type, r.text_prompt, r.moderation,
               {files}[r.source_index + 1] AS source_file, {shas}[r.source_index + 1] AS source_sha256,
               {sheets}[r.source_index + 1] AS source_sheet, r.source_row, r.source_line,
               CAST(r.copies AS INTEGER) AS copies, CAST(NULL AS VARCHAR[]) AS other_copies   -- (filled by _with_others)
        FROM firsts r
    """
    others = lookup_arrays(con.sql("SELECT search_key, other_copies, offense_type_fill FROM others").to_arrow_table())
    batches = _with_others(_in_order(con, search_sql, progress), others)
    enrichment.write(batches, con.sql(search_sql + " LIMIT 0").to_arrow_reader().schema, out_dir / "searches.parquet")
    enrichment.write_matches(con, out_dir / "matches.parquet")
    return enrichment


def write_rejected(con, out_dir: Path) -> None:
    """rejected.csv: every rejected row with its reason, citation and raw cells (from the staging files)."""
    copy_to(
        con,
        """
        SELECT s.source_file, s.source_sheet, p.source_row, p.source_line, p.reject AS reject_reason, st.raw_record,
               st.flock_id, st.searcher, st.org_name, st.total_networks, st.camera_count, st.total_devices,
               st.time_frame, st.license_plate, st.reason, st.offense_type, st.case_number, st.filters, st.search_time, st.search_date,
               st.search_type, st.text_prompt, st.moderation, st.extra
        FROM parsed p JOIN staged st USING (source_index, source_row) JOIN src s USING (source_index)
        WHERE p.reject IS NOT NULL ORDER BY p.source_index, p.source_row
    """,
        out_dir / "rejected.csv",
        "CSV, HEADER",
    )


def write_conflicts(con, out_dir: Path) -> None:
    """conflicts.csv: the copies of every search whose copies disagree in a field their files exported."""
    differs = ", ".join(
        f"CASE WHEN count(DISTINCT coalesce(CAST({value} AS VARCHAR), '')) FILTER (WHERE exported & {1 << k} <> 0) > 1 "
        f"THEN '{name}' END"
        for k, (name, value, _) in enumerate(CONTENT_FIELDS)
    )
    con.execute(f"""
        CREATE TEMP TABLE conflicting AS
        SELECT search_key, list_filter([{differs}], lambda x: x IS NOT NULL) AS differs_in
        FROM copies GROUP BY search_key HAVING len(differs_in) > 0
    """)
    copy_to(
        con,
        f"""
        SELECT search_key, array_to_string(c.differs_in, ', ') AS fields_that_differ,
               s.source_file, s.source_sheet, source_row, source_line, copy_rank AS copy,
               {", ".join(f"{value} AS {name}" for name, value, _ in CONTENT_FIELDS)}
        FROM copies JOIN conflicting c USING (search_key) JOIN src s USING (source_index)
        ORDER BY search_key, copy_rank
    """,
        out_dir / "conflicts.csv",
        "CSV, HEADER",
    )


def _in_order(con, search_sql: str, progress: Callable[[str], None] = lambda msg: None):
    """The searches in release order: one scan of `parsed` with insertion order kept (a single table,
    filtered and projected, keeps its order in DuckDB; no sort, so nothing spills however large)."""
    started, done, shown = time.perf_counter(), 0, 0
    con.execute("SET preserve_insertion_order = true")
    try:
        for batch in con.sql(search_sql).to_arrow_reader(BATCH_ROWS):
            done += batch.num_rows
            if done - shown >= 5_000_000:
                progress(f"  searches.parquet: {rate(done, time.perf_counter() - started)}")
                shown = done
            yield batch
    finally:
        con.execute("SET preserve_insertion_order = false")


def _with_others(batches, others: dict[str, pa.Array]):
    """Where each search's other copies are, looked up by search key in the small table of searches held
    more than once (a join in the query would not keep the order); and the dropdown value of a later copy
    where the first copy's release had none (one release with reason only, a later one with offenseType)."""
    for batch in batches:
        idx = pc.index_in(batch.column("search_key"), value_set=others["search_key"])
        cols = dict(zip(batch.schema.names, batch.columns))
        cols["other_copies"] = others["other_copies"].take(idx).cast(batch.schema.field("other_copies").type)
        fill = others["offense_type_fill"].take(idx)
        own = cols["offense_type"]
        empty = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(own), ""), True)
        cols["offense_type"] = pc.if_else(pc.and_(empty, pc.is_valid(fill)), fill, own)
        yield pa.RecordBatch.from_arrays(list(cols.values()), schema=batch.schema)


def copy_to(con, query: str, target: Path, fmt: str) -> None:
    with atomic_path(target) as tmp:
        con.execute(f"COPY ({query}) TO {literal(tmp)} (FORMAT {fmt})")


def write_csv(target: Path, rows: list[dict]) -> None:
    import csv

    with atomic_path(target) as tmp:
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else ["source_file"])
            w.writeheader()
            w.writerows(rows)
