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
