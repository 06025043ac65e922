"""A table larger than VALIDATE_ROWS, validated in the engine: the expectations on the searches are computed by
DuckDB over searches.parquet in one scan (plus one per uniqueness check), in bounded memory, with GX's own
arithmetic, so validation.json is exactly what one pass of GX over the whole table gives.

Which expectation runs where, and why:
- in DuckDB (sql.py): not_be_null, be_null, be_between (numbers; timestamps against ISO bounds with an
  offset), be_in_set / not_be_in_set (text, booleans, integers), be_unique, match_regex / not_match_regex,
  column_pair_values_a_to_be_greater_than_b (ignore_row_if either_value_is_missing). A regex must be
  decided as GX decides it (pandas `str.contains`: Python `re.search` semantics; RE2 differs, on a `$`
  before a final newline for one): RE2 decides it where the pattern is written in a subset both read
  alike and the value is ASCII without a line break, and the very call GX makes, run inside DuckDB as an
  Arrow function, decides every other value; for a column of few values, once per distinct value.
- in GX on pandas, unchanged: everything on the schema (a frame with no rows) and on the sources (one row
  per file), the row count (on an index with no columns), and any expectation or column type the list above
  does not cover (on the columns it names, loaded whole: memory then grows with the table).
GX cannot run in DuckDB itself: GX 1.24.1's SQL engine through duckdb-engine 0.17.0 fails every expectation
on `table.row_count` (IndexError in resolve_metric_bundle, GX issue #10738), with SQLAlchemy 2.0 and 2.1.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from pipeline.io.db import connect, literal
from pipeline.validate import sql
from pipeline.validate.gx import check, citations, gx_kwargs, outcome
from pipeline.validate.suites import CITATION, SCHEMA_LABELS, SEVERITIES, TARGETS, columns_of, fill_placeholders


def _plan(suite: dict, e: dict, period: dict, names: set[str], count, scope: str, n_scope: int, whole_table: bool):
    """One expectation on the rows as check() would treat it: (outcome decided without running it, None)
    or (None, (kwargs, where SQL, searches it checks))."""
    name, meta = suite["name"], e.get("meta") or {}
    kwargs, skip = fill_placeholders(e["kwargs"], period)
    if skip:
        return outcome(name, e, skipped=skip), None
    where = meta.get("rows_where") or {}
    missing = [c for c in where if c not in names]
    if missing:
        return outcome(
            name, e, success=False, exception=f"rows_where names column(s) not in the table: {', '.join(missing)}"
        ), None
    cond = " AND ".join([scope] + [sql.equals(c, v) for c, v in where.items()])
    n = count(cond) if where else n_scope
    missing = [c for c in columns_of(kwargs) if c not in names]
    if missing:
        return outcome(
            name, e, success=False, checked=n_scope, exception=f"column(s) not in the table: {', '.join(missing)}"
        ), None
    if n == 0 and (where or not whole_table):
        return outcome(
            name,
            e,
            skipped="no searches to check"
            + (": " + ", ".join(f"{c} = {v}" for c, v in where.items()) + " holds for none" if where else ""),
        ), None
    return None, (kwargs, cond, n)


def _in_gx(
    suite: dict,
    e: dict,
    con,
    view_cols: list[str],
    types: dict,
    where: str,
    n: int,
    manifest: dict,
    exported: set[str],
    schema: pd.DataFrame,
    sources: pd.DataFrame,
    period: dict,
) -> dict:
    """An expectation the engine does not compute, run by GX on what decides it (the rows it checks, the
    columns it names and the citations; no column at all for the row count)."""
    one = {
        "name": suite["name"],
        "meta": {},
        "expectations": [{**e, "meta": {k: v for k, v in (e.get("meta") or {}).items() if k != "rows_where"}}],
    }
    if e["type"] == "expect_table_row_count_to_be_between":
        rows = pd.DataFrame(index=pd.RangeIndex(n, name="_row"))
    else:
        need = [c for c in view_cols if c in set(columns_of(e["kwargs"])) | set(CITATION) | {"_order"}]
        rows = con.sql(f"SELECT {', '.join(sql.q(c) for c in need)} FROM s WHERE {where} ORDER BY _row")
        rows = sql.as_one_pass(con, rows.to_arrow_table().to_pandas(), types)
        rows.index = pd.RangeIndex(len(rows), name="_row")
    (o,), _ = check([one], rows, schema, sources, period)
    o["rows_where"] = (e.get("meta") or {}).get("rows_where")
    return o


def _rows_outcome(suite: dict, e: dict, kwargs: dict, m: dict, cited: pd.DataFrame) -> dict:
    """An outcome from the engine's counts, as gx.check writes it from GX's result."""
    o = outcome(
        suite["name"],
        e,
        success=m["success"],
        checked=m["n"],
        unexpected_count=m["unexpected"],
        unexpected_percent=m["percent"],
        observed_value=None,
        exception=None,
    )
    if not m["success"]:
        o["rows"] = citations(cited, sorted(m["first"]), columns_of(e["kwargs"]))
    o["kwargs"] = kwargs
    return o


def check_in_engine(
    suites: list[dict],
    path: Path,
    manifest: dict,
    exported: set[str],
    schema: pd.DataFrame,
    sources: pd.DataFrame,
    period: dict,
) -> tuple[list[dict], list[dict]]:
    """check() over searches.parquet without loading it: (outcomes in suite order, suites summary)."""
    spill = tempfile.TemporaryDirectory(prefix="validate-")
    con = connect(Path(spill.name))
    try:
        view_cols = sql.rows_view(con, path, manifest, exported)
        types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE s)").fetchall())
        counted: dict[str, int] = {}  # one scan per distinct condition (suites repeat their rows_where)

        def count(cond: str) -> int:
            if cond not in counted:
                counted[cond] = con.execute(f"SELECT count(*) FROM s WHERE {cond}").fetchall()[0][0]
            return counted[cond]

        outcomes, summary, jobs = [], [], []
        for suite in suites:
            applies = (suite.get("meta") or {}).get("applies_to", "all")
            kind = applies.get("schema") if isinstance(applies, dict) else None
            scope = "TRUE" if kind is None else f"source_kind = {literal(kind)}"
            n_scope = count(scope)
            ssources = sources if kind is None else sources[(sources["source_kind"] == kind).to_numpy(dtype=bool)]
            info = {
                "suite": suite["name"],
                "file": suite.get("_file"),
                "applies_to": kind or "all searches",
                "searches": n_scope,
                "sources": len(ssources),
                "expectations": len(suite["expectations"]),
                "failed": 0,
                "skipped": None,
            }
            summary.append(info)
            if kind is not None and n_scope == 0 and len(ssources) == 0:
                info["skipped"] = f"no file in this release is a {SCHEMA_LABELS.get(kind, kind)}"
                outcomes.append([outcome(suite["name"], e, skipped=info["skipped"]) for e in suite["expectations"]])
                continue
            mine: list = [None] * len(suite["expectations"])
            other = [k for k, e in enumerate(suite["expectations"]) if not _on_rows(e)]
            if other:  # the schema and the sources: small frames, GX as ever
                sub = {**suite, "expectations": [suite["expectations"][k] for k in other]}
                empty = pd.DataFrame({"source_kind": pd.Series([], dtype="object")})
                for k, o in zip(other, check([sub], empty, schema, sources, period)[0]):
                    mine[k] = o
            for k, e in enumerate(suite["expectations"]):
                if mine[k] is None:
                    decided, todo = _plan(suite, e, period, set(view_cols), count, scope, n_scope, kind is None)
                    mine[k] = decided
                    if todo:
                        jobs.append((len(outcomes), k, suite, e, gx_kwargs(e, todo[0]), todo[1], todo[2]))
            outcomes.append(mine)
        _run_jobs(con, jobs, outcomes, view_cols, types, manifest, exported, schema, sources, period)
    finally:
        con.close()
        spill.cleanup()
    flat = []
    for info, mine in zip(summary, outcomes):
        info["failed"] = sum(o["success"] is False for o in mine)
        flat += mine
    return flat, summary


def _on_rows(e: dict) -> bool:
    meta = e.get("meta") or {}
    return (
        meta.get("on", "rows") == "rows"
        and e.get("severity", "critical") in SEVERITIES
        and meta.get("on", "rows") in TARGETS
    )


def _run_jobs(
    con,
    jobs: list,
    outcomes: list,
    view_cols: list[str],
    types: dict,
    manifest: dict,
    exported: set[str],
    schema,
    sources,
    period,
) -> None:
    """Every expectation left to run: those the engine computes in one scan, the others in GX."""
    engine, rest = [], []
    for job in jobs:
        s_i, k, suite, e, kwargs, where, n = job
        spec = sql.spec(con, e["type"], kwargs, columns_of(e["kwargs"]), types)
        (engine if spec else rest).append((job, spec))
    metrics = sql.measure(con, [(spec, job[5]) for job, spec in engine])
    cited = sql.cited_rows(con, [r for m in metrics for r in m["first"]], view_cols, types)
    for (job, spec), m in zip(engine, metrics):
        s_i, k, suite, e, kwargs, where, n = job
        outcomes[s_i][k] = _rows_outcome(suite, e, kwargs, m, cited)
    for job, _ in rest:
        s_i, k, suite, e, kwargs, where, n = job
        outcomes[s_i][k] = _in_gx(
            suite, e, con, view_cols, types, where, n, manifest, exported, schema, sources, period
        )
