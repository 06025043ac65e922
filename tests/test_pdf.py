"""PDF releases: generated PDFs give back exactly the rows printed in them, the real Okaloosa PDF gives the
figures its publisher reported (../shared/data/real/SOURCES.md), and the self-check refuses a partial read.

The bad PDFs (damaged, encrypted, scans, ...) are in tests/test_bad_inputs.py with the other bad inputs.
"""

from __future__ import annotations

import io
import re
import zipfile

import duckdb
import pandas as pd
import pypdfium2 as pdfium
import pytest

from pipeline.errors import SourceError
from pipeline.analyze.facts import compute
from pipeline.ingest import pdf_reader
from pipeline.ingest.pdf_reader import layouts, read_pdf

from conftest import REAL, built, read_searches
from pdf_fixtures import FIVE, NINE, audit_pdf, expected, five_rows, nine_rows, raw_pdf, text_page

OKALOOSA = REAL / "okaloosa-fl-so" / "11_1_2025-12_8_2025-Okaloosa_County_FL_SO-Audit.pdf"


def read_rows(tmp_path, data: bytes, name="a.pdf") -> list[list[str]]:
    p = tmp_path / name
    p.write_bytes(data)
    return [r for page in read_pdf(p, name) for r in page.rows]


def test_every_layout_maps_to_known_columns_with_the_id_first():
    assert [l.labels for l in layouts()] == [tuple(NINE), tuple(FIVE)]
    for layout in layouts():
        assert layout.columns[0] == "flock_id" and "search_time" in layout.columns
    assert layouts()[1].hmap.schema == "portal" and layouts()[0].hmap.schema == "flock_export"


QUIRKS = {
    "plain": {},
    "rotated": {"rotate": True},
    "rotated_and_glued": {"rotate": True, "glue": True},  # split words in rotated page space
    "rotated_180_and_glued": {"rotate": 180, "glue": True},
    "rotated_270_and_glued": {"rotate": 270, "glue": True},
    "glued": {"glue": True},
    "resaved_out_of_order": {"shuffle": True},
    "header_on_every_page": {"header_every_page": True},
    "page_title_and_number": {"furniture": True},
    "all_at_once": {"rotate": True, "glue": True, "shuffle": True},
}


def _quirk_is_there(data: bytes, layout: str, quirk: dict) -> None:
    """The generated file really has the quirk (else the test would prove nothing)."""
    doc = pdfium.PdfDocument(data)
    page = doc[0]
    text = page.get_textpage().get_text_range()
    if quirk.get("rotate"):
        degrees = 90 if quirk["rotate"] is True else quirk["rotate"]
        assert page.get_rotation() == degrees
        assert page.get_mediabox() == ((0, 0, 792, 612) if degrees == 180 else (0, 0, 612, 792))
    if quirk.get("glue") and not quirk.get("shuffle"):  # (drawn out of order, the cells are not neighbours)
        glued = r"\d+UTC" if layout == "9" else r"[0-9a-f-]{36}[0-9a-f]{8}-"
        assert re.search(glued, text), text[:300]
    ids = re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-4", text)
    if quirk.get("shuffle"):
        assert text.split()[0] != "ID" and ids != sorted(ids)
    if not quirk.get("header_every_page") and len(doc) > 1:
        assert "Search Time" not in doc[1].get_textpage().get_text_range()


@pytest.mark.parametrize("quirk", QUIRKS, ids=list(QUIRKS))
@pytest.mark.parametrize("layout", ["9", "5"])
def test_generated_pdf_gives_back_exactly_its_rows(tmp_path, layout, quirk):
    if layout == "5" and QUIRKS[quirk].get("rotate"):
        pytest.skip("the 5-label release is printed upright")
    rows = nine_rows(23) if layout == "9" else five_rows(31)
    data = audit_pdf(rows, layout, rows_per_page=9 if layout == "9" else 14, **QUIRKS[quirk])
    _quirk_is_there(data, layout, QUIRKS[quirk])
    assert read_rows(tmp_path, data) == expected(rows)


def test_a_month_printed_without_the_columns_that_drift_away(project):
    """FORMATS.md §2: Moderation disappears after August 2025, Total Devices Searched after January 2026."""
    rows = nine_rows(11)
    drop = ("Total Devices Searched", "Moderation")
    j = project({"jan.pdf": audit_pdf(rows, "9", drop=drop)}, log_kind="organization")
    m = built(j)
    assert m["sources"][0]["header_as_released"] == [c for c in NINE if c not in drop]
    df = read_searches(j).set_index("flock_id")
    assert df["total_devices"].isna().all() and df["moderation"].isna().all()  # not exported, not blank
    assert [int(df.loc[r["ID"], "total_networks"]) for r in rows] == [int(r["Total Networks Searched"]) for r in rows]
    assert [df.loc[r["ID"], "search_type"] for r in rows] == [r["Search Type"] for r in rows]


def test_page_title_and_number_are_noted_not_read(tmp_path):
    p = tmp_path / "a.pdf"
    p.write_bytes(audit_pdf(nine_rows(12), "9", rows_per_page=9, furniture=True))
    pages = list(read_pdf(p, "a.pdf"))
    assert [r for page in pages for r in page.rows] == expected(nine_rows(12))
    assert pages[1].notes == ["page 2: 2 line(s) outside every row (a page header or footer) not read"]


def test_quirks_of_the_rows_are_in_the_generated_rows():
    nine, five = nine_rows(23), five_rows(31)
    assert any(r["Reason"] == "" for r in nine) and any(r["Reason"] == "" for r in five)  # blank reasons
    assert any(r["Reason"].endswith(" - ") for r in five)  # dropdown with the detail blank
    assert any(r["Reason"] != r["Reason"].rstrip() for r in nine + five)  # trailing spaces
    assert any(len(r["Reason"]) > 60 for r in five)  # a reason wrapped below its ID
    assert any(len(r["Reason"]) > 28 for r in nine)  # a reason wrapped above its ID


def test_search_cited_to_its_page_and_the_row_counted_on_that_page(project):
    rows = nine_rows(20)
    j = project({"audit.pdf": audit_pdf(rows, "9", rows_per_page=9)}, log_kind="organization")
    m = built(j)
    assert [s["sheet"] for s in m["sources"]] == ["page 1", "page 2", "page 3"]
    assert [s["rows_read"] for s in m["sources"]] == [9, 9, 2]
    assert {s["detected_kind"] for s in m["sources"]} == {"flock_export pdf"}
    df = read_searches(j).set_index("flock_id")
    for k, row in enumerate(rows):
        hit = df.loc[row["ID"]]
        assert (hit["source_sheet"], hit["source_row"]) == (f"page {k // 9 + 1}", k % 9 + 1), k
        assert hit["source_file"] == f"data/raw/{j.slug}/audit.pdf"
    # the Time Frame wrapped over six lines reads as the CSV's start and end
    first = df.loc[rows[0]["ID"]]
    start, end = rows[0]["Time Frame"].split("\n")
    assert first["time_frame_start_utc"] == pd.Timestamp(
        pd.to_datetime(start, format="%m/%d/%Y, %I:%M:%S %p UTC"), tz="UTC"
    )
    assert m["reconciliation_balanced"] and m["totals"]["searches"] == 20


def test_five_label_pdf_reads_as_a_portal_audit(project):
    rows = five_rows(12)
    j = project({"portal.pdf": audit_pdf(rows, "5", rows_per_page=12, glue=True)})
    m = built(j)
    assert m["sources"][0]["detected_kind"] == "portal pdf"
    df = read_searches(j).set_index("flock_id")
    for row in rows:
        hit = df.loc[row["ID"]]
        assert hit["total_networks"] == int(row["networkCount"])
        assert (None if pd.isna(hit["reason_clean"]) else hit["reason_clean"]) == (
            " ".join(row["Reason"].split()) or None
        )
        assert hit["searcher"] == row["userId"]


def test_self_check_refuses_a_pdf_with_a_row_it_cannot_anchor(tmp_path):
    rows = nine_rows(18)
    data = audit_pdf(rows, "9", rows_per_page=9, id_offset={12: 150.0})  # row 4 of page 2: its ID moved
    with pytest.raises(SourceError) as e:
        read_rows(tmp_path, data)
    msg = str(e.value)
    assert "not read in full" in msg and "page 2 prints 9 UUID(s) but 8 row(s)" in msg, msg
    assert "page 1 " not in msg  # only the page that failed


def test_self_check_refuses_when_the_reader_loses_a_row(tmp_path, monkeypatch):
    """Whatever the cause (a layout the reader gets wrong), a page giving fewer rows than its IDs is refused."""
    real = pdf_reader.layout_rows
    monkeypatch.setattr(pdf_reader, "layout_rows", lambda *a, **k: real(*a, **k)[:-1])
    with pytest.raises(SourceError, match=r"page 1 prints 9 UUID\(s\) but 8 row\(s\)"):
        read_rows(tmp_path, audit_pdf(nine_rows(9), "9"))


def test_self_check_refuses_a_search_time_that_does_not_parse(tmp_path):
    rows = five_rows(6)
    rows[3]["Search Time"] = "11/31/2025, 25:00:00 XM UTC"
    with pytest.raises(SourceError, match=r"page 1 row\(s\) 4 have a search time that does not parse"):
        read_rows(tmp_path, audit_pdf(rows, "5"))


def test_pdf_and_csv_of_the_same_log_count_each_search_once_and_list_disagreements(project):
    rows = nine_rows(12)
    csv_rows = [dict(r) for r in rows]
    csv_rows[5]["Total Devices Searched"] = str(int(csv_rows[5]["Total Devices Searched"]) + 1)  # ±1 device
    csv = pd.DataFrame(csv_rows, columns=NINE).to_csv(index=False)
    j = project(
        {"audit.pdf": audit_pdf(rows, "9"), "audit.csv": csv},
        inputs=["audit.csv", "audit.pdf"],
        log_kind="organization",
    )
    m = built(j)
    assert m["totals"]["searches"] == 12 and m["totals"]["duplicates"] == 12
    assert m["totals"]["conflicting_searches"] == 1
    conflicts = pd.read_csv(j.root / "data/processed" / j.slug / "conflicts.csv", keep_default_na=False)
    assert set(conflicts["search_key"]) == {rows[5]["ID"]}
    assert set(conflicts["fields_that_differ"]) == {"total_devices"}
    assert sorted(conflicts["source_file"].str.rsplit("/", n=1).str[1]) == ["audit.csv", "audit.pdf"]
    assert conflicts.loc[conflicts["source_file"].str.endswith(".pdf"), "source_sheet"].tolist() == ["page 1"]
    df = read_searches(j).set_index("flock_id")
    assert (df["copies"] == 2).all() and (df["source_file"].str.endswith("audit.csv")).all()


def test_pdf_inside_a_zip_is_read_like_any_member(project):
    rows = five_rows(5)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("release/audit.pdf", audit_pdf(rows, "5"))
        zf.writestr("release/cover-letter.pdf", raw_pdf([text_page(["Dear requester,", "Enclosed is the audit."])]))
    j = project({"r.zip": buf.getvalue()})
    m = built(j)
    assert m["totals"]["searches"] == 5
    assert [(s["file"], s["sheet"]) for s in m["sources"]] == [(f"data/raw/{j.slug}/r.zip!release/audit.pdf", "page 1")]
    assert [s["file"] for s in m["skipped"]] == [f"data/raw/{j.slug}/r.zip!release/cover-letter.pdf"]


def test_okaloosa_pdf_gives_every_published_figure(project):
    """SOURCES.md: 7,273 searches, 1 Org Name, single-network 3,867, multi-network 3,406, max networks 6,709,
    max devices 100,034, 9 blank reasons, 463 searches reaching back more than 30 days (longest 524), 0
    immigration-related."""
    j = project({OKALOOSA.name: OKALOOSA}, slug="okaloosa-fl-so", log_kind="organization", producer_state="FL")
    m = built(j)
    assert m["totals"] == {
        "rows_read": 7273,
        "searches": 7273,
        "duplicates": 0,
        "rejected": 0,
        "conflicting_searches": 0,
    }
    assert len(m["sources"]) == 809 and m["skipped"] == []
    con = duckdb.connect()
    con.execute(f"CREATE VIEW s AS SELECT * FROM read_parquet('{j.root}/data/processed/{j.slug}/searches.parquet')")
    got = con.execute("""
        SELECT count(*), count(DISTINCT org_name), count(*) FILTER (WHERE total_networks = 1),
               count(*) FILTER (WHERE total_networks > 1), max(total_networks), max(total_devices),
               count(*) FILTER (WHERE reason_clean IS NULL), count(*) FILTER (WHERE time_frame_start_utc IS NULL)
        FROM s""").fetchone()
    assert got == (7273, 1, 3867, 3406, 6709, 100034, 9, 0)
    f = compute(j)
    assert f["searches"] == 7273 and f["agencies"] == 1 and f["immigration_searches"] == 0
    assert f["searches_looking_back_over_30_days"] == 463 and f["longest_look_back_days"] == 524
    assert (f["first_local_date"], f["last_local_date"]) == ("2025-11-01", "2025-12-08")
    # the first row of page 1 as printed, and the last row of the last page
    df = read_searches(j)
    first = df[(df["source_sheet"] == "page 1") & (df["source_row"] == 1)].iloc[0]
    assert first["flock_id"] == "23d55b89-42eb-4f5c-9281-f5e8bf4864be" and first["total_devices"] == 17652
    last = df[df["source_sheet"] == "page 809"].sort_values("source_row").iloc[-1]
    assert last["flock_id"] == "65059934-19d2-4a9d-8552-cd4edb164b72" and last["source_row"] == 2


def test_look_back_is_none_for_a_release_without_a_time_frame(project):
    j = project({"portal.pdf": audit_pdf(five_rows(3), "5")})
    built(j)
    f = compute(j)
    assert f["searches_looking_back_over_30_days"] is None and f["longest_look_back_days"] is None


def test_pages_are_read_one_at_a_time(tmp_path):
    """Memory bounded by a page: each page is closed before the next one is opened."""
    p = tmp_path / "a.pdf"
    p.write_bytes(audit_pdf(nine_rows(30), "9", rows_per_page=5))
    open_pages = []
    real = pdfium.PdfDocument.__getitem__

    def counting(self, i):
        page = real(self, i)
        open_pages.append(page)
        assert sum(1 for q in open_pages if q.raw is not None) <= 1, "two pages open at once"
        return page

    pdfium.PdfDocument.__getitem__ = counting
    try:
        n = sum(len(page.rows) for page in read_pdf(p, "a.pdf"))
    finally:
        pdfium.PdfDocument.__getitem__ = real
    assert n == 30 and len(open_pages) == 6
