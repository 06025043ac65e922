"""Read a CSV release (Flock export or portal CSV) into staging batches.

Two parsers give the same rows. The fast one (pyarrow's streaming C++ reader, in batches, bounded
memory) is used whenever every record has the header's number of cells. If any record does not
(a blank line, a truncated last record, two exports stacked) or the file does not parse, the file is
read again by Python's csv module, which numbers every record exactly and keeps the malformed ones
as rejected rows, so the citation of every row is the CSV record number a person finds (header = 1).
"""
from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path
from typing import Iterator

import pyarrow as pa
import pyarrow.csv as pacsv

from ..errors import SourceError
from .headers import HeaderMap, headerless_map, is_event_log, map_header
from .rows import extra_json, reject_marks
from .stage import BATCH_ROWS, SourceInfo, build_batch

MAX_CELL_BYTES = 10 * 1024 * 1024   # a cell larger than this is not a Flock value; the file is refused
SNIFF_BYTES = 64 * 1024


def sniff_encoding(path: Path, display: str) -> str:
    """utf-8 (with or without BOM), utf-16 (with BOM) or cp1252; refuse binary files."""
    with open(path, "rb") as f:
        head = f.read(SNIFF_BYTES)
    if not head.strip():
        raise SourceError("the file is empty.", file=display, hint="Ask the agency for the file again.")
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise SourceError("this is not a text CSV file (it holds binary data).", file=display,
                          hint="Check that it is the CSV the agency sent, not a renamed spreadsheet or PDF.")
    dec = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as f:
        try:
            while block := f.read(1 << 22):
                dec.decode(block)
            dec.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
    try:
        dec = codecs.getincrementaldecoder("cp1252")()
        with open(path, "rb") as f:
            while block := f.read(1 << 22):
                dec.decode(block)
        return "cp1252"
    except UnicodeDecodeError:
        raise SourceError("the text is neither UTF-8 nor Windows-1252.", file=display,
                          hint="Re-save it as UTF-8 CSV.") from None


def _first_record(path: Path, encoding: str, display: str) -> list[str]:
    with open(path, encoding=encoding, newline="") as f:
        reader = csv.reader(f)
        try:
            return next(reader, [])
        except csv.Error as e:
            raise SourceError(f"the first record cannot be parsed ({e}).", file=display, row=1) from None


def header_map(path: Path, encoding: str, display: str) -> HeaderMap:
    first = _first_record(path, encoding, display)
    if is_event_log(first):
        raise SourceError("this is a Flock event log (administrative actions such as users and sharing), "
                          "not a search audit; its rows are not searches.", file=display,
                          hint="Remove it from the jurisdiction's inputs.")
    hmap = map_header(first) or headerless_map(first)
    if hmap is None:
        raise SourceError(f"not a Flock search audit this pipeline knows: the header {first[:14]!r} does not "
                          "name a search time and enough known columns, and the first row is not data in "
                          "the standard header-less order.", file=display,
                          hint="If the columns are named differently, add the names to pipeline/rules/columns.yml.")
    return hmap


class NeedsExactRead(Exception):
    """The fast parser met a malformed record: discard what it staged and read the file exactly."""


def read_csv(path: Path, info: SourceInfo, *, exact: bool = False) -> Iterator[pa.RecordBatch]:
    """Yield staging batches for one CSV file; fills `info` as it goes.

    With exact=False this may raise NeedsExactRead part-way; the caller then discards the batches
    and calls again with exact=True (see sources.ingest).
    """
    info.encoding = sniff_encoding(path, info.file)
    hmap = header_map(path, info.encoding, info.file)
    info.schema, info.header, info.has_header, info.columns = hmap.schema, hmap.released, hmap.has_header, hmap.columns
    info.header_row = 1 if hmap.has_header else None
    info.extra_columns = hmap.extra
    info.rows_read = 0
    if exact:
        info.reader = "exact (python csv)"
        yield from _exact(path, info, hmap)
    else:
        info.reader = "fast (pyarrow)"
        yield from _fast(path, info, hmap)


def _fast(path: Path, info: SourceInfo, hmap: HeaderMap) -> Iterator[pa.RecordBatch]:
    ncols = len(hmap.columns)
    bad = []

    def handler(row):
        bad.append(row)
        return "skip"

    names = [f"c{k}" for k in range(ncols)]
    encoding = "utf8" if info.encoding in ("utf-8", "utf-8-sig") else info.encoding
    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1 if hmap.has_header else 0,
                                           encoding=encoding, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False,
                                             invalid_row_handler=handler),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in names},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False))
        first = 2 if hmap.has_header else 1
        for batch in reader:
            if bad:
                raise NeedsExactRead()
            n = batch.num_rows
            cells = {k: batch.column(k) for k in range(batch.num_columns)}
            yield build_batch(hmap.columns, cells, n, info.index, first + info.rows_read,
                              reject=reject_marks(cells, hmap, n), extra=extra_json(cells, hmap, n))
            info.rows_read += n
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError):
        raise NeedsExactRead() from None
    if bad:
        raise NeedsExactRead()


def _exact(path: Path, info: SourceInfo, hmap: HeaderMap) -> Iterator[pa.RecordBatch]:
    ncols = len(hmap.columns)
    csv.field_size_limit(MAX_CELL_BYTES)
    rows: list[list[str]] = []
    row_numbers: list[int] = []
    rejects: list[str | None] = []
    raws: list[str | None] = []

    def flush():
        n = len(rows)
        cols = list(zip(*rows)) if rows else [()] * ncols
        cells = {k: pa.array(cols[k], pa.string()) for k in range(ncols)}
        marks = reject_marks(cells, hmap, n)
        reject = [r or m for r, m in zip(rejects, marks.to_pylist() if marks is not None else [None] * n)]
        batch = build_batch(hmap.columns, cells, n, info.index, pa.array(row_numbers, pa.int64()),
                            reject=pa.array(reject, pa.string()), raw=pa.array(raws, pa.string()),
                            extra=extra_json(cells, hmap, n))
        rows.clear(); row_numbers.clear(); rejects.clear(); raws.clear()
        return batch

    with open(path, encoding=info.encoding, newline="") as f:
        reader = csv.reader(f)
        number = 0
        if hmap.has_header:
            next(reader)
            number = 1
        while True:
            try:
                rec = next(reader)
            except StopIteration:
                break
            except csv.Error as e:
                raise SourceError(f"the CSV cannot be parsed here ({e}).", file=info.file, row=number + 1,
                                  hint="Open the file in a text editor at that row; an unclosed quote or a "
                                       "huge cell is the usual cause.") from None
            number += 1
            info.rows_read += 1
            if len(rec) == ncols:
                rows.append(rec); rejects.append(None); raws.append(None)
            elif not rec or all(not c.strip() for c in rec):
                rows.append([""] * ncols); rejects.append("blank_row"); raws.append(None)
            else:
                rows.append([None] * ncols)
                rejects.append(f"wrong_cell_count: {len(rec)} cells, header has {ncols}")
                raws.append(_raw(rec))
            row_numbers.append(number)
            if len(rows) >= BATCH_ROWS:
                yield flush()
    if rows:
        yield flush()


def _raw(rec: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(rec)
    text = buf.getvalue()
    return text if len(text) <= 2000 else text[:2000] + "…"
