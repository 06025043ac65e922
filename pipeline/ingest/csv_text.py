"""Decide what a CSV release's bytes are before it is parsed: its encoding (UTF-8 with or without a mark,
UTF-16 with a mark, or Windows-1252), whether a quote may be left open or a NUL byte hides in it, and refuse
what is not CSV text at all, saying what the file really is."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import SourceError
from pipeline.ingest import sniff

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
