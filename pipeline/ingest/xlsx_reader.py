"""Read a workbook (XLSX, XLSM, XLSB, XLS, ODS) into staging batches, one source per audit sheet.

A sheet holds audit rows when one of its first rows is a header the alias table recognises; other
sheets (covers, pivot tables) are skipped and listed in the manifest. Cells keep their released text:
a number typed into Reason becomes its digits ("123", not 123.0), a date cell becomes ISO text.
Row numbers are spreadsheet rows (header = its own row, usually 1).
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree
from typing import Generator

import pyarrow as pa
import python_calamine

from pipeline.errors import SourceError
from pipeline.ingest import limits, sniff
from pipeline.ingest.headers import HeaderMap, is_event_log, map_header
from pipeline.ingest.rows import extra_json, reject_marks
from pipeline.ingest.stage import BATCH_ROWS, ReadResult, SourceInfo, build_batch

HEADER_SEARCH_ROWS = 20
# A formula cell saved without its value (a workbook written by a program that does not compute formulas):
# calamine reads it as empty, which would publish "no stated purpose" for a reason that has one. Such a row
# is rejected, citing the cells, and the reader's note (said in the terminal) counts them.
FORMULA_REJECT = "formula_without_value"
FORMULA_NOTE = "formula cell(s) saved without their value"


def cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, dt.timedelta):
        return str(v)
    return str(v)


def _not_a_workbook(path: Path, display: str) -> None:
    """Refuse, saying what the file really is, a file whose first bytes are not those of its kind of workbook."""
    head = sniff.head(path)
    suffix = Path(display.split("!")[-1]).suffix.lower() or "(no ending)"
    zipped = head.startswith(b"PK\x03\x04")  # xlsx, xlsm, xlsb, ods
    ole = head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # xls (BIFF)
    if ole and suffix != ".xls":
        raise SourceError(
            f"this is an old-style XLS workbook, though its name ends in {suffix}.",
            file=display,
            hint="Save a copy named .xls beside it and list that in inputs.",
        )
    if zipped and suffix == ".xls":
        raise SourceError(
            "this is a zipped workbook (XLSX or similar), though its name ends in .xls.",
            file=display,
            hint="Save a copy named .xlsx beside it and list that in inputs.",
        )
    if zipped or ole:
        return
    markup = sniff.markup_kind(head) if sniff.looks_like_text(head) else None
    if markup:
        raise SourceError(
            f"this is {markup}, not a workbook, though its name ends in {suffix} (some systems export "
            "tables this way).",
            file=display,
            hint="Open it in Excel or LibreOffice, save it as .xlsx as a new file beside it and list that in inputs.",
        )
    if sniff.looks_like_text(head) or head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        raise SourceError(
            f"this is plain text (perhaps a CSV), not a workbook, though its name ends in {suffix}.",
            file=display,
            hint="If it is a CSV, save a copy named .csv beside it and list that in inputs.",
        )
    sig = sniff.signature(head)
    if sig:
        raise SourceError(
            f"this is {sig[0]}, not a workbook, though its name ends in {suffix}.", file=display, hint=sig[1]
        )


def check_unpacked_size(path: Path, display: str) -> None:
    """Refuse a zipped workbook whose parts unpack past the limits (limits.py), before calamine unpacks
    anything: all parts together, and each large part's compression ratio (a 2 MB file whose sheet unpacks
    to 2 GB took 37 s and 2.2 GB of memory). Sizes are those the zip declares."""
    try:
        with zipfile.ZipFile(path) as zf:
            parts = [m for m in zf.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return  # damaged: calamine's refusal says so
    total = sum(m.file_size for m in parts)
    if total > limits.WORKBOOK_UNPACKED_MB.value * 1024**2:
        raise SourceError(
            f"the workbook unpacks to {limits.mb(total)} ({len(parts)} parts), past the limit of "
            f"{limits.WORKBOOK_UNPACKED_MB.value:,} MB; it was not opened.",
            file=display,
            hint=limits.WORKBOOK_UNPACKED_MB.how_to_raise(),
        )
    for m in parts:
        ratio = m.file_size / max(m.compress_size, 1)
        if m.file_size > limits.RATIO_FLOOR_BYTES and ratio > limits.MAX_RATIO.value:
            raise SourceError(
                f"the workbook's part '{m.filename}' unpacks {ratio:,.0f} times ({m.compress_size:,} bytes to "
                f"{limits.mb(m.file_size)}), past the limit of {limits.MAX_RATIO.value:,} times (a zip bomb?); "
                "it was not opened.",
                file=display,
                hint=limits.MAX_RATIO.how_to_raise(),
            )


def open_workbook(path: Path, display: str):
    _not_a_workbook(path, display)
    if sniff.head(path).startswith(b"PK\x03\x04"):
        check_unpacked_size(path, display)
    try:
        return python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as e:  # calamine raises its own error types for every kind of damage
        raise SourceError(
            f"the workbook cannot be opened: it is damaged or not a spreadsheet ({type(e).__name__}: {e}).",
            file=display,
            hint="Check that it is the spreadsheet the agency sent and that it is not damaged; "
            "ask the agency for the file again.",
        ) from None


def _sheet(wb, name: str, display: str):
    try:
        return wb.get_sheet_by_name(name)
    except Exception as e:  # calamine: a damaged sheet
        raise SourceError(
            f"the sheet '{name}' cannot be read: it is damaged ({type(e).__name__}: {e}).",
            file=display,
            hint="Open the workbook in Excel or LibreOffice to check it; ask the agency for the file again.",
        ) from None


def _rows(sheet, display: str, name: str):
    """The sheet's rows; a sheet damaged part-way is refused with a plain message, not a calamine error."""
    it = iter(sheet.iter_rows())
    i = 0
    while True:
        try:
            row = next(it)
        except StopIteration:
            return
        except Exception as e:
            raise SourceError(
                f"the sheet '{name}' cannot be read past row {i} ({type(e).__name__}: {e}).",
                file=display,
                row=i + 1,
                hint="Open the workbook in Excel or LibreOffice to check it; ask the agency for the file again.",
            ) from None
        i += 1
        yield row


def find_header(sheet, display: str = "", name: str = "") -> tuple[int, HeaderMap] | None:
    """(0-based row index, header map) of the first recognisable header in the sheet's first rows."""
    for i, row in enumerate(_rows(sheet, display, name)):
        if i >= HEADER_SEARCH_ROWS:
            break
        cells = [cell_text(c) for c in row]
        if is_event_log(cells):
            return None
        hmap = map_header(cells)
        if hmap:
            return i, hmap
    return None


def audit_sheets(path: Path, display: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Names of sheets holding audit rows, and (sheet, why) for the ones skipped."""
    wb = open_workbook(path, display)
    keep, skipped = [], []
    for name in wb.sheet_names:
        try:
            sheet = wb.get_sheet_by_name(name)
            found = find_header(sheet, display, name)
        except Exception as e:  # a damaged sheet: listed as skipped; the workbook fails only if none is readable
            skipped.append((name, f"cannot be read ({e})"))
            continue
        if found:
            keep.append(name)
        else:
            skipped.append((name, "no search-audit header in its first rows (a cover, pivot or summary sheet)"))
    return keep, skipped


def formula_cells_without_value(path: Path, sheet: str) -> dict[int, list[str]]:
    """{spreadsheet row: [cell references]} of the formula cells of an XLSX/XLSM sheet that hold no
    cached value. Other workbook kinds (XLS, XLSB, ODS) are binary or keep values otherwise: {}."""
    try:
        with zipfile.ZipFile(path) as zf:
            part = _sheet_part(zf, sheet)
            if part is None or not _has_formula(zf, part):
                return {}
            out: dict[int, list[str]] = {}
            with zf.open(part) as f:
                for _, el in ElementTree.iterparse(f):
                    tag = el.tag.rsplit("}", 1)[-1]
                    if tag == "row":
                        el.clear()  # (its cells are read: keep memory flat over a million rows)
                    if tag != "c":
                        continue
                    kids = {k.tag.rsplit("}", 1)[-1]: k for k in el}
                    value = kids.get("v")
                    cached = value is not None and (value.text or el.get("t") in ("str", "s", "inlineStr"))
                    if "f" in kids and not cached and el.get("r"):
                        ref = el.get("r")
                        out.setdefault(int(re.sub(r"[A-Z]+", "", ref)), []).append(ref)
                    el.clear()
            return out
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError, ValueError):
        return {}  # not an XML workbook, or damaged: calamine's reading says so


def _sheet_part(zf: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip part holding the sheet named `sheet` (xl/workbook.xml names it, its rels file locates it)."""
    names = set(zf.namelist())
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return None
    rid = None
    for el in ElementTree.fromstring(zf.read("xl/workbook.xml")).iter():
        if el.tag.endswith("}sheet") and el.get("name") == sheet:
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
    for el in ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels")):
        if rid and el.get("Id") == rid:
            target = el.get("Target", "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            return part if part in names else None
    return None


def _has_formula(zf: zipfile.ZipFile, part: str) -> bool:
    """A quick scan of the sheet's bytes for a formula element (most exports have none: no XML parse)."""
    rx = re.compile(rb"<(?:\w+:)?f[ >/]")
    tail = b""
    with zf.open(part) as f:
        while block := f.read(1 << 20):
            if rx.search(tail + block):
                return True
            tail = block[-16:]
    return False


def _column(ref: str) -> int:
    """'C12' -> 2 (0-based column of a cell reference)."""
    n = 0
    for ch in re.match(r"[A-Z]+", ref).group(0):
        n = n * 26 + ord(ch) - 64
    return n - 1


def _formulas_in_columns(path: Path, name: str, sheet, ncols: int) -> dict[int, list[str]]:
    """The formula cells without a value that fall in the header's columns, by spreadsheet row."""
    first_col = sheet.start[1] if sheet.start else 0
    found = formula_cells_without_value(path, name)
    kept = {r: [c for c in refs if 0 <= _column(c) - first_col < ncols] for r, refs in found.items()}
    return {r: refs for r, refs in kept.items() if refs}


def _with_formulas(reject: pa.Array | None, numbers: list[int], formulas: dict[int, list[str]]) -> pa.Array | None:
    """The batch's reject marks, with `formula_without_value: <cells>` on the rows holding such cells (a
    repeated header or blank row keeps its own mark)."""
    if not formulas or not any(n in formulas for n in numbers):
        return reject
    marks = reject.to_pylist() if reject is not None else [None] * len(numbers)
    for i, n in enumerate(numbers):
        if n in formulas and marks[i] is None:
            marks[i] = f"{FORMULA_REJECT}: {' '.join(formulas[n])}"
    return pa.array(marks, pa.string())


def read_sheet(path: Path, info: SourceInfo) -> Generator[pa.RecordBatch, None, ReadResult]:
    """Yield staging batches for one audit sheet (`info` says which) and return what was read."""
    wb = open_workbook(path, info.file)
    where = f"{info.file} [{info.sheet}]"
    sheet = _sheet(wb, info.sheet, where)
    found = find_header(sheet, where, info.sheet)
    if not found:
        raise SourceError(
            "the sheet has no search-audit header.",
            file=where,
            hint="Check the sheet; add unknown column names to pipeline/rules/columns.yml.",
        )
    header_index, hmap = found
    ncols = len(hmap.columns)
    read = ReadResult(
        schema=hmap.schema,
        header=hmap.released,
        columns=hmap.columns,
        has_header=True,
        header_row=header_index + 1,
        extra_columns=hmap.extra,
        reader="calamine",
    )
    pending: list[list[str]] = []  # blank rows are held back: trailing ones are sheet padding, not rows
    rows: list[list[str]] = []
    numbers: list[int] = []
    formulas = _formulas_in_columns(path, info.sheet, sheet, ncols)
    if formulas:
        n = sum(len(v) for v in formulas.values())
        cells = [ref for row in sorted(formulas) for ref in formulas[row]]
        read.notes.append(
            f"{n:,} {FORMULA_NOTE} (never read as blank: their rows are rejected as {FORMULA_REJECT}): "
            + ", ".join(cells[:10])
            + (", …" if len(cells) > 10 else "")
        )

    def flush():
        n = len(rows)
        cols = list(zip(*rows))
        cells = {k: pa.array(cols[k], pa.string()) for k in range(ncols)}
        batch = build_batch(
            hmap.columns,
            cells,
            n,
            info.index,
            pa.array(numbers, pa.int64()),
            reject=_with_formulas(reject_marks(cells, hmap, n), numbers, formulas),
            extra=extra_json(cells, hmap, n),
        )
        rows.clear()
        numbers.clear()
        return batch

    for i, row in enumerate(_rows(sheet, where, info.sheet)):
        if i <= header_index:
            continue
        cells = [cell_text(c) for c in row[:ncols]] + [""] * max(0, ncols - len(row))
        if len(row) > ncols and any(cell_text(c).strip() for c in row[ncols:]):
            read.notes.append(f"row {i + 1} has values beyond the header's last column; they are ignored")
        if not any(c.strip() for c in cells):
            pending.append(i + 1)
            continue
        for blank in pending:  # blank rows between data rows are rows read, rejected as blank
            rows.append([""] * ncols)
            numbers.append(blank)
        pending.clear()
        rows.append(cells)
        numbers.append(i + 1)
        if len(rows) >= BATCH_ROWS:
            read.rows_read += len(rows)
            yield flush()
    if rows:
        read.rows_read += len(rows)
        yield flush()
    if pending:
        read.notes.append(f"{len(pending)} empty row(s) after the last data row (sheet padding) not counted")
    return read
