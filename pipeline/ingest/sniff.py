"""What a raw file really is, from its first bytes: a release named .csv can be a PDF, a workbook or an image.

Readers call these before parsing so that a mislabelled file is refused with a sentence a reporter can act
on ("this is a PDF named .csv"), not with a parser's error.
"""

from __future__ import annotations

from pathlib import Path

HEAD_BYTES = 64 * 1024

# (leading bytes, what the file is, what to do)
SIGNATURES: list[tuple[bytes, str, str]] = [
    (b"%PDF", "a PDF document", "Save a copy named .pdf beside it and list that in inputs."),
    (
        b"PK\x03\x04",
        "a zip archive (an XLSX workbook is a zip too)",
        "Save a copy with the right ending (.xlsx or .zip) beside it and list that in inputs.",
    ),
    (b"PK\x05\x06", "an empty zip archive", "Ask the agency for the file again."),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an old-style Office file (an XLS workbook or a Word document)",
        "If it is a workbook, save a copy named .xls beside it and list that in inputs.",
    ),
    (b"\x89PNG\r\n\x1a\n", "a PNG image", "Ask the agency for the data as CSV or XLSX."),
    (b"\xff\xd8\xff", "a JPEG image", "Ask the agency for the data as CSV or XLSX."),
    (b"GIF8", "a GIF image", "Ask the agency for the data as CSV or XLSX."),
    (b"II*\x00", "a TIFF image", "Ask the agency for the data as CSV or XLSX."),
    (b"MM\x00*", "a TIFF image", "Ask the agency for the data as CSV or XLSX."),
    (b"\x1f\x8b", "a gzip archive", "Decompress it and add the file inside as a new file."),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "Extract it and add the files inside as new files."),
    (b"Rar!", "a RAR archive", "Extract it and add the files inside as new files."),
    (b"{\\rtf", "an RTF document", "Ask the agency for the data as CSV or XLSX."),
]


def head(path: Path, n: int = HEAD_BYTES) -> bytes:
    with open(path, "rb") as f:
        return f.read(n)


def signature(data: bytes) -> tuple[str, str] | None:
    """(what the file is, what to do) when its first bytes are a known binary format, else None."""
    for magic, what, hint in SIGNATURES:
        if data.startswith(magic):
            return what, hint
    return None


def utf16_without_bom(data: bytes) -> bool:
    """Text saved as UTF-16 without a byte-order mark: every other byte of ASCII text is NUL."""
    sample = data[:4096]
    if len(sample) < 8:
        return False
    even, odd = sample[0::2], sample[1::2]
    return (odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even)) or (
        even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd)
    )


def looks_like_text(data: bytes) -> bool:
    """Plain text (a CSV, an HTML page): no NUL byte and it decodes as UTF-8 or Windows-1252."""
    if not data or b"\x00" in data:
        return False
    for enc in ("utf-8", "cp1252"):
        try:
            data.decode(enc)
            return True
        except UnicodeDecodeError as e:
            if enc == "utf-8" and e.start >= len(data) - 3:  # a character cut by the end of the sample
                return True
    return False


def markup_kind(data: bytes) -> str | None:
    """'an HTML page' or 'an XML document' when the text is markup (systems export HTML tables named .xls)."""
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<body", b"<head", b"<meta")):
        return "an HTML page"
    if start.startswith(b"<?xml"):
        return "an XML document (perhaps an Excel 2003 XML spreadsheet)"
    return None


CSV_SUFFIXES = (".csv", ".txt", ".tsv")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


def kind_of(name: str) -> str | None:
    """The reader a file's name asks for: csv, xlsx (any workbook), pdf, zip, or None."""
    low = name.lower()
    if low.endswith(CSV_SUFFIXES):
        return "csv"
    if low.endswith(WORKBOOK_SUFFIXES):
        return "xlsx"
    if low.endswith(".pdf"):
        return "pdf"
    if low.endswith(".zip"):
        return "zip"
    return None
