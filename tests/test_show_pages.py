"""What the 01, 02 and 04 pages show (issue 23): a PDF once with its page count, Row and Line explained under
every table that shows them, matched words never cut, checks in words with the threshold that lets a failing
share pass, internal keys in words, paths and hashes folded for fact-checkers."""

import re

import pandas as pd

from pipeline.report import corpus_show, show

PDF = "data/raw/okaloosa-fl-so/audit.pdf"
SHA = "a" * 64


def _manifest(pages=809):
    src = [
        {
            "file": PDF,
            "sheet": f"page {i}",
            "sha256": SHA,
            "detected_kind": "flock_export pdf",
            "encoding": None,
            "rows_read": 9,
            "reader": "pypdfium2 (words by position)",
            "extra_columns": [],
        }
        for i in range(1, pages + 1)
    ]
    src.append(
        {
            "file": "data/raw/x/jan.csv",
            "sheet": None,
            "sha256": "b" * 64,
            "detected_kind": "portal csv",
            "encoding": "utf-8",
            "rows_read": 36,
            "reader": "fast (pyarrow)",
            "extra_columns": ["Case"],
        }
    )
    return {"sources": src}


def test_a_pdf_is_one_file_with_pages_and_its_hash_is_shown_once_and_folded():
    df = show.sources_table(_manifest())
    assert len(df) == 2
    pdf = df.iloc[0]
    assert pdf["File"] == "audit.pdf" and pdf["Pages or sheets"] == "809 pages" and pdf["Rows read"] == 809 * 9
    text = show.table(df).data
    assert SHA not in text and "data/raw" not in text and "pyarrow" not in text and "pypdfium2" not in text
    detail = show.sources_detail(_manifest())
    assert len(detail) == 2 and list(detail["SHA-256"]) == [SHA, "b" * 64]
    folded = show.folded("For fact-checkers", show.table(detail)).data
    assert folded.startswith('<details class="fact-checkers">') and folded.count(SHA) == 1


def test_the_reconciliation_adds_up_a_pdf_page_by_page_into_one_row():
    recon = pd.DataFrame(
        {
            "source_file": [PDF] * 3 + ["data/raw/x/jan.csv"],
            "source_sheet": ["page 1", "page 2", "page 3", ""],
            "rows_read": ["8", "9", "9", "36"],
            "searches_kept": ["8", "9", "8", "30"],
            "duplicates": ["0", "0", "1", "5"],
            "rejected": ["0", "0", "0", "1"],
            "balanced": ["True"] * 4,
        }
    )
    out = show.reconciliation_by_file(recon)
    assert out.to_dict("records")[0] == {
        "file": "audit.pdf",
        "rows_read": 26,
        "searches_kept": 25,
        "duplicates": 1,
        "rejected": 0,
        "balanced": "yes",
    }
    assert len(out) == 2


def test_row_and_line_are_explained_under_a_table_that_shows_them():
    df = pd.DataFrame({"agency": ["A"], "source_row": [15916], "source_line": [31830]})
    text = show.table(df).data
    assert "Row: the row a person finds" in text and "Line: the line of a CSV file" in text
    assert "Row:" not in show.table(df[["agency"]]).data


def test_matched_words_are_shown_whole_as_the_reason_has_them():
    assert show.whole_match("Immigration (civ", "Immigration (civil/administrative)") == (
        "Immigration (civil/administrative)"
    )
    assert show.whole_match("Immigration (crim", "Immigration (criminal)") == "Immigration (criminal)"
    assert show.whole_match("ICE", "ICE detainer") == "ICE"
    assert show.whole_match("deport", "assist deportation case") == "deportation"
    df = pd.DataFrame({"reason": ["Immigration (civil)"], "matched_text": ["Immigration (civ"]})
    assert "Immigration (civil)</td>" in show.table(df, columns=["matched_text"]).data


def test_each_check_is_said_in_words_with_the_threshold_that_lets_failing_rows_pass():
    result = {
        "expectations": [
            {
                "suite": "searches",
                "expectation": "expect_column_values_to_be_in_set",
                "column": "reason_blank",
                "kwargs": {"mostly": 0.8, "value_set": [False]},
                "severity": "warning",
                "success": True,
                "checked": 787900,
                "unexpected_count": 6677,
                "skipped": None,
                "why": "at most 20 % of reasons blank, where the release has a reason column",
            }
        ]
    }
    df = show.checks_table(result, "searches")
    row = df.iloc[0]
    assert row["Outcome"] == "passed" and row["What it checks, and why"].startswith("At most 20 % of reasons")
    assert row["Rows not as expected"] == "6,677 of 787,900 (0.8%); up to 20% may fail, so this passes"
    text = show.table(df).data
    assert "expect_" not in text and "reason_blank" not in text and "warning: read before publishing" in text


def test_the_corpus_links_are_in_words_not_internal_keys():
    f = {"searches_by_link": {"id": 5, "id_and_fingerprint": 2, "fingerprint": 1, "id_less_single": 3}}
    text = show.table(corpus_show.link_table(f)).data
    assert "id_less_single" not in text and "without a Flock ID, in one log only" in text
    assert re.findall(r'<td class="num"[^>]*>(\d+)</td>', text) == ["5", "2", "1", "3"]


def test_a_failed_check_is_said_once_in_words_with_its_first_rows_and_pages_counted_as_pages():
    cites = [{"source_file": PDF, "source_sheet": f"page {i}", "source_row": 1} for i in range(1, 21)]
    result = {
        "expectations": [
            {
                "suite": "flock_export",
                "expectation": "expect_column_values_to_be_in_set",
                "column": "exported_searcher",
                "kwargs": {"value_set": [True]},
                "severity": "warning",
                "on": "sources",
                "success": False,
                "checked": 809,
                "unexpected_count": 809,
                "unexpected_percent": 100.0,
                "rows": cites,
                "problem": "{n} export [file has|files have] no Name column",
                "why": "an export names the searcher (Name), even if masked",
            }
        ]
    }
    df = show.failures_words(result)
    assert len(df) == 1
    assert (
        df.iloc[0]["Where the first are"]
        == "audit.pdf, page 1, row 1; audit.pdf, page 2, row 1; audit.pdf, page 3, row 1"
    )
    assert "expect_" not in show.table(df).data and "data/raw" not in show.table(df).data
    assert show.checks_table(result, "flock_export").iloc[0]["Rows not as expected"] == (
        "809 of 809 (100%) files, sheets or PDF pages"
    )


def test_a_linked_table_of_a_row_with_no_search_is_said_to_be_empty_not_linked():
    df = pd.DataFrame(
        {"label": ["Protest", "Immigration"], "searches": [0, 640], "csv": ["reasons/p.csv", "reasons/i.csv"]}
    )
    text = show.table(df, links=("csv",)).data
    assert 'href="reasons/p.csv"' not in text and "none (no search)" in text and 'href="reasons/i.csv"' in text


def test_a_check_in_words_names_no_configuration_file():
    result = {
        "expectations": [
            {
                "suite": "s",
                "severity": "warning",
                "success": True,
                "unexpected_count": None,
                "why": "searches lie inside the release's stated period (jurisdictions.yml); "
                "add that header to rules/columns.yml",
            }
        ]
    }
    what = show.checks_table(result, "s").iloc[0]["What it checks, and why"]
    assert ".yml" not in what and what.startswith("Searches lie inside the release's stated period;")
    result["expectations"][0].update(success=None, skipped="jurisdictions.yml states no period for this release")
    assert show.checks_table(result, "s").iloc[0]["Outcome"] == (
        "not run: the list of jurisdictions states no period for this release"
    )


def test_on_a_phone_each_cell_carries_its_header_for_the_card_view():
    text = show.table(pd.DataFrame({"org_name": ["A"], "searches": [3]})).data
    assert '<td data-label="Agency">A</td>' in text and '<td class="num" data-label="Searches">3</td>' in text
    from pipeline.report.pages import stylesheet

    assert "@media (max-width: 600px)" in stylesheet() and "attr(data-label)" in stylesheet()
