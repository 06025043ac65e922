"""Validate the processed table with Great Expectations 1.x; the only module that imports it.

The suites are JSON files under expectations/ (reviewed like code), one per input schema and one for
the processed table:

- searches.json       every search (the table as a whole: keys, times, period, citations, types)
- flock_export.json   searches from Flock network / organization exports (manifest detected_kind "flock_export …")
- portal_csv.json     searches from transparency-portal CSVs (detected_kind "portal …")

A suite's meta.applies_to says which searches it checks; each expectation's meta.on says what it is
checked against ('rows', 'schema' or 'sources') and meta.rows_where narrows the rows. Things a static
suite cannot hold are filled in here, from data: the stated period ($period.start / $period.end) and
a few derived columns (source_kind, exported_<column>, reason_blank). searches.json documents them.

Each expectation carries a severity: a failed "critical" one makes the verdict RED (the table cannot be
trusted; analysis must not run), a failed "warning" one YELLOW, as do rows rejected on reading for a
reason other than layout. Every failed expectation keeps up to CITE_CAP citations (source file, sheet,
row, and the value unless the column holds plates or searcher names) and the total count. All of it
goes to reports/<slug>/validation.json.

A table of more than VALIDATE_ROWS searches is not loaded into pandas whole: the expectations GX decides
row by row run on one slice at a time and their counts, `mostly` thresholds and first citations are added
up; uniqueness runs on the rows whose value repeats (found by DuckDB), the row count on a frame with no
columns. A test checks that slices give exactly the one-pass result.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import math
import re
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from pipeline import ROOT
from pipeline.io.atomic import write_json
from pipeline.project import processed_dir, reports_dir
from pipeline.config import Jurisdiction
from pipeline.io.progress import rate, reporter

SUITE = ROOT / "expectations" / "searches.json"     # the processed-table suite; the others sit beside it
CITE_CAP = 20
# Values of these columns never leave data/processed/: a failure on them is cited by file and row only.
# Plates and searcher names by rule (README); case numbers, filters and text prompts to be safe, since
# they can describe a person or a vehicle.
WITHHELD = frozenset({"searcher", "license_plate", "case_number", "filters", "text_prompt"})
# Rejected rows that are layout, not lost searches.
LAYOUT_REJECTS = frozenset({"repeated_header", "blank_row"})
SEVERITIES = ("critical", "warning")
TARGETS = ("rows", "schema", "sources")
DERIVED = ("source_kind", "reason_blank")        # plus exported_<canonical column>
CITATION = ["source_file", "source_sheet", "source_row"]
# GX 1.24: naming the frame's index and asking for the index only keeps the cost of a failure with many
# unexpected rows linear and small (asking for index *columns* walks every unexpected row in Python:
# minutes on 700,000 rows); no query string of every index either.
RESULT_FORMAT = {"result_format": "SUMMARY", "unexpected_index_column_names": ["_row"],
                 "exclude_unexpected_values": True, "return_unexpected_index_query": False,
                 "partial_unexpected_count": CITE_CAP}
SCHEMA_LABELS = {"flock_export": "Flock network or organization export", "portal": "transparency-portal CSV"}
COLOURS = {"GREEN": "#1b7f3b", "YELLOW": "#9a6700", "RED": "#b00020"}


# ---------------------------------------------------------------------------------------------- suites

def load_suite(path: Path = SUITE) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def suite_paths(suite_path: Path = SUITE) -> list[Path]:
    """The processed-table suite first, then every other suite in its folder (by name)."""
    suite_path = Path(suite_path)
    return [suite_path] + sorted(p for p in suite_path.parent.glob("*.json") if p != suite_path)


def period_bounds(j: Jurisdiction) -> tuple[dt.datetime | None, dt.datetime | None]:
    """[start, end) in UTC of the stated period, wide enough for both local-day and UTC-day edges.

    The period is stated in local days. A release cut at UTC midnight holds the local evening before
    the first day (05:30 UTC on 1 December is 30 November in Chicago); one cut at local midnight holds
    the UTC morning after the last day. A search is inside when its local day or its UTC day is.
    """
    utc = dt.timezone.utc
    tz = ZoneInfo(j.timezone)
    start = end = None
    if j.period_start:
        start = min(dt.datetime.combine(j.period_start, dt.time(), tz).astimezone(utc),
                    dt.datetime.combine(j.period_start, dt.time(), utc))
    if j.period_end:
        after = j.period_end + dt.timedelta(days=1)
        end = max(dt.datetime.combine(after, dt.time(), tz).astimezone(utc),
                  dt.datetime.combine(after, dt.time(), utc))
    return start, end


def _fill_placeholders(kwargs: dict, period: dict) -> tuple[dict, str | None]:
    """Replace $period.* values; return (kwargs, why skipped)."""
    out = dict(kwargs)
    used = False
    for k, v in kwargs.items():
        if isinstance(v, str) and v.startswith("$"):
            if v not in period:
                return out, f"unknown placeholder {v}"
            used = True
            if period[v] is None:
                del out[k]
            else:
                out[k] = period[v]
    if used and out.get("min_value") is None and out.get("max_value") is None:
        return out, "jurisdictions.yml states no period for this release"
    return out, None


def _columns_of(kwargs: dict) -> list[str]:
    return [kwargs[k] for k in ("column", "column_A", "column_B") if kwargs.get(k)] + list(kwargs.get("column_list") or [])


# ------------------------------------------------------------------------------------------ the frames

def _schema_of(kind: str | None) -> str | None:
    """'flock_export csv' -> 'flock_export'; a container alone ('csv') has no schema."""
    if not kind:
        return None
    first = kind.split()[0]
    return first if first in ("flock_export", "portal") else None


def _exported(canonical: list, column: str) -> bool:
    cols = set(c for c in canonical if c)
    if column == "time_frame":
        return bool(cols & {"time_frame", "time_frame_start", "time_frame_end"})
    return column in cols


def sources_frame(manifest: dict, exported: set[str]) -> pd.DataFrame:
    """One row per source (file, or sheet of a workbook) of the manifest, cited at its header row."""
    rows = []
    for k, s in enumerate(manifest.get("sources", [])):
        row = {"source_file": s["file"], "source_sheet": s.get("sheet"),
               "source_row": int(s.get("header_row") or 1), "source_kind": _schema_of(s.get("detected_kind")),
               "_source": k}
        for c in exported:
            row[f"exported_{c}"] = _exported(s.get("canonical_columns") or [], c)
        rows.append(row)
    cols = ["source_file", "source_sheet", "source_row", "source_kind", "_source"] + [f"exported_{c}" for c in exported]
    df = pd.DataFrame(rows, columns=cols)
    df.index = pd.RangeIndex(len(df), name="_row")
    return df


def _needed(suites: list[dict]) -> tuple[set[str], set[str]]:
    """(columns of searches.parquet to load, canonical columns whose exported_ flag is used)."""
    cols, exported = set(CITATION), set()
    for s in suites:
        for e in s["expectations"]:
            meta = e.get("meta") or {}
            names = _columns_of(e["kwargs"]) + list((meta.get("rows_where") or {}))
            for c in names:
                if c.startswith("exported_"):
                    exported.add(c[len("exported_"):])
                elif c == "reason_blank":
                    cols.add("reason_clean")
                elif c not in DERIVED and meta.get("on", "rows") == "rows":
                    cols.add(c)
    return cols, exported


def rows_frame(path: Path, columns: set[str], manifest: dict, exported: set[str]) -> pd.DataFrame:
    """The searches with only the columns the suites use, the derived columns, and `_row` as index."""
    import pyarrow.parquet as pq

    present = [c for c in pq.read_schema(path).names if c in columns]
    return derive(pd.read_parquet(path, columns=present), manifest, exported)


def derive(df: pd.DataFrame, manifest: dict, exported: set[str]) -> pd.DataFrame:
    """Add the derived columns (source_kind, exported_<column>, reason_blank, _order) and `_row` as index."""
    for c in CITATION:          # a table without its citations still gets validated (and fails)
        if c not in df.columns:
            df[c] = pd.Series([None] * len(df), dtype="object") if c != "source_row" else 0
    src = sources_frame(manifest, exported)
    key = df["source_file"].astype("str") + "\x1f" + df["source_sheet"].fillna("").astype("str")
    src_key = src["source_file"].astype("str") + "\x1f" + src["source_sheet"].fillna("").astype("str")
    codes, uniques = pd.factorize(key, use_na_sentinel=False)      # few distinct sources: match those only
    where = pd.Series(range(len(src)), index=src_key.to_numpy(), dtype="float64")
    where = where[~where.index.duplicated()]
    pos = where.reindex(uniques).to_numpy()                        # source position, NaN if the manifest lacks it
    ok = ~np.isnan(pos)[codes]
    take = np.nan_to_num(pos).astype("int64")[codes]
    if len(src) == 0:
        src = pd.concat([src, pd.DataFrame([{"source_kind": None}])], ignore_index=True)    # a row to point at
    df["source_kind"] = pd.Series(np.where(ok, src["source_kind"].to_numpy(dtype=object)[take], None),
                                  index=df.index, dtype="object")
    for c in exported:
        flags = src[f"exported_{c}"].fillna(False).to_numpy(dtype=bool)
        df[f"exported_{c}"] = ok & flags[take]
    if "reason_clean" in df.columns:
        df["reason_blank"] = df["reason_clean"].isna().to_numpy()
    source_row = df["source_row"].fillna(0).astype("int64").to_numpy()
    df["_order"] = np.where(ok, take, 1 << 20).astype("int64") * (1 << 40) + source_row
    df.index = pd.RangeIndex(len(df), name="_row")
    return df


def schema_frame(path: Path) -> pd.DataFrame:
    """No rows, every column of the table with its Parquet type (pyarrow-backed dtypes keep them exact)."""
    import pyarrow.parquet as pq

    df = pq.read_schema(path).empty_table().to_pandas(types_mapper=pd.ArrowDtype)
    df.index = pd.RangeIndex(0, name="_row")
    return df


# ------------------------------------------------------------------------------------------- validating

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
    for v in info.values():      # keyed by metric in some results
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


def _citations(frame: pd.DataFrame, rows: list, columns: list[str]) -> list[dict]:
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
        cite = {"source_file": _plain(frame.at[r, "source_file"]), "source_sheet": _plain(frame.at[r, "source_sheet"]),
                "source_row": _plain(frame.at[r, "source_row"])}
        if "_order" in frame.columns:
            cite["_order"] = int(frame.at[r, "_order"])      # (for merging slices; not published)
        shown = [c for c in columns if c in frame.columns]
        if shown and not any(c in WITHHELD for c in shown):
            cite["value"] = (_plain(frame.at[r, shown[0]]) if len(shown) == 1
                             else {c: _plain(frame.at[r, c]) for c in shown})
        out.append(cite)
    return out


def _outcome(suite: str, e: dict, **kw) -> dict:
    kwargs = e["kwargs"]
    cols = _columns_of(kwargs)
    meta = e.get("meta") or {}
    o = {"suite": suite, "expectation": e["type"], "column": ", ".join(cols) if cols else None,
         "kwargs": {k: v for k, v in kwargs.items() if k not in ("batch_id", "column", "column_A", "column_B")},
         "severity": e.get("severity", "critical"), "on": meta.get("on", "rows"),
         "rows_where": meta.get("rows_where"), "success": None, "checked": None, "unexpected_count": None,
         "unexpected_percent": None, "observed_value": None, "rows": [], "exception": None, "skipped": None,
         "why": meta.get("why"), "problem": meta.get("problem")}
    o.update(kw)
    return o


def _groups(suite: dict, frames: dict[str, pd.DataFrame], period: dict,
            whole_table: bool) -> tuple[list, dict[int, dict]]:
    """Split a suite's expectations by what they run on: [(frame, [expectation, ...]), ...], and the
    outcomes decided without GX (skipped, missing column, bad target), by position in the suite."""
    name = suite["name"]
    groups: dict[tuple, tuple[pd.DataFrame, list]] = {}
    decided: dict[int, dict] = {}
    for k, e in enumerate(suite["expectations"]):
        meta = dict(e.get("meta") or {})
        severity = e.get("severity", "critical")
        if severity not in SEVERITIES:
            decided[k] = _outcome(name, e, success=False, exception=f"unknown severity '{severity}'")
            continue
        on = meta.get("on", "rows")
        if on not in TARGETS:
            decided[k] = _outcome(name, e, success=False, exception=f"unknown target meta.on = '{on}'")
            continue
        kwargs, skip = _fill_placeholders(e["kwargs"], period)
        if skip:
            decided[k] = _outcome(name, e, skipped=skip)
            continue
        frame = frames[on]
        where = meta.get("rows_where") or {}
        gkey: tuple = (on,)
        if where:
            missing = [c for c in where if c not in frame.columns]
            if missing:
                decided[k] = _outcome(name, e, success=False,
                                      exception=f"rows_where names column(s) not in the table: {', '.join(missing)}")
                continue
            mask = np.ones(len(frame), bool)
            for c, v in where.items():
                mask &= (frame[c] == v).fillna(False).to_numpy(dtype=bool)
            if not mask.all():
                gkey = (on, json.dumps(where, sort_keys=True))
                if gkey not in groups:
                    groups[gkey] = (frame[mask], [])
        missing = [c for c in _columns_of(kwargs) if c not in frame.columns]
        if missing:
            decided[k] = _outcome(name, e, success=False, checked=len(frame),
                                  exception=f"column(s) not in the table: {', '.join(missing)}")
            continue
        if gkey not in groups:
            groups[gkey] = (frame, [])
        if on != "schema" and len(groups[gkey][0]) == 0 and (where or not whole_table):
            what = "searches" if on == "rows" else "source files"
            decided[k] = _outcome(name, e, skipped=f"no {what} to check" + (
                ": " + ", ".join(f"{c} = {v}" for c, v in where.items()) + " holds for none" if where else ""))
            continue
        meta["_k"] = k
        groups[gkey][1].append({"type": e["type"], "kwargs": kwargs, "meta": meta, "severity": severity})
    return [g for g in groups.values() if g[1]], decided


def check(suites: list[dict], rows: pd.DataFrame, schema: pd.DataFrame, sources: pd.DataFrame,
          period: dict, cite_all: bool = False) -> tuple[list[dict], list[dict]]:
    """Run every suite on the searches it applies to; return (outcomes in suite order, suites summary).
    Failed expectations cite their first rows; with cite_all, any with unexpected rows do (for slices,
    where a slice can pass a `mostly` threshold the whole table fails)."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch_def = (ctx.data_sources.add_pandas("pandas").add_dataframe_asset("frame")
                 .add_batch_definition_whole_dataframe("all"))
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
        info = {"suite": name, "file": suite.get("_file"), "applies_to": kind or "all searches",
                "searches": len(srows), "sources": len(ssources), "expectations": len(suite["expectations"]),
                "failed": 0, "skipped": None}
        if kind is not None and len(srows) == 0 and len(ssources) == 0:
            info["skipped"] = f"no file in this release is a {SCHEMA_LABELS.get(kind, kind)}"
            outcomes += [_outcome(name, e, skipped=info["skipped"]) for e in suite["expectations"]]
            summary.append(info)
            continue
        frames = {"rows": srows, "schema": schema, "sources": ssources}
        groups, decided = _groups(suite, frames, period, whole_table=kind is None)
        by_k: dict[int, dict] = dict(decided)
        for g, (frame, exps) in enumerate(groups):
            gsuite = gx.ExpectationSuite(name=f"{name}-{g}", expectations=exps)
            res = batch_def.get_batch(batch_parameters={"dataframe": frame}).validate(gsuite, result_format=RESULT_FORMAT)
            for r in res.results:
                cfg = r.expectation_config
                k = (cfg.meta or {}).get("_k")
                e = suite["expectations"][k]
                rr = r.result or {}
                cols = _columns_of(e["kwargs"])
                withheld = any(c in WITHHELD for c in cols)
                exc = _exception(r)
                o = _outcome(name, e, success=bool(r.success), checked=len(frame),
                             unexpected_count=_plain(rr.get("unexpected_count")),
                             unexpected_percent=_plain(rr.get("unexpected_percent")),
                             observed_value=None if withheld else _plain(rr.get("observed_value")),
                             exception=exc)
                # what unexpected_percent was taken of (for adding slices up; not published)
                o["_of"] = _plain(rr.get("element_count")) if e["type"].endswith("_be_null") else \
                    _plain((rr.get("element_count") or 0) - (rr.get("missing_count") or 0))
                if "details" in rr and not withheld:
                    o["details"] = _plain(rr["details"])
                if not r.success or cite_all:
                    o["rows"] = _citations(frame, _unexpected_rows(rr), cols)
                # the kwargs that ran (the period filled in), without GX's batch id
                o["kwargs"] = {kk: _plain(v) for kk, v in cfg.kwargs.items()
                               if kk not in ("batch_id", "column", "column_A", "column_B")}
                by_k[k] = o
        suite_outcomes = [by_k[k] for k in sorted(by_k)]
        info["failed"] = sum(o["success"] is False for o in suite_outcomes)
        outcomes += suite_outcomes
        summary.append(info)
    return outcomes, summary


# ------------------------------------------------------------------------------ tables larger than memory

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

    from pipeline.io.db import connect

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
            df = con.sql(f"""SELECT {", ".join(f'"{c}"' for c in need)} FROM read_parquet('{path}')
                             WHERE "{col}" IN (SELECT "{col}" FROM read_parquet('{path}') GROUP BY 1 HAVING count(*) > 1)
                          """).to_arrow_table().to_pandas()
            present = con.execute(f"""SELECT count("{col}") FROM read_parquet('{path}')""").fetchone()[0]
        elif e["type"] == "expect_table_row_count_to_be_between" and plain:
            df, present = None, None
        else:
            need = sorted((set(_columns_of(e["kwargs"])) | set((e.get("meta") or {}).get("rows_where") or {})
                           | set(CITATION) | (columns & {"reason_clean"})) & names)   # (reason_blank is derived from it)
            df = con.sql(f"""SELECT {", ".join(f'"{c}"' for c in need)} FROM read_parquet('{path}')""").to_arrow_table().to_pandas()
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
            o = _outcome(suite["name"], e, success=True, unexpected_count=0)
        o["checked"] = total
        o["_of"] = present
        o["unexpected_percent"] = 100.0 * (o["unexpected_count"] or 0) / present if present else 0.0
    return o


def _row_count(path: Path) -> int:
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
            mine = [_outcome(suite["name"], e, skipped=summary[si]["skipped"]) for e in suite["expectations"]]
        else:
            summary[si]["skipped"] = None
        summary[si]["failed"] = sum(o["success"] is False for o in mine)
        summary[si]["expectations"] = len(suite["expectations"])
        outcomes += mine
    return outcomes, summary


def run(j: Jurisdiction, suite_path: Path = SUITE) -> dict:
    """Validate the processed table of one jurisdiction; write and return reports/<slug>/validation.json.

    suite_path is the processed-table suite; every other suite in its folder runs too, on the searches
    its meta.applies_to selects.
    """
    t0 = time.perf_counter()
    suites = []
    for p in suite_paths(suite_path):
        s = load_suite(p)
        s["_file"] = str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p)
        suites.append(s)
    path = processed_dir(j.root, j.slug) / "searches.parquet"
    manifest = json.loads((processed_dir(j.root, j.slug) / "manifest.json").read_text(encoding="utf-8"))
    columns, exported = _needed(suites)
    schema = schema_frame(path)
    sources = sources_frame(manifest, exported)
    start, end = period_bounds(j)
    period = {"$period.start": start.isoformat() if start else None, "$period.end": end.isoformat() if end else None}
    total = _row_count(path)
    if total <= VALIDATE_ROWS:
        rows = rows_frame(path, columns, manifest, exported)
        t1 = time.perf_counter()
        outcomes, summary = check(suites, rows, schema, sources, period)
    else:
        t1 = time.perf_counter()
        outcomes, summary = check_in_slices(suites, path, columns, manifest, exported, schema, sources, period,
                                            progress=reporter(j.slug, echo=lambda msg: None))
    for o in outcomes:              # what was kept only for adding slices up
        o.pop("_of", None)
        for c in o["rows"]:
            c.pop("_order", None)
    t2 = time.perf_counter()
    verdict, why = verdict_of(outcomes, manifest)
    import great_expectations as gx
    out = {
        "jurisdiction": j.slug, "synthetic": j.synthetic, "verdict": verdict, "why": why,
        "rows_validated": total,
        "slices": -(-total // VALIDATE_ROWS) if total > VALIDATE_ROWS else 1,
        "period": {"start": j.period_start.isoformat() if j.period_start else None,
                   "end": j.period_end.isoformat() if j.period_end else None, "timezone": j.timezone,
                   "searches_from_utc": period["$period.start"], "searches_before_utc": period["$period.end"]},
        "rejected_by_reason": manifest.get("rejected_by_reason", {}),
        "suites": summary,
        "expectations": outcomes,
        "citations": {"cap": CITE_CAP, "order": "input order of the files (jurisdictions.yml), then row",
                      "values_withheld_for": sorted(WITHHELD)},
        "great_expectations": gx.__version__,
        "seconds": {"load": round(t1 - t0, 2), "validate": round(t2 - t1, 2)},
    }
    write_json(reports_dir(j.root, j.slug) / "validation.json", out)
    return out


# ---------------------------------------------------------------------------------------------- verdict

def _count(n) -> str:
    return f"{n:,}" if isinstance(n, int) else "some"


def describe(o: dict) -> str:
    """A failed expectation in plain English, from its meta.problem ({n}, {pct}, {column}, [one|many])."""
    if o.get("exception") and o.get("unexpected_count") is None:
        return f"the check {o['expectation']} on {o.get('column') or 'the table'} could not run ({o['exception']})"
    pct = o.get("unexpected_percent")
    n = o.get("unexpected_count")
    text = o.get("problem") or f"{{n}} [row|rows] failed {o['expectation']} on {o.get('column') or 'the table'}"
    text = re.sub(r"\[([^|\]]*)\|([^\]]*)\]", lambda m: m.group(1) if n == 1 else m.group(2), text)
    return text.format(n=_count(o.get("unexpected_count")), pct=f"{pct:.1f} %" if isinstance(pct, (int, float)) else "?",
                       column=o.get("column") or "the table")


def cite(c: dict) -> str:
    sheet = f" [{c['source_sheet']}]" if c.get("source_sheet") else ""
    return f"{c['source_file']}{sheet} row {c['source_row']}"


def _worst(failed: list[dict]) -> dict:
    """A failure of the whole table first, then the one touching most rows; ties in suite order."""
    return min(enumerate(failed), key=lambda kv: (kv[1].get("unexpected_count") is not None,
                                                   -(kv[1].get("unexpected_count") or 0), kv[0]))[1]


def _where(o: dict) -> str:
    if not o.get("rows"):
        return ""
    return f" (first at {cite(o['rows'][0])}; rows listed under '{o['suite']}' in validation.json)"


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def verdict_of(outcomes: list[dict], manifest: dict) -> tuple[str, str]:
    """(GREEN | YELLOW | RED, one plain-English sentence naming the worst problem and where to look).

    RED: a critical expectation failed. YELLOW: only warnings failed, or rows were rejected on reading
    for a reason other than layout (repeated header rows, blank rows), or a sheet or archive member was
    not read as searches. GREEN otherwise. Skipped expectations (success None) count for nothing.
    """
    failed = [o for o in outcomes if o.get("success") is False]
    critical = [o for o in failed if o.get("severity", "critical") == "critical"]
    warnings = [o for o in failed if o.get("severity", "critical") != "critical"]
    lost = {k: v for k, v in (manifest.get("rejected_by_reason") or {}).items() if k not in LAYOUT_REJECTS and v}
    lost_text = (f"{sum(lost.values()):,} row(s) were rejected on reading "
                 f"({', '.join(f'{k}: {v:,}' for k, v in sorted(lost.items()))}; see rejected.csv)")
    # A sheet or archive member the readers did not take for a search audit (a cover letter, a pivot
    # table, a PDF beside the CSV): most are what they seem, but a person must confirm none holds searches.
    skipped = manifest.get("skipped") or []
    skipped_text = (f"{len(skipped):,} sheet(s) or file(s) were not read as searches ("
                    + "; ".join(_skipped_item(x) for x in skipped[:5]) + ("; …" if len(skipped) > 5 else "")
                    + "): check that none of them holds searches")
    if critical:
        o = _worst(critical)
        more = (f"; {len(critical)} critical checks failed in all" if len(critical) > 1 else "")
        return "RED", _cap(f"{describe(o)}{_where(o)}: the table cannot be trusted and must not be analysed "
                           f"until this is fixed{more}.")
    if warnings:
        o = _worst(warnings)
        more = f" ({len(warnings)} warnings in all)" if len(warnings) > 1 else ""
        also = (f"; also, {lost_text}" if lost else "") + (f"; also, {skipped_text}" if skipped else "")
        return "YELLOW", _cap(f"{describe(o)}{_where(o)}: the table holds, but read these rows before "
                              f"publishing{more}{also}.")
    if lost:
        return "YELLOW", f"Every check passed, but {lost_text}" + (f"; also, {skipped_text}." if skipped else ".")
    if skipped:
        return "YELLOW", f"Every check passed, but {skipped_text}."
    # Cells that held something the pipeline could not read (a negative count, text in a number column)
    # were left empty in the table: the searches are kept, but a person should look.
    unread = {k: v for k, v in (manifest.get("cells_not_understood") or {}).items() if v}
    if unread:
        return "YELLOW", ("Every check passed, but some cells held values that could not be read and were left "
                          f"empty ({', '.join(f'{k}: {v:,}' for k, v in sorted(unread.items()))}; see "
                          "cells_not_understood in manifest.json).")
    return "GREEN", "Every check passed and every row read was kept or recognised as a duplicate."


def _skipped_item(s: dict) -> str:
    where = s["file"].rsplit("/", 1)[-1] + (f"!{s['member']}" if s.get("member") else "")
    return f"{where}, sheet '{s['sheet']}' ({s['why']})" if s.get("sheet") else f"{where} ({s['why']})"


def read_verdict(reports: Path) -> dict | None:
    """{'verdict', 'why'} from reports/<slug>/validation.json, or None (for the runner and the index page;
    does not import Great Expectations)."""
    p = Path(reports) / "validation.json"
    if not p.exists():
        return None
    d = json.loads(p.read_text(encoding="utf-8"))
    return {"verdict": d.get("verdict"), "why": d.get("why")}


# ------------------------------------------------------------------------------------ notebook displays

def verdict_banner(result: dict):
    """The verdict, big and coloured, with its sentence."""
    from IPython.display import HTML

    v = result["verdict"]
    return HTML(f'<div style="border-left:12px solid {COLOURS.get(v, "#444")};padding:10px 16px;margin:8px 0">'
                f'<div style="font-size:2.4em;font-weight:bold;color:{COLOURS.get(v, "#444")}">{html.escape(v)}</div>'
                f'<div style="font-size:1.2em">{html.escape(result["why"])}</div></div>')


def suites_table(result: dict) -> pd.DataFrame:
    return pd.DataFrame([{"suite": s["suite"], "file": s["file"], "checks": s["applies_to"],
                          "searches": s["searches"], "source files": s["sources"],
                          "expectations": s["expectations"], "failed": s["failed"],
                          "note": s["skipped"] or ""} for s in result["suites"]])


def expectations_table(result: dict, suite: str) -> pd.DataFrame:
    rows = []
    for o in result["expectations"]:
        if o["suite"] != suite:
            continue
        outcome = ("skipped" if o["success"] is None else "passed" if o["success"] else
                   f"FAILED ({o['severity']})")
        rows.append({"expectation": o["expectation"].removeprefix("expect_"), "column": o["column"] or "",
                     "on": o["on"] + (f" where {', '.join(f'{k} = {v}' for k, v in o['rows_where'].items())}"
                                      if o.get("rows_where") else ""),
                     "severity": o["severity"], "outcome": outcome,
                     "unexpected": "" if o["unexpected_count"] is None else f"{o['unexpected_count']:,}",
                     "finding": (describe(o) if o["success"] is False else o["skipped"] or o["why"] or "")})
    return pd.DataFrame(rows, columns=["expectation", "column", "on", "severity", "outcome", "unexpected", "finding"])


def failing_rows(result: dict) -> pd.DataFrame:
    """Every citation of every failed expectation (values of plates and searcher names withheld)."""
    rows = []
    for o in result["expectations"]:
        if o["success"] is not False:
            continue
        for c in o["rows"]:
            rows.append({"suite": o["suite"], "severity": o["severity"],
                         "check": f"{o['expectation'].removeprefix('expect_')} ({o['column'] or 'table'})",
                         "file": c["source_file"], "sheet": c.get("source_sheet") or "", "row": c["source_row"],
                         "value": json.dumps(c["value"], ensure_ascii=False) if "value" in c else "(withheld)",
                         "of": f"{o['unexpected_count']:,}" if isinstance(o["unexpected_count"], int) else ""})
    return pd.DataFrame(rows, columns=["suite", "severity", "check", "file", "sheet", "row", "value", "of"])
