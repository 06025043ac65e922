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
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Generator, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pipeline.errors import SourceError
from pipeline.ingest import sniff
from pipeline.ingest.headers import HeaderMap, headerless_map, is_event_log, map_header
from pipeline.ingest.rows import extra_json, reject_marks
from pipeline.ingest.stage import BATCH_ROWS, ReadResult, SourceInfo, build_batch

MAX_CELL_BYTES = 10 * 1024 * 1024  # a cell larger than this is not a Flock value; the file is refused
SNIFF_BYTES = 64 * 1024
SCAN_BLOCK = 1 << 22
RESAVE = "Re-save it as UTF-8 CSV as a new file beside it (raw files are never changed) and list that in inputs."


@dataclass
class TextScan:
    """What one pass over a CSV's bytes found before parsing."""

    encoding: str
    odd_quotes: bool = False  # an odd number of '"': a quote may be left open (read exactly to find it)
    has_nul: bool = False  # a NUL character inside the text (read exactly to name its row)
    has_cr: bool = True  # a carriage return somewhere (line breaks may be CR LF or a lone CR, not only LF)
    assumed: bool = False  # UTF-8 taken on trust from the first 64 KB; the fast parser checks the rest


def _line_of(path: Path, offset: int) -> int:
    """1-based line (as a text editor counts) holding byte `offset`."""
    line, done = 1, 0
    with open(path, "rb") as f:
        while done < offset and (block := f.read(min(SCAN_BLOCK, offset - done))):
            line += block.count(b"\n")
            done += len(block)
    return line


# Long (~70 lines) on purpose: one pass over the bytes finds the encoding, the quoting and what the file really is.
def scan_text(path: Path, display: str, trust_utf8: bool = False) -> TextScan:  # noqa: C901 - one pass over the bytes decides encoding, quoting and kind
    """Encoding (utf-8 with or without BOM, utf-16 with BOM, or cp1252) and what parsing must watch for.

    Refuses what is not CSV text, saying what the file really is. With trust_utf8, a file whose first
    64 KB are UTF-8 is taken to be UTF-8 without decoding the rest here: the fast parser validates every
    cell anyway and raises NotUtf8 if it meets a byte that is not, and the file is then scanned in full.
    """
    head = sniff.head(path, SNIFF_BYTES)
    utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    text = head[2:].replace(b"\x00", b"") if utf16 else head.removeprefix(codecs.BOM_UTF8)
    if not text.strip():
        raise SourceError(
            "the file is empty (it holds only blank space).", file=display, hint="Ask the agency for the file again."
        )
    if utf16:
        return _scan_utf16(path, display)
    bom = head.startswith(codecs.BOM_UTF8)
    if not bom:
        sig = sniff.signature(head)
        if sig:
            raise SourceError(
                f"this is {sig[0]}, not a text CSV file, though its name ends in "
                f"{Path(display.split('!')[-1]).suffix or '(no ending)'}.",
                file=display,
                hint=sig[1],
            )
        if sniff.utf16_without_bom(head):
            raise SourceError(
                "the text is UTF-16 without a byte-order mark, which cannot be read safely.", file=display, hint=RESAVE
            )
        if head.count(0) > max(1, len(head) // 100) or (
            b"\x00" in head and not sniff.looks_like_text(head.replace(b"\x00", b""))
        ):
            raise SourceError(
                "this is not a text CSV file (it holds binary data).",
                file=display,
                hint="Check that it is the CSV the agency sent, not a renamed spreadsheet, PDF or image.",
            )
    quotes, nul, cr = 0, False, False
    dec = codecs.getincrementaldecoder("utf-8")()
    offset, bad_at = 0, None
    if trust_utf8:
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head)  # (a character cut at 64 KB is fine)
        except UnicodeDecodeError:
            trust_utf8 = False
    with open(path, "rb") as f:
        while block := f.read(SCAN_BLOCK):
            quotes += block.count(b'"')
            nul = nul or b"\x00" in block
            cr = cr or b"\r" in block
            if bad_at is None and not trust_utf8:
                try:
                    dec.decode(block)
                except UnicodeDecodeError as e:
                    bad_at = offset + e.start
            offset += len(block)
    if trust_utf8:
        return TextScan("utf-8-sig" if bom else "utf-8", quotes % 2 == 1, nul, cr, assumed=True)
    if bad_at is None:
        try:
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            bad_at = offset - 1
    if bad_at is None:
        return TextScan("utf-8-sig" if bom else "utf-8", quotes % 2 == 1, nul, cr)
    if bom:
        raise SourceError(
            f"the file starts with a UTF-8 mark, but byte {_byte(path, bad_at)} on line "
            f"{_line_of(path, bad_at)} is not UTF-8 (the file is damaged or mixes encodings).",
            file=display,
            hint=RESAVE,
        )
    dec = codecs.getincrementaldecoder("cp1252")()
    offset = 0
    with open(path, "rb") as f:
        try:
            while block := f.read(SCAN_BLOCK):
                dec.decode(block)
                offset += len(block)
        except UnicodeDecodeError as e:
            at = offset + e.start
            raise SourceError(
                f"the text is neither UTF-8 nor Windows-1252: byte {_byte(path, at)} on line "
                f"{_line_of(path, at)} is not a character in either.",
                file=display,
                hint=RESAVE,
            ) from None
    return TextScan("cp1252", quotes % 2 == 1, nul, cr)


def _byte(path: Path, offset: int) -> str:
    with open(path, "rb") as f:
        f.seek(offset)
        return f"0x{f.read(1).hex().upper()}"


def _scan_utf16(path: Path, display: str) -> TextScan:
    quotes, nul = 0, False
    dec = codecs.getincrementaldecoder("utf-16")()
    try:
        with open(path, "rb") as f:
            while block := f.read(SCAN_BLOCK):
                text = dec.decode(block)
                quotes += text.count('"')
                nul = nul or "\x00" in text
            dec.decode(b"", final=True)
    except UnicodeDecodeError as e:
        raise SourceError(
            f"the file starts with a UTF-16 mark but is not valid UTF-16 ({e.reason}).", file=display, hint=RESAVE
        ) from None
    return TextScan("utf-16", quotes % 2 == 1, nul)


def delimiter_of(path: Path) -> str:
    """A .tsv is tab-separated; every other CSV release is comma-separated."""
    return "\t" if path.suffix.lower() == ".tsv" else ","


def _first_record(path: Path, encoding: str, display: str, delimiter: str = ",") -> list[str]:
    csv.field_size_limit(MAX_CELL_BYTES)
    try:
        with open(path, encoding=encoding, newline="") as f:
            lines = _Lines(f)
            first = next(csv.reader(lines, delimiter=delimiter), [])
            if lines.eof and first:
                raise SourceError(_NEVER_CLOSED, file=display, row=1, hint=_NEVER_CLOSED_HINT)
            return first
    except csv.Error as e:
        raise SourceError(
            f"the first record cannot be parsed ({e}).",
            file=display,
            row=1,
            hint="Open the file in a text editor; an unclosed quote or a huge cell is the usual cause.",
        ) from None
    except UnicodeError as e:
        raise SourceError(
            f"the text cannot be decoded as {encoding} ({e.reason}).", file=display, hint=RESAVE
        ) from None


_SEPARATORS = {",": "commas (',')", ";": "semicolons (';')", "\t": "tabs", "|": "vertical bars ('|')"}


def header_map(path: Path, encoding: str, display: str, delimiter: str = ",") -> HeaderMap:
    first = _first_record(path, encoding, display, delimiter)
    if not first or all(not c.strip() for c in first):
        raise SourceError(
            "the first line is empty: there is no header (or first record) to read.",
            file=display,
            row=1,
            hint="Check the file in a text editor; ask the agency for the file again.",
        )
    if is_event_log(first):
        raise SourceError(
            "this is a Flock event log (administrative actions such as users and sharing), "
            "not a search audit; its rows are not searches.",
            file=display,
            hint="Remove it from the jurisdiction's inputs.",
        )
    hmap = map_header(first) or headerless_map(first)
    if hmap is None:
        joined = delimiter.join(first)
        for other in _SEPARATORS:
            if other != delimiter and other in joined and map_header(joined.split(other)):
                hint = (
                    "Save a copy named .tsv beside it (a .tsv is read as tab-separated) and list that in inputs."
                    if other == "\t"
                    else "Save a copy named .csv beside it and list that in inputs."
                    if other == ","
                    else "Re-save it as comma-separated CSV (in Excel: Save As > CSV UTF-8) as a new file beside it "
                    "and list that in inputs."
                )
                raise SourceError(
                    f"the columns are separated by {_SEPARATORS[other]}, not {_SEPARATORS[delimiter]}.",
                    file=display,
                    hint=hint,
                )
        raise SourceError(
            f"not a Flock search audit this pipeline knows: the header {first[:14]!r} does not "
            "name a search time and enough known columns, and the first row is not data in "
            "the standard header-less order.",
            file=display,
            hint="If the columns are named differently, add the names to pipeline/rules/columns.yml.",
        )
    return hmap


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
        yield from _exact(path, info, read, hmap, delimiter)
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
            if n and any(_may_hold_records(c, ncols, delimiter) for c in cells.values()):
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


_NEVER_CLOSED = (
    "a quoted cell opened in this row is never closed: every line after it, to the end of the file, "
    "would be read as one cell."
)
_SWALLOWED = (
    "a quoted cell opened in this row is not closed where it should be: it runs over {k} line(s) that "
    "look like records of their own (the first: line {line} of the cell), which would be lost inside it."
)
_NEVER_CLOSED_HINT = (
    'Open the file in a text editor at that row and look for a " without its partner; ask the '
    "agency for a clean export (raw files are never edited)."
)
MIN_COLUMNS_FOR_RECORD_CHECK = 5  # with fewer columns a line of free text could look like a record
LINE_CHARS = 2 * MAX_CELL_BYTES  # longest line handed to csv at once (bounds memory on a file with no line breaks)


def _may_hold_records(col: pa.Array, ncols: int, delimiter: str) -> bool:
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


class _Lines:
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
def _exact(
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
        lines = _Lines(f)
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
                raise SourceError(_NEVER_CLOSED, file=info.file, row=number, hint=_NEVER_CLOSED_HINT)
            swallowed = _swallowed_lines(rec, ncols, delimiter)
            if swallowed:
                raise SourceError(
                    _SWALLOWED.format(k=swallowed[0], line=swallowed[1]),
                    file=info.file,
                    row=number,
                    hint=_NEVER_CLOSED_HINT,
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
