"""Every sentence a chart carries is a function of the numbers it draws, and true of them (issue 23 item 3):
examples from the releases that were wrong before, then properties over generated data (hypothesis)."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.analyze import chart_words as words
from pipeline.analyze import charts
from pipeline.analyze.words import share

LABELS = {"civil": "Civil", "criminal": "Criminal", "unspecified": "Unspecified"}
DAY0 = dt.date(2025, 6, 17)


def _days(n: int) -> list[dt.date]:
    return [DAY0 + dt.timedelta(days=i) for i in range(n)]


# --------------------------------------------------------------------------------------------------
# The cases the issue found


def test_huffman_civil_and_criminal_is_a_ratio_as_computed_not_3_to_1():
    title = words.types_title({"civil": 84, "criminal": 32, "unspecified": 27}, LABELS)
    assert title == "Civil immigration reasons outnumbered criminal ones, 84 to 32: 2.6 times as many"
    assert "3 to 1" not in title


def test_huffman_by_state_says_most_came_from_agencies_without_a_state():
    # Huffman's synthetic release: Border Patrol (no state) ran 135 of the 143; Texas agencies 4.
    title = words.state_share_title([("Texas", 4), ("Florida", 3), ("Georgia", 1)], 135, "immigration-related searches")
    assert title.startswith("Agencies with no identified state ran 94% of the 143 immigration-related searches")
    assert "Texas, 2.8%" in title


def test_alvin_generic_word_is_not_the_largest_next_to_a_74_percent_bar():
    rows = [("A generic word only", 0.11, True), ("Immigration", 0.001, True), ("Any other stated reason", 0.74, False)]
    title = words.reasons_title(rows)
    assert "largest" not in title
    assert title == "A generic word only: 11% of searches, after any other stated reason (74%)"


def test_eugene_per_day_says_the_fall_not_an_average():
    # Eugene's portal archive: about 40 a day for three months, then about 2.
    values = [40] * 120 + [2] * 49
    title = words.daily_title(values, _days(len(values)))
    assert title == "Searches fell from about 40 a day (June 17–June 30) to about 2 a day (Nov. 1–Nov. 30)"
    # Alvin: December at about 24,000 a day, January 1-7 at about 7,500; the average would hide it.
    alvin = [24_000] * 31 + [7_500] * 7
    title = words.daily_title(alvin, [dt.date(2025, 12, 1) + dt.timedelta(days=i) for i in range(38)])
    assert title == "Searches fell from about 24,000 a day (Dec. 1–Dec. 31) to about 7,500 a day (Jan. 1–Jan. 7)"


def test_one_rounding_rule_for_shares_in_charts_and_tables():
    for part, whole in ((3, 5000), (1, 300), (42, 100), (999, 1000), (0, 10), (10, 10)):
        assert words.percent(part, whole) == share(part, whole)
    assert words.percent(3, 5000) == "less than 0.1%"  # never "less than 1%" in a chart and 0.06% in a table


# --------------------------------------------------------------------------------------------------
# Properties over generated data

counts = st.integers(min_value=0, max_value=10**6)


@given(a=st.integers(1, 10**6), b=st.integers(1, 10**6))
def test_times_is_the_ratio_as_computed(a, b):
    a, b = max(a, b), min(a, b)
    text = words.times(a, b)
    m = re.fullmatch(r"([\d,.]+) times as many", text)
    if m:
        shown = float(m.group(1).replace(",", ""))
        assert abs(shown - a / b) <= (0.05 if a / b < 10 else 0.5) + 1e-9
        assert a / b >= 1.05
    elif text == "twice as many":
        assert a == 2 * b
    elif text == "as many":
        assert a == b
    else:
        assert text == "about as many" and 1 < a / b < 1.05


@given(c=counts, k=counts, u=counts)
def test_types_title_names_the_two_largest_with_their_counts(c, k, u):
    title = words.types_title({"civil": c, "criminal": k, "unspecified": u}, LABELS)
    if c + k + u == 0:
        assert title == "No immigration-related searches"
        return
    m = re.fullmatch(r"(\w+) immigration reasons outnumbered (\w+) ones, ([\d,]+) to ([\d,]+): (.*)", title)
    if m:
        by = {"civil": c, "criminal": k, "unspecified": u}
        first, second = m.group(1).lower(), m.group(2)
        a, b = int(m.group(3).replace(",", "")), int(m.group(4).replace(",", ""))
        assert (by[first], by[second]) == (a, b) and a > b > 0
        assert a == max(by.values()) and b == sorted(by.values())[-2]
        assert m.group(5) == words.times(a, b)


@given(rows=st.lists(st.tuples(st.text(min_size=1, max_size=8), st.floats(0, 1), st.booleans()), max_size=8))
@example(rows=[(":", 1.0, True)])  # a label holding a colon, found by a random run
def test_the_largest_only_for_the_largest(rows):
    title = words.reasons_title(rows)
    if "the largest" in title:
        # the label the title names (a label may itself hold a colon: the longest one the title starts with)
        named = max((r[0] for r in rows if r[2] and title.startswith(f"{r[0]}:")), key=len)
        p = max(r[1] for r in rows if r[0] == named and r[2])
        assert all(r[1] <= p for r in rows)


@given(
    known=st.lists(st.integers(0, 5000), max_size=6),
    unidentified=st.integers(0, 5000),
)
def test_state_title_says_when_most_have_no_state(known, unidentified):
    ranked = sorted(((f"State {i}", n) for i, n in enumerate(known)), key=lambda r: -r[1])
    title = words.state_share_title(ranked, unidentified, "searches")
    whole = sum(known) + unidentified
    if whole and 2 * unidentified > whole:
        assert title.startswith("Agencies with no identified state ran")
    if whole and unidentified and ranked and unidentified > ranked[0][1]:
        assert "no identified state" in title


@settings(max_examples=200)
@given(values=st.lists(st.integers(0, 500), min_size=1, max_size=120))
def test_an_average_only_when_the_rate_did_not_change_twofold(values):
    title = words.daily_title(values, _days(len(values)))
    rates = [r for _, _, r in words.rate_stretches(values, _days(len(values)))]
    if sum(values) == 0:
        assert title == "No searches in this period"
    elif title.startswith("About"):
        assert not rates or not words.changed(rates)
        assert f"About {round(sum(values) / len(values)):,} searches a day" in title
    elif len(values) > 1:
        assert rates and words.changed(rates)
        if "fell" in title or "rose" in title:
            assert ("fell" in title) == (rates[-1] < rates[0])


@given(part=st.integers(0, 10**7), extra=st.integers(0, 10**7))
def test_chart_and_table_shares_agree(part, extra):
    assert words.percent(part, part + extra) == (share(part, part + extra) or "0%")


@given(name=st.text(st.characters(categories=["L", "Zs"]), max_size=80), chars=st.integers(8, 40))
def test_a_name_is_shortened_only_between_words(name, chars):
    short = words.shorten(name, chars)
    clean = " ".join(name.split())
    if short.endswith("…") and short != clean:
        kept = short[:-1]
        assert clean.startswith(kept) and len(short) <= chars
        assert clean[len(kept)] == " " or not clean[len(kept)].isalnum()  # cut at a space, never in a word
    else:
        assert short == clean


# --------------------------------------------------------------------------------------------------
# The charts: SYNTHETIC in the plot, "no searches" in the map's legend, shading, identical bars


def _layers(spec: dict):
    for layer in spec.get("layer", []):
        yield layer
        yield from _layers(layer)


@pytest.mark.parametrize("synthetic", [True, False])
def test_a_synthetic_chart_says_so_inside_the_plot(synthetic):
    top = pd.DataFrame({"org_name": ["Richwood TX PD", "Other PD"], "searches": [160, 480]})
    spec = charts.top_agencies(top, jurisdiction_name="Alvin ISD", synthetic=synthetic).to_dict()
    stamps = [
        layer["mark"]
        for layer in _layers(spec)
        if isinstance(layer.get("mark"), dict) and layer["mark"].get("text") == "SYNTHETIC"
    ]
    if synthetic:
        (mark,) = stamps
        # In the middle of the plot area (not the title or the footer), so a cropped PNG still carries it.
        assert mark["x"] == {"expr": "width / 2"} and mark["y"] == {"expr": "height / 2"}
        svg = charts.draw(charts.top_agencies(top, jurisdiction_name="Alvin ISD", synthetic=True)).svg
        assert re.search(r"<text[^>]*>SYNTHETIC</text>", svg)
    else:
        assert stamps == []


def test_the_map_legend_shows_no_searches():
    df = pd.DataFrame({"agency_state": ["TX", "FL"], "searches": [120, 3]})
    chart = charts.searches_by_state_map(df, jurisdiction_name="Alvin ISD", synthetic=False)
    assert re.search(r"<text[^>]*>No searches</text>", charts.draw(chart).svg)
    (key,) = [layer for layer in _layers(chart.to_dict()) if "shape" in layer.get("encoding", {})]
    assert key["mark"]["color"] == charts.NO_SEARCHES_COLOR  # its swatch is the grey of the states with none


def test_a_single_file_release_is_not_shaded():
    days = pd.date_range("2026-02-01", "2026-02-28", freq="D")
    daily = pd.DataFrame({"local_date": days.date, "searches": [100] * 28})
    one = pd.DataFrame(
        {
            "file": ["SYNTHETIC_huffman.csv"],
            "first_local_date": [dt.date(2026, 2, 1)],
            "last_local_date": [dt.date(2026, 2, 28)],
            "partial": [False],
        }
    )
    spec = charts.searches_per_day(
        daily, jurisdiction_name="Huffman ISD", synthetic=False, timezone="America/Chicago", releases=one
    ).to_dict()
    assert not [rows for rows in spec["datasets"].values() if rows and "fill" in rows[0]]
    assert "partial" not in " ".join(spec["title"]["subtitle"]).lower()
    # A stated period decides: Alvin's second file ends on the last stated day, so it is not partial.
    two = pd.DataFrame(
        {
            "file": ["dec.csv", "jan.xlsx"],
            "first_local_date": [dt.date(2025, 12, 1), dt.date(2026, 1, 1)],
            "last_local_date": [dt.date(2025, 12, 31), dt.date(2026, 1, 7)],
            "partial": [False, False],
        }
    )
    daily2 = pd.DataFrame({"local_date": pd.date_range("2025-12-01", "2026-01-07").date, "searches": [5] * 38})
    spec = charts.searches_per_day(
        daily2, jurisdiction_name="Alvin ISD", synthetic=False, timezone="America/Chicago", releases=two
    ).to_dict()
    bands = next(rows for rows in spec["datasets"].values() if rows and "fill" in rows[0])
    assert charts.PARTIAL_FILL not in {b["fill"] for b in bands}
    assert not any(b["label"].startswith("Partial") for b in bands)


def test_no_chart_of_identical_bars_a_sentence_instead():
    zero = pd.DataFrame({"immigration_type": ["civil", "criminal", "unspecified"], "searches": [0, 0, 0]})
    assert charts.no_chart("immigration_types", zero, "immigration-related searches") == (
        "No immigration-related searches in this release, so there is no chart of them."
    )
    same = pd.DataFrame({"org_name": ["A", "B", "C"], "searches": [7, 7, 7]})
    assert charts.no_chart("top_agencies", same, "searches") == (
        "Each of the three bars would show the same 7 searches, so no chart is drawn."
    )
    differ = same.assign(searches=[7, 7, 8])
    assert charts.no_chart("top_agencies", differ, "searches") is None


def _svg_size(chart) -> tuple[float, float]:
    svg = charts.draw(chart).svg
    width = float(re.search(r'<svg[^>]*width="([\d.]+)"', svg).group(1))
    return width, min(float(x) for x in re.findall(r'font-size="([\d.]+)px"', svg))


def test_charts_fit_the_800px_column_with_text_of_12px_or_more():
    """The page shows each chart at its column's width (about 740 px at 800 px, larger at 1,400): a chart no
    wider than that, with no text under 12 px, keeps every text at 12 px or more at 800 px."""
    from pipeline.analyze.chart_style import COLUMN

    kw = {"jurisdiction_name": "Alvin ISD", "synthetic": True, "period": "December 1, 2025 – January 7, 2026"}
    long_names = [f"Harris County Sheriff's Office Precinct Number {i} Constable" for i in range(20)]
    built = [
        charts.searches_per_day(
            pd.DataFrame({"local_date": pd.date_range("2025-12-01", "2026-01-07").date, "searches": 20_000}),
            timezone="America/Chicago",
            **kw,
        ),
        charts.top_agencies(
            pd.DataFrame({"org_name": long_names, "searches": range(100_000, 80_000, -1000)}),
            total=3150,
            all_searches=787_900,
            **kw,
        ),
        charts.searches_by_state_map(pd.DataFrame({"agency_state": ["TX", "FL", ""], "searches": [300, 20, 9]}), **kw),
        charts.immigration_types(
            pd.DataFrame({"immigration_type": ["civil", "criminal"], "searches": [430_000, 150_000]}), **kw
        ),
    ]
    for chart in built:
        width, smallest = _svg_size(chart)
        assert width <= COLUMN and smallest >= 12, chart.to_dict()["usermeta"]["title"]


def test_a_chart_not_drawn_this_run_is_not_left_from_the_last(tmp_path):
    top = pd.DataFrame({"org_name": ["A PD", "B PD"], "searches": [3, 1]})
    charts.save_chart(charts.top_agencies(top, jurisdiction_name="X", synthetic=False), top, tmp_path, "top_agencies")
    (tmp_path / "notes.txt").write_text("kept")
    gone = charts.clear_charts(tmp_path, charts.CHARTS)
    assert sorted(p.name for p in gone) == [f"top_agencies.{e}" for e in ("csv", "html", "png", "svg")]
    # what is left: the note, and the Vega runtime a chart page outside reports/ keeps beside it
    assert [p.name for p in tmp_path.iterdir() if p.suffix != ".js"] == ["notes.txt"]
