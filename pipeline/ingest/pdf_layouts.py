"""The printed layouts of a PDF audit (pipeline/rules/pdf_layouts.yml) and what every part of the PDF reader
shares: the layout and word types, the UUID and search-time checks, and the refusal's form."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from pipeline import RULES
from pipeline.io import rules as rules_file
from pipeline.errors import SourceError
from pipeline.ingest.headers import HeaderMap, map_header

UUID_ANY = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
UUID_FULL = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
WORD = re.compile(r"\S+")
ASK_FOR_DATA = "Ask the agency for the audit as CSV or XLSX (the export Flock gives them)."
READER = "pypdfium2 (words by position)"


@functools.cache
def rules() -> dict:
    return rules_file.read_data_file(RULES / "pdf_layouts.yml")


@functools.cache
def _time_formats() -> tuple[str, ...]:
    """The search-time formats clean accepts (DuckDB's strptime codes are Python's for these)."""
    return tuple(rules_file.load("cells.yml")["time_formats"])


FLOCK_TIME = re.compile(r"(\d{2})/(\d{2})/(\d{4}), (\d{2}):(\d{2}):(\d{2}) ([AP])M UTC")


def time_parses(text: str) -> bool:
    m = FLOCK_TIME.fullmatch(text)  # how Flock prints it: checked without strptime (7,273 rows a file)
    if m:
        mo, d, y, h, mi, sec, ap = m.groups()
        try:
            dt.datetime(int(y), int(mo), int(d), int(h) % 12 + (12 if ap == "P" else 0), int(mi), int(sec))
            return 1 <= int(h) <= 12
        except ValueError:
            return False
    for fmt in _time_formats():
        try:
            dt.datetime.strptime(text.strip(), fmt)
            return True
        except ValueError:
            continue
    return False


@dataclass(frozen=True)
class Layout:
    name: str
    labels: tuple[str, ...]  # as printed, in order
    wrapped_lines: str  # "above" or "below" the row's ID line
    hmap: HeaderMap
    optional: frozenset[str] = frozenset()  # labels a month's export may lack (FORMATS.md §2: columns drift)

    @property
    def columns(self) -> list[str]:
        return self.hmap.columns


@functools.cache
def layouts() -> tuple[Layout, ...]:
    out = []
    for entry in rules()["layouts"]:
        hmap = map_header(entry["labels"])
        if hmap is None or None in hmap.columns or hmap.columns[0] != "flock_id":
            raise ValueError(
                f"pdf_layouts.yml: every label of {entry['name']!r} must be a known column (columns.yml), ID first"
            )
        optional = frozenset(entry.get("optional") or [])
        if not optional <= set(entry["labels"]) - {entry["labels"][0]}:
            raise ValueError(f"pdf_layouts.yml: the optional labels of {entry['name']!r} must be labels other than ID")
        out.append(Layout(entry["name"], tuple(entry["labels"]), entry["wrapped_lines"], hmap, optional))
    return tuple(out)


_PRINTED: dict[tuple[str, tuple[str, ...]], Layout] = {}


def printed(layout: Layout, labels: tuple[str, ...]) -> Layout:
    """The layout as one file prints it: without the optional labels its header lacks."""
    if labels == layout.labels:
        return layout
    key = (layout.name, labels)
    if key not in _PRINTED:
        _PRINTED[key] = Layout(layout.name, labels, layout.wrapped_lines, map_header(list(labels)))
    return _PRINTED[key]


@dataclass(slots=True)
class Word:
    x0: float  # display coordinates in points: x from the left, y from the top of the page as viewed
    y0: float
    x1: float
    y1: float
    text: str
    first: int  # index of its first and last character in the page's text
    last: int

    @property
    def yc(self) -> float:
        return (self.y0 + self.y1) / 2


def refuse(display: str, message: str, hint: str) -> SourceError:
    return SourceError(message, file=display, hint=hint)
