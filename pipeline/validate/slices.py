"""How large a table GX on pandas validates in one pass: a larger one is validated in the engine (engine.py),
which reads searches.parquet with DuckDB and never holds the table in memory."""
from __future__ import annotations

from pathlib import Path

VALIDATE_ROWS = 1_000_000   # searches GX validates in pandas at once; a larger table goes to the engine


def row_count(path: Path) -> int:
    import pyarrow.parquet as pq
    return pq.ParquetFile(path).metadata.num_rows
