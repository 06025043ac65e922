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
from pipeline.io.text import BIDI_RE, strip_bidi, strip_bidi_sql

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


def _plain(v):
    return strip_bidi(v) if isinstance(v, str) else v


def _safe_cell(v):
    """One cell as _safe_column writes it."""
    v = _plain(v)
    return "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v


def _safe_column(values: pd.Series) -> pd.Series:
    """The column with an apostrophe before every string cell that starts like a formula, and without
    bidirectional controls (io/text.py); other cells as they are. Vectorised (a reason list can hold a
    million cells); a column of objects that are not strings at all has no .str and is mapped cell by cell."""
    try:
        if values.str.contains(BIDI_RE, regex=True).fillna(False).astype(bool).any():
            values = values.map(_plain)  # (cell by cell: .str.replace would blank the cells that are not text)
        risky = values.str.startswith(FORMULA_START)
    except AttributeError:
        return values.map(_safe_cell)
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
            raise ValueError(
                f"{target.name}: the table already has a column {SYNTHETIC_COLUMN!r}; the synthetic "
                "label must not overwrite data"
            )
        out.insert(0, SYNTHETIC_COLUMN, SYNTHETIC_LABEL)
    with atomic_path(target) as tmp:
        out.to_csv(tmp, index=False, **to_csv)
    return target


# DuckDB integer types pandas reads as integers (HUGEINT it reads as a float: "3.0"), written as they are.
_INTEGERS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"}


def _cell(name: str, kind: str) -> str:
    """The SQL of one column's cells, spelled as write_csv (pandas) spells them; ValueError for a type it
    would spell differently."""
    from pipeline.io.db import identifier

    c = identifier(name)
    if kind == "VARCHAR":  # formula-safe; pandas writes '' and NULL alike (empty), DuckDB would quote ''
        starts = ", ".join(f"chr({ord(s)})" for s in FORMULA_START)
        c = strip_bidi_sql(c)
        return f"CASE WHEN left({c}, 1) IN ({starts}) THEN chr(39) || {c} ELSE nullif({c}, '') END"
    if kind in _INTEGERS:
        return c
    if kind == '"NULL"':  # a column with no value at all (an untyped NULL): empty cells
        return "NULL"
    if kind == "BOOLEAN":
        return f"CASE WHEN {c} THEN 'True' WHEN NOT {c} THEN 'False' END"
    if kind == "TIMESTAMP WITH TIME ZONE":  # the connection is in UTC (pipeline/io/db.py)
        return (
            f"CASE WHEN microsecond({c}) % 1000000 = 0 THEN strftime({c}, '%Y-%m-%d %H:%M:%S+00:00') "
            f"ELSE strftime({c}, '%Y-%m-%d %H:%M:%S.%f+00:00') END"
        )
    if kind == "DATE":
        return f"strftime({c}, '%Y-%m-%d')"
    raise ValueError(f"column {name!r}: type {kind} is not written by write_query_csv (use write_csv)")


def write_query_csv(
    con, query: str, target: Path, *, synthetic: bool, order_by: tuple[str, ...] | list[str] = ()
) -> int:
    """The rows of `query`, in the order of its columns `order_by`, written as write_csv writes them, by
    DuckDB itself with no pandas frame in between (a category's searches can be most of a release, a
    corpus's citations millions of lines); returns the lines written. The same bytes as write_csv
    (tests/test_published.py, tests/test_corpus_scale.py): text cells formula-safe, a NULL and an empty
    text both empty, pandas' spellings of integers, booleans, UTC times and dates (any other type is an
    error, not a silent difference), the synthetic label first, quotes only where Python's csv module puts
    them (DuckDB's COMMENT '' stops it quoting every '#'). A column whose name starts with "_" is there only
    to sort by and is not written.

    The query runs once, into a temporary table. The order is the COPY's own ORDER BY on the stored values:
    SQL does not promise that an ORDER BY inside a query survives into a table, and in DuckDB 2.0.1 it did
    not, for about 1 file in 4 of 300,000 rows (tests/test_published.py). Written through write_csv (in
    memory) instead: a single column (Python writes an empty cell alone as "") or a carriage return in a
    cell (DuckDB quotes it, Python does not)."""
    from pipeline.io.db import identifier, literal

    con.execute(f"CREATE OR REPLACE TEMP TABLE _to_publish AS {query}")
    try:
        rel = con.table("_to_publish")
        shown = [(n, str(t)) for n, t in zip(rel.columns, rel.types) if not n.startswith("_")]
        cells = [f"{_cell(n, t)} AS {identifier(n)}" for n, t in shown]
        if synthetic and SYNTHETIC_COLUMN in [n for n, _ in shown]:
            raise ValueError(
                f"{target.name}: the table already has a column {SYNTHETIC_COLUMN!r}; the synthetic "
                "label must not overwrite data"
            )
        order = ", ".join(f"_to_publish.{identifier(c)}" for c in order_by)  # the stored values, not the safe ones
        order = f" ORDER BY {order}" if order else ""
        text = [identifier(n) for n, t in shown if t == "VARCHAR"]
        if len(shown) < 2 or (
            text
            and con.sql(
                f"SELECT bool_or({' OR '.join(f'contains({q}, chr(13))' for q in text)}) FROM _to_publish"
            ).fetchall()[0][0]
        ):
            frame = con.sql(f"SELECT {', '.join(identifier(n) for n, _ in shown)} FROM _to_publish{order}").df()
            write_csv(frame, target, synthetic=synthetic)
            return len(frame)
        if synthetic:
            cells.insert(0, f"{literal(SYNTHETIC_LABEL)} AS {identifier(SYNTHETIC_COLUMN)}")
        with atomic_path(target) as tmp:
            return int(
                con.execute(
                    f"COPY (SELECT {', '.join(cells)} FROM _to_publish{order}) TO {literal(tmp)} "
                    "(FORMAT csv, HEADER, DELIMITER ',', COMMENT '')"
                ).fetchone()[0]
            )
    finally:
        con.execute("DROP TABLE IF EXISTS _to_publish")
