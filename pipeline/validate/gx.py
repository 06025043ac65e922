"""Running the suites with Great Expectations 1.x: each expectation's outcome, its counts and its first
citations (file, sheet, row; values withheld for plates and names)."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd

from pipeline.validate.suites import (
    CITE_CAP,
    RESULT_FORMAT,
    SCHEMA_LABELS,
    SEVERITIES,
    TARGETS,
    WITHHELD,
    columns_of,
    fill_placeholders,
)


def _plain(v):
    """JSON-safe Python value: numpy scalars, NaN/NA/NaT (null), timestamps and dates (ISO)."""
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set, np.ndarray)):
        return [_plain(x) for x in v]
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else float(v)
    if isinstance(v, (pd.Timestamp, dt.datetime, dt.date)):
        return v.isoformat()
    return str(v)


def _exception(r) -> str | None:
    info = r.exception_info or {}
    if "raised_exception" in info:
        return info.get("exception_message") if info.get("raised_exception") else None
    for v in info.values():  # keyed by metric in some results
        if isinstance(v, dict) and v.get("raised_exception"):
            return v.get("exception_message")
    return None


def _unexpected_rows(result: dict) -> list:
    """Every unexpected `_row` GX returned (index-only format: [{'_row': [...]}])."""
    out = []
    for item in result.get("partial_unexpected_index_list") or []:
        if isinstance(item, dict):
            v = item.get("_row")
            out.extend(v if isinstance(v, list) else [v])
        else:
            out.append(item)
    return out


def citations(frame: pd.DataFrame, rows: list, columns: list[str]) -> list[dict]:
    """The first CITE_CAP unexpected rows in the order of the release (input order, then row)."""
    if not rows:
        return []
    rows = pd.Index(rows).unique()
    if "_order" in frame.columns and len(rows) > CITE_CAP:
        order = frame.loc[rows, "_order"].to_numpy()
        rows = rows[np.argsort(order, kind="stable")[:CITE_CAP]]
    elif "_order" in frame.columns:
        rows = rows[np.argsort(frame.loc[rows, "_order"].to_numpy(), kind="stable")]
    out = []
    for r in rows[:CITE_CAP]:
        cite = {
            "source_file": _plain(frame.at[r, "source_file"]),
            "source_sheet": _plain(frame.at[r, "source_sheet"]),
            "source_row": _plain(frame.at[r, "source_row"]),
        }
        if "source_line" in frame.columns:  # (the sources frame cites a header, which has no line of its own)
            line = _plain(frame.at[r, "source_line"])  # (read as float where a PDF's nulls share the column)
            cite["source_line"] = None if line is None else int(line)
        if "_order" in frame.columns:
            cite["_order"] = int(frame.at[r, "_order"])  # (release order of the citations; not published)
        shown = [c for c in columns if c in frame.columns]
        if shown and not any(c in WITHHELD for c in shown):
            cite["value"] = (
                _plain(frame.at[r, shown[0]]) if len(shown) == 1 else {c: _plain(frame.at[r, c]) for c in shown}
            )
        out.append(cite)
    return out


def outcome(suite: str, e: dict, **kw) -> dict:
    kwargs = e["kwargs"]
    cols = columns_of(kwargs)
    meta = e.get("meta") or {}
    o = {
        "suite": suite,
        "expectation": e["type"],
        "column": ", ".join(cols) if cols else None,
        "kwargs": {k: v for k, v in kwargs.items() if k not in ("batch_id", "column", "column_A", "column_B")},
        "severity": e.get("severity", "critical"),
        "on": meta.get("on", "rows"),
        "rows_where": meta.get("rows_where"),
        "success": None,
        "checked": None,
        "unexpected_count": None,
        "unexpected_percent": None,
        "observed_value": None,
        "rows": [],
        "exception": None,
        "skipped": None,
        "why": meta.get("why"),
        "problem": meta.get("problem"),
    }
    o.update(kw)
    return o


def _groups(
    suite: dict, frames: dict[str, pd.DataFrame], period: dict, whole_table: bool
) -> tuple[list, dict[int, dict]]:
    """Split a suite's expectations by what they run on: [(frame, [expectation, ...]), ...], and the
    outcomes decided without GX (skipped, missing column, bad target), by position in the suite."""
    name = suite["name"]
    groups: dict[tuple, tuple[pd.DataFrame, list]] = {}
    decided: dict[int, dict] = {}
    for k, e in enumerate(suite["expectations"]):
        meta = dict(e.get("meta") or {})
        severity = e.get("severity", "critical")
        if severity not in SEVERITIES:
            decided[k] = outcome(name, e, success=False, exception=f"unknown severity '{severity}'")
            continue
        on = meta.get("on", "rows")
        if on not in TARGETS:
            decided[k] = outcome(name, e, success=False, exception=f"unknown target meta.on = '{on}'")
            continue
        kwargs, skip = fill_placeholders(e["kwargs"], period)
        if skip:
            decided[k] = outcome(name, e, skipped=skip)
            continue
        frame = frames[on]
        where = meta.get("rows_where") or {}
        gkey: tuple = (on,)
        if where:
            missing = [c for c in where if c not in frame.columns]
            if missing:
                decided[k] = outcome(
                    name,
                    e,
                    success=False,
                    exception=f"rows_where names column(s) not in the table: {', '.join(missing)}",
                )
                continue
            mask = np.ones(len(frame), bool)
            for c, v in where.items():
                mask &= (frame[c] == v).fillna(False).to_numpy(dtype=bool)
            if not mask.all():
                gkey = (on, json.dumps(where, sort_keys=True))
                if gkey not in groups:
                    groups[gkey] = (frame[mask], [])
        missing = [c for c in columns_of(kwargs) if c not in frame.columns]
        if missing:
            decided[k] = outcome(
                name,
                e,
                success=False,
                checked=len(frame),
                exception=f"column(s) not in the table: {', '.join(missing)}",
            )
            continue
        if gkey not in groups:
            groups[gkey] = (frame, [])
        if on != "schema" and len(groups[gkey][0]) == 0 and (where or not whole_table):
            what = "searches" if on == "rows" else "source files"
            decided[k] = outcome(
                name,
                e,
                skipped=f"no {what} to check"
                + (": " + ", ".join(f"{c} = {v}" for c, v in where.items()) + " holds for none" if where else ""),
            )
            continue
        meta["_k"] = k
        groups[gkey][1].append({"type": e["type"], "kwargs": kwargs, "meta": meta, "severity": severity})
    return [g for g in groups.values() if g[1]], decided


# Long (~65 lines) on purpose: one GX context and one loop over the suites and their groups of expectations.
def check(
    suites: list[dict], rows: pd.DataFrame, schema: pd.DataFrame, sources: pd.DataFrame, period: dict
) -> tuple[list[dict], list[dict]]:
    """Run every suite on the searches it applies to; return (outcomes in suite order, suites summary).
    Failed expectations cite their first rows."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    _no_fingerprint()
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch_def = (
        ctx.data_sources.add_pandas("pandas").add_dataframe_asset("frame").add_batch_definition_whole_dataframe("all")
    )
    outcomes, summary = [], []
    for suite in suites:
        name = suite["name"]
        applies = (suite.get("meta") or {}).get("applies_to", "all")
        kind = applies.get("schema") if isinstance(applies, dict) else None
        srows, ssources = rows, sources
        if kind is not None:
            mine = (rows["source_kind"] == kind).to_numpy(dtype=bool)
            srows = rows if mine.all() else rows[mine]
            ssources = sources[(sources["source_kind"] == kind).to_numpy(dtype=bool)]
        info = {
            "suite": name,
            "file": suite.get("_file"),
            "applies_to": kind or "all searches",
            "searches": len(srows),
            "sources": len(ssources),
            "expectations": len(suite["expectations"]),
            "failed": 0,
            "skipped": None,
        }
        if kind is not None and len(srows) == 0 and len(ssources) == 0:
            info["skipped"] = f"no file in this release is a {SCHEMA_LABELS.get(kind, kind)}"
            outcomes += [outcome(name, e, skipped=info["skipped"]) for e in suite["expectations"]]
            summary.append(info)
            continue
        frames = {"rows": srows, "schema": schema, "sources": ssources}
        groups, decided = _groups(suite, frames, period, whole_table=kind is None)
        by_k: dict[int, dict] = dict(decided)
        for g, (frame, exps) in enumerate(groups):
            gsuite = gx.ExpectationSuite(name=f"{name}-{g}", expectations=exps)
            res = batch_def.get_batch(batch_parameters={"dataframe": frame}).validate(
                gsuite, result_format=RESULT_FORMAT
            )
            for r in res.results:
                cfg = r.expectation_config
                k = (cfg.meta or {}).get("_k")
                e = suite["expectations"][k]
                rr = r.result or {}
                cols = columns_of(e["kwargs"])
                withheld = any(c in WITHHELD for c in cols)
                exc = _exception(r)
                o = outcome(
                    name,
                    e,
                    success=bool(r.success),
                    checked=len(frame),
                    unexpected_count=_plain(rr.get("unexpected_count")),
                    unexpected_percent=_plain(rr.get("unexpected_percent")),
                    observed_value=None if withheld else _plain(rr.get("observed_value")),
                    exception=exc,
                )
                if "details" in rr and not withheld:
                    o["details"] = _plain(rr["details"])
                if not r.success:
                    o["rows"] = citations(frame, _unexpected_rows(rr), cols)
                # the kwargs that ran (the period filled in), without GX's batch id
                o["kwargs"] = {
                    kk: _plain(v)
                    for kk, v in cfg.kwargs.items()
                    if kk not in ("batch_id", "column", "column_A", "column_B")
                }
                by_k[k] = o
        suite_outcomes = [by_k[k] for k in sorted(by_k)]
        info["failed"] = sum(o["success"] is False for o in suite_outcomes)
        outcomes += suite_outcomes
        summary.append(info)
    return outcomes, summary


def gx_kwargs(e: dict, kwargs: dict) -> dict:
    """The kwargs as GX's result reports them (its pydantic model coerces them: min_value 1 -> 1.0, mostly
    first), without running anything: for outcomes the engine computes (engine.py)."""
    import great_expectations as gx

    (exp,) = gx.ExpectationSuite(name="kwargs", expectations=[{"type": e["type"], "kwargs": kwargs}]).expectations
    return {
        k: _plain(v)
        for k, v in exp.configuration.kwargs.items()
        if k not in ("batch_id", "column", "column_A", "column_B")
    }


def _no_fingerprint() -> None:
    """GX hashes every row of a pandas batch under 1 GB for a fingerprint kept only in the batch's markers
    (metadata no outcome reads): a third of validation's time at 733,000 rows (issue 15's profile). A
    threshold of 0 skips it; every result is the same (tests/test_validate.py, test_validate_engine.py)."""
    from great_expectations.execution_engine import pandas_execution_engine

    pandas_execution_engine.HASH_THRESHOLD = 0


def gx_version() -> str:
    import great_expectations

    return great_expectations.__version__
