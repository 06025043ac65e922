"""Tables meant for spreadsheets: written atomically, with formula injection neutralised.

A cell that starts with =, +, -, @, a tab or a carriage return would be run as a formula by Excel or
LibreOffice. Such cells get a leading apostrophe, which spreadsheets show as text and which is the only
change: the released value is the cell without its first character.

A table made from synthetic data says so on every row (its first column, SYNTHETIC_COLUMN): a reporter who
loads one CSV into a chart tool, far from the page and its banner, cannot miss that the figures are invented.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.io.atomic import atomic_path
from pipeline.io.db import literal

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The first column of every row of a CSV made from synthetic data (the HTML pages carry report.render's banner).
SYNTHETIC_COLUMN = "data"
SYNTHETIC_LABEL = "SYNTHETIC: generated test data, not a real release"


def spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = _safe_column(out[col])
    return out


def _safe_column(values: pd.Series) -> pd.Series:
    """The column with an apostrophe before every string cell that starts like a formula; other cells as
    they are. Vectorised (a reason list can hold a million cells); a column of objects that are not
    strings at all has no .str and is mapped cell by cell."""
    try:
        risky = values.str.startswith(FORMULA_START)
    except AttributeError:
        return values.map(lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v)
    risky = risky.fillna(False).astype(bool)
    if not risky.any():
        return values
    values = values.copy()
    values[risky] = "'" + values[risky]
    return values


def write_csv(df: pd.DataFrame, target: Path, *, synthetic: bool, **to_csv) -> Path:
    """The one writer of every CSV under reports/: atomic, formula-safe, no index column. With synthetic,
    every row starts with SYNTHETIC_COLUMN = SYNTHETIC_LABEL. `synthetic` has no default: no caller can
    publish a table made from generated data without saying so."""
    out = spreadsheet_safe(df)
    if synthetic:
        if SYNTHETIC_COLUMN in out.columns:
            raise ValueError(f"{target.name}: the table already has a column {SYNTHETIC_COLUMN!r}; the synthetic "
                             "label must not overwrite data")
        out.insert(0, SYNTHETIC_COLUMN, SYNTHETIC_LABEL)
    with atomic_path(target) as tmp:
        out.to_csv(tmp, index=False, **to_csv)
    return target


# DuckDB types write_query_csv writes itself, as pandas writes them; a query with another type (a float, a
# date, a HUGEINT, which pandas reads as a float) goes through pandas.
_COPIED_TYPES = {"VARCHAR", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER",
                 "UBIGINT"}


def write_query_csv(con, query: str, target: Path, *, order_by: list[str], synthetic: bool) -> Path:
    """The rows of `query`, in the order of its columns `order_by`, written as write_csv writes them, by
    DuckDB itself with no pandas frame in between (a category's searches can be most of a release: 31 MB
    of CSV for a month). The same bytes as write_csv (tests/test_published.py): text cells formula-safe,
    a NULL and an empty text both empty, the synthetic label first, quotes only where Python's csv module
    puts them (DuckDB's COMMENT '' stops it quoting every '#'). A column whose name starts with "_" is
    there only to sort by and is not written.

    The order is the COPY's own ORDER BY: SQL does not promise that an ORDER BY inside a query survives
    into a table, and in DuckDB 2.0.1 it did not, for about 1 file in 4 of 300,000 rows
    (tests/test_published.py). Written through write_csv instead: a column of a type other than text or
    integer, a single column (Python writes an empty cell alone as ""), or a carriage return in a cell
    (DuckDB quotes it, Python does not)."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _to_publish AS {query}")    # run once, checked, then written
    try:
        return _copy_csv(con, "_to_publish", target, order_by=order_by, synthetic=synthetic)
    finally:
        con.execute("DROP TABLE IF EXISTS _to_publish")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _copy_csv(con, table: str, target: Path, *, order_by: list[str], synthetic: bool) -> Path:
    rel = con.table(table)
    shown = [(n, str(t)) for n, t in zip(rel.columns, rel.types) if not n.startswith("_")]
    order = ", ".join(f"{table}.{_quoted(c)}" for c in order_by)   # the stored values, not the safe ones
    text = [_quoted(n) for n, t in shown if t == "VARCHAR"]
    if len(shown) < 2 or any(t not in _COPIED_TYPES for _, t in shown) or (text and con.sql(
            f"SELECT bool_or({' OR '.join(f'contains({q}, chr(13))' for q in text)}) FROM {table}").fetchall()[0][0]):
        frame = con.sql(f"SELECT {', '.join(_quoted(n) for n, _ in shown)} FROM {table} ORDER BY {order}").df()
        return write_csv(frame, target, synthetic=synthetic)
    if synthetic and SYNTHETIC_COLUMN in rel.columns:
        raise ValueError(f"{target.name}: the table already has a column {SYNTHETIC_COLUMN!r}; the synthetic "
                         "label must not overwrite data")
    starts = ", ".join(f"chr({ord(c)})" for c in FORMULA_START)
    # pandas writes '' and NULL alike (empty); DuckDB would quote the empty text, so it is made NULL
    cells = [f"CASE WHEN left({_quoted(n)}, 1) IN ({starts}) THEN chr(39) || {_quoted(n)} "
             f"ELSE nullif({_quoted(n)}, '') END AS {_quoted(n)}" if t == "VARCHAR" else _quoted(n) for n, t in shown]
    label = f"{literal(SYNTHETIC_LABEL)} AS {SYNTHETIC_COLUMN}, " if synthetic else ""
    with atomic_path(target) as tmp:
        con.execute(f"COPY (SELECT {label}{', '.join(cells)} FROM {table} ORDER BY {order}) TO {literal(tmp)} "
                    "(FORMAT csv, HEADER, DELIMITER ',', COMMENT '')")
    return target
