"""The frames the suites are checked against: the searches (`rows`, with derived columns), the table's
schema and the sources (from the manifest)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.contracts import Schema
from pipeline.validate.suites import CITATION, DERIVED, columns_of


def _schema_of(kind: str | None) -> str | None:
    """'flock_export csv' -> 'flock_export'; a container alone ('csv') has no schema."""
    if not kind:
        return None
    first = kind.split()[0]
    return first if first in tuple(Schema) else None


# exported_<name> flags that stand for any of several columns: a Time Frame is one cell or a start/end pair;
# a portal export states its reason as free text, as Flock's dropdown value (offenseType), or both
ANY_OF = {
    "time_frame": {"time_frame", "time_frame_start", "time_frame_end"},
    "any_reason": {"reason", "offense_type"},
}


def _exported(canonical: list, column: str) -> bool:
    cols = {c for c in canonical if c}
    return bool(cols & ANY_OF.get(column, {column}))


def sources_frame(manifest: dict, exported: set[str]) -> pd.DataFrame:
    """One row per source (file, or sheet of a workbook) of the manifest, cited at its header row."""
    rows = []
    for k, s in enumerate(manifest.get("sources", [])):
        row = {
            "source_file": s["file"],
            "source_sheet": s.get("sheet"),
            "source_row": int(s.get("header_row") or 1),
            "source_kind": _schema_of(s.get("detected_kind")),
            "_source": k,
        }
        for c in exported:
            row[f"exported_{c}"] = _exported(s.get("canonical_columns") or [], c)
        rows.append(row)
    cols = ["source_file", "source_sheet", "source_row", "source_kind", "_source"] + [f"exported_{c}" for c in exported]
    df = pd.DataFrame(rows, columns=cols)
    df.index = pd.RangeIndex(len(df), name="_row")
    return df


def needed_columns(suites: list[dict]) -> tuple[set[str], set[str]]:
    """(columns of searches.parquet to load, canonical columns whose exported_ flag is used)."""
    cols, exported = set(CITATION), set()
    for s in suites:
        for e in s["expectations"]:
            meta = e.get("meta") or {}
            names = columns_of(e["kwargs"]) + list(meta.get("rows_where") or {})
            for c in names:
                if c.startswith("exported_"):
                    exported.add(c[len("exported_") :])
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
    for c in CITATION:  # a table without its citations still gets validated (and fails)
        if c not in df.columns:
            df[c] = pd.Series([None] * len(df), dtype="object") if c != "source_row" else 0
    src = sources_frame(manifest, exported)
    key = df["source_file"].astype("str") + "\x1f" + df["source_sheet"].fillna("").astype("str")
    src_key = src["source_file"].astype("str") + "\x1f" + src["source_sheet"].fillna("").astype("str")
    codes, uniques = pd.factorize(key, use_na_sentinel=False)  # few distinct sources: match those only
    where = pd.Series(range(len(src)), index=src_key.to_numpy(), dtype="float64")
    where = where[~where.index.duplicated()]
    pos = where.reindex(uniques).to_numpy()  # source position, NaN if the manifest lacks it
    ok = ~np.isnan(pos)[codes]
    take = np.nan_to_num(pos).astype("int64")[codes]
    if len(src) == 0:
        src = pd.concat([src, pd.DataFrame([{"source_kind": None}])], ignore_index=True)  # a row to point at
    df["source_kind"] = pd.Series(
        np.where(ok, src["source_kind"].to_numpy(dtype=object)[take], None), index=df.index, dtype="object"
    )
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
