"""The exact CSV reader (Python's csv module): numbers every record as a person counts it and keeps the
malformed ones as rejected rows; used when the fast reader meets a record it cannot take whole. Also the
checks both readers share for a quote left open: a cell that swallows lines looking like records of their own."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterator

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.errors import SourceError
from pipeline.ingest.csv_text import MAX_CELL_BYTES, RESAVE
from pipeline.ingest.headers import HeaderMap
from pipeline.ingest.rows import extra_json, reject_marks
from pipeline.ingest.stage import BATCH_ROWS, ReadResult, SourceInfo, build_batch

NEVER_CLOSED = (
    "a quoted cell opened in this row is never closed: every line after it, to the end of the file, "
    "would be read as one cell."
)
_SWALLOWED = (
    "a quoted cell opened in this row is not closed where it should be: it runs over {k} line(s) that "
    "look like records of their own (the first: line {line} of the cell), which would be lost inside it."
)
NEVER_CLOSED_HINT = (
    'Open the file in a text editor at that row and look for a " without its partner; ask the '
    "agency for a clean export (raw files are never edited)."
)
MIN_COLUMNS_FOR_RECORD_CHECK = 5  # with fewer columns a line of free text could look like a record
LINE_CHARS = 2 * MAX_CELL_BYTES  # longest line handed to csv at once (bounds memory on a file with no line breaks)


def may_hold_records(col: pa.Array, ncols: int, delimiter: str) -> bool:
    """Whether some cell of the column holds a line with as many delimiters as a whole record (vectorised)."""
    if ncols < MIN_COLUMNS_FOR_RECORD_CHECK:
        return False
    counts = pc.count_substring(col, delimiter)
    if (pc.max(counts).as_py() or 0) < ncols - 1:  # the usual case: one cheap pass, nothing to look at
        return False
    cand = pc.filter(col, pc.and_(pc.greater_equal(counts, ncols - 1), pc.match_substring_regex(col, "[\r\n]")))
    if len(cand) == 0:
        return False
    lines = pc.list_flatten(pc.split_pattern_regex(cand, r"\r\n|\r|\n"))
    return (pc.max(pc.count_substring(lines, delimiter)).as_py() or 0) >= ncols - 1


def _swallowed_lines(rec: list[str], ncols: int, delimiter: str) -> tuple[int, int] | None:
    """(lines that parse as a whole record, the first one's line number in its cell) inside the record's cells."""
    if ncols < MIN_COLUMNS_FOR_RECORD_CHECK:
        return None
    found, first = 0, None
    for cell in rec:
        if "\n" not in cell and "\r" not in cell:
            continue
        for k, line in enumerate(cell.splitlines(), start=1):
            if line.count(delimiter) >= ncols - 1 and len(next(csv.reader([line], delimiter=delimiter), [])) == ncols:
                found += 1
                first = first or k
    return (found, first) if found else None


class Lines:
    """The file's lines for csv.reader, noting when the end of the file is reached.

    csv.reader asks for another line only while a record is unfinished; if it meets the end of the file
    there, the record was cut off inside a quoted cell.
    """

    def __init__(self, f):
        self.f, self.eof = f, False
        self.ended = 0  # lines read to their end (LF, CR LF or a lone CR): the next record starts on ended + 1

    def __iter__(self):
        return self

    def __next__(self):
        line = self.f.readline(LINE_CHARS)
        if not line:
            self.eof = True
            raise StopIteration
        if line[-1] in "\r\n":  # (a line longer than LINE_CHARS comes in parts; only its last part ends it)
            self.ended += 1
        return line


# Long (~70 lines) on purpose: one loop over the records of a malformed file, each row kept or rejected with its number.
def read_exact(
    path: Path, info: SourceInfo, read: ReadResult, hmap: HeaderMap, delimiter: str = ","
) -> Iterator[pa.RecordBatch]:
    ncols = len(hmap.columns)
    csv.field_size_limit(MAX_CELL_BYTES)
    rows: list[list[str]] = []
    row_numbers: list[int] = []
    line_numbers: list[int] = []
    rejects: list[str | None] = []
    raws: list[str | None] = []

    def flush():
        n = len(rows)
        cols = list(zip(*rows)) if rows else [()] * ncols
        cells = {k: pa.array(cols[k], pa.string()) for k in range(ncols)}
        marks = reject_marks(cells, hmap, n)
        reject = [r or m for r, m in zip(rejects, marks.to_pylist() if marks is not None else [None] * n)]
        batch = build_batch(
            hmap.columns,
            cells,
            n,
            info.index,
            pa.array(row_numbers, pa.int64()),
            reject=pa.array(reject, pa.string()),
            raw=pa.array(raws, pa.string()),
            extra=extra_json(cells, hmap, n),
            lines=pa.array(line_numbers, pa.int64()),
        )
        rows.clear()
        row_numbers.clear()
        line_numbers.clear()
        rejects.clear()
        raws.clear()
        return batch

    with open(path, encoding=read.encoding, newline="") as f:
        lines = Lines(f)
        reader = csv.reader(lines, delimiter=delimiter)
        number = 0
        while True:
            start = lines.ended + 1  # the physical line this record starts on
            try:
                rec = next(reader)
            except StopIteration:
                break
            except csv.Error as e:
                if "field larger than field limit" in str(e):
                    raise SourceError(
                        f"a cell is larger than {MAX_CELL_BYTES // 1024**2} MB, which no Flock "
                        "value is (or a quote opened here is never closed).",
                        file=info.file,
                        row=number + 1,
                        hint="Open the file at that row in a text editor; ask the agency for a clean export.",
                    ) from None
                raise SourceError(
                    f"the CSV cannot be parsed here ({e}).",
                    file=info.file,
                    row=number + 1,
                    hint="Open the file in a text editor at that row; an unclosed quote or a "
                    "huge cell is the usual cause.",
                ) from None
            except UnicodeError as e:
                raise SourceError(
                    f"the text after row {number} cannot be decoded as {read.encoding} ({e.reason}).",
                    file=info.file,
                    row=number + 1,
                    hint=RESAVE,
                ) from None
            number += 1
            if lines.eof and rec:
                raise SourceError(NEVER_CLOSED, file=info.file, row=number, hint=NEVER_CLOSED_HINT)
            swallowed = _swallowed_lines(rec, ncols, delimiter)
            if swallowed:
                raise SourceError(
                    _SWALLOWED.format(k=swallowed[0], line=swallowed[1]),
                    file=info.file,
                    row=number,
                    hint=NEVER_CLOSED_HINT,
                )
            if any("\x00" in c for c in rec):
                raise SourceError(
                    "this row holds a NUL byte (0x00), which no text export contains: the file is damaged.",
                    file=info.file,
                    row=number,
                    hint="Ask the agency for the file again.",
                )
            if number == 1 and hmap.has_header:
                continue
            read.rows_read += 1
            if len(rec) == ncols:
                rows.append(rec)
                rejects.append(None)
                raws.append(None)
            elif not rec or all(not c.strip() for c in rec):
                rows.append([""] * ncols)
                rejects.append("blank_row")
                raws.append(None)
            else:
                rows.append([None] * ncols)
                rejects.append(f"wrong_cell_count: {len(rec)} cells, header has {ncols}")
                raws.append(_raw(rec))
            row_numbers.append(number)
            line_numbers.append(start)
            if len(rows) >= BATCH_ROWS:
                yield flush()
    if rows:
        yield flush()


def _raw(rec: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(rec)
    text = buf.getvalue()
    return text if len(text) <= 2000 else text[:2000] + "…"
