"""Flock audits printed to PDF, generated from known rows (fpdf2), with the quirks of real releases.

`audit_pdf(rows, layout)` prints rows (dicts keyed by the layout's labels, values as in the CSV export) the
way the real files print them (../shared/FORMATS.md §2):

- 9 labels (the Okaloosa layout, measured from that file): landscape, the Time Frame wrapped over six
  lines that end on the row's ID line, counts right-aligned, optionally every page rotated 90° in the file
  (`rotate=True`: the content is drawn on a portrait page that /Rotate 90 turns to landscape, as PrimoPDF did);
- 5 labels (portal-style, Print To PDF from the workbook): header on page 1 only, no rulings, a long reason
  wrapped onto lines below the ID line, no reason line when the reason is blank;
- `glue=True` prints neighbouring cells with no gap (a count running into the next cell's text, an ID
  into a UUID user id), so the text layer holds them as one word ("17652UTC");
- `shuffle=True` draws the page's text in a random order, as a page re-saved in an editor can hold it
  (the printed page looks the same).
Also a few raw PDFs the corpus needs (a scan, an outlined page, zero pages) written by hand.
"""

from __future__ import annotations

import io
import random
import textwrap

from fpdf import FPDF

NINE = [
    "ID",
    "Org Name",
    "Total Networks Searched",
    "Total Devices Searched",
    "Time Frame",
    "Reason",
    "Search Time",
    "Search Type",
    "Moderation",
]
FIVE = ["ID", "userId", "networkCount", "Search Time", "Reason"]

# Where each label starts (points from the left of the page as viewed) and the right edge of the
# right-aligned count columns: the 9-label numbers are Okaloosa's.
NINE_X = [52.1, 184.7, 256.9, 336.1, 410.0, 449.8, 566.2, 654.0, 694.2]
NINE_RIGHT = {"Total Networks Searched": 332.2, "Total Devices Searched": 406.1}
FIVE_X = [40.0, 200.0, 352.0, 420.0, 520.0]
FIVE_RIGHT = {"networkCount": 414.0}
FONT = 6.0


def uid(i: int, seed: int = 0) -> str:
    return f"{0x5A000000 + seed:08x}-{i % 65536:04x}-4{i % 4096:03x}-a{(i * 7) % 4096:03x}-{i:012x}"


def time_text(day: int, second: int) -> str:
    """MM/DD/YYYY, hh:mm:ss AM UTC as Flock prints it."""
    h, m, s = (second // 3600) % 24, (second // 60) % 60, second % 60
    return f"11/{day:02d}/2025, {(h % 12) or 12:02d}:{m:02d}:{s:02d} {'AM' if h < 12 else 'PM'} UTC"


def nine_rows(n: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    reasons = [
        "bolo",
        "Investigation",
        "crash hit and run",
        "",
        "Welfare Check - ",
        "Stolen vehicle",
        "Assault/Battery Offenses - Aggravated Assault  ",
        "Warrant",
    ]
    rows = []
    for i in range(n):
        day = 1 + i % 27
        t = rng.randrange(86400)
        rows.append(
            {
                "ID": uid(i, seed),
                "Org Name": "Okaloosa County FL SO",
                "Total Networks Searched": str(rng.choice([1, 1, 840, 6601, 6709])),
                "Total Devices Searched": str(rng.choice([104, 17652, 96316, 100034])),
                "Time Frame": f"{time_text(max(1, day - rng.randrange(3)), t)}\n{time_text(day, t)}",
                "Reason": rng.choice(reasons),
                "Search Time": time_text(day, (t + 77) % 86400),
                "Search Type": rng.choice(["lookup", "search", "lookup - Mobile"]),
                "Moderation": rng.choice(["", "", "allow"]),
            }
        )
    return rows


def five_rows(n: int, seed: int = 2) -> list[dict]:
    rng = random.Random(seed)
    reasons = [
        "Investigation",
        "",
        "Motor Vehicle Theft/Stolen - ",
        "Welfare Check   ",
        "Wanted Person (Arrest Warrant/Fugitive) - detective asked for a check of the plate seen at the "
        "scene on the night of the call",
        "BOL",
        "Missing/Endangered Person/Runaway - juvenile",
    ]
    rows = []
    for i in range(n):
        rows.append(
            {
                "ID": uid(i, seed),
                "userId": rng.choice([uid(1000 + i % 5, 99), "***"]),
                "networkCount": str(rng.choice([0, 2, 449, 2510])),
                "Search Time": time_text(1 + i % 27, rng.randrange(86400)),
                "Reason": rng.choice(reasons),
            }
        )
    return rows


def expected(rows: list[dict]) -> list[list[str]]:
    """What the reader must give back: the cells, with runs of spaces as one and no space at the ends
    (a printed page does not show trailing spaces; clean trims and collapses them in CSVs too)."""
    return [[v if "\n" in v else " ".join(v.split()) for v in r.values()] for r in rows]


class _Page:
    """Text items of one page, drawn at the end in print order or shuffled."""

    def __init__(self):
        self.items: list[tuple[float, float, str]] = []

    def text(self, x: float, y: float, s: str) -> None:
        if s:
            self.items.append((x, y, s))


def audit_pdf(
    rows: list[dict],
    layout: str = "9",
    *,
    rows_per_page: int = 9,
    rotate: bool | int = False,
    glue: bool = False,
    shuffle: bool = False,
    header_every_page: bool = False,
    id_offset: dict[int, float] | None = None,
    furniture: bool = False,
    drop: tuple[str, ...] = (),
    seed: int = 7,
) -> bytes:
    """The rows printed as a Flock audit PDF. id_offset {row: points} moves a row's ID to the right (a row
    the reader cannot anchor: the self-check must refuse the file); furniture prints a running title and a
    page number on every page, apart from the rows."""
    labels, xs, right = (NINE, NINE_X, NINE_RIGHT) if layout == "9" else (FIVE, FIVE_X, FIVE_RIGHT)
    if drop:  # a month's export without these columns: the others print where they always do
        xs = [x for label, x in zip(labels, xs) if label not in drop]
        labels = [label for label in labels if label not in drop]
        right = {k: v for k, v in right.items() if k not in drop}
    if glue:  # counts end where the next cell's text starts (1 pt left of its label, as Okaloosa prints)
        right = {k: xs[labels.index(k) + 1] - 1.2 for k in right}
    landscape = layout == "9"
    pdf = FPDF(orientation="L" if landscape else "P", unit="pt", format="letter")
    pdf.set_auto_page_break(False)
    pdf.set_font("helvetica", size=FONT)
    pages: list[_Page] = []
    step = 9.2
    for start in range(0, len(rows), rows_per_page):
        page = _Page()
        pages.append(page)
        if furniture:
            page.text(xs[1], 30.0, "Search audit export - Okaloosa County FL SO")
            page.text(xs[2], (612.0 if landscape else 792.0) - 24.0, f"Page {len(pages)}")
        y = 60.0
        if start == 0 or header_every_page:
            for x, label in zip(xs, labels):
                page.text(x, y, label)
        y += step
        for k, row in enumerate(rows[start : start + rows_per_page]):
            index = start + k
            if layout == "9":
                y = _nine_row(page, pdf, row, dict(zip(labels, xs)), right, y, step, glue)
            else:
                y = _five_row(page, pdf, row, xs, right, y, step, glue)
            if id_offset and index in id_offset:
                x0, y0, s = next(it for it in page.items if it[2] == row["ID"])
                page.items.remove((x0, y0, s))
                page.items.append((x0 + id_offset[index], y0, s))
    rng = random.Random(seed)
    for page in pages:
        pdf.add_page()
        items = list(page.items)
        if shuffle:
            rng.shuffle(items)
        for x, y, s in items:
            pdf.text(x, y, s)
    data = bytes(pdf.output())
    return _rotated(data, 90 if rotate is True else rotate) if rotate else data


def _x_right(pdf: FPDF, right: float, s: str) -> float:
    return right - pdf.get_string_width(s)


def _nine_row(
    page: _Page, pdf: FPDF, row: dict, at: dict[str, float], right, y: float, step: float, glue: bool
) -> float:
    start, end = row["Time Frame"].split("\n")
    wrapped = []
    for part in (start, end):  # "11/13/2025," / "10:00:17 PM" / "UTC"
        date, rest = part.split(", ", 1)
        clock, zone = rest.rsplit(" ", 1)
        wrapped += [date + ",", clock, zone]
    top = y
    for k, line in enumerate(wrapped):
        page.text(at["Time Frame"] - (1.0 if glue else 0.0), top + k * step, line)
    id_y = top + (len(wrapped) - 1) * step  # the ID line is the Time Frame's last line
    reason = textwrap.wrap(row["Reason"], 28)  # bottom-aligned like every cell: ends on the ID line
    for k, line in enumerate(reason[:-1]):
        page.text(at["Reason"] - 0.5, id_y - (len(reason) - 1 - k) * step, line)
    for label, x in at.items():
        if label == "Time Frame":
            continue
        value = (
            reason[-1] + row["Reason"][len(row["Reason"].rstrip()) :] if label == "Reason" and reason else row[label]
        )
        if label in right:
            page.text(_x_right(pdf, right[label], value), id_y, value)
        else:
            page.text(x - 0.5, id_y, value)
    return id_y + step


def _five_row(page: _Page, pdf: FPDF, row: dict, xs, right, y: float, step: float, glue: bool) -> float:
    id_y = y
    if glue:  # the ID runs into the user id: two UUIDs with no gap between them
        page.text(_x_right(pdf, xs[1] - 1.0, row["ID"]), id_y, row["ID"])
        page.text(xs[1] - 1.0, id_y, row["userId"])
    else:
        page.text(xs[0], id_y, row["ID"])
        page.text(xs[1], id_y, row["userId"])
    page.text(_x_right(pdf, right["networkCount"], row["networkCount"]), id_y, row["networkCount"])
    page.text(xs[3], id_y, row["Search Time"])
    lines = textwrap.wrap(row["Reason"], 24) if row["Reason"].strip() else []
    if row["Reason"].strip() and row["Reason"] != row["Reason"].rstrip() and lines:
        lines[-1] += row["Reason"][len(row["Reason"].rstrip()) :]  # keep the trailing spaces in the text
    for k, line in enumerate(lines):
        page.text(xs[4], id_y + k * step, line)
    return id_y + max(1, len(lines)) * step + 2.0


def _rotated(data: bytes, degrees: int = 90) -> bytes:
    """Every page redrawn so that /Rotate `degrees` shows it as drawn: it looks the same, but the text's
    coordinates in the file run across or against the page (PrimoPDF's output is rotated 90)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    for i in range(len(doc)):
        page = doc[i]
        w, h = page.get_size()  # as drawn (viewed)
        # viewed (X, Y from the bottom) -> file (x, y), so that the viewer's rotation gives the drawing back
        m, media = {
            90: ((0, 1, -1, 0, h, 0), (h, w)),
            180: ((-1, 0, 0, -1, w, h), (w, h)),
            270: ((0, -1, 1, 0, 0, w), (h, w)),
        }[degrees]
        for obj in list(page.get_objects()):
            obj.transform(pdfium.PdfMatrix(*m))
        page.set_mediabox(0, 0, *media)
        page.set_rotation(degrees)
        page.gen_content()
        page.close()
    buf = io.BytesIO()
    doc.save(buf)
    doc.close()
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------- raw PDFs


def raw_pdf(
    contents: list[bytes],
    *,
    resources: bytes = b"<< /Font << /F1 99 0 R >> >>",
    extra: list[bytes] = (),
    encrypt: bool = False,
) -> bytes:
    """A PDF written by hand: one page per content stream (Helvetica as /F1 = object 99; `extra` objects
    are numbered 100, 101, ...)."""
    objs: dict[int, bytes] = {1: b"<< /Type /Catalog /Pages 2 0 R >>"}
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(contents)))
    objs[2] = f"<< /Type /Pages /Kids [{kids}] /Count {len(contents)} >>".encode()
    for i, content in enumerate(contents):
        objs[3 + 2 * i] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources "
            + resources
            + f" /Contents {4 + 2 * i} 0 R >>".encode()
        )
        objs[4 + 2 * i] = f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream"
    objs[99] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    for k, body in enumerate(extra):
        objs[100 + k] = body
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objs):
        offsets[num] = len(out)
        out += f"{num} 0 obj\n".encode() + objs[num] + b"\nendobj\n"
    size = max(objs) + 1
    xref = len(out)
    out += f"xref\n0 {size}\n".encode()
    for num in range(size):
        out += (f"{offsets[num]:010d} 00000 n \n" if num in offsets else "0000000000 65535 f \n").encode()
    out += f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def text_page(lines: list[str], size: float = 10) -> bytes:
    body = "".join(f"({s.replace('(', '[').replace(')', ']')}) Tj 0 -{size * 1.3:.1f} Td\n" for s in lines)
    return f"BT /F1 {size} Tf 50 740 Td\n{body}ET".encode("latin-1")


def scanned_pdf(pages: int = 2) -> bytes:
    """Pages that hold only an image (a scan): a small grey image drawn over the page, no text."""
    pixels = bytes(range(0, 256, 4)) * 64  # 64 x 64, 8-bit grey
    image = (
        (
            f"<< /Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray "
            f"/BitsPerComponent 8 /Length {len(pixels)} >>\nstream\n"
        ).encode()
        + pixels
        + b"\nendstream"
    )
    return raw_pdf(
        [b"q 500 0 0 700 50 50 cm /Im0 Do Q"] * pages, resources=b"<< /XObject << /Im0 100 0 R >> >>", extra=[image]
    )


def outlined_pdf() -> bytes:
    """A page whose 'text' is drawn as filled outlines (vector paths): it looks full and holds no text."""
    paths = "".join(f"{50 + 12 * k} 700 m {56 + 12 * k} 712 l {62 + 12 * k} 700 l h f\n" for k in range(40))
    return raw_pdf([paths.encode()])


def big_text_pdf(megabytes: int = 10) -> bytes:
    """One page holding `megabytes` of text in short lines (a dump, not an audit)."""
    line = b"(" + b"y" * 100 + b") Tj 0 -1 Td\n"
    return raw_pdf([b"BT /F1 1 Tf 10 780 Td\n" + line * (megabytes * 1024 * 1024 // len(line)) + b"ET"])


def concat_pdfs(*parts: bytes) -> bytes:
    """The pages of several PDFs in one file (a cover page before the audit, a scanned page inside it)."""
    import pypdfium2 as pdfium

    out = pdfium.PdfDocument.new()
    for data in parts:
        src = pdfium.PdfDocument(data)
        out.import_pages(src)
        src.close()
    buf = io.BytesIO()
    out.save(buf)
    out.close()
    return buf.getvalue()


def encrypted_pdf(data_rows: list[dict]) -> bytes:
    """The 5-label audit, protected by a user password (AES-256)."""
    from fpdf.enums import EncryptionMethod

    pdf = FPDF(unit="pt", format="letter")
    pdf.set_encryption(owner_password="owner", user_password="secret", encryption_method=EncryptionMethod.AES_256)
    pdf.add_page()
    pdf.set_font("helvetica", size=FONT)
    for k, label in enumerate(FIVE):
        pdf.text(FIVE_X[k], 60, label)
    for i, row in enumerate(data_rows):
        for k, label in enumerate(FIVE):
            pdf.text(FIVE_X[k], 70 + 10 * i, row[label])
    return bytes(pdf.output())
