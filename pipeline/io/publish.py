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
            out[col] = out[col].map(lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v)
    return out


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
