"""A corpus of bad inputs, each made here (no blobs committed), and what the pipeline must do with it.

One table (CASES): for every case the files written under data/raw/<slug>/, the jurisdictions.yml entry's
overrides, and the outcome expected:

- `error`: a PipelineError whose message is one paragraph, names the file (data/raw/<slug>/<file>, and
  the row where there is one), says what to do (SourceError: a hint sentence), and nothing else happens:
  every input byte-identical (SHA-256), nothing under data/processed/<slug>/ (or, after an earlier good
  run, exactly what that run left), no scratch folder or temporary file, nothing under reports/.
- `kept`: the rows that can be kept are kept (searches), the bad ones are in rejected.csv with their reason
  and row, and the inputs are byte-identical.

Decisions this corpus pins down (README "Method" describes the same):
- a header with no rows, and a file (or sheet) none of whose rows can be kept (blank lines only, every
  search time unreadable, every record malformed), stop the jurisdiction: a release that yields 0 searches
  is not reported as "0 searches";
- a workbook sheet with a header and no rows is skipped (listed in the manifest) when another sheet has rows;
- a quote that is never closed stops the file, naming the row where it opened; so does a quoted cell that
  runs over lines that look like whole records (they would vanish inside it). A quote that spoils only its
  own record makes that record `wrong_cell_count` (raw text in rejected.csv), and the others are kept;
- a NUL byte inside the text stops the file, naming the row; a file that is not text (PDF, workbook, image
  named .csv) or is UTF-16 without a byte-order mark is refused saying what it is;
- a .csv separated by semicolons or tabs is refused, naming the separator; a .tsv is read as tab-separated;
- a count that is not a non-negative whole number (-5, 2.5) is not understood: null, counted in the
  manifest's `cells_not_understood`, the search kept;
- a second column of the same meaning (two `Reason` headers) and unknown columns are kept as extra
  columns, listed in the manifest, not fatal.

A few cases also go through the real command line (`python -m pipeline run`), in a copy of the project.
The number of cases tried is in the id of test_corpus_has_at_least_30_cases and in a warning.
"""

from __future__ import annotations

import codecs
import importlib
import io
import os
import resource
import shutil
import subprocess
import sys
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import openpyxl
import pandas as pd
import pytest
import yaml

from pipeline import ROOT
from pipeline.config import load, select
from pipeline.errors import ConfigError, PipelineError, SourceError
from pipeline.io.hashing import sha256_file

from builders import EXPORT_HEADER, uid
from conftest import built, entry
import pdf_fixtures as pdfs

SLUG = "bad-j"
HDR = EXPORT_HEADER
PORTAL = "id,userId,searchDate,networkCount,reason"


# ---------------------------------------------------------------------------------------------- builders


def export_row(i: int, reason="Investigation", t="12/01/2025, 05:30:00 AM UTC", networks="3", devices="120") -> str:
    tf = '"11/01/2025, 05:30:00 AM UTC\n12/01/2025, 05:29:00 AM UTC"'
    return f'{uid(i)},***,Houston TX PD,{networks},{devices},{tf},***,"{reason}",***,,"{t}",search,,'


def export(*rows: str, header: str | None = HDR, nl: str = "\n") -> str:
    return nl.join(([header] if header else []) + list(rows)) + nl


def portal_row(i: int, t="2026-03-10T04:31:52.901Z", reason="Investigation", networks="2") -> str:
    return f"{uid(i)},***,{t},{networks},{reason}"


def portal(*rows: str, header: str = PORTAL, nl: str = "\n") -> str:
    return nl.join([header] + list(rows)) + nl


GOOD = portal(portal_row(1), portal_row(2), portal_row(3))


def zipped(members: dict, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buf.getvalue()


def _zip_patch(data: bytes, local: dict[int, int], central: dict[int, int]) -> bytes:
    """Set bytes of the first member's local header and central-directory entry (offsets from each start)."""
    z = bytearray(data)
    cd = z.rfind(b"PK\x01\x02")
    for k, v in local.items():
        z[k] = v
    for k, v in central.items():
        z[cd + k] = v
    return bytes(z)


def zip_bad_crc() -> bytes:
    z = bytearray(zipped({"a.csv": GOOD}, zipfile.ZIP_STORED))
    z[30 + len("a.csv") + 10] ^= 0x01  # one byte of the stored data: the CRC no longer matches
    return bytes(z)


def zip_bad_deflate() -> bytes:
    z = bytearray(zipped({"a.csv": GOOD * 50}))
    for k in range(40, 60):
        z[k] ^= 0xFF
    return bytes(z)


def workbook(sheets: dict[str, list[list]]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def sheet_rows(*ids: int) -> list[list]:
    return [PORTAL.split(",")] + [portal_row(i).split(",") for i in ids]


def write_50mb_cell(path: Path) -> None:
    """Row 3 holds a 50 MB reason cell; written in blocks so the test itself stays small in memory."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(PORTAL + "\n" + portal_row(1) + "\n")
        f.write(portal_row(2, reason='"'))
        block = "x" * (1 << 20)
        for _ in range(50):
            f.write(block)
        f.write('"\n' + portal_row(3) + "\n")


def workbook_bomb(path: Path, megabytes: int = 40) -> None:
    """A real workbook whose sheet is padded with `megabytes` MB of spaces inside its XML: about 40 KB on
    disk, unpacking about 1,000 times (the issue's 2 MB file unpacked to 2 GB)."""
    good = zipfile.ZipFile(io.BytesIO(workbook({"Audit": sheet_rows(1, 2, 3)})))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in good.infolist():
            data = good.read(info)
            if info.filename.startswith("xl/worksheets/"):
                with out.open(info.filename, "w", force_zip64=True) as f:
                    head, tail = data.split(b"<sheetData>", 1)
                    f.write(head + b"<sheetData>")
                    block = b" " * (1 << 20)
                    for _ in range(megabytes):
                        f.write(block)
                    f.write(tail)
            else:
                out.writestr(info, data)


def formula_reasons(n: int = 300, every: int = 5, of: int = 2) -> bytes:
    """n searches whose Reason is, on `of` rows of every `every`, a formula saved without its value (as a
    program that does not compute formulas writes it): 120 of 300, as in the issue."""
    rows = sheet_rows()
    for i in range(1, n + 1):
        cells = portal_row(i).split(",")
        if i % every < of:
            cells[4] = f'=CONCAT("Investigation ",{i})'
        rows.append(cells)
    return workbook({"Audit": rows})


def _formula_cells(m, j):
    """Every formula cell is cited (rejected.csv: its row and cell), and the manifest's note counts them."""
    rej = pd.read_csv(j.root / "data/processed" / j.slug / "rejected.csv", keep_default_na=False)
    assert list(rej["reject_reason"][:2]) == ["formula_without_value: E2", "formula_without_value: E6"]
    assert rej["reject_reason"].str.fullmatch(r"formula_without_value: E\d+").all()
    (note,) = [n for s in m["sources"] for n in s.get("notes", []) if "formula" in n]
    assert note.startswith("120 formula cell(s) saved without their value") and "E2, E6, E7" in note
    searches = pd.read_parquet(j.root / "data/processed" / j.slug / "searches.parquet")
    assert searches["reason_clean"].notna().all()  # no formula was read as a blank reason
    from pipeline.validate.verdict import verdict_of

    verdict, why = verdict_of([], m)  # what 02 and the index say
    assert verdict == "YELLOW" and "formula_without_value: 120" in why, why


def million_page_pdf(levels: int = 6, fan: int = 10) -> bytes:
    """A PDF whose page tree names one page fan**levels times: a million pages, each a line of text, in
    1,351 bytes (the issue's 1.3 KB PDF that was still being read after 100 s)."""
    objs = {1: b"<< /Type /Catalog /Pages 2 0 R >>"}
    page, content = 2 + levels, 3 + levels
    for k in range(levels):
        child = 3 + k if k < levels - 1 else page
        parent = f" /Parent {1 + k} 0 R" if k else ""
        kids = " ".join([f"{child} 0 R"] * fan)
        objs[2 + k] = f"<< /Type /Pages{parent} /Kids [{kids}] /Count {fan ** (levels - k)} >>".encode()
    objs[page] = (
        f"<< /Type /Page /Parent {1 + levels} 0 R /MediaBox [0 0 612 792] /Contents {content} 0 R /Resources "
        "<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>"
    ).encode()
    stream = b"BT /F1 12 Tf 72 720 Td (a line of text) Tj ET"
    objs[content] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    out, offsets = bytearray(b"%PDF-1.4\n"), {}
    for n in sorted(objs):
        offsets[n] = len(out)
        out += b"%d 0 obj\n" % n + objs[n] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in sorted(objs))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def lazy(make: Callable[[], bytes]) -> Callable[[Path], None]:
    """A file made only when its case runs (PDFs are generated, some are large)."""
    return lambda path: path.write_bytes(make())


def pdf_zip(members: dict[str, Callable[[], bytes]]) -> Callable[[Path], None]:
    return lazy(lambda: zipped({name: make() for name, make in members.items()}))


def _pdf_skipped(*whys):
    def check(m, j):
        assert [(s["sheet"], s["why"]) for s in m["skipped"]] == list(whys), m["skipped"]

    return check


def _pdf_pages(*sheets):
    def check(m, j):
        assert [(s["file"].split(f"data/raw/{SLUG}/")[1], s["sheet"]) for s in m["sources"]] == list(sheets)

    return check


def _unanchored() -> bytes:
    return pdfs.audit_pdf(pdfs.nine_rows(9), "9", id_offset={4: 150.0})


def _bad_time() -> bytes:
    rows = pdfs.five_rows(4)
    rows[1]["Search Time"] = "yesterday"
    return pdfs.audit_pdf(rows, "5")


# ---------------------------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Case:
    name: str
    files: dict  # name under data/raw/<slug>/ -> bytes | str | callable(path)
    expect: str  # "error" | "kept"
    words: tuple[str, ...] = ()  # error: words the message must hold (case-insensitive)
    file: str | None = None  # error: the file the message names, under data/raw/<slug>/
    row: int | None = None  # error: the row the message names
    error: type = SourceError
    entry: dict = field(default_factory=dict)  # overrides of the entry (a value may be callable(root))
    extra_entries: tuple = ()  # more entries in jurisdictions.yml
    setup: Callable | None = None  # setup(root, raw_dir): links, folders, outside files
    later: dict = field(default_factory=dict)  # files added after a first, good build
    patch: tuple = ()  # (module, attribute, value) set for the case
    env: dict = field(default_factory=dict)  # environment variables set for the case (limits.py's)
    searches: int | None = None  # kept: searches
    rejected: dict = field(default_factory=dict)  # kept: {reason: count}
    rejected_rows: tuple = ()  # kept: ((row, reason), ...) in rejected.csv
    check: Callable | None = None  # kept: check(manifest, j) for anything else


def _symlink_out(root: Path, raw: Path) -> None:
    (root / "outside.csv").write_text(GOOD)
    os.symlink(root / "outside.csv", raw / "link.csv")


def _manifest_extra(*names):
    def check(m, j):
        assert [n for s in m["sources"] for n in s["extra_columns"]] == list(names)

    return check


def _negative_counts(m, j):
    df = pd.read_parquet(j.root / "data/processed" / j.slug / "searches.parquet").set_index("flock_id")
    assert pd.isna(df.loc[uid(1), "total_networks"]) and pd.isna(df.loc[uid(2), "total_networks"])
    assert df.loc[uid(3), "total_networks"] == 2
    assert m["cells_not_understood"]["total_networks"] == 2


def _sheets_read(*names):
    def check(m, j):
        assert [s["sheet"] for s in m["sources"]] == list(names)

    return check


def _skipped(*whys):
    def check(m, j):
        assert [s["why"] for s in m["skipped"]] == list(whys)

    return check


def _tab_separated(m, j):
    assert m["sources"][0]["notes"] == ["tab-separated"]


def _nested_zip_members(m, j):
    assert [s["file"].split("!")[1] for s in m["sources"]] == ["release/2025/12/a.csv", "release/2026/01/b.csv"]


CASES: list[Case] = [
    # --- empty, header only, blank ------------------------------------------------------------------
    Case("empty_file", {"a.csv": b""}, "error", ("empty", "0 bytes"), "a.csv"),
    Case("whitespace_only", {"a.csv": b" \r\n\t\n\n   "}, "error", ("empty", "blank space"), "a.csv"),
    Case("utf8_bom_only", {"a.csv": codecs.BOM_UTF8 + b"\r\n"}, "error", ("empty",), "a.csv"),
    Case("header_only", {"a.csv": PORTAL + "\n"}, "error", ("header but no rows",), "a.csv"),
    Case("header_and_one_blank_line", {"a.csv": HDR + "\n\n"}, "error", ("could be kept", "blank_row"), "a.csv", row=2),
    # --- records cut short, quotes ------------------------------------------------------------------
    Case(
        "truncated_last_record",
        {"a.csv": export(export_row(1), export_row(2)) + f"{uid(3)},***,Houston TX PD,3\n"},
        "kept",
        searches=2,
        rejected={"wrong_cell_count": 1},
        rejected_rows=((4, "wrong_cell_count"),),
    ),
    Case(
        "unterminated_quote_at_the_end",
        {"a.csv": portal(portal_row(1), portal_row(2), portal_row(3, reason='"Investigation'))},
        "error",
        ("never closed",),
        "a.csv",
        row=4,
    ),
    Case(
        "unterminated_quote_swallows_the_rest",  # the fast parser would keep 2 rows and lose 3
        {"a.csv": portal(portal_row(1), portal_row(2, reason='"Invest'), portal_row(3), portal_row(4))},
        "error",
        ("never closed",),
        "a.csv",
        row=3,
    ),
    Case(
        "quote_closed_rows_later_swallows_records",
        {
            "a.csv": portal(
                portal_row(1), portal_row(2, reason='"Invest'), portal_row(3), portal_row(4, reason='x"'), portal_row(5)
            )
        },
        "error",
        ("not closed where it should be", "look like records"),
        "a.csv",
        row=3,
    ),
    Case(
        "unterminated_quote_in_the_header",
        {"a.csv": 'id,"userId,searchDate,networkCount,reason\n' + portal_row(1)},
        "error",
        ("never closed",),
        "a.csv",
        row=1,
    ),
    Case(
        "stray_quote_spoils_one_record",  # the quote closes on its own line: one record lost
        {"a.csv": export(export_row(1), export_row(2).replace('"Investigation"', '"Investigation'), export_row(3))},
        "kept",
        searches=2,
        rejected={"wrong_cell_count": 1},
        rejected_rows=((3, "wrong_cell_count"),),
    ),
    Case(
        "every_record_malformed",
        {"a.csv": portal("a,b", "c,d,e")},
        "error",
        ("could be kept", "wrong_cell_count"),
        "a.csv",
        row=2,
    ),
    Case(
        "more_cells_than_the_header",
        {"a.csv": portal(portal_row(1), portal_row(2) + ",extra", portal_row(3))},
        "kept",
        searches=2,
        rejected={"wrong_cell_count": 1},
        rejected_rows=((3, "wrong_cell_count"),),
    ),
    # --- encodings ----------------------------------------------------------------------------------
    Case(
        "cp1252",
        {"a.csv": portal(portal_row(1, reason="café – theft")).encode("cp1252")},
        "kept",
        searches=1,
        check=lambda m, j: m["sources"][0]["encoding"] == "cp1252" or pytest.fail(m["sources"][0]["encoding"]),
    ),
    Case(
        "utf16_le_with_bom",
        {"a.csv": codecs.BOM_UTF16_LE + portal(portal_row(1), nl="\r\n").encode("utf-16-le")},
        "kept",
        searches=1,
    ),
    Case(
        "utf16_be_with_bom",
        {"a.csv": codecs.BOM_UTF16_BE + portal(portal_row(1)).encode("utf-16-be")},
        "kept",
        searches=1,
    ),
    Case("utf8_with_bom", {"a.csv": codecs.BOM_UTF8 + portal(portal_row(1)).encode()}, "kept", searches=1),
    Case(
        "utf16_without_bom",
        {"a.csv": portal(portal_row(1)).encode("utf-16-le")},
        "error",
        ("UTF-16 without a byte-order mark",),
        "a.csv",
    ),
    Case(
        "utf16_with_bom_cut_mid_character",
        {"a.csv": codecs.BOM_UTF16_LE + portal(portal_row(1)).encode("utf-16-le") + b"\x41"},
        "error",
        ("not valid UTF-16",),
        "a.csv",
    ),
    Case(
        "neither_utf8_nor_cp1252",
        {
            "a.csv": (PORTAL + "\n" + portal_row(1) + "\n").encode()
            + portal_row(2, reason="Ca\x81on").encode("latin-1")
            + b"\n"
        },
        "error",
        ("neither UTF-8 nor Windows-1252", "0x81", "line 3"),
        "a.csv",
    ),
    Case(
        "utf8_bom_then_invalid_byte",
        {"a.csv": codecs.BOM_UTF8 + portal(portal_row(1)).encode() + b"\x9d\n"},
        "error",
        ("UTF-8 mark", "0x9D"),
        "a.csv",
    ),
    # --- not text at all ----------------------------------------------------------------------------
    Case(
        "png_named_csv",
        {"a.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4},
        "error",
        ("PNG image", "not a text CSV"),
        "a.csv",
    ),
    Case(
        "pdf_named_csv",
        {"a.csv": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"},
        "error",
        ("PDF",),
        "a.csv",
    ),
    Case(
        "workbook_named_csv", {"a.csv": workbook({"Audit": sheet_rows(1)})}, "error", ("zip archive", ".xlsx"), "a.csv"
    ),
    Case(
        "old_xls_named_csv",
        {"a.csv": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)},
        "error",
        ("old-style Office",),
        "a.csv",
    ),
    Case("random_binary_named_csv", {"a.csv": bytes(range(256)) * 40}, "error", ("binary data",), "a.csv"),
    Case(
        "nul_byte_inside_a_row",
        {
            "a.csv": (PORTAL + "\n" + portal_row(1) + "\n").encode()
            + portal_row(2, reason="Inv\x00estigation").encode()
            + b"\n"
            + portal_row(3).encode()
            + b"\n"
        },
        "error",
        ("NUL",),
        "a.csv",
        row=3,
    ),
    Case("cell_of_50_mb", {"a.csv": write_50mb_cell}, "error", ("larger than 10 MB",), "a.csv", row=3),
    # --- headers and columns ------------------------------------------------------------------------
    Case(
        "required_column_missing",
        {"a.csv": "id,userId,networkCount,reason\n" + f"{uid(1)},***,2,x\n"},
        "error",
        ("not a Flock search audit", "columns.yml"),
        "a.csv",
    ),
    Case(
        "title_line_above_the_header",
        {"a.csv": "Network audit export, December\n" + GOOD},
        "error",
        ("not a Flock search audit",),
        "a.csv",
    ),
    Case(
        "duplicate_header_names",
        {"a.csv": PORTAL + ",reason\n" + portal_row(1) + ",second\n"},
        "kept",
        searches=1,
        check=_manifest_extra("reason"),
    ),
    Case(
        "unknown_extra_columns",
        {"a.csv": PORTAL + ",Colour,Shape\n" + portal_row(1) + ",red,round\n"},
        "kept",
        searches=1,
        check=_manifest_extra("Colour", "Shape"),
    ),
    Case(
        "repeated_header_in_the_middle",
        {"a.csv": portal(portal_row(1), PORTAL, portal_row(2))},
        "kept",
        searches=2,
        rejected={"repeated_header": 1},
        rejected_rows=((3, "repeated_header"),),
    ),
    Case(
        "flock_event_log",
        {"a.csv": "Timestamp,User,Event Type,Entity Type,Entity Details\n2025-01-01,x,add,user,y\n"},
        "error",
        ("event log",),
        "a.csv",
    ),
    Case("semicolon_separated", {"a.csv": GOOD.replace(",", ";")}, "error", ("semicolons", "comma-separated"), "a.csv"),
    Case("tab_separated_named_csv", {"a.csv": GOOD.replace(",", "\t")}, "error", ("tabs", ".tsv"), "a.csv"),
    Case("tsv_is_read_as_tab_separated", {"a.tsv": GOOD.replace(",", "\t")}, "kept", searches=3, check=_tab_separated),
    Case("tsv_that_is_comma_separated", {"a.tsv": GOOD}, "error", ("commas", ".csv"), "a.tsv"),
    # --- cells --------------------------------------------------------------------------------------
    Case(
        "times_that_do_not_parse",
        {
            "a.csv": portal(
                portal_row(1),
                portal_row(2, t="sometime in December"),
                portal_row(3, t="2026-13-45T99:00:00Z"),
                portal_row(4, t=""),
            )
        },
        "kept",
        searches=1,
        rejected={"unparseable_search_time": 2, "missing_search_time": 1},
        rejected_rows=((3, "unparseable_search_time"), (4, "unparseable_search_time"), (5, "missing_search_time")),
    ),
    Case(
        "no_time_parses",
        {"a.csv": portal(portal_row(1, t="yesterday"), portal_row(2, t="soon"))},
        "error",
        ("could be kept", "unparseable_search_time", "yesterday", "cells.yml"),
        "a.csv",
        row=2,
    ),
    Case(
        "negative_and_fractional_counts",
        {"a.csv": portal(portal_row(1, networks="-5"), portal_row(2, networks="2.5"), portal_row(3))},
        "kept",
        searches=3,
        check=_negative_counts,
    ),
    Case("crlf_line_endings", {"a.csv": export(export_row(1), export_row(2), nl="\r\n")}, "kept", searches=2),
    Case(
        "mixed_line_endings",
        {"a.csv": PORTAL + "\r\n" + portal_row(1) + "\r" + portal_row(2) + "\n" + portal_row(3) + "\r\n"},
        "kept",
        searches=3,
    ),
    # --- workbooks ----------------------------------------------------------------------------------
    Case("xlsx_that_is_text", {"a.xlsx": GOOD}, "error", ("plain text", "not a workbook", ".csv"), "a.xlsx"),
    Case(
        "xls_that_is_an_html_page",
        {"a.xls": "<html><body><table><tr><td>ID</td></tr></table></body></html>"},
        "error",
        ("HTML page", ".xlsx"),
        "a.xls",
    ),
    Case(
        "xlsx_named_xls", {"a.xls": workbook({"Audit": sheet_rows(1)})}, "error", ("zipped workbook", ".xlsx"), "a.xls"
    ),
    Case(
        "xlsx_damaged",
        {"a.xlsx": b"PK\x03\x04 this is not really a workbook"},
        "error",
        ("cannot be opened",),
        "a.xlsx",
    ),
    Case(
        "xlsx_that_is_some_other_zip",
        {"a.xlsx": zipped({"hello.txt": "hi"})},
        "error",
        ("cannot be opened", "damaged or not a spreadsheet"),
        "a.xlsx",
    ),
    Case(
        "workbook_with_only_cover_and_pivot",
        {
            "a.xlsx": workbook(
                {"Cover": [["Public records response"]], "Pivot": [["Row Labels", "Count of ID"], ["Houston TX PD", 2]]}
            )
        },
        "error",
        ("no sheet", "'Cover'", "'Pivot'"),
        "a.xlsx",
    ),
    Case(
        "workbook_header_only",
        {"a.xlsx": workbook({"Dec": sheet_rows()})},
        "error",
        ("header but no rows", "Dec"),
        "a.xlsx",
    ),
    Case(
        "workbook_with_two_audit_sheets",
        {"a.xlsx": workbook({"Dec": sheet_rows(1, 2), "Pivot": [["x"]], "Jan": sheet_rows(3)})},
        "kept",
        searches=3,
        check=_sheets_read("Dec", "Jan"),
    ),
    Case(
        "workbook_with_an_empty_month",
        {"a.xlsx": workbook({"Dec": sheet_rows(1, 2), "Jan": sheet_rows()})},
        "kept",
        searches=2,
        check=_skipped("a header and no rows"),
    ),
    # --- zips ---------------------------------------------------------------------------------------
    Case("corrupt_zip", {"a.zip": b"PK\x03\x04 truncated"}, "error", ("cannot be opened",), "a.zip"),
    Case("empty_zip", {"a.zip": zipped({})}, "error", ("holds no CSV or workbook",), "a.zip"),
    Case(
        "zip_member_escapes_with_dotdot",
        {"a.zip": zipped({"../../evil.csv": GOOD})},
        "error",
        ("points outside",),
        "a.zip",
    ),
    Case("zip_member_absolute_path", {"a.zip": zipped({"/etc/evil.csv": GOOD})}, "error", ("points outside",), "a.zip"),
    Case(
        "zip_member_windows_dotdot",
        {"a.zip": zipped({"..\\..\\evil.csv": GOOD})},
        "error",
        ("points outside",),
        "a.zip",
    ),
    Case(
        "zip_member_over_the_size_limit",
        {"a.zip": zipped({"a.csv": GOOD * 50})},
        "error",
        ("safety limit", "The limit is 0 MB", "PIPELINE_MAX_ZIP_MEMBER_MB=<MB>"),
        "a.zip",
        env={"PIPELINE_MAX_ZIP_MEMBER_MB": "0"},
    ),
    Case(
        "zip_members_over_the_total_limit",
        {"a.zip": zipped({"a.csv": GOOD * 10, "b.csv": GOOD * 10})},
        "error",
        ("in all", "safety limit", "The limit is 0 MB", "PIPELINE_MAX_ZIP_TOTAL_MB"),
        "a.zip",
        env={"PIPELINE_MAX_ZIP_TOTAL_MB": "0"},
    ),
    Case(
        "zip_with_no_data_member",
        {"a.zip": zipped({"README.txt": "hello", "scan.png": b"\x89PNG\r\n"})},
        "error",
        ("holds no CSV or workbook", "README.txt"),
        "a.zip",
    ),
    Case(
        "zip_with_a_cover_letter",
        {"r.zip": zipped({"a.csv": GOOD, "README.txt": "Responsive records attached."})},
        "kept",
        searches=3,
        check=_skipped("a text file that is not a search audit (a note or letter?)"),
    ),
    Case(
        "zip_inside_a_zip",
        {"a.zip": zipped({"inner.zip": zipped({"a.csv": GOOD})})},
        "error",
        ("zip inside the zip",),
        "a.zip",
    ),
    Case("zip_member_bad_crc", {"a.zip": zip_bad_crc()}, "error", ("damaged", "a.csv"), "a.zip"),
    Case("zip_member_bad_deflate_data", {"a.zip": zip_bad_deflate()}, "error", ("damaged", "a.csv"), "a.zip"),
    Case(
        "zip_member_encrypted",
        {"a.zip": _zip_patch(zipped({"a.csv": GOOD}), {6: 1}, {8: 1})},
        "error",
        ("password-protected",),
        "a.zip",
    ),
    Case(
        "zip_member_unknown_compression",
        {"a.zip": _zip_patch(zipped({"a.csv": GOOD}), {8: 98}, {10: 98})},
        "error",
        ("compressed with a method",),
        "a.zip",
    ),
    Case(
        "zip_member_with_a_bad_csv",
        {"r.zip": zipped({"release/a.csv": portal(portal_row(1), portal_row(2, reason='"x'))})},
        "error",
        ("never closed",),
        "r.zip!release/a.csv",
        row=3,
    ),
    Case(
        "zip_with_nested_folders",
        {
            "r.zip": zipped(
                {
                    "release/2025/12/a.csv": GOOD,
                    "release/2026/01/b.csv": portal(portal_row(4)),
                    "__MACOSX/release/._a.csv": "junk",
                }
            )
        },
        "kept",
        searches=4,
        check=_nested_zip_members,
    ),
    # --- other files and the jurisdiction's entry ---------------------------------------------------
    Case(
        "unknown_kind_of_file",
        {"a.docx": b"PK\x03\x04 a letter"},
        "error",
        ("not read by the pipeline", "CSV"),
        "a.docx",
    ),  # (PDFs are read now: the PDF cases are above)
    Case(
        "bad_file_added_after_a_good_run",
        {"a.csv": GOOD},
        "error",
        ("PDF",),
        "b.csv",
        entry={"inputs": ["*.csv"]},
        later={"b.csv": b"%PDF-1.4\n"},
    ),
    Case(
        "slug_with_dotdot",
        {"a.csv": GOOD},
        "error",
        ("'../evil'", "slug must be lower-case"),
        error=ConfigError,
        entry={"slug": "../evil"},
    ),
    Case(
        "input_pattern_with_dotdot",
        {"a.csv": GOOD},
        "error",
        ("must be a path inside data/raw/bad-j/",),
        error=ConfigError,
        entry={"inputs": ["../other/*.csv"]},
    ),
    Case(
        "absolute_input_path",
        {"a.csv": GOOD},
        "error",
        ("must be a path inside data/raw/bad-j/",),
        error=ConfigError,
        entry={"inputs": lambda root: [str(root / "outside.csv")]},
    ),
    Case(
        "symlink_out_of_the_raw_folder",
        {"a.csv": GOOD},
        "error",
        ("link.csv", "resolves outside data/raw/bad-j/"),
        error=ConfigError,
        entry={"inputs": ["*.csv"]},
        setup=_symlink_out,
    ),
    Case(
        "unknown_key",
        {"a.csv": GOOD},
        "error",
        ("unknown key(s) colour", "'bad-j'"),
        error=ConfigError,
        entry={"colour": "red"},
    ),
    Case(
        "two_jurisdictions_with_one_slug",
        {"a.csv": GOOD},
        "error",
        ("'bad-j'", "listed twice"),
        error=ConfigError,
        extra_entries=(entry(SLUG, ["a.csv"]),),
    ),
    Case(
        "unknown_time_zone",
        {"a.csv": GOOD},
        "error",
        ("time zone 'Mars/Olympus'",),
        error=ConfigError,
        entry={"timezone": "Mars/Olympus"},
    ),
    Case(
        "unknown_log_kind",
        {"a.csv": GOOD},
        "error",
        ("log_kind 'everything'",),
        error=ConfigError,
        entry={"log_kind": "everything"},
    ),
    Case(
        "input_matches_no_file",
        {"a.csv": GOOD},
        "error",
        ("'missing.csv' matches no file",),
        error=ConfigError,
        entry={"inputs": ["missing.csv"]},
    ),
    Case(
        "input_matches_only_a_folder",
        {"a.csv": GOOD},
        "error",
        ("data/raw/bad-j/",),
        error=PipelineError,
        entry={"inputs": ["*.d"]},
        setup=lambda root, raw: (raw / "dec.d").mkdir(),
    ),
    # --- PDF releases (tests/pdf_fixtures.py makes them; tests/test_pdf.py has the good ones) ------------
    Case("pdf_empty_file", {"a.pdf": b""}, "error", ("empty", "0 bytes"), "a.pdf"),
    Case(
        "pdf_truncated",
        {"a.pdf": lazy(lambda: (d := pdfs.audit_pdf(pdfs.nine_rows(9)))[: len(d) // 2])},
        "error",
        ("cut short", "end-of-file"),
        "a.pdf",
    ),
    Case(
        "pdf_damaged",
        {"a.pdf": b"%PDF-1.4\n" + bytes(range(256)) * 20 + b"\n%%EOF\n"},
        "error",
        ("cannot be opened", "damaged"),
        "a.pdf",
    ),
    Case(
        "pdf_encrypted",
        {"a.pdf": lazy(lambda: pdfs.encrypted_pdf(pdfs.five_rows(2)))},
        "error",
        ("encrypted", "password"),
        "a.pdf",
    ),
    Case("pdf_zero_pages", {"a.pdf": lazy(lambda: pdfs.raw_pdf([]))}, "error", ("no pages",), "a.pdf"),
    # --- size limits before the work (issue 26, item 7; pipeline/ingest/limits.py) ----------------------
    Case(
        "pdf_of_a_million_pages_in_1_3_kb",
        {"a.pdf": lazy(million_page_pdf)},
        "error",
        ("1,000,000 pages", "safety limit", "The limit is 100,000 pages", "PIPELINE_MAX_PDF_PAGES"),
        "a.pdf",
    ),
    Case(
        "pdf_of_a_million_pages_with_the_page_limit_raised_is_refused_by_its_bytes_a_page",
        {"a.pdf": lazy(million_page_pdf)},
        "error",
        ("bytes a page", "lower it", "PIPELINE_MIN_PDF_BYTES_PER_PAGE"),
        "a.pdf",
        env={"PIPELINE_MAX_PDF_PAGES": "2000000"},
    ),
    Case(
        "pdf_over_the_page_limit",
        {"a.pdf": lazy(lambda: pdfs.audit_pdf(pdfs.nine_rows(40)))},
        "error",
        ("pages, past the pipeline's safety limit", "The limit is 1 pages", "PIPELINE_MAX_PDF_PAGES"),
        "a.pdf",
        env={"PIPELINE_MAX_PDF_PAGES": "1"},
    ),
    Case(
        "pdf_over_the_time_limit",
        {"a.pdf": lazy(lambda: pdfs.audit_pdf(pdfs.nine_rows(9)))},
        "error",
        ("still being read after 0 seconds", "PIPELINE_MAX_PDF_SECONDS"),
        "a.pdf",
        env={"PIPELINE_MAX_PDF_SECONDS": "0"},
    ),
    Case(
        "xlsx_formula_reasons_without_values_are_rejected_never_blank",
        {"a.xlsx": lazy(formula_reasons)},
        "kept",
        searches=180,
        rejected={"formula_without_value": 120},
        check=_formula_cells,
    ),
    Case(
        "xlsx_whose_sheet_unpacks_1000_times",
        {"a.xlsx": workbook_bomb},
        "error",
        ("unpacks", "times", "zip bomb", "The limit is 100 times", "PIPELINE_MAX_COMPRESSION_RATIO"),
        "a.xlsx",
    ),
    Case(
        "xlsx_over_the_unpacked_size_limit",
        {"a.xlsx": workbook({"Audit": sheet_rows(1, 2, 3)})},
        "error",
        ("unpacks to", "The limit is 0 MB", "PIPELINE_MAX_WORKBOOK_UNPACKED_MB"),
        "a.xlsx",
        env={"PIPELINE_MAX_WORKBOOK_UNPACKED_MB": "0"},
    ),
    Case(
        "zip_member_that_unpacks_1000_times",
        {"a.zip": lambda path: path.write_bytes(zipped({"a.csv": GOOD + " " * (40 << 20)}))},
        "error",
        ("expand", "times", "zip bomb", "PIPELINE_MAX_COMPRESSION_RATIO"),
        "a.zip",
    ),
    Case(
        "pdf_scan", {"a.pdf": lazy(pdfs.scanned_pdf)}, "error", ("is a scan", "no text layer", "CSV or XLSX"), "a.pdf"
    ),
    Case("pdf_text_drawn_as_outlines", {"a.pdf": lazy(pdfs.outlined_pdf)}, "error", ("scan", "outlines"), "a.pdf"),
    Case(
        "pdf_page_of_10_mb_of_text",
        {"a.pdf": lazy(pdfs.big_text_pdf)},
        "error",
        ("page 1", "far more than any audit page"),
        "a.pdf",
    ),
    Case("pdf_that_is_a_csv", {"a.pdf": GOOD}, "error", ("plain text", "not a PDF", ".csv"), "a.pdf"),
    Case(
        "pdf_that_is_a_png",
        {"a.pdf": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)},
        "error",
        ("PNG image", "not a PDF"),
        "a.pdf",
    ),
    Case(
        "pdf_named_xlsx",
        {"a.xlsx": lazy(lambda: pdfs.audit_pdf(pdfs.five_rows(2), "5"))},
        "error",
        ("PDF document", ".pdf"),
        "a.xlsx",
    ),
    Case(
        "pdf_row_the_reader_cannot_anchor",
        {"a.pdf": lazy(_unanchored)},
        "error",
        ("not read in full", "page 1 prints 9 UUID(s) but 8 row(s)"),
        "a.pdf",
    ),
    Case(
        "pdf_search_time_that_does_not_parse",
        {"a.pdf": lazy(_bad_time)},
        "error",
        ("not read in full", "page 1 row(s) 2", "does not parse", "yesterday"),
        "a.pdf",
    ),
    Case(
        "pdf_ids_under_an_unknown_header",
        {
            "a.pdf": lazy(
                lambda: pdfs.raw_pdf([pdfs.text_page(["Identifier When", f"{uid(1)} 11/01/2025, 01:00:00 AM UTC"])])
            )
        },
        "error",
        ("no header of a layout", "pdf_layouts.yml"),
        "a.pdf",
    ),
    Case(
        "pdf_header_and_no_rows",
        {"a.pdf": lazy(lambda: pdfs.raw_pdf([pdfs.text_page(["ID userId networkCount Search Time Reason"])]))},
        "error",
        ("header of an audit", "no rows"),
        "a.pdf",
    ),
    Case(
        "pdf_cover_letter_only",
        {
            "letter.pdf": lazy(
                lambda: pdfs.raw_pdf([pdfs.text_page(["Dear requester,", "The records you asked for are attached."])])
            )
        },
        "error",
        ("none of the inputs", "not a search audit", "cover letter"),
        "letter.pdf",
    ),
    Case(
        "pdf_cover_letter_beside_the_csv",
        {"a.csv": GOOD, "letter.pdf": lazy(lambda: pdfs.raw_pdf([pdfs.text_page(["Dear requester,"])]))},
        "kept",
        searches=3,
        check=_pdf_skipped(
            (
                None,
                "not a search audit: no page prints the header of a known audit layout or any "
                "search ID (a cover letter or memo?)",
            )
        ),
    ),
    Case(
        "pdf_cover_page_before_the_audit",
        {
            "a.pdf": lazy(
                lambda: pdfs.concat_pdfs(
                    pdfs.raw_pdf([pdfs.text_page(["Dear requester,"])]), pdfs.audit_pdf(pdfs.five_rows(3), "5")
                )
            )
        },
        "kept",
        searches=3,
        check=_pdf_skipped(("page 1", "no audit header or rows on it (a cover page or letter?)")),
    ),
    Case(
        "pdf_blank_page_at_the_end",
        {"a.pdf": lazy(lambda: pdfs.concat_pdfs(pdfs.audit_pdf(pdfs.five_rows(3), "5"), pdfs.raw_pdf([b""])))},
        "kept",
        searches=3,
        check=_pdf_skipped(("page 2", "a blank page")),
    ),
    Case(
        "pdf_scanned_page_inside_the_audit",
        {"a.pdf": lazy(lambda: pdfs.concat_pdfs(pdfs.audit_pdf(pdfs.nine_rows(12), "9"), pdfs.scanned_pdf(1)))},
        "error",
        ("not read in full", "page(s) 3 hold no text layer"),
        "a.pdf",
    ),
    Case(
        "pdf_inside_a_zip",
        {"a.zip": pdf_zip({"audit/dec.pdf": lambda: pdfs.audit_pdf(pdfs.nine_rows(11), "9")})},
        "kept",
        searches=11,
        check=_pdf_pages(("a.zip!audit/dec.pdf", "page 1"), ("a.zip!audit/dec.pdf", "page 2")),
    ),
    Case(
        "pdf_encrypted_inside_a_zip",
        {"a.zip": pdf_zip({"dec.pdf": lambda: pdfs.encrypted_pdf(pdfs.five_rows(2))})},
        "error",
        ("encrypted",),
        "a.zip!dec.pdf",
    ),
    Case(
        "pdf_scan_inside_a_zip",
        {"a.zip": pdf_zip({"dec.pdf": pdfs.scanned_pdf})},
        "error",
        ("is a scan",),
        "a.zip!dec.pdf",
    ),
]


# ---------------------------------------------------------------------------------------------- harness


def _write(raw: Path, files: dict) -> None:
    for name, content in files.items():
        p = raw / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if callable(content):
            content(p)
        elif isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8", newline="")


def _write_config(root: Path, case: Case, files: dict) -> Path:
    overrides = {k: (v(root) if callable(v) else v) for k, v in case.entry.items()}
    e = entry(SLUG, sorted(files))
    e.update(overrides)
    cfg = root / "jurisdictions.yml"
    cfg.write_text(yaml.safe_dump({"jurisdictions": [e, *case.extra_entries]}, sort_keys=False))
    return cfg


def input_hashes(root: Path) -> dict[str, str]:
    """SHA-256 of every input: the raw files (links followed), files beside the project's folders, the config."""
    out = {str(p.relative_to(root)): sha256_file(p) for p in sorted((root / "data" / "raw").rglob("*")) if p.is_file()}
    out.update({p.name: sha256_file(p) for p in root.iterdir() if p.is_file()})
    return out


def tree_hashes(folder: Path) -> dict[str, str]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): sha256_file(p) if p.is_file() else "dir" for p in sorted(folder.rglob("*"))}


def scratch_left(root: Path) -> list[str]:
    """Temporary or half-written things: scratch folders beside the outputs, *.tmp, hidden partial notebooks."""
    found = []
    for base in (root / "data" / "processed", root / "reports"):
        if base.exists():
            for p in base.rglob("*"):
                n = p.name
                if (
                    ".work-" in n
                    or ".new-" in n
                    or ".old-" in n
                    or n.endswith(".tmp")
                    or (n.startswith(".") and n.endswith(".ipynb"))
                ):
                    found.append(str(p.relative_to(root)))
    return found


def build_case(root: Path, case: Case):
    """What notebook 01 does for the jurisdiction: load and check the entry, then build it."""
    (j,) = select(load(root / "jurisdictions.yml", root=root), [case.entry.get("slug", SLUG)])
    return j, built(j)


def assert_error_message(e: PipelineError, case: Case) -> None:
    msg = str(e)
    assert isinstance(e, case.error), f"{type(e).__name__}: {msg}"
    assert "\n" not in msg and "Traceback" not in msg and len(msg) < 1500, msg  # one paragraph
    for w in case.words:
        assert w.lower() in msg.lower(), f"{w!r} not in: {msg}"
    if case.file is not None:
        assert f"data/raw/{SLUG}/{case.file}" in msg, msg
    if case.row is not None:
        assert f", row {case.row}:" in msg, msg
    if isinstance(e, SourceError):
        assert e.file and e.file.startswith(f"data/raw/{SLUG}/"), e.file  # relative to the project
        assert e.hint and msg.endswith(e.hint) and e.hint.rstrip().endswith("."), msg  # says what to do


def check_kept(m: dict, j, case: Case) -> None:
    if case.searches is not None:
        assert m["totals"]["searches"] == case.searches, m["totals"]
    assert {k: v for k, v in m["rejected_by_reason"].items() if v} == case.rejected, m["rejected_by_reason"]
    assert m["totals"]["rejected"] == sum(case.rejected.values())
    assert m["reconciliation_balanced"] is True
    if case.rejected_rows:
        rej = pd.read_csv(j.root / "data/processed" / j.slug / "rejected.csv", keep_default_na=False)
        got = list(zip(rej["source_row"], rej["reject_reason"].str.split(":").str[0]))
        assert got == list(case.rejected_rows), got
        assert (rej["source_file"].str.startswith(f"data/raw/{SLUG}/")).all()
    if case.check:
        case.check(m, j)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, tmp_path, monkeypatch):
    root = tmp_path
    raw = root / "data" / "raw" / SLUG
    raw.mkdir(parents=True)
    for module, attr, value in case.patch:
        monkeypatch.setattr(importlib.import_module(module), attr, value)
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    _write(raw, case.files)
    if case.setup:
        case.setup(root, raw)
    _write_config(root, case, case.files)
    if case.later:  # a good run first; then the bad file arrives
        build_case(root, case)
        _write(raw, case.later)
    processed_before = tree_hashes(root / "data" / "processed")
    inputs_before = input_hashes(root)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    if case.expect == "error":
        with pytest.raises(PipelineError) as info:
            build_case(root, case)
        assert_error_message(info.value, case)
        # nothing written: the processed folder is as the last good run left it (empty in a fresh project)
        assert tree_hashes(root / "data" / "processed") == processed_before
    else:
        j, m = build_case(root, case)
        check_kept(m, j, case)
    assert input_hashes(root) == inputs_before  # every input byte-identical
    assert not scratch_left(root), scratch_left(root)
    assert not (root / "reports").exists()
    # a 50 MB cell is refused without reading the file into memory (ru_maxrss is in KiB on Linux)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before < 400 * 1024


def test_case_names_are_distinct():
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("n", [len(CASES)], ids=[f"{len(CASES)}-cases"])
def test_corpus_has_at_least_30_cases(n):
    warnings.warn(f"bad-input corpus: {n} cases tried (+ {len(CLI_CASES)} through the command line)")
    assert n >= 30


# ---------------------------------------------------------------------------------------------- the command line
# Each case runs the real command line on its own project folder (--root), so the project's own data and
# reports are never touched.

CLI_CASES = ["reader_error", "config_error", "config_error_debug", "kept_with_rejects"]


def cli_project(tmp_path: Path, files: dict, **overrides) -> Path:
    root = tmp_path / "project"
    shutil.copytree(ROOT / "notebooks", root / "notebooks")  # the package itself runs from ROOT (--root)
    raw = root / "data" / "raw" / SLUG
    raw.mkdir(parents=True)
    _write(raw, files)
    e = entry(SLUG, sorted(files))
    e.update(overrides)
    (root / "jurisdictions.yml").write_text(yaml.safe_dump({"jurisdictions": [e]}, sort_keys=False))
    return root


def run_cli(root: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "run",
            "--root",
            str(root),
            "--config",
            str(root / "jurisdictions.yml"),
            "-j",
            SLUG,
            "--jobs",
            "1",
            *extra,
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin"},
    )  # the package comes from the editable install


def reports_of_a_failed_run(root: Path) -> list[str]:
    """What a failed run may leave under reports/: only the index, listing the failure, and the jurisdiction's
    run record (run.json: its status and message, so the index shows it as it last was). The notebook that
    failed goes to build/failed/, outside what is published."""
    return sorted(
        str(p.relative_to(root / "reports"))
        for p in (root / "reports").rglob("*")
        if p.is_file()
        and not (p.name == "index.html" and p.parent == root / "reports")
        and not (p.name == "run.json" and p.parent.parent == root / "reports")
    )


@pytest.mark.parametrize("kind", CLI_CASES)
def test_command_line(kind, tmp_path):
    if kind == "reader_error":
        root = cli_project(tmp_path, {"a.csv": portal(portal_row(1), portal_row(2, reason='"never closed'))})
    elif kind in ("config_error", "config_error_debug"):
        root = cli_project(tmp_path, {"a.csv": GOOD}, colour="red")
    else:
        root = cli_project(
            tmp_path, {"a.csv": portal(portal_row(1), portal_row(2, t="yesterday"), portal_row(3)) + f"{uid(4)},***\n"}
        )
    before = input_hashes(root)
    r = run_cli(root, *(["--debug"] if kind == "config_error_debug" else []))
    out = r.stdout + r.stderr
    assert input_hashes(root) == before
    assert not scratch_left(root), scratch_left(root)
    processed = root / "data" / "processed" / SLUG

    if kind == "reader_error":
        assert r.returncode != 0 and "Traceback" not in out, out
        assert f"data/raw/{SLUG}/a.csv, row 3: a quoted cell opened in this row is never closed" in r.stdout, out
        assert not processed.exists() or not any(processed.iterdir())
        assert reports_of_a_failed_run(root) == [], reports_of_a_failed_run(root)
    elif kind == "config_error":
        assert r.returncode == 2 and "Traceback" not in out, out
        assert "unknown key(s) colour" in r.stderr and f"'{SLUG}'" in r.stderr
        assert not (root / "data" / "processed").exists() and not (root / "reports").exists()
    elif kind == "config_error_debug":
        assert r.returncode != 0 and "Traceback" in r.stderr and "ConfigError" in r.stderr, out
    else:
        assert r.returncode == 0 and "Traceback" not in out, out
        rej = pd.read_csv(processed / "rejected.csv", keep_default_na=False)
        assert list(zip(rej["source_row"], rej["reject_reason"].str.split(":").str[0])) == [
            (3, "unparseable_search_time"),
            (5, "wrong_cell_count"),
        ]
        facts = (root / "reports" / SLUG / "facts.json").read_text()
        assert '"searches": 2' in facts
