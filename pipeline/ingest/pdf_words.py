"""The words of one PDF page, each with its box on the page as viewed (PDFium's character boxes, rotation
undone), and the printed lines they make."""

from __future__ import annotations

import ctypes
import functools

from pipeline.ingest.pdf_layouts import ASK_FOR_DATA, WORD, Word, refuse, rules


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


class Boxes:
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


def page_words(page, number: int, display: str) -> tuple[list[Word], str, Boxes | None, int]:
    """(words with display boxes, the page's text, its character boxes, objects drawn on the page)."""
    import pypdfium2.raw as pdfium_c

    limits = rules()
    objects = pdfium_c.FPDFPage_CountObjects(page.raw)
    if objects > limits["max_page_objects"]:
        raise refuse(
            display,
            f"page {number} holds {objects:,} drawing objects, far more than any audit page "
            f"(limit {limits['max_page_objects']:,}); it is not read.",
            "Check the page in a PDF viewer; " + ASK_FOR_DATA,
        )
    textpage = page.get_textpage()
    n = textpage.count_chars()
    if n > limits["max_page_chars"]:
        textpage.close()
        raise refuse(
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
    boxes = Boxes(textpage, page.get_rotation() % 360, (l, b, r, t))
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


def printed_lines(words: list[Word]) -> list[list[Word]]:
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
