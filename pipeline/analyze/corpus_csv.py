"""A published CSV written by DuckDB's COPY, cell for cell what publish.write_csv writes from the same table.

The citation tables of a corpus (one line per copy of the searches they cite) grow with the corpus: at the
size of the largest public build they hold millions of lines, which pandas would hold in memory twice
(the frame, then write_csv's formula-safe copy). Here the same guarantees are SQL over the query:

* formula-safe: a text cell starting with = + - @ a tab or a carriage return gets a leading apostrophe;
* synthetic: the first column, publish.SYNTHETIC_COLUMN, is publish.SYNTHETIC_LABEL on every row;
* written atomically (pipeline/io/atomic.py), with pandas' spellings of the values: an empty text cell and
  a missing one are both empty, booleans True/False, UTC times "2024-01-01 00:00:01+00:00".

Only the types the corpus tables use are accepted; any other is an error rather than a silent difference.
"""
from __future__ import annotations

from pathlib import Path

from pipeline.io.atomic import atomic_path
from pipeline.io.db import literal
from pipeline.io.publish import FORMULA_START, SYNTHETIC_COLUMN, SYNTHETIC_LABEL

INTEGERS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"}


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _cell(name: str, kind: str) -> str:
    """The SQL of one column's cells, spelled as write_csv (pandas) spells them."""
    c = _ident(name)
    if kind == "VARCHAR":
        starts = ", ".join(literal(s) for s in FORMULA_START)
        return f"CASE WHEN left({c}, 1) IN ({starts}) THEN '''' || {c} ELSE nullif({c}, '') END"
    if kind in INTEGERS:
        return c
    if kind == '"NULL"':     # a column with no value at all (an untyped NULL): empty cells
        return "NULL"
    if kind == "BOOLEAN":
        return f"CASE WHEN {c} THEN 'True' WHEN NOT {c} THEN 'False' END"
    if kind == "TIMESTAMP WITH TIME ZONE":   # the connection is in UTC (pipeline/io/db.py)
        return (f"CASE WHEN microsecond({c}) % 1000000 = 0 THEN strftime({c}, '%Y-%m-%d %H:%M:%S+00:00') "
                f"ELSE strftime({c}, '%Y-%m-%d %H:%M:%S.%f+00:00') END")
    if kind == "DATE":
        return f"strftime({c}, '%Y-%m-%d')"
    raise ValueError(f"column {name!r}: type {kind} is not written by copy_csv (use publish.write_csv)")


def copy_csv(con, query: str, target: Path, *, synthetic: bool, order_by: str = "") -> int:
    """Write `query`'s result to `target` as write_csv would, in `order_by`'s order; return the lines written.

    Columns whose names start with "_" are not written (they may be named in `order_by`)."""
    columns = [r for r in con.execute(f"DESCRIBE ({query})").fetchall() if not r[0].startswith("_")]
    names = [r[0] for r in columns]
    if synthetic and SYNTHETIC_COLUMN in names:
        raise ValueError(f"{Path(target).name}: the table already has a column {SYNTHETIC_COLUMN!r}; the synthetic "
                         "label must not overwrite data")
    cells = [f"{_cell(n, k)} AS {_ident(n)}" for n, k, *_ in columns]
    if synthetic:
        cells.insert(0, f"{literal(SYNTHETIC_LABEL)} AS {_ident(SYNTHETIC_COLUMN)}")
    with atomic_path(target) as tmp:
        order = f" ORDER BY {order_by}" if order_by else ""
        n = con.execute(f"COPY (SELECT {', '.join(cells)} FROM ({query}){order}) TO {literal(tmp)} "
                        "(FORMAT csv, HEADER true)").fetchone()[0]
    return int(n)
