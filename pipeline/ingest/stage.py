"""The staging table: every row read from every source, in canonical columns, with its citation.

Readers yield record batches in this schema; `clean` turns the staged rows into searches. Every
value is text exactly as released (None only where the column was not in the release), so nothing
is typed, trimmed or dropped before `clean` decides and counts it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.contracts import Schema
from pipeline.ingest.headers import CANONICAL

# source_line: the physical line of the file where a CSV record starts (null for sheets and PDF pages, which
# have rows, not lines); it differs from source_row when a quoted cell holds line breaks.
CITATION = [("source_index", pa.int32()), ("source_row", pa.int64()), ("source_line", pa.int64())]
EXTRA = [("reject_reason", pa.string()), ("raw_record", pa.string()), ("extra", pa.string())]
SCHEMA = pa.schema([(c, pa.string()) for c in CANONICAL] + CITATION + EXTRA)

BATCH_ROWS = 100_000


@dataclass
class ReadResult:
    """What a reader found in one source. The reader builds it as it goes and returns it when its batches
    are done (the generator's return value); the caller adds it to the source's SourceInfo."""

    schema: Schema | None = None
    encoding: str | None = None
    header: list[str] = field(default_factory=list)
    has_header: bool = True
    header_row: int | None = None  # spreadsheet row of the header (1 for CSV)
    columns: list[str | None] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    rows_read: int = 0
    reader: str | None = None  # which parser produced the rows (fast or exact)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SourceInfo:
    """One readable unit of a release (a CSV, a sheet, a zip member, a PDF page): where it is, and (once
    read) what its reader returned."""

    index: int
    file: str  # path in the repo, with "!member" for zip members
    sha256: str  # of the raw file on disk (the zip itself for members)
    bytes: int
    container: str  # csv | xlsx | pdf | zip
    sheet: str | None = None  # a workbook's sheet, or a PDF's page ("page 12")
    member_sha256: str | None = None
    stage: str | None = None
    read: ReadResult = field(default_factory=ReadResult)  # what its reader returned

    def with_read(self, read: ReadResult) -> "SourceInfo":
        return dataclasses.replace(self, read=read)

    @property
    def rows_read(self) -> int:
        return self.read.rows_read

    @property
    def schema(self) -> Schema | None:
        return self.read.schema

    @property
    def detected_kind(self) -> str:
        return f"{self.schema} {self.container}" if self.schema else self.container

    def manifest(self) -> dict:
        r = self.read
        return {
            "file": self.file,
            "sheet": self.sheet,
            "bytes": self.bytes,
            "sha256": self.sha256,
            "member_sha256": self.member_sha256,
            "detected_kind": self.detected_kind,
            "encoding": r.encoding,
            "has_header": r.has_header,
            "header_row": r.header_row,
            "header_as_released": r.header,
            "canonical_columns": r.columns,
            "extra_columns": r.extra_columns,
            "rows_read": r.rows_read,
            "reader": r.reader,
            "notes": r.notes,
        }


class StageWriter:
    """Write one source's batches to its own Parquet file (so a source can be re-read alone)."""

    def __init__(self, path: Path):
        self.path = path
        # Staging files are read a few times and deleted: lz4 without dictionaries is the fastest to write
        # here short of leaving them uncompressed (3 times the disk).
        self._writer = pq.ParquetWriter(path, SCHEMA, compression="lz4", use_dictionary=False)
        self.rows = 0

    def write(self, batch: pa.RecordBatch) -> None:
        self._writer.write_batch(batch)
        self.rows += batch.num_rows

    def close(self) -> None:
        self._writer.close()


def build_batch(
    columns: list[str | None],
    cells: dict[int, pa.Array],
    n: int,
    source_index: int | pa.Array,
    first_row: int | pa.Array,
    reject: pa.Array | None = None,
    raw: pa.Array | None = None,
    extra: pa.Array | None = None,
    lines: pa.Array | None = None,
) -> pa.RecordBatch:
    """Assemble a staging batch from positional cell arrays (`cells[k]` is column k of the source);
    `lines` is each row's source_line (CSV only; null otherwise)."""
    arrays = []
    pos = {c: k for k, c in enumerate(columns) if c}
    for c in CANONICAL:
        arrays.append(cells[pos[c]] if c in pos and pos[c] in cells else pa.nulls(n, pa.string()))
    if isinstance(source_index, int):
        arrays.append(pa.array([source_index] * n, pa.int32()) if n else pa.array([], pa.int32()))
    else:  # one source per row: the pages of a PDF share one staging file
        arrays.append(source_index)
    if isinstance(first_row, int):
        import numpy as np

        arrays.append(pa.array(np.arange(first_row, first_row + n, dtype="int64")))
    else:
        arrays.append(first_row)
    arrays.append(lines if lines is not None else pa.nulls(n, pa.int64()))
    arrays.append(reject if reject is not None else pa.nulls(n, pa.string()))
    arrays.append(raw if raw is not None else pa.nulls(n, pa.string()))
    arrays.append(extra if extra is not None else pa.nulls(n, pa.string()))
    return pa.RecordBatch.from_arrays(arrays, schema=SCHEMA)
