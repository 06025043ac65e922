"""Tables meant for spreadsheets: written atomically, with formula injection neutralised.

A cell that starts with =, +, -, @, a tab or a carriage return would be run as a formula by Excel or
LibreOffice. Such cells get a leading apostrophe, which spreadsheets show as text and which is the only
change: the released value is the cell without its first character.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.io.atomic import atomic_path

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v)
    return out


def write_csv(df: pd.DataFrame, target: Path, **to_csv) -> Path:
    """The one writer of every CSV under reports/: atomic, formula-safe, no index column."""
    with atomic_path(target) as tmp:
        spreadsheet_safe(df).to_csv(tmp, index=False, **to_csv)
    return target
