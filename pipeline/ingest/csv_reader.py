"""Read a CSV release (Flock export or portal CSV) into staging batches.

Two parsers give the same rows. The fast one (pyarrow's streaming C++ reader, in batches, bounded
memory) is used whenever every record has the header's number of cells. If any record does not
(a blank line, a truncated last record, two exports stacked) or the file does not parse, the file is
read again by Python's csv module, which numbers every record exactly and keeps the malformed ones
as rejected rows, so the citation of every row is the CSV record number a person finds (header = 1).

What is refused, with the row where there is one (a file that cannot be read at all stops its
jurisdiction; rows that can be kept are kept):
- a file that is not text (a PDF, a workbook, an image named .csv), UTF-16 without a byte-order mark,
  text that is neither UTF-8 nor Windows-1252, a NUL byte inside the text;
- a header with no rows after it;
- a quote opened in some row and never closed (it would swallow every later row into one cell);
- a cell larger than MAX_CELL_BYTES;
- columns separated by semicolons or tabs in a .csv (a .tsv is read as tab-separated).

The reader's parts, one job each: csv_text (what the bytes are), csv_header (the header), csv_exact (the exact
reader); this module chooses the reader and holds the fast one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Generator, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pipeline.errors import SourceError
from pipeline.ingest.csv_exact import may_hold_records, read_exact
from pipeline.ingest.csv_header import delimiter_of, header_map
from pipeline.ingest.csv_text import MAX_CELL_BYTES, scan_text
from pipeline.ingest.headers import HeaderMap
from pipeline.ingest.rows import extra_json, reject_marks
from pipeline.ingest.stage import ReadResult, SourceInfo, build_batch

__all__ = ["NeedsExactRead", "NotUtf8", "delimiter_of", "header_map", "read_csv", "scan_text"]


class NeedsExactRead(Exception):
    """The fast parser met a malformed record: discard what it staged and read the file exactly."""


class NotUtf8(NeedsExactRead):
    """The fast parser met text that is not UTF-8 in a file taken to be UTF-8: discard what it staged and
    read again with the encoding a full scan finds (read_csv(..., trust_utf8=False))."""


def read_csv(
    path: Path, info: SourceInfo, *, exact: bool = False, trust_utf8: bool = True
) -> Generator[pa.RecordBatch, None, ReadResult]:
    """Yield staging batches for one CSV file (`info` says where it is) and return what was read.

    With exact=False this may raise NeedsExactRead part-way; the caller then discards the batches
    and calls again with exact=True, or NotUtf8, and the caller calls again with trust_utf8=False
    (see sources.Ingest).
    """
    scan = scan_text(path, info.file, trust_utf8=trust_utf8 and not exact)
    if scan.assumed and (scan.odd_quotes or scan.has_nul):  # the exact reader needs the true encoding
        scan = scan_text(path, info.file)
    read = ReadResult(encoding=scan.encoding)
    delimiter = delimiter_of(path)
    hmap = header_map(path, read.encoding, info.file, delimiter)
    read.schema, read.header, read.has_header, read.columns = hmap.schema, hmap.released, hmap.has_header, hmap.columns
    read.header_row = 1 if hmap.has_header else None
    read.extra_columns = hmap.extra
    if exact or scan.odd_quotes or scan.has_nul:
        read.reader = "exact (python csv)"
        yield from read_exact(path, info, read, hmap, delimiter)
    else:
        read.reader = "fast (pyarrow)"
        yield from _fast(path, info, read, hmap, delimiter, utf8_assumed=scan.assumed, has_cr=scan.has_cr)
    if read.rows_read == 0:
        raise SourceError(
            "the file has a header but no rows.",
            file=info.file,
            hint="Check that this is the release you meant to add; remove it from the inputs if it holds no data.",
        )
    if delimiter == "\t" and "tab-separated" not in read.notes:
        read.notes.append("tab-separated")
    return read


def _fast(
    path: Path,
    info: SourceInfo,
    read: ReadResult,
    hmap: HeaderMap,
    delimiter: str = ",",
    utf8_assumed: bool = False,
    has_cr: bool = True,
) -> Iterator[pa.RecordBatch]:
    ncols = len(hmap.columns)
    # every record here is whole (a malformed one sends the file to the exact reader), so a record starts on
    # the line after the one before it ends: its own line plus the line breaks held inside its quoted cells
    line = 1 + (1 + sum(_breaks_in(c) for c in hmap.released) if hmap.has_header else 0)
    bad = []

    def handler(row):
        bad.append(row)
        return "skip"

    names = [f"c{k}" for k in range(ncols)]
    encoding = "utf8" if read.encoding in ("utf-8", "utf-8-sig") else read.encoding
    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(
                column_names=names, skip_rows=1 if hmap.has_header else 0, encoding=encoding, block_size=1 << 24
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=handler
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        first = 2 if hmap.has_header else 1
        for batch in reader:
            if bad:
                raise NeedsExactRead()
            n = batch.num_rows
            cells = {k: batch.column(k) for k in range(batch.num_columns)}
            if n and any((pc.max(pc.binary_length(c)).as_py() or 0) > MAX_CELL_BYTES for c in cells.values()):
                raise NeedsExactRead()  # the exact reader names the row of the oversized cell
            if n and any(may_hold_records(c, ncols, delimiter) for c in cells.values()):
                raise NeedsExactRead()  # a cell spanning lines that look like records: checked exactly
            lines, line = _record_lines(cells, n, line, has_cr)
            yield build_batch(
                hmap.columns,
                cells,
                n,
                info.index,
                first + read.rows_read,
                reject=reject_marks(cells, hmap, n),
                extra=extra_json(cells, hmap, n),
                lines=lines,
            )
            read.rows_read += n
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError) as e:
        if utf8_assumed and ("utf8" in str(e).lower().replace("-", "") or isinstance(e, UnicodeDecodeError)):
            raise NotUtf8() from None
        raise NeedsExactRead() from None
    if bad:
        raise NeedsExactRead()


def _breaks_in(text: str) -> int:
    """Line breaks in a cell as a text editor counts them: CR LF, LF or a lone CR is one."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _record_lines(cells: dict[int, pa.Array], n: int, first_line: int, has_cr: bool) -> tuple[pa.Array, int]:
    """(the line each of a batch's n records starts on, the line after the batch): a record spans one line
    plus the line breaks inside its cells (vectorised; carriage returns only when the file holds one)."""
    breaks = np.zeros(n, dtype="int64")
    for col in cells.values():
        _add_breaks(breaks, col, has_cr)
    spans = breaks + 1
    ends = np.cumsum(spans)
    return pa.array(first_line + ends - spans), first_line + int(ends[-1]) if n else first_line


def _add_breaks(breaks: np.ndarray, col: pa.Array, has_cr: bool) -> None:
    """Add to breaks[i] the line breaks in cell i of col (CR LF, LF or a lone CR each count one).

    Found in the column's bytes with numpy and mapped to cells through the offsets (measured faster than
    pyarrow's count_substring, and a column with no break costs one comparison)."""
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    _, offsets_buf, data_buf = col.buffers()[:3]
    if data_buf is None or len(col) == 0:
        return
    wide = pa.types.is_large_string(col.type) or pa.types.is_large_binary(col.type)
    offsets = np.frombuffer(offsets_buf, dtype="int64" if wide else "int32")[col.offset : col.offset + len(col) + 1]
    lo = int(offsets[0])
    cell_starts = offsets - lo
    data = np.frombuffer(data_buf, dtype="uint8")[lo : int(offsets[-1])]
    for code in (10, 13) if has_cr else (10,):
        at = np.flatnonzero(data == code)
        if len(at) == 0:
            continue
        cell = np.searchsorted(cell_starts, at, side="right") - 1
        if code == 13:  # a CR right before an LF of the same cell is one break with it, already counted
            nxt = at + 1
            pair = (nxt < cell_starts[cell + 1]) & (data[np.minimum(nxt, len(data) - 1)] == 10)
            cell = cell[~pair]
        breaks += np.bincount(cell, minlength=len(breaks))
