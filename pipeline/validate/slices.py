"""A table larger than memory, validated a slice at a time: the row-by-row expectations add up over slices,
uniqueness runs on the rows whose value repeats and the row count on the table's length."""
from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from pipeline.io.progress import rate
from pipeline.validate.frames import derive
from pipeline.validate.gx import outcome, check
from pipeline.validate.suites import CITATION, CITE_CAP, columns_of


VALIDATE_ROWS = 1_000_000   # searches in pandas at a time: a larger table is validated a slice at a time
# Expectations GX decides row by row, so that their results over consecutive slices add up to the
# result over the whole table. Every other expectation on the rows runs once (see _whole_table).
ROW_BY_ROW = frozenset({
    "expect_column_values_to_not_be_null", "expect_column_values_to_be_null",
    "expect_column_values_to_be_between", "expect_column_values_to_be_in_set",
    "expect_column_values_to_not_be_in_set", "expect_column_values_to_match_regex",
    "expect_column_values_to_not_match_regex", "expect_column_pair_values_a_to_be_greater_than_b",
})


def _split(suites: list[dict]) -> tuple[list[dict], list[list[int]], list[list[int]]]:
    """Each suite's part run slice by slice, and the positions of its expectations run slice by slice and
    of those run once."""
    sliced, sliced_at, whole_at = [], [], []
    for suite in suites:
        a, b = [], []
        for k, e in enumerate(suite["expectations"]):
            once = (e.get("meta") or {}).get("on", "rows") == "rows" and e["type"] not in ROW_BY_ROW
            (b if once else a).append(k)
        sliced.append({**suite, "expectations": [suite["expectations"][k] for k in a]})
        sliced_at.append(a)
        whole_at.append(b)
    return sliced, sliced_at, whole_at


def _add_up(parts: list[dict]) -> dict:
    """One expectation's outcomes over consecutive slices, as one outcome over the whole table."""
    ran = [o for o in parts if o["skipped"] is None]
    if not ran:
        return parts[0]
    if parts[0]["on"] != "rows" or any(o["exception"] for o in ran):
        return next((o for o in ran if o["exception"]), ran[0])     # the same in every slice
    out = dict(ran[0])
    out["success"] = all(o["success"] for o in ran)
    out["checked"] = sum(o["checked"] or 0 for o in ran)
    if all(o["unexpected_count"] is not None for o in ran):
        out["unexpected_count"] = sum(o["unexpected_count"] for o in ran)
        of = sum(o.get("_of") or 0 for o in ran)
        out["unexpected_percent"] = 100.0 * out["unexpected_count"] / of if of else ran[0]["unexpected_percent"]
        out["_of"] = of
        mostly = (out.get("kwargs") or {}).get("mostly")
        if mostly is not None:      # GX's rule, on the whole table's counts: the share that passed >= mostly
            out["success"] = (of - out["unexpected_count"]) / of >= mostly if of else True
    cites = sorted((c for o in ran for c in o["rows"]), key=lambda c: c.get("_order", 0))
    out["rows"] = [] if out["success"] else cites[:CITE_CAP]       # as GX: only a failure cites rows
    return out


def _whole_table(suite: dict, e: dict, path: Path, columns: set[str], manifest: dict, exported: set[str],
                 schema: pd.DataFrame, sources: pd.DataFrame, period: dict, total: int) -> dict:
    """An expectation that needs the whole table at once, run by GX on what decides it:
    - uniqueness: the rows whose value occurs more than once in the whole table (found by DuckDB);
    - row count: a frame of the table's length with no columns;
    - anything else: the columns it names (and the citations), for every row."""
    import tempfile

    from pipeline.io.db import connect, literal

    col = (e.get("kwargs") or {}).get("column")
    names = set(schema.columns)         # every column of the table (schema_frame read them once)
    kind = ((suite.get("meta") or {}).get("applies_to") or {})
    kind = kind.get("schema") if isinstance(kind, dict) else None
    one = {**suite, "expectations": [e]}
    spill = tempfile.TemporaryDirectory(prefix="validate-")
    con = connect(Path(spill.name))
    con.execute("SET memory_limit = '512MB'")    # on top of what the slices left in this process; it spills
    try:
        plain = not (e.get("meta") or {}).get("rows_where") and kind is None     # on every search of the table
        if e["type"] == "expect_column_values_to_be_unique" and plain and col in names:
            need = sorted({col} | (columns & names))
            df = con.sql(f"""SELECT {", ".join(f'"{c}"' for c in need)} FROM read_parquet({literal(path)})
                             WHERE "{col}" IN (SELECT "{col}" FROM read_parquet({literal(path)}) GROUP BY 1 HAVING count(*) > 1)
                          """).to_arrow_table().to_pandas()
            present = con.execute(f"""SELECT count("{col}") FROM read_parquet({literal(path)})""").fetchone()[0]
        elif e["type"] == "expect_table_row_count_to_be_between" and plain:
            df, present = None, None
        else:
            need = sorted((set(columns_of(e["kwargs"])) | set((e.get("meta") or {}).get("rows_where") or {})
                           | set(CITATION) | (columns & {"reason_clean"})) & names)   # (reason_blank is derived from it)
            df = con.sql(f"""SELECT {", ".join(f'"{c}"' for c in need)} FROM read_parquet({literal(path)})""").to_arrow_table().to_pandas()
            present = None
    finally:
        con.close()
        spill.cleanup()
    if df is None:      # the row count needs the table's length only: an index, no columns, no memory
        (o,), _ = check([one], pd.DataFrame(index=pd.RangeIndex(total, name="_row")), schema, sources, period)
        return o
    rows = derive(df, manifest, exported)
    (o,), _ = check([one], rows, schema, sources, period)
    if e["type"] == "expect_column_values_to_be_unique" and plain and o["exception"] is None:
        if o["skipped"] is not None or len(rows) == 0:    # no value repeats: GX had nothing to look at
            o = outcome(suite["name"], e, success=True, unexpected_count=0)
        o["checked"] = total
        o["_of"] = present
        o["unexpected_percent"] = 100.0 * (o["unexpected_count"] or 0) / present if present else 0.0
    return o


def row_count(path: Path) -> int:
    import pyarrow.parquet as pq
    return pq.ParquetFile(path).metadata.num_rows


def check_in_slices(suites: list[dict], path: Path, columns: set[str], manifest: dict, exported: set[str],
                    schema: pd.DataFrame, sources: pd.DataFrame, period: dict,
                    progress=lambda msg: None) -> tuple[list[dict], list[dict]]:
    """check() over a table larger than VALIDATE_ROWS, in bounded memory: the row-by-row expectations
    slice by slice (their counts and citations added up), the others once each (_whole_table)."""
    import pyarrow.parquet as pq

    sliced, sliced_at, whole_at = _split(suites)
    pf = pq.ParquetFile(path)
    present = [c for c in pf.schema_arrow.names if c in columns]
    parts: list[list[list[dict]]] = [[[] for _ in s["expectations"]] for s in suites]
    summary: list[dict] | None = None
    slices, started, done = -(-pf.metadata.num_rows // VALIDATE_ROWS), time.perf_counter(), 0
    for n, batch in enumerate(pf.iter_batches(batch_size=VALIDATE_ROWS, columns=present), 1):
        rows = derive(batch.to_pandas(), manifest, exported)
        done += len(rows)
        outs, summ = check(sliced, rows, schema, sources, period, cite_all=True)
        it = iter(outs)
        for si, at in enumerate(sliced_at):
            for k in at:
                parts[si][k].append(next(it))
        if summary is None:
            summary = summ
        else:
            for total, one in zip(summary, summ):
                total["searches"] += one["searches"]
        progress(f"validated slice {n} of {slices}: {rate(done, time.perf_counter() - started)}")
    outcomes = []
    for si, suite in enumerate(suites):
        searches = summary[si]["searches"]
        for k in whole_at[si]:
            parts[si][k] = [_whole_table(suite, suite["expectations"][k], path, columns, manifest, exported,
                                         schema, sources, period, searches)]
        mine = [_add_up(parts[si][k]) for k in range(len(suite["expectations"]))]
        applies_to_none = summary[si]["skipped"] is not None and searches == 0
        if applies_to_none:
            mine = [outcome(suite["name"], e, skipped=summary[si]["skipped"]) for e in suite["expectations"]]
        else:
            summary[si]["skipped"] = None
        summary[si]["failed"] = sum(o["success"] is False for o in mine)
        summary[si]["expectations"] = len(suite["expectations"])
        outcomes += mine
    return outcomes, summary
