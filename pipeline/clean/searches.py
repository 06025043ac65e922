"""Clean: from staged rows to one row per distinct search, with nothing dropped silently.

Only this module (with its two parts below) decides what a search is. It runs in DuckDB over the staged Parquet (spilling to disk
when a release is larger than memory) and writes, for one jurisdiction:

- searches.parquet        one row per distinct search, typed, with its citation and number of copies
- reconciliation.csv      per source: rows read = searches kept + duplicates + rejected (asserted)
- rejected.csv            every rejected row, with the reason and its citation
- conflicts.csv           searches whose copies disagree, one line per copy

Its parts, one job each: parse (typing every staged row), outputs (writing the files); this module ranks
the copies of each search and reconciles every source.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pyarrow as pa

from pipeline.clean.outputs import write_conflicts, write_csv, write_rejected, write_searches
from pipeline.clean.parse import SEARCH_TEXT, CellSql, cell_rules, impossible_time_sql, parse
from pipeline.config import Jurisdiction
from pipeline.contracts import Schema
from pipeline.errors import ReconciliationError, SourceError
from pipeline.io.db import connect, literal_list
from pipeline.io.progress import rate
from pipeline.ingest.stage import SourceInfo

__all__ = ["CleanResult", "CellSql", "cell_rules", "clean", "parse"]


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
    write_csv(out_dir / "reconciliation.csv", reconciliation)
    enrichment = write_searches(con, j, log_kind, cells, out_dir, pseudonym_key(), progress)
    write_rejected(con, out_dir)
    write_conflicts(con, out_dir)
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
