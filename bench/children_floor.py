"""The floors and the naive reader, run inside a method's own process."""

from __future__ import annotations

import time
from pathlib import Path

from bench.common import (
    NAIVE_PATTERN,
)


# ------------------------------------------------------------------------------------------------
# The methods (run inside the child process)
# ------------------------------------------------------------------------------------------------
def _files_sql(files: list[str]) -> str:
    return "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"


def child_floor_duckdb(a: dict) -> dict:
    import duckdb

    con = duckdb.connect()
    t0 = time.perf_counter()
    n = con.execute(
        f"SELECT count(*) FROM read_csv({_files_sql(a['files'])}, header = true, all_varchar = true)"
    ).fetchone()[0]
    seconds = time.perf_counter() - t0
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    return {"seconds": seconds, "rows": int(n), "duckdb_threads": threads, "duckdb_version": duckdb.__version__}


def child_floor_write(a: dict) -> dict:
    """The write floor: read every cell as text and write the table, DuckDB's parallel reader and writer."""
    import duckdb
    import pyarrow.parquet as pq

    tmp = Path(a["tmp"])
    tmp.mkdir(parents=True, exist_ok=True)
    target = tmp / "floor.parquet"
    con = duckdb.connect()
    con.execute(f"SET temp_directory = '{tmp}'")
    t0 = time.perf_counter()
    con.execute(
        f"COPY (SELECT * FROM read_csv({_files_sql(a['files'])}, header = true, all_varchar = true)) "
        f"TO '{target}' (FORMAT parquet)"
    )
    seconds = time.perf_counter() - t0
    rows, size = pq.ParquetFile(target).metadata.num_rows, target.stat().st_size
    target.unlink()
    return {
        "seconds": seconds,
        "rows": rows,
        "parquet_bytes": size,
        "duckdb_threads": con.execute("SELECT current_setting('threads')").fetchone()[0],
    }


def child_floor_typed(a: dict) -> dict:
    """The typed floor: what the build's own typing costs with nothing else around it. DuckDB's parallel
    reader (all text) feeds the build's typing statement (clean.parse.parse: times, counts, the cleaned
    reason, the search key, why rejected), the repeated search keys are counted, and the typed rows are
    written to Parquet. Left out, and so not a build: record and line numbers (citations), the readers'
    checks and the exact reader, raw-file hashes, de-duplication, reconciliation, the enrichment rules,
    matches, the pseudonyms and the manifest."""
    import types

    from pipeline.clean import searches
    from pipeline.config import load
    from pipeline.ingest.csv_reader import header_map
    from pipeline.ingest.headers import CANONICAL
    from pipeline.io.db import connect, identifier, literal

    tmp = Path(a["tmp"])
    tmp.mkdir(parents=True, exist_ok=True)
    target = tmp / "typed.parquet"
    j = next(x for x in load(Path(a["root"]) / "jurisdictions.yml", root=Path(a["root"])) if x.slug == a["slug"])
    hmap = header_map(Path(a["files"][0]), "utf-8", a["files"][0])  # the bench's files share one header
    cols = [f"{identifier(name)} AS {c}" for name, c in zip(hmap.released, hmap.columns) if c]
    con = connect(tmp)
    t0 = time.perf_counter()
    con.execute(f"""CREATE VIEW staged AS SELECT 0 AS source_index, 0 AS source_row, 0 AS source_line,
        NULL::VARCHAR AS reject_reason, {", ".join(cols)},
        {", ".join(f"NULL::VARCHAR AS {c}" for c in CANONICAL if c not in hmap.present)}
        FROM read_csv({_files_sql(a["files"])}, header = true, all_varchar = true)""")
    searches.parse(con, [types.SimpleNamespace(schema=hmap.schema)], searches.CellSql.of(j))
    repeated = con.execute(
        "SELECT count(*) FROM (SELECT search_key FROM parsed WHERE reject IS NULL GROUP BY 1 HAVING count(*) > 1)"
    ).fetchone()[0]
    con.execute(f"COPY parsed TO {literal(str(target))} (FORMAT parquet)")
    seconds = time.perf_counter() - t0
    rows = con.execute(f"SELECT count(*) FROM read_parquet({literal(str(target))})").fetchone()[0]
    size = target.stat().st_size
    target.unlink()
    return {"seconds": seconds, "rows": rows, "parquet_bytes": size, "repeated_keys": repeated}


def child_floor_pyarrow(a: dict) -> dict:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    t0 = time.perf_counter()
    n = 0
    for f in a["files"]:
        reader = pacsv.open_csv(
            f,
            read_options=pacsv.ReadOptions(block_size=1 << 24),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(column_types={}, strings_can_be_null=False),
        )
        for batch in reader:
            n += batch.num_rows
    return {
        "seconds": time.perf_counter() - t0,
        "rows": n,
        "pyarrow_version": pa.__version__,
        "cpu_count": pa.cpu_count(),
    }


def child_naive_pandas(a: dict) -> dict:
    import pandas as pd

    t0 = time.perf_counter()
    frames = [pd.read_csv(f) for f in a["files"]]
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    del frames
    read = time.perf_counter() - t0
    hits = df["Reason"].str.contains(NAIVE_PATTERN, case=False, regex=True, na=False)
    n_hits = int(hits.sum())
    return {
        "seconds": time.perf_counter() - t0,
        "rows": len(df),
        "read_seconds": read,
        "regex_hits": n_hits,
        "pandas_version": pd.__version__,
        "reason_dtype": str(df["Reason"].dtype),
    }


class _TimedCon:
    """A DuckDB connection that times every execute() (the statements of clean and enrich)."""

    def __init__(self, con, who: str, sql_times: dict):
        self._con, self._who, self._sql = con, who, sql_times

    def execute(self, query, *args, **kw):
        t = time.perf_counter()
        try:
            return self._con.execute(query, *args, **kw)
        finally:
            label = f"{self._who}: " + " ".join(str(query).split())[:100]
            d = self._sql.setdefault(label, [0.0, 0])
            d[0] += time.perf_counter() - t
            d[1] += 1

    def __getattr__(self, name):
        return getattr(self._con, name)


class DuckShim:
    def __init__(self, module, who: str, sql_times: dict):
        self._m, self._who, self._sql = module, who, sql_times

    def connect(self, *args, **kw):
        return _TimedCon(self._m.connect(*args, **kw), self._who, self._sql)

    def __getattr__(self, name):
        return getattr(self._m, name)
