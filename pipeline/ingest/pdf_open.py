"""Open a PDF for the reader: refuse, before a page is read, a file that is not a PDF, is cut short, damaged,
encrypted, empty, or past the page limits, in a sentence that says what is wrong (never a PDFium error)."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.ingest import limits, sniff
from pipeline.ingest.pdf_layouts import refuse


def open_pdf(path: Path, display: str):
    """The PDFium document, or a refusal saying what is wrong with the file (never a PDFium error)."""
    import pypdfium2 as pdfium

    head = sniff.head(path, 1024)
    if b"%PDF-" not in head:
        sig = sniff.signature(head)
        if sig:
            raise refuse(display, f"this is {sig[0]}, not a PDF, though its name ends in .pdf.", sig[1])
        if sniff.looks_like_text(head):
            raise refuse(
                display,
                "this is plain text (perhaps a CSV), not a PDF, though its name ends in .pdf.",
                "If it is a CSV, save a copy named .csv beside it and list that in inputs.",
            )
        raise refuse(
            display,
            "this is not a PDF (it does not start like one), though its name ends in .pdf.",
            "Check that it is the file the agency sent; ask the agency for it again.",
        )
    with open(path, "rb") as f:
        f.seek(max(0, path.stat().st_size - 2048))
        tail = f.read()
    if b"%%EOF" not in tail:
        raise refuse(
            display,
            "the PDF is cut short: it has no end-of-file marker, so pages may be missing.",
            "Ask the agency for the file again (it was probably truncated in transfer).",
        )
    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        if _declares_no_page(path):  # PDFium refuses a document of zero pages as if it were damaged
            raise refuse(display, "the PDF has no pages.", "Ask the agency for the file again.") from None
        if "password" in str(e).lower():
            raise refuse(
                display,
                "the PDF is encrypted (password-protected) and cannot be read.",
                "Ask the agency for an unprotected copy, or better the audit as CSV or XLSX.",
            ) from None
        raise refuse(
            display, f"the PDF cannot be opened: it is damaged ({e}).", "Ask the agency for the file again."
        ) from None
    if len(doc) == 0:
        doc.close()
        raise refuse(display, "the PDF has no pages.", "Ask the agency for the file again.")
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
            raise refuse(
                display, f"the PDF {what}, past the pipeline's safety limit; it was not read.", limit.how_to_raise()
            )


def _declares_no_page(path: Path, limit: int = 64 * 1024**2) -> bool:
    """Whether a PDF that PDFium cannot open holds no page object at all (and a page tree of none)."""
    if path.stat().st_size > limit:
        return False
    data = path.read_bytes()
    return re.search(rb"/Count\s+0\b", data) is not None and re.search(rb"/Type\s*/Page(?![s\w])", data) is None
