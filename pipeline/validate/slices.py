"""How large a table GX on pandas validates in one pass: a larger one is validated in the engine (engine.py),
which reads searches.parquet with DuckDB and never holds the table in memory."""

from __future__ import annotations

from pathlib import Path

# Searches GX validates in pandas at once; a larger table goes to the engine, which gives the same
# validation.json (tests/test_validate_engine.py) in about half the time at a month's 730,000 searches
# (3.9 s against 7.0 s, most of both being GX's import). Every bundled real release is under it.
VALIDATE_ROWS = 100_000


def row_count(path: Path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows
