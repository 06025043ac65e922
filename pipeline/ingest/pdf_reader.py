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
"""

from __future__ import annotations

import bisect
import ctypes
import datetime as dt
import functools
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator


from pipeline import RULES
from pipeline.io import rules as rules_file
from pipeline.errors import SourceError
from pipeline.ingest import limits, sniff
from pipeline.ingest.headers import HeaderMap, map_header, normalize

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


def _printed(layout: Layout, labels: tuple[str, ...]) -> Layout:
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


# ---------------------------------------------------------------------------------------------- opening


def _refuse(display: str, message: str, hint: str) -> SourceError:
    return SourceError(message, file=display, hint=hint)


def open_pdf(path: Path, display: str):
    """The PDFium document, or a refusal saying what is wrong with the file (never a PDFium error)."""
    import pypdfium2 as pdfium

    head = sniff.head(path, 1024)
    if b"%PDF-" not in head:
        sig = sniff.signature(head)
        if sig:
            raise _refuse(display, f"this is {sig[0]}, not a PDF, though its name ends in .pdf.", sig[1])
        if sniff.looks_like_text(head):
            raise _refuse(
                display,
                "this is plain text (perhaps a CSV), not a PDF, though its name ends in .pdf.",
                "If it is a CSV, save a copy named .csv beside it and list that in inputs.",
            )
        raise _refuse(
            display,
            "this is not a PDF (it does not start like one), though its name ends in .pdf.",
            "Check that it is the file the agency sent; ask the agency for it again.",
        )
    with open(path, "rb") as f:
        f.seek(max(0, path.stat().st_size - 2048))
        tail = f.read()
    if b"%%EOF" not in tail:
        raise _refuse(
            display,
            "the PDF is cut short: it has no end-of-file marker, so pages may be missing.",
            "Ask the agency for the file again (it was probably truncated in transfer).",
        )
    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        if _declares_no_page(path):  # PDFium refuses a document of zero pages as if it were damaged
            raise _refuse(display, "the PDF has no pages.", "Ask the agency for the file again.") from None
        if "password" in str(e).lower():
            raise _refuse(
                display,
                "the PDF is encrypted (password-protected) and cannot be read.",
                "Ask the agency for an unprotected copy, or better the audit as CSV or XLSX.",
            ) from None
        raise _refuse(
            display, f"the PDF cannot be opened: it is damaged ({e}).", "Ask the agency for the file again."
        ) from None
    if len(doc) == 0:
        doc.close()
        raise _refuse(display, "the PDF has no pages.", "Ask the agency for the file again.")
    _check_pages(doc, path.stat().st_size, display)
    return doc


def _check_pages(doc, size: int, display: str) -> None:
    """Refuse, before a page is read, a PDF of more pages than the limit, or of fewer bytes a page than a
    printed page takes (a page tree naming one page a million times: 1.3 KB, and hours of reading)."""
    pages = len(doc)
    for limit, over, what in (
        (limits.PDF_PAGES, pages > limits.PDF_PAGES.value, f"has {pages:,} pages"),
        (
            limits.PDF_MIN_BYTES_PER_PAGE,
            size / pages < limits.PDF_MIN_BYTES_PER_PAGE.value,
            f"declares {pages:,} pages in {size:,} bytes ({size / pages:,.1f} bytes a page; a printed page "
            "takes hundreds)",
        ),
    ):
        if over:
            doc.close()
            raise _refuse(
                display, f"the PDF {what}, past the pipeline's safety limit; it was not read.", limit.how_to_raise()
            )


def _declares_no_page(path: Path, limit: int = 64 * 1024**2) -> bool:
    """Whether a PDF that PDFium cannot open holds no page object at all (and a page tree of none)."""
    if path.stat().st_size > limit:
        return False
    data = path.read_bytes()
    return re.search(rb"/Count\s+0\b", data) is not None and re.search(rb"/Type\s*/Page(?![s\w])", data) is None


# ---------------------------------------------------------------------------------------------- words


def _to_display(rotation: int, box: tuple, media: tuple) -> tuple[float, float, float, float]:
    """A box in PDF page space (left, bottom, right, top) as (x0, y0, x1, y1) on the page as viewed."""
    left, bottom, right, top = box
    mx0, my0, mx1, my1 = media
    if rotation == 90:
        xs, ys = (bottom - my0, top - my0), (left - mx0, right - mx0)
    elif rotation == 180:
        xs, ys = (mx1 - right, mx1 - left), (bottom - my0, top - my0)
    elif rotation == 270:
        xs, ys = (my1 - top, my1 - bottom), (mx1 - right, mx1 - left)
    else:
        xs, ys = (left - mx0, right - mx0), (my1 - top, my1 - bottom)
    return min(xs), min(ys), max(xs), max(ys)


@functools.cache
def _char_box_function():
    """FPDFText_GetLooseCharBox called with ready-made pointers: the same C function as pypdfium2.raw's, without
    its per-call argument checks (it is called twice for every word of every page; README "Speed and memory"). The
    loose box spans the font's ascent to descent, so every character of a line has the same height."""
    try:
        import pypdfium2_raw.bindings as bindings

        fn = bindings._libs["pdfium"]["FPDFText_GetLooseCharBox"]  # a fresh function object of the loaded library
        fn.restype = ctypes.c_int
        return fn, True
    except (ImportError, AttributeError, KeyError, TypeError):  # another binding layout: the typed call
        import pypdfium2.raw as pdfium_c

        return pdfium_c.FPDFText_GetLooseCharBox, False


class _Boxes:
    """Character boxes of one text page, one PDFium call each (the costly part: asked for sparingly)."""

    def __init__(self, textpage, rotation: int, media: tuple):
        import pypdfium2.raw as pdfium_c

        self.textpage, self.rotation, self.media = textpage, rotation, media
        self._rect = pdfium_c.FS_RECTF()  # left, top, right, bottom (top < bottom in rotated text)
        self._get, plain = _char_box_function()
        if plain:
            self._handle = ctypes.c_void_p(ctypes.cast(textpage.raw, ctypes.c_void_p).value)
            self._arg = ctypes.c_void_p(ctypes.addressof(self._rect))
        else:
            self._handle, self._arg = textpage.raw, ctypes.byref(self._rect)

    def raw(self, i: int) -> tuple[float, float, float, float]:
        """(left, bottom, right, top) in PDF page space."""
        self._get(self._handle, i, self._arg)
        r = self._rect
        return r.left, min(r.top, r.bottom), r.right, max(r.top, r.bottom)

    def box(self, i: int) -> tuple[float, float, float, float]:
        return _to_display(self.rotation, self.raw(i), self.media)


def page_words(page, number: int, display: str) -> tuple[list[Word], str, _Boxes | None, int]:
    """(words with display boxes, the page's text, its character boxes, objects drawn on the page)."""
    import pypdfium2.raw as pdfium_c

    limits = rules()
    objects = pdfium_c.FPDFPage_CountObjects(page.raw)
    if objects > limits["max_page_objects"]:
        raise _refuse(
            display,
            f"page {number} holds {objects:,} drawing objects, far more than any audit page "
            f"(limit {limits['max_page_objects']:,}); it is not read.",
            "Check the page in a PDF viewer; " + ASK_FOR_DATA,
        )
    textpage = page.get_textpage()
    n = textpage.count_chars()
    if n > limits["max_page_chars"]:
        textpage.close()
        raise _refuse(
            display,
            f"page {number} holds {n:,} characters of text, far more than any audit page "
            f"(limit {limits['max_page_chars']:,}); it is not read.",
            "Check the page in a PDF viewer; " + ASK_FOR_DATA,
        )
    text = textpage.get_text_range() if n else ""
    if len(text) != n:  # characters outside the BMP: index the text by PDFium's characters instead
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i) or 32) for i in range(n))
    if not text.strip():
        textpage.close()
        return [], "", None, objects
    l, b, r, t = page.get_mediabox()
    boxes = _Boxes(textpage, page.get_rotation() % 360, (l, b, r, t))
    words = []
    # Two PDFium calls a word (its first and last character), inlined: this loop is most of the reader's time.
    get, handle, arg, rect = boxes._get, boxes._handle, boxes._arg, boxes._rect
    rot, media = boxes.rotation, boxes.media
    upright = rot == 90 and media[0] == 0 and media[1] == 0  # (Okaloosa: every page; the common case inlined)
    for m in WORD.finditer(text):
        i, j = m.start(), m.end() - 1
        get(handle, i, arg)
        left, right, bottom, top = rect.left, rect.right, rect.bottom, rect.top
        if bottom > top:  # (upright text: FS_RECTF's top is above its bottom)
            bottom, top = top, bottom
        if j != i:
            get(handle, j, arg)
            lo, hi = rect.bottom, rect.top
            if lo > hi:
                lo, hi = hi, lo
            if lo < bottom:
                bottom = lo
            if hi > top:
                top = hi
            if rect.left < left:
                left = rect.left
            if rect.right > right:
                right = rect.right
        if upright:
            words.append(Word(bottom, left, top, right, m.group(), i, j))
        else:
            x0, y0, x1, y1 = _to_display(rot, (left, bottom, right, top), media)
            words.append(Word(x0, y0, x1, y1, m.group(), i, j))
    return words, text, boxes, objects


def _lines(words: list[Word]) -> list[list[Word]]:
    """Words grouped into printed lines (by the middle of their boxes), top to bottom, each left to right."""
    if not words:
        return []
    heights = sorted(w.y1 - w.y0 for w in words)
    tol = max(heights[len(heights) // 2] * 0.5, 0.5)
    lines: list[list[Word]] = []
    total = count = 0.0
    for w in sorted(words, key=lambda w: w.y0 + w.y1):
        yc = (w.y0 + w.y1) / 2
        if count and yc - total / count <= tol:
            lines[-1].append(w)
        else:
            lines.append([w])
            total = count = 0.0
        total += yc
        count += 1
    for line in lines:
        line.sort(key=lambda w: w.x0)
    return lines


# ---------------------------------------------------------------------------------------------- layout


@functools.cache
def _label_words() -> tuple[tuple[Layout, frozenset[str]], ...]:
    return tuple(
        (
            layout,
            frozenset(w for label in layout.labels if label not in layout.optional for w in normalize(label).split()),
        )
        for layout in layouts()
    )


def find_header(lines: list[list[Word]], text: str = "") -> tuple[int, Layout, list[float]] | None:
    """(line index, layout, x where each label starts) of the first line printing a known layout's labels."""
    low = text.lower()
    candidates = [layout for layout, words in _label_words() if not text or all(w in low for w in words)]
    if not candidates:  # (cheap: most pages print no header)
        return None
    firsts = {normalize(layout.labels[0]) for layout in candidates}
    for k, line in enumerate(lines):
        if not any(w.text.lower() in firsts for w in line):
            continue
        tokens = [normalize(w.text) for w in line]
        for layout in candidates:
            found = _labels_in_order(tokens, layout)
            if found is not None:
                labels = tuple(label for label, _ in found)
                starts = [line[pos].x0 for _, pos in found]
                if starts == sorted(starts):
                    return k, _printed(layout, labels), starts
    return None


def _labels_in_order(tokens: list[str], layout: Layout) -> list[tuple[str, int]] | None:
    """(label, index of its first word) for each label printed in the line, in order; None when a label the
    layout requires is missing. An optional label that is not there is passed over."""
    found, pos = [], 0
    for label in layout.labels:
        want = normalize(label).split(" ")
        at = pos
        while at < len(tokens) and tokens[at : at + len(want)] != want:
            at += 1
        if at >= len(tokens):
            if label in layout.optional:
                continue
            return None
        found.append((label, at))
        pos = at + len(want)
    return found


def _split_at_boundaries(word: Word, boxes: _Boxes, bounds: list[float]) -> list[tuple[int, Word]]:
    """A word whose characters run over a column boundary (cells printed with no gap): split it there."""
    parts: list[tuple[int, Word]] = []
    for i in range(word.first, word.last + 1):
        x0, y0, x1, y1 = boxes.box(i)
        col = _column_of((x0 + x1) / 2, bounds)
        ch = word.text[i - word.first]
        if parts and parts[-1][0] == col:
            p = parts[-1][1]
            p.text += ch
            p.x0, p.y0, p.x1, p.y1 = min(p.x0, x0), min(p.y0, y0), max(p.x1, x1), max(p.y1, y1)
        else:
            parts.append((col, Word(x0, y0, x1, y1, ch, i, i)))
    return parts


def _column_of(x: float, bounds: list[float]) -> int:
    return max(0, bisect.bisect_right(bounds, x) - 1)


# Long (~75 lines) on purpose: one walk down a page's lines, giving each line to its ID and each word to its column.
def layout_rows(  # noqa: C901 - one walk down a page's lines; its branches share the row being built
    lines: list[list[Word]], layout: Layout, starts: list[float], boxes: _Boxes | None, notes: list[str], number: int
) -> list[list[str]]:
    """The rows of one page: every line given to the ID it belongs to, every word to its column."""
    slack = rules()["column_slack_pt"]
    bounds = [s - slack for s in starts]
    # Characters of a word printed across two cells go by their middle: a cell's text starts at most about a
    # point left of its label, and the cell before it ends left of that.
    split = [s - slack / 2 for s in starts]
    ncols = len(bounds)
    placed: list[list[tuple[int, Word]]] = []  # per line: (column, word)
    for line in lines:
        out = []
        for w in line:
            col = bisect.bisect_right(bounds, w.x0) - 1
            if col < 0:
                col = 0
            if col + 1 < ncols and w.x1 > starts[col + 1] and boxes is not None:
                out += _split_at_boundaries(w, boxes, split)
            else:
                out.append((col, w))
        placed.append(out)
    anchors = [k for k, line in enumerate(placed) if any(c == 0 and UUID_FULL.match(w.text) for c, w in line)]
    if not anchors:
        return []
    owner: dict[int, int] = {}
    for k in range(len(placed)):
        if layout.wrapped_lines == "above":
            r = bisect.bisect_left(anchors, k)  # the first ID line at or below this line
            if r < len(anchors):
                owner[k] = r
        else:
            r = bisect.bisect_right(anchors, k) - 1  # the last ID line at or above this line
            if r >= 0:
                owner[k] = r
    # Before the first row (wrapping above) or after the last (below), only lines printed at the rows' own
    # line spacing belong to it: a page title or footer stands apart.
    centres = [sum(w.yc for _, w in line) / len(line) for line in placed]
    gaps = sorted(b - a for a, b in zip(centres, centres[1:]) if b > a)
    if gaps:
        far = 1.6 * gaps[len(gaps) // 2]
        if layout.wrapped_lines == "above":
            k = anchors[0]
            while k > 0 and centres[k] - centres[k - 1] <= far:
                k -= 1
            for j in range(k):
                owner.pop(j, None)
        else:
            k = anchors[-1]
            while k + 1 < len(placed) and centres[k + 1] - centres[k] <= far:
                k += 1
            for j in range(k + 1, len(placed)):
                owner.pop(j, None)
    stray = len(placed) - len(owner)
    if stray:
        notes.append(f"page {number}: {stray} line(s) outside every row (a page header or footer) not read")
    cells: list[list[list[str]]] = [[[] for _ in range(ncols)] for _ in anchors]
    for k, line in enumerate(placed):
        if k not in owner:
            continue
        row = cells[owner[k]]
        by_col: dict[int, list[str]] = {}
        for c, w in line:
            by_col.setdefault(c, []).append(w.text)
        for c, texts in by_col.items():
            row[c].append(" ".join(texts))
    rejoin = re.compile(rules()["time_frame_rejoin"])
    tf = layout.columns.index("time_frame") if "time_frame" in layout.columns else None
    rows = []
    for row in cells:
        values = [" ".join(parts) for parts in row]
        if tf is not None:
            values[tf] = rejoin.sub(r"\1\n", values[tf])
        rows.append(values)
    return rows


# ---------------------------------------------------------------------------------------------- the file


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
                raise _refuse(
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
                    lines = _lines(words)
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
        raise _refuse(
            display,
            f"this PDF is a scan: its {total:,} page(s) hold images or drawn outlines but no "
            "text layer, so there is nothing to read (OCR is not attempted: it would misread IDs and "
            "counts).",
            ASK_FOR_DATA,
        )
    if layout is None:
        if problems:
            raise _refuse(
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
        raise _refuse(
            display,
            f"the PDF prints the header of an audit ({layout.name}) but no rows.",
            "Check that this is the release you meant to add; remove it from the inputs if it holds no data.",
        )
    if textless:
        problems.append(f"page(s) {_pages(textless)} hold no text layer (scanned inside the release?)")
    if problems:
        raise _refuse(
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
