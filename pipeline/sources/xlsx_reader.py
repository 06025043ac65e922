"""Read a workbook (XLSX, XLSM, XLSB, XLS, ODS) into staging batches, one source per audit sheet.

A sheet holds audit rows when one of its first rows is a header the alias table recognises; other
sheets (covers, pivot tables) are skipped and listed in the manifest. Cells keep their released text:
a number typed into Reason becomes its digits ("123", not 123.0), a date cell becomes ISO text.
Row numbers are spreadsheet rows (header = its own row, usually 1).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Iterator

import pyarrow as pa
import python_calamine

from ..errors import SourceError
from .headers import HeaderMap, is_event_log, map_header
from .rows import extra_json, reject_marks
from .stage import BATCH_ROWS, SourceInfo, build_batch

HEADER_SEARCH_ROWS = 20
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")


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


def open_workbook(path: Path, display: str):
    try:
        return python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as e:  # calamine raises its own error types for every kind of damage
        raise SourceError(f"the workbook cannot be opened ({type(e).__name__}: {e}).", file=display,
                          hint="Check that it is the spreadsheet the agency sent and that it is not damaged.") from None


def find_header(sheet) -> tuple[int, HeaderMap] | None:
    """(0-based row index, header map) of the first recognisable header in the sheet's first rows."""
    for i, row in enumerate(sheet.iter_rows()):
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
        except Exception as e:
            skipped.append((name, f"cannot be read ({e})"))
            continue
        if find_header(sheet):
            keep.append(name)
        else:
            skipped.append((name, "no search-audit header in its first rows (a cover, pivot or summary sheet)"))
    return keep, skipped


def read_sheet(path: Path, info: SourceInfo) -> Iterator[pa.RecordBatch]:
    wb = open_workbook(path, info.file)
    sheet = wb.get_sheet_by_name(info.sheet)
    found = find_header(sheet)
    if not found:
        raise SourceError("the sheet has no search-audit header.", file=f"{info.file} [{info.sheet}]")
    header_index, hmap = found
    ncols = len(hmap.columns)
    info.schema, info.header, info.columns = hmap.schema, hmap.released, hmap.columns
    info.has_header, info.header_row = True, header_index + 1
    info.extra_columns = hmap.extra
    info.reader = "calamine"
    info.rows_read = 0
    pending: list[list[str]] = []     # blank rows are held back: trailing ones are sheet padding, not rows
    rows: list[list[str]] = []
    numbers: list[int] = []

    def flush():
        n = len(rows)
        cols = list(zip(*rows))
        cells = {k: pa.array(cols[k], pa.string()) for k in range(ncols)}
        batch = build_batch(hmap.columns, cells, n, info.index, pa.array(numbers, pa.int64()),
                            reject=reject_marks(cells, hmap, n), extra=extra_json(cells, hmap, n))
        rows.clear(); numbers.clear()
        return batch

    for i, row in enumerate(sheet.iter_rows()):
        if i <= header_index:
            continue
        cells = [cell_text(c) for c in row[:ncols]] + [""] * max(0, ncols - len(row))
        if len(row) > ncols and any(cell_text(c).strip() for c in row[ncols:]):
            info.notes.append(f"row {i + 1} has values beyond the header's last column; they are ignored")
        if not any(c.strip() for c in cells):
            pending.append(i + 1)
            continue
        for blank in pending:          # blank rows between data rows are rows read, rejected as blank
            rows.append([""] * ncols); numbers.append(blank)
        pending.clear()
        rows.append(cells); numbers.append(i + 1)
        if len(rows) >= BATCH_ROWS:
            info.rows_read += len(rows)
            yield flush()
    if rows:
        info.rows_read += len(rows)
        yield flush()
    if pending:
        info.notes.append(f"{len(pending)} empty row(s) after the last data row (sheet padding) not counted")
