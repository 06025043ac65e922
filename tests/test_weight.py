"""Files pages in words and light: sizes in words, an empty CSV said to be empty (never linked as data), and a
row-level CSV over 5 MB published compressed with every row, its links on the pages pointed at it."""

import gzip
import re

from pipeline.report import pages, trail
from pipeline.report.outputs import size_words


def test_sizes_are_in_words():
    assert size_words(27_140_584) == "27 MB"
    assert size_words(4_200_000) == "4.2 MB"
    assert size_words(880_123) == "880 KB"
    assert size_words(170) == "170 bytes" and size_words(1) == "1 byte"


def test_an_empty_csv_is_listed_as_none_and_not_linked(tmp_path):
    (tmp_path / "reasons").mkdir()
    (tmp_path / "reasons" / "protest.csv").write_text("data,search_key\n")
    (tmp_path / "agencies.csv").write_text("org_name,searches\nA,3\n")
    (tmp_path / "03_analyze.html").write_text("<p>x</p>")
    page = pages.write_files_page(tmp_path, "A PD", synthetic=False).read_text()
    visible = page[: page.index('class="fact-checkers"')]
    assert 'href="reasons/protest.csv"' not in page and "none: no row" in visible
    assert 'href="agencies.csv"' in visible and "bytes" in visible  # 20 bytes, in words
    assert not re.search(r"[0-9a-f]{64}", visible)  # hashes only in the folded fact-checkers' section


def test_a_heavy_csv_is_published_compressed_and_its_links_follow(tmp_path, monkeypatch):
    monkeypatch.setattr(trail, "HEAVY_CSV_BYTES", 1000)
    (tmp_path / "reasons").mkdir()
    rows = "data,search_key\n" + "".join(f"x,{i}\n" for i in range(500))
    (tmp_path / "reasons" / "generic_purpose.csv").write_text(rows)
    (tmp_path / "reasons" / "small.csv").write_text("data,search_key\nx,1\n")
    (tmp_path / "03_analyze.html").write_text(
        '<td><a href="reasons/generic_purpose.csv">reasons/generic_purpose.csv</a></td>'
        '<td><a href="reasons/small.csv">reasons/small.csv</a></td>'
    )
    done = trail.compress_heavy_csvs(tmp_path)
    gz = tmp_path / "reasons" / "generic_purpose.csv.gz"
    assert done == [gz] and not (tmp_path / "reasons" / "generic_purpose.csv").exists()
    assert gzip.decompress(gz.read_bytes()).decode() == rows  # every row, byte for byte
    page = (tmp_path / "03_analyze.html").read_text()
    assert 'href="reasons/generic_purpose.csv.gz"' in page and "every row, compressed" in page
    assert 'href="reasons/small.csv"' in page
    first = gz.read_bytes()
    (tmp_path / "reasons" / "generic_purpose.csv").write_text(rows)
    trail.compress_heavy_csvs(tmp_path)
    assert gz.read_bytes() == first  # the same rows give the same file
    label = pages.describe("reasons/generic_purpose.csv.gz")
    assert label[0] == "tables" and "every row (compressed)" in label[1]
