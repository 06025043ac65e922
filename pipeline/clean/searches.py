"""Clean: from staged rows to one row per distinct search, with nothing dropped silently.

Only this module decides what a search is. It runs in DuckDB over the staged Parquet (spilling to disk
when a release is larger than memory) and writes, for one jurisdiction:

- searches.parquet        one row per distinct search, typed, with its citation and number of copies
- reconciliation.csv      per source: rows read = searches kept + duplicates + rejected (asserted)
- rejected.csv            every rejected row, with the reason and its citation
- conflicts.csv           searches whose copies disagree, one line per copy
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.io import rules
from pipeline.io.atomic import atomic_path
from pipeline.config import Jurisdiction
from pipeline.io.db import connect, literal, literal_list
from pipeline.enrich.apply import Enrichment, lookup_arrays
from pipeline.contracts import Schema
from pipeline.errors import ReconciliationError, SourceError
from pipeline.io.progress import rate
from pipeline.ingest.stage import BATCH_ROWS, SourceInfo

UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

# Fields compared between copies of one search: (name in conflicts.csv, cleaned value, raw column whose
# presence says the copy's file exported it). Copies disagree when two copies from files that exported a
# field hold different values; a column one file did not export is not a disagreement. (`parsed` keeps
# the presences as the bits of `exported`, bit k for field k.)
CONTENT_FIELDS = [
    ("org_name", "org_name_t", "org_name"),
    ("searcher", "searcher", "searcher"),
    ("searched_at_utc", "searched_at_utc", "search_time"),
    ("time_frame_start_utc", "time_frame_start_utc", "coalesce(time_frame, time_frame_start)"),
    ("time_frame_end_utc", "time_frame_end_utc", "coalesce(time_frame, time_frame_end)"),
    ("total_networks", "total_networks_n", "total_networks"),
    ("camera_count", "camera_count_n", "camera_count"),
    ("total_devices", "total_devices_n", "total_devices"),
    ("license_plate", "license_plate", "license_plate"),
    ("reason_clean", "reason_clean", "reason"),
    ("offense_type", "offense_type_clean", "offense_type"),
    ("case_number", "case_number", "case_number"),
    ("filters", "filters", "filters"),
    ("search_type", "search_type", "search_type"),
    ("text_prompt", "text_prompt", "text_prompt"),
    ("moderation", "moderation", "moderation"),
]

# The search time as written: the Search Time cell, after the Search Date cell where a release splits them.
SEARCH_TEXT = (
    "CASE WHEN search_date IS NOT NULL AND trim(search_date) <> '' "
    "THEN trim(search_date) || ' ' || trim(search_time) ELSE trim(search_time) END"
)


# The dropdown value of a search: its first copy's, or else a later copy's (SQL over {first} and {fill}).
_OFFENSE_FILLED = "CASE WHEN nullif(trim({first}), '') IS NULL AND {fill} IS NOT NULL THEN {fill} ELSE {first} END"


@functools.cache
def cell_rules() -> dict:
    return rules.load("cells.yml")


@dataclass
class CleanResult:
    log_kind: str
    reconciliation: list[dict]
    rows_read: int
    searches: int
    duplicates: int
    rejected: int
    conflicts: int
    not_understood: dict[str, int] = field(default_factory=dict)
    enrichment: dict = field(default_factory=dict)


def _state(col: str, mask: str) -> str:
    """not_exported / blank / masked / present: a column not in the release is not a blank cell."""
    return (
        f"CASE WHEN {col} IS NULL THEN 'not_exported' WHEN trim({col}) = '' THEN 'blank' "
        f"WHEN regexp_full_match(upper(trim({col})), {mask}) THEN 'masked' ELSE 'present' END"
    )


def _number(col: str, mask: str, nulls: str) -> tuple[str, str]:
    """(typed value, flag for a value that is there but is not a number) of a count column."""
    t = f"trim({col})"
    ok = f"regexp_full_match({t}, '[0-9]+(\\.0+)?')"
    empty = f"({col} IS NULL OR {t} = '' OR {t} IN {nulls} OR regexp_full_match(upper({t}), {mask}))"
    return (f"CASE WHEN {ok} THEN CAST(CAST({t} AS DOUBLE) AS BIGINT) END", f"(NOT {empty} AND NOT {ok})")


# The characters RE2's \\s stands for besides the space ([\\t\\n\\f\\r ]), as SQL.
_TAB, _LF, _FF, _CR = "chr(9)", "chr(10)", "chr(12)", "chr(13)"


def _collapse_spaces(col: str) -> str:
    """regexp_replace(col, '\\s+', ' ', 'g'), with the regex run only where it can change something (two
    spaces in a row, or a tab, line break, form feed or CR)."""
    odd = " OR ".join(f"contains({col}, {c})" for c in ("'  '", _TAB, _LF, _FF, _CR))
    return f"CASE WHEN {odd} THEN regexp_replace({col}, '\\s+', ' ', 'g') ELSE {col} END"


def _time(expr: str, fmts: str) -> str:
    return f"CAST(try_strptime({expr}, {fmts}) AS TIMESTAMPTZ)"


@dataclass(frozen=True)
class CellSql:
    """The cell rules of rules/cells.yml as SQL literals: masks, time formats, null numbers, the time-frame
    split, and the producer's time zone."""

    mask: str
    fmts: str
    nulls: str
    split: str
    tz: str

    @classmethod
    def of(cls, j: Jurisdiction) -> "CellSql":
        rules = cell_rules()
        return cls(
            mask=literal("|".join(f"(?:{m})" for m in rules["masks"])),
            fmts=literal_list(rules["time_formats"]),
            nulls="(" + ", ".join(literal(v) for v in rules["null_numbers"]) + ")",
            split=literal(rules["time_frame_split"]),
            tz=literal(j.timezone),
        )


def clean(
    j: Jurisdiction,
    sources: list[SourceInfo],
    out_dir: Path,
    tmp_dir: Path,
    pseudonym_key: Callable[[], str],
    progress: Callable[[str], None] = lambda msg: None,
) -> CleanResult:
    """Clean the staged rows of `sources` into out_dir. `pseudonym_key` is asked for only once the release
    has been reconciled (so a release that stops here leaves no key behind).

    The steps, each over the DuckDB tables the one before made: type every staged row (`parsed`), rank the
    copies of searches held more than once, reconcile every source, then write searches.parquet (with
    the enrichment rules' answers), rejected.csv and conflicts.csv."""
    started = time.perf_counter()
    cells = CellSql.of(j)
    if not sources:
        raise SourceError(
            f"nothing to read: the inputs ({', '.join(j.inputs)}) match no readable file (only folders?).",
            file=f"data/raw/{j.slug}/",
            hint="List the release's files (CSV, XLSX or zip) in the entry's inputs.",
        )
    if [s.index for s in sources] != list(range(len(sources))):
        raise AssertionError("source indexes must be 0..n-1 in input order")  # the list lookups below rely on it
    con = connect(tmp_dir)
    _register_sources(con, sources)
    parse(con, sources, cells, impossible_time_sql(sources, j.root))
    progress(f"  typed {rate(sum(s.rows_read for s in sources), time.perf_counter() - started)}")
    _rank_copies(con)
    log_kind = _resolve_log_kind(con, j, sources)
    out_dir.mkdir(parents=True, exist_ok=True)
    reconciliation = _reconcile(con)  # checked before anything is published
    _write_csv(out_dir / "reconciliation.csv", reconciliation)
    enrichment = _write_searches(con, j, log_kind, cells, out_dir, pseudonym_key(), progress)
    _write_rejected(con, out_dir)
    _write_conflicts(con, out_dir)
    totals = (
        con.execute("""
        SELECT count(*), count(*) FILTER (WHERE reject IS NOT NULL) FROM parsed
    """).fetchone()
        + con.execute("""
        SELECT (SELECT count(*) FROM dup_rows WHERE copy_rank > 1), (SELECT count(*) FROM conflicting)
    """).fetchone()
        + con.execute("""
        SELECT count(*), count(*) FILTER (WHERE networks_bad), count(*) FILTER (WHERE cameras_bad),
               count(*) FILTER (WHERE devices_bad), count(*) FILTER (WHERE time_frame_bad)
        FROM firsts
    """).fetchone()
    )
    con.close()
    rows_read, rejected, duplicates, conflicts, searches, networks_n, cameras_n, devices_n, time_frame_n = totals
    return CleanResult(
        log_kind=log_kind,
        reconciliation=reconciliation,
        rows_read=rows_read,
        searches=searches,
        duplicates=duplicates,
        rejected=rejected,
        conflicts=conflicts,
        not_understood={
            "total_networks": networks_n,
            **({"camera_count": cameras_n} if cameras_n else {}),  # (only a 2025 portal export has the column)
            "total_devices": devices_n,
            "time_frame": time_frame_n,
        },
        enrichment=enrichment.summary(),
    )


def _register_sources(con, sources: list[SourceInfo]) -> None:
    """`src`: one row per source (file, sheet, SHA-256, rows read); `staged`: every staged row."""
    src = pa.table(
        {
            "source_index": pa.array([s.index for s in sources], pa.int32()),
            "source_file": [s.file for s in sources],
            "source_sheet": pa.array([s.sheet for s in sources], pa.string()),
            "source_sha256": [s.sha256 for s in sources],
            "rows_read": pa.array([s.rows_read for s in sources], pa.int64()),
        }
    )
    con.register("src_arrow", src)
    con.execute("CREATE TEMP TABLE src AS SELECT * FROM src_arrow")
    stages = list(dict.fromkeys(s.stage for s in sources))  # (the pages of a PDF share one staging file)
    con.execute(f"CREATE TEMP VIEW staged AS SELECT * FROM read_parquet({literal_list(stages)})")


# Search times no audit can hold (issue 26): a row dated before Flock Safety existed (founded 2017; the
# earliest bundled search is of June 2025) or after the file that holds it was last written (its
# modification time, plus a day for a clock that runs fast) is rejected with its reason and citation, never
# published: one year 0001 or 9999 made the local day unrepresentable (02 stopped on "year 0 is out of
# range"), and one row in 1970 and one in 2099 stretched the daily chart to 47,000 days (Altair's
# MaxRowsError in 03).
FLOCK_EARLIEST_UTC = dt.datetime(2017, 1, 1, tzinfo=dt.timezone.utc)
CLOCK_MARGIN = dt.timedelta(days=1)


def impossible_time_sql(sources: list[SourceInfo], root: Path) -> str:
    """A CASE branch (on searched_at_utc and source_index) naming the impossible search times: before
    FLOCK_EARLIEST_UTC, or after the source's file was last written (per source, as a list of bounds)."""
    latest = []
    for s in sources:
        try:
            written = (Path(root) / s.file.split("!")[0]).stat().st_mtime
        except OSError:  # a file named otherwise (tests staging by hand): the run's own time bounds it
            written = time.time()
        latest.append(dt.datetime.fromtimestamp(min(written, time.time()), dt.timezone.utc) + CLOCK_MARGIN)
    bounds = "[" + ", ".join(f"TIMESTAMPTZ '{t.isoformat()}'" for t in latest) + "]"
    return (
        f"WHEN searched_at_utc < TIMESTAMPTZ '{FLOCK_EARLIEST_UTC.isoformat()}' THEN 'search_time_before_flock' "
        f"WHEN searched_at_utc > {bounds}[source_index + 1] THEN 'search_time_after_file_written'"
    )


# Long (~60 lines) on purpose: one SQL statement types every staged row in a single pass.
def parse(con, sources: list[SourceInfo], cells: CellSql, impossible: str = "") -> None:
    """`parsed`: every staged row typed (times, counts, the cleaned reason, the search key, why rejected).

    It holds what every later step needs of every staged row, and nothing more (the raw cells of the few
    rejected and duplicated rows are read back from the staging files). It is built from the staged rows
    alone (no join) with insertion order kept, so it lies in release order (source, row) and the ordered
    write is one scan of it."""
    mask, fmts, nulls, split = cells.mask, cells.fmts, cells.nulls, cells.split
    portal = "[" + ", ".join("true" if s.schema == Schema.PORTAL else "false" for s in sources) + "]"
    networks, networks_bad = _number("total_networks", mask, nulls)
    devices, devices_bad = _number("total_devices", mask, nulls)
    cameras, cameras_bad = _number("camera_count", mask, nulls)
    tf_parts = f"regexp_split_to_array(trim(time_frame), {split})"
    reason_clean = f"nullif(trim({_collapse_spaces('reason_p')}), '')"
    con.execute("SET preserve_insertion_order = true")
    con.execute(f"""
        CREATE TEMP TABLE parsed AS
        WITH s AS (
            SELECT source_index, source_row, source_line, reject_reason, flock_id, org_name, searcher, search_time, license_plate, reason,
                   case_number, filters, search_type, text_prompt, moderation, time_frame, time_frame_start,
                   time_frame_end, total_networks, total_devices, camera_count, offense_type,
                   CASE WHEN {portal}[source_index + 1] THEN replace(reason, '+', ' ') ELSE reason END AS reason_p,
                   {SEARCH_TEXT} AS search_text,
                   {tf_parts} AS tf
            FROM staged
        ), t AS (
            SELECT s.*,
                {_time("search_text", fmts)} AS searched_at_utc,
                coalesce({_time("trim(time_frame_start)", fmts)}, {_time("trim(tf[1])", fmts)}) AS time_frame_start_utc,
                coalesce({_time("trim(time_frame_end)", fmts)},
                         CASE WHEN len(tf) = 2 THEN {_time("trim(tf[2])", fmts)} END) AS time_frame_end_utc,
                {networks} AS total_networks_n, {networks_bad} AS networks_bad,
                {devices} AS total_devices_n, {devices_bad} AS devices_bad,
                {cameras} AS camera_count_n, {cameras_bad} AS cameras_bad,
                nullif(trim({_collapse_spaces("offense_type")}), '') AS offense_type_clean,
                {reason_clean} AS reason_clean,
                nullif(trim(org_name), '') AS org_name_t,
                lower(trim(flock_id)) AS fid
            FROM s
        )
        SELECT source_index, source_row, source_line,
            coalesce(reject_reason,
                     CASE WHEN search_text IS NULL OR search_text = '' THEN 'missing_search_time'
                          WHEN searched_at_utc IS NULL THEN 'unparseable_search_time' {impossible} END) AS reject,
            -- a Flock search ID when there is one; otherwise a hash of the whole search (prefix 'h:')
            CASE WHEN regexp_full_match(fid, '{UUID_RE}') THEN fid
                 ELSE 'h:' || sha256(concat_ws(chr(31), coalesce(org_name_t, ''), coalesce(searcher, ''),
                      coalesce(CAST(searched_at_utc AS VARCHAR), ''), coalesce(CAST(coalesce(total_networks_n, camera_count_n) AS VARCHAR), ''),
                      coalesce(CAST(total_devices_n AS VARCHAR), ''), coalesce(time_frame, ''),
                      coalesce(license_plate, ''), coalesce(reason_clean, ''), coalesce(case_number, ''),
                      coalesce(filters, ''), coalesce(search_type, ''), coalesce(text_prompt, ''),
                      coalesce(moderation, ''), offense_type_clean))
            END AS search_key,
            searched_at_utc, time_frame_start_utc, time_frame_end_utc, total_networks_n, networks_bad,
            total_devices_n, devices_bad, camera_count_n, cameras_bad,
            (time_frame IS NOT NULL AND trim(time_frame) <> ''
             AND (time_frame_start_utc IS NULL OR time_frame_end_utc IS NULL)) AS time_frame_bad,
            org_name_t, searcher, license_plate, reason, reason_clean, offense_type, offense_type_clean, case_number,
            filters, search_type, text_prompt, moderation,
            {
        " | ".join(
            f"CASE WHEN {raw} IS NOT NULL THEN {1 << k} ELSE 0 END" for k, (_, _, raw) in enumerate(CONTENT_FIELDS)
        )
    } AS exported
        FROM t
    """)
    con.execute("SET preserve_insertion_order = false")


def _rank_copies(con) -> None:
    """De-duplication touches only the searches that occur more than once (a fraction of a percent in real
    releases): their copies are ranked in a small table, and every other row is its own first copy.
    Makes `multi`, `dup_rows`, `firsts` (the searches) and `copies`."""
    con.execute("""
        CREATE TEMP TABLE multi AS
        SELECT search_key, count(*) AS copies FROM parsed WHERE reject IS NULL GROUP BY 1 HAVING count(*) > 1
    """)
    con.execute("""
        CREATE TEMP TABLE dup_rows AS
        SELECT p.search_key, p.source_index, p.source_row, m.copies,
               row_number() OVER (PARTITION BY p.search_key ORDER BY p.source_index, p.source_row) AS copy_rank
        FROM parsed p JOIN multi m USING (search_key) WHERE p.reject IS NULL
    """)
    # Marked in place (an UPDATE of a fixed-size column keeps every row where it is), so the searches are
    # `parsed` filtered, with no join: a scan of one table keeps release order without sorting it.
    con.execute("ALTER TABLE parsed ADD COLUMN later_copy BOOLEAN DEFAULT false")
    con.execute("ALTER TABLE parsed ADD COLUMN copies INTEGER DEFAULT 1")
    con.execute("""
        UPDATE parsed SET later_copy = d.copy_rank > 1, copies = d.copies FROM dup_rows d
        WHERE parsed.source_index = d.source_index AND parsed.source_row = d.source_row
    """)
    con.execute("""
        CREATE TEMP VIEW firsts AS      -- the searches: every kept row that is the first copy of its search
        SELECT * FROM parsed WHERE reject IS NULL AND NOT later_copy
    """)
    con.execute("""
        CREATE TEMP TABLE copies AS     -- every copy of a search held more than once
        SELECT p.*, d.copy_rank FROM parsed p JOIN dup_rows d USING (source_index, source_row)
    """)


def _reconcile(con) -> list[dict]:
    """Per source: rows read = searches kept + duplicates + rejected, or ReconciliationError."""
    recon = con.execute("""
        WITH per AS (
            SELECT source_index, count(*) AS staged, count(*) FILTER (WHERE reject IS NULL) AS unrejected
            FROM parsed GROUP BY source_index
        ), dups AS (
            SELECT source_index, count(*) AS n FROM dup_rows WHERE copy_rank > 1 GROUP BY source_index
        ), rej AS (
            SELECT source_index, split_part(reject, ':', 1) AS why, count(*) AS n
            FROM parsed WHERE reject IS NOT NULL GROUP BY ALL
        )
        SELECT src.source_index, src.source_file, src.source_sheet, src.source_sha256, src.rows_read,
               coalesce(per.staged, 0) AS staged, coalesce(per.unrejected, 0) - coalesce(dups.n, 0) AS kept,
               coalesce(dups.n, 0) AS duplicates,
               coalesce((SELECT sum(n) FROM rej WHERE rej.source_index = src.source_index), 0) AS rejected,
               (SELECT map(list(why ORDER BY why), list(n ORDER BY why)) FROM rej WHERE rej.source_index = src.source_index) AS by_reason
        FROM src LEFT JOIN per USING (source_index) LEFT JOIN dups USING (source_index)
        ORDER BY src.source_index
    """).fetchall()
    reasons = sorted({k for row in recon for k in (row[9] or {})})
    reconciliation = []
    for idx, file, sheet, sha, rows_read, staged, kept, dups, rej, by_reason in recon:
        by_reason = by_reason or {}
        entry = {
            "source_file": file,
            "source_sheet": sheet,
            "source_sha256": sha,
            "rows_read": rows_read,
            "searches_kept": kept,
            "duplicates": dups,
            "rejected": int(rej),
        }
        entry.update({f"rejected_{k}": int(by_reason.get(k, 0)) for k in reasons})
        entry["balanced"] = rows_read == staged == kept + dups + rej
        if not entry["balanced"]:
            raise ReconciliationError(
                f"rows read ({rows_read:,}; staged {staged:,}) != searches kept ({kept:,}) + duplicates ({dups:,}) "
                f"+ rejected ({int(rej):,}). This is a pipeline bug; nothing was published.",
                file=file + (f" [{sheet}]" if sheet else ""),
            )
        if rows_read and rej == rows_read:
            _all_rejected(con, idx, file, sheet, rows_read, by_reason)
        reconciliation.append(entry)
    return reconciliation


def _write_searches(
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
    state = _state("searcher", mask)
    enrichment = Enrichment(
        con,
        f"""SELECT f.reason_clean, f.searcher, {state} AS name_state, f.org_name_t AS org_name, f.search_key,
                   {_OFFENSE_FILLED.format(first="f.offense_type", fill="o.offense_type_fill")} AS offense_type
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
               {_state("r.searcher", mask)} AS name_state, {_state("r.license_plate", mask)} AS plate_state,
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


def _write_rejected(con, out_dir: Path) -> None:
    """rejected.csv: every rejected row with its reason, citation and raw cells (from the staging files)."""
    _copy(
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


def _write_conflicts(con, out_dir: Path) -> None:
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
    _copy(
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


def _all_rejected(con, idx: int, file: str, sheet: str | None, rows_read: int, by_reason: dict) -> None:
    """A file (or sheet) none of whose rows could be kept stops its jurisdiction: it is not a release to count."""
    row, reason, value = con.execute(
        f"SELECT source_row, p.reject, {SEARCH_TEXT} FROM parsed p JOIN staged USING (source_index, source_row) "
        "WHERE source_index = ? AND p.reject IS NOT NULL ORDER BY source_row LIMIT 1",
        [idx],
    ).fetchone()
    counts = ", ".join(f"{k} {int(v):,}" for k, v in sorted(by_reason.items()))
    shown = f" (search time {value[:60]!r})" if reason.endswith("search_time") and value else ""
    hint = (
        "If the search times are written in a format the pipeline does not know, add it to "
        "pipeline/rules/cells.yml (time_formats); otherwise check the file and ask the agency for it again."
        if "search_time" in counts
        else "Check the file in a text editor or spreadsheet at that row; ask the agency for the file again."
    )
    raise SourceError(
        f"none of its {rows_read:,} row(s) could be kept: every one was rejected ({counts}). "
        f"The first is {reason}{shown}.",
        file=file + (f" [{sheet}]" if sheet else ""),
        row=row,
        hint=hint,
    )


def _resolve_log_kind(con, j: Jurisdiction, sources: list[SourceInfo]) -> str:
    if j.log_kind != "auto":
        return j.log_kind
    if sources and all(s.schema == Schema.PORTAL for s in sources):
        return "portal"
    orgs = con.execute("SELECT count(DISTINCT org_name_t) FROM parsed WHERE reject IS NULL").fetchone()[0]
    return "organization" if orgs <= 1 else "network"


def _copy(con, query: str, target: Path, fmt: str) -> None:
    with atomic_path(target) as tmp:
        con.execute(f"COPY ({query}) TO {literal(tmp)} (FORMAT {fmt})")


def _write_csv(target: Path, rows: list[dict]) -> None:
    import csv

    with atomic_path(target) as tmp:
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else ["source_file"])
            w.writeheader()
            w.writerows(rows)
