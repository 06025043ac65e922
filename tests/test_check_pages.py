"""`make check-pages` (tools/check_pages.py) catches what issue 23 found: links to missing files and to
CSVs with no row, plumbing words on editor pages, an index taller than 8,000 px, reports/ over 60 MB."""

from pathlib import Path

from tools import check_pages


def test_links_to_missing_files_and_empty_csvs_are_problems(tmp_path):
    page = tmp_path / "a-isd" / "charts" / "x.html"
    page.parent.mkdir(parents=True)
    (tmp_path / "a-isd" / "03_analyze.html").write_text("x")
    (tmp_path / "a-isd" / "empty.csv").write_text("data,search_key\n")
    (tmp_path / "a-isd" / "full.csv").write_text("data,search_key\nx,1\n")
    found = check_pages.link_problems(
        page, ["../03_analyze.html", "../../index.html", "../empty.csv", "../full.csv", "#top", "https://x"]
    )
    assert found == [
        "link to a missing file: ../../index.html",
        "link to a CSV with no row (say 'none' instead): ../empty.csv",
    ]


def test_plumbing_words_are_found_and_only_editor_pages_are_checked():
    text = "Read from data/processed/alvin-isd/searches.parquet by calamine; rule imm_dropdown_civil."
    found = " ".join(check_pages.plumbing_problems(text))
    for word in ("data/processed", ".parquet", "calamine", "imm_dropdown"):
        assert word in found
    assert check_pages.plumbing_problems("787,900 searches over December 1, 2025 – January 7, 2026") == []
    assert check_pages.is_editor_page(Path("reports/a/03_analyze.html"))
    assert check_pages.is_editor_page(Path("reports/index.html"))
    assert not check_pages.is_editor_page(Path("reports/a/03_analyze.code.html"))
    assert not check_pages.is_editor_page(Path("reports/a/files.html"))


def test_the_size_of_reports_leaves_out_the_explorer(tmp_path):
    (tmp_path / "explore").mkdir()
    (tmp_path / "explore" / "flock.db").write_bytes(b"x" * 5000)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "p.html").write_bytes(b"x" * 300)
    assert check_pages.reports_size(tmp_path) == 300
    assert check_pages.INDEX_MAX_HEIGHT == 8000 and check_pages.REPORTS_MAX_BYTES == 60_000_000
    assert 390 in check_pages.WIDTHS and 800 in check_pages.WIDTHS and 1400 in check_pages.WIDTHS
