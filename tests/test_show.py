"""show.table, the one formatter of every table on every page: what an editor reads, never raw pandas."""

import datetime as dt
import re

import numpy as np
import pandas as pd

from pipeline.report import show


def html_of(df, **kw):
    return show.table(df, **kw).data


def cells(text):
    return re.findall(r"<td[^>]*>(.*?)</td>", text)


def test_numbers_missing_values_dicts_and_headers_read_as_words():
    df = pd.DataFrame(
        {
            "org_name": ["Alvin ISD PD", None],
            "searches": [741900, 5],
            "share": [0.89, np.nan],
            "extra": [{"rows_read": 745765}, ["a", "b"]],
        },
        index=[7, 8],
    )
    text = html_of(df)
    assert text.startswith('<table class="pipeline-table">')
    assert "<th>Agency</th><th>Searches</th><th>Share of all searches</th><th>Extra</th>" in text
    assert cells(text) == ["Alvin ISD PD", "741,900", "89%", "Rows read: 745,765", "—", "5", "—", "a, b"]
    assert not re.search(r"NaN|None|nan|<th></th>|\{|'", text)
    assert ">7<" not in text and ">8<" not in text  # no index column


def test_dates_and_times_in_words_with_the_zone_abbreviation():
    df = pd.DataFrame(
        {
            "local_date": [dt.date(2025, 12, 1)],
            "searched_at_utc": [pd.Timestamp("2025-12-01 21:04Z")],
            "local_time": ["2025-07-04 09:30:00"],
        }
    )
    text = html_of(df, times=("local_time",), timezone="America/Chicago")
    assert cells(text) == ["Dec. 1, 2025", "Dec. 1, 2025, 3:04 p.m. CST", "July 4, 2025, 9:30 a.m. CDT"]
    assert "America/Chicago" not in text


def test_text_is_escaped_whole_and_missing_can_say_what_it_means():
    long = "Investigation into a string of burglaries along the county road, " * 4
    df = pd.DataFrame({"reason": ["<b>x</b>", long, ""], "file": ["reasons/a.csv", "reasons/b.csv", None]})
    text = html_of(df, missing={"reason": "(blank)"}, links=("file",))
    assert "&lt;b&gt;x&lt;/b&gt;" in text and long.strip() in text and "…" not in text
    assert "(blank)" in text and '<a href="reasons/a.csv">reasons/a.csv</a>' in text


def test_a_cut_table_says_how_many_rows_in_good_grammar_and_an_empty_one_says_so():
    df = pd.DataFrame({"searches": range(3)})
    assert "The first 1 of 3 rows; all are in x.csv." in html_of(df, max_rows=1, rest="all are in x.csv")
    assert "No rows" not in html_of(df)
    assert "Nothing rejected." in html_of(df.iloc[:0], empty="Nothing rejected.")
    assert (show.count(1, "row"), show.count(2, "agency", "agencies"), show.were(1), show.were(3)) == (
        "1 row",
        "2 agencies",
        "was",
        "were",
    )


def test_claims_table_shows_the_window_and_figures_with_separators():
    results = [
        {
            "claim": "more than 733,000 searches",
            "source": "The 74",
            "fact": "searches",
            "test": "greater_than",
            "target": "733000",
            "computed": 689900,
            "holds": False,
            "why_not": None,
            "window": {"start": "2025-12-01", "end": "2025-12-31"},
        },
        {
            "claim": "in FL and GA",
            "source": None,
            "fact": "immigration_states",
            "test": "contains_all",
            "target": "['FL', 'GA']",
            "computed": ["FL", "GA"],
            "holds": True,
            "why_not": None,
            "window": None,
        },
    ]
    df = show.claims_table(results, {"period_words": "December 1, 2025 – January 7, 2026"})
    assert df["Over"].tolist() == [
        "December 1, 2025 – December 31, 2025",
        "the whole release (December 1, 2025 – January 7, 2026)",
    ]
    assert df["Computed here"].tolist() == ["689,900", "FL, GA"] and df["Test"][0] == "greater than 733,000"
    assert "—" in show.table(df).data  # the empty source says so
