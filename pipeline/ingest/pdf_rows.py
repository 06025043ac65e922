"""The rows of one PDF page: the header line that names the layout, then every line given to the search ID
it belongs to and every word to its column."""

from __future__ import annotations

import bisect
import functools
import re

from pipeline.ingest.headers import normalize
from pipeline.ingest.pdf_layouts import UUID_FULL, Layout, Word, layouts, printed, rules
from pipeline.ingest.pdf_words import Boxes


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
                    return k, printed(layout, labels), starts
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


def _split_at_boundaries(word: Word, boxes: Boxes, bounds: list[float]) -> list[tuple[int, Word]]:
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
    lines: list[list[Word]], layout: Layout, starts: list[float], boxes: Boxes | None, notes: list[str], number: int
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
