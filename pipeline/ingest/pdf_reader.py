"""Read a Flock audit printed to PDF: words by their position on the page, rows anchored on the ID.

The text stream of a PDF is not the printed order (pages re-saved in an editor hold it in another order,
and naive extraction glues neighbouring cells), so every word is placed by its box: the columns come from
where the header's labels start (pipeline/rules/pdf_layouts.yml), each row is anchored on the UUID in
the ID column, and a cell wrapped over several lines is put together from the lines between two IDs.
Pages are read one at a time (PDFium, through pypdfium2): memory is bounded by a page.

The reader checks itself on every page: the UUID-shaped strings in the page's text (found without
positions) must be exactly the rows' IDs (plus the user ids of a 5-label audit), and every row's search
time must parse. Otherwise the whole file is refused, naming the pages and the counts: never a partial read.

Citation: a row is cited to its page (source_sheet "page 12") and the row a person counts on that page,
the first search under the header being row 1 (source_row).

The reader's parts, one job each: pdf_layouts (the layouts and shared types), pdf_open (refusing a file
that is not a readable PDF), pdf_words (a page's words by position), pdf_rows (a page's rows); this module
walks the pages and checks itself.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from pipeline.errors import SourceError
from pipeline.ingest import limits
from pipeline.ingest.pdf_layouts import ASK_FOR_DATA, READER, UUID_ANY, UUID_FULL, Layout, layouts, refuse, time_parses
from pipeline.ingest.pdf_open import open_pdf
from pipeline.ingest.pdf_rows import find_header, layout_rows
from pipeline.ingest.pdf_words import page_words, printed_lines

__all__ = [
    "READER",
    "NotAnAudit",
    "Page",
    "layouts",
    "open_pdf",
    "page_words",
    "find_header",
    "layout_rows",
    "read_pdf",
]


@dataclass
class Page:
    """What one page gave: its rows (cells in the layout's column order) or why it holds none."""

    number: int
    layout: Layout | None = None
    rows: list[list[str]] = field(default_factory=list)
    skipped: str | None = None  # why a page with no rows holds none
    notes: list[str] = field(default_factory=list)


class NotAnAudit(SourceError):
    """The PDF holds no header of a known layout and no search ID: a letter or memo, skipped and listed."""

    def __init__(self, why: str, file: str):
        self.why = why
        super().__init__(f"{why}.", file=file, hint="It is skipped.")


# Long (~80 lines) on purpose: one pass over the pages, whose self-check, skipped pages and batching share its state.
def read_pdf(path: Path, display: str, progress=lambda msg: None) -> Iterator[Page]:  # noqa: C901 - one pass over the pages; self-check, skips and batches share its state
    """Yield every page (its rows, or why it has none); refuse the file if any page fails its self-check.

    Raises NotAnAudit (before yielding any row) when no page prints a known header and none holds an ID.
    """
    doc = open_pdf(path, display)
    layout: Layout | None = None
    starts: list[float] = []
    problems: list[str] = []  # self-check failures, named by page; the file is refused at the end
    textless: list[int] = []  # pages that draw something but hold no text (scanned or outlined)
    held: list[Page] = []  # pages before the first header: yielded once the file proves an audit
    seen_text = False
    rows = 0
    total = len(doc)
    deadline = time.monotonic() + limits.PDF_SECONDS.value
    try:
        for i in range(total):
            number = i + 1
            if time.monotonic() > deadline:
                raise refuse(
                    display,
                    f"the PDF was still being read after {limits.PDF_SECONDS.value:,} seconds (page {number:,} "
                    f"of {total:,}), past the pipeline's safety limit; nothing of it was kept.",
                    limits.PDF_SECONDS.how_to_raise(),
                )
            if number % 200 == 0:
                progress(f"  page {number:,} of {total:,}")
            page = doc[i]
            try:
                words, text, boxes, objects = page_words(page, number, display)
                result = Page(number)
                if not words:
                    if objects:
                        textless.append(number)
                    result.skipped = (
                        "draws something but holds no text (a scanned or outlined page)" if objects else "a blank page"
                    )
                else:
                    seen_text = True
                    lines = printed_lines(words)
                    found = find_header(lines, text)
                    if found:
                        k, layout, starts = found
                        lines = lines[k + 1 :]  # a title above the header is not a row
                    ids = len(UUID_ANY.findall(text))
                    if layout is None:
                        if ids:
                            problems.append(
                                f"page {number} prints {ids} search ID(s) before any header of a known layout"
                            )
                        result.skipped = "no audit header or rows on it (a cover page or letter?)"
                    else:
                        result.layout = layout
                        result.rows = layout_rows(lines, layout, starts, boxes, result.notes, number)
                        _self_check(result, text, ids, problems)
                        rows += len(result.rows)
                        if not result.rows:
                            result.skipped = "no rows on it"
                if boxes is not None:
                    boxes.textpage.close()
            finally:
                page.close()
            if layout is None:
                held.append(result)
            else:
                yield from held
                held.clear()
                yield result
    finally:
        doc.close()
    if textless and not seen_text:
        raise refuse(
            display,
            f"this PDF is a scan: its {total:,} page(s) hold images or drawn outlines but no "
            "text layer, so there is nothing to read (OCR is not attempted: it would misread IDs and "
            "counts).",
            ASK_FOR_DATA,
        )
    if layout is None:
        if problems:
            raise refuse(
                display,
                f"the PDF prints search IDs but no header of a layout this pipeline knows ({'; '.join(problems[:5])}).",
                "Add its layout to pipeline/rules/pdf_layouts.yml, or " + ASK_FOR_DATA[0].lower() + ASK_FOR_DATA[1:],
            )
        raise NotAnAudit(
            "not a search audit: no page prints the header of a known audit layout or any search "
            "ID (a cover letter or memo?)",
            display,
        )
    if not rows and not problems:
        raise refuse(
            display,
            f"the PDF prints the header of an audit ({layout.name}) but no rows.",
            "Check that this is the release you meant to add; remove it from the inputs if it holds no data.",
        )
    if textless:
        problems.append(f"page(s) {_pages(textless)} hold no text layer (scanned inside the release?)")
    if problems:
        raise refuse(
            display,
            "the PDF was not read in full, so none of it is used: "
            + "; ".join(problems[:8])
            + (f"; and {len(problems) - 8} more" if len(problems) > 8 else "")
            + ".",
            "Check those pages in a PDF viewer; if the rows are there, report the layout as a reader "
            "problem. " + ASK_FOR_DATA,
        )


def _self_check(page: Page, text: str, ids: int, problems: list[str]) -> None:
    """The page's UUIDs (counted in its text, without positions) are its rows' IDs (+ UUID user ids)."""
    cols = page.layout.columns
    user = cols.index("searcher") if "searcher" in cols else None
    st = cols.index("search_time")
    user_ids = sum(1 for r in page.rows if user is not None and UUID_FULL.match(r[user]))
    if ids != len(page.rows) + user_ids:
        problems.append(
            f"page {page.number} prints {ids} UUID(s) but {len(page.rows)} row(s) were found"
            + (f" (and {user_ids} user id(s))" if user_ids else "")
        )
    bad = [k for k, r in enumerate(page.rows, 1) if not time_parses(r[st])]
    if bad:
        first = page.rows[bad[0] - 1][st]
        problems.append(
            f"page {page.number} row(s) {', '.join(map(str, bad[:5]))} have a search time that does "
            f"not parse (row {bad[0]}: {first[:40]!r})"
        )


def _pages(numbers: list[int]) -> str:
    shown = ", ".join(map(str, numbers[:10]))
    return shown + (f" and {len(numbers) - 10} more" if len(numbers) > 10 else "")
