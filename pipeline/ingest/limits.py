"""Size limits a release must pass before it is read, so that a hostile file is refused in a moment
instead of taking the machine's memory or hours: unpacked size and compression ratio of a workbook (an
XLSX is a zip of XML) and of each zip member, page count, bytes per page and reading time of a PDF.

Each limit is far above what a bundled release needs (the 809-page Okaloosa PDF holds 1.5 KB a page and
is read in about 1.5 s) and can be raised for one run by its environment variable, which every refusal
names (docs/faults.md lists them).
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    default: int
    env: str
    unit: str
    floor: bool = False  # a least value (a file below it is refused), so it is lowered, not raised

    @property
    def value(self) -> int:
        """The limit in force: the environment variable when it holds a whole number, else the default."""
        raw = os.environ.get(self.env, "").strip().replace("_", "")
        return int(raw) if raw.isdigit() else self.default

    def how_to_raise(self) -> str:
        verb = "lower" if self.floor else "raise"
        return (
            f"The limit is {self.value:,} {self.unit} (set by {self.env}). If the file is genuine and you trust "
            f"it, {verb} it for one run: {self.env}=<{self.unit}> python -m pipeline run -j <slug> "
            f"(or make all {self.env}=<{self.unit}>)."
        )


# A workbook (XLSX, XLSM, XLSB, ODS): every member of its zip together, unpacked. calamine holds a sheet in
# memory, so this bounds the memory a workbook can take.
WORKBOOK_UNPACKED_MB = Limit(1024, "PIPELINE_MAX_WORKBOOK_UNPACKED_MB", "MB")
# Unpacked / packed size of one member, for members above RATIO_FLOOR_BYTES (a small styles.xml of repeated
# tags compresses very well and harms nothing). A bomb unpacks 1,000 times and more.
MAX_RATIO = Limit(100, "PIPELINE_MAX_COMPRESSION_RATIO", "times")
RATIO_FLOOR_BYTES = 16 * 1024**2
# One member of a zip release, and all of them (a 17.1M-row log is 3.3 GB of CSV in all).
ZIP_MEMBER_MB = Limit(8 * 1024, "PIPELINE_MAX_ZIP_MEMBER_MB", "MB")
ZIP_TOTAL_MB = Limit(32 * 1024, "PIPELINE_MAX_ZIP_TOTAL_MB", "MB")
# A PDF: pages (Okaloosa: 809; a year of a busy agency printed would be tens of thousands), bytes per page
# (a page that prints a row of text takes hundreds of bytes at least; a page tree that names one page a
# million times takes one or two), and seconds of reading (the reader does about 600 pages a second).
PDF_PAGES = Limit(100_000, "PIPELINE_MAX_PDF_PAGES", "pages")
PDF_MIN_BYTES_PER_PAGE = Limit(64, "PIPELINE_MIN_PDF_BYTES_PER_PAGE", "bytes", floor=True)
PDF_SECONDS = Limit(900, "PIPELINE_MAX_PDF_SECONDS", "seconds")


def mb(n: int) -> str:
    """Bytes as people read them: '2,048 MB'."""
    return f"{n / 1024**2:,.0f} MB"
