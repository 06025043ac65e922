"""Charts: built from tiny aggregate tables, saved as PNG/SVG/HTML/CSV, offline and escaped."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from pipeline.analyze import charts

EVIL = "<script>alert(1)</script> Police Dept"


@pytest.fixture(scope="module")
def daily():
    return pd.DataFrame(
        {"local_date": [dt.date(2024, 3, 1), dt.date(2024, 3, 2), dt.date(2024, 3, 4)], "searches": [12, 0, 1234]}
    )


@pytest.fixture(scope="module")
def top():
    return pd.DataFrame(
        {"org_name": ["Harris County Sheriff's Office", EVIL, "Texas DPS & Friends"], "searches": [40, 75, 3]}
    )


def _check_files(paths: dict, data: pd.DataFrame) -> tuple[str, str]:
    assert set(paths) == {"png", "svg", "html", "csv"}
    for p in paths.values():
        assert p and Path(p).is_file()
    with open(paths["png"], "rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    svg = open(paths["svg"], encoding="utf-8").read()
    assert "<svg" in svg
    page = open(paths["html"], encoding="utf-8").read()
    assert "cdn.jsdelivr" not in page
    # the page loads the one shared Vega runtime by a relative path (reports/assets/), never from a network
    srcs = re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", page, re.IGNORECASE)
    assert srcs and all(not re.match(r"[a-z]+:", s) for s in srcs), srcs
    assert "vegaEmbed" in page
    back = pd.read_csv(paths["csv"], keep_default_na=False)  # "" (state not identified) stays ""
    if "SYNTHETIC" in page:  # a synthetic chart's data says so on every row
        from pipeline.io.publish import SYNTHETIC_COLUMN, SYNTHETIC_LABEL

        assert set(back.pop(SYNTHETIC_COLUMN)) == {SYNTHETIC_LABEL}
    else:
        assert "SYNTHETIC" not in open(paths["csv"], encoding="utf-8").read()
    expected = data.copy()
    if "local_date" in expected:
        expected["local_date"] = expected["local_date"].astype(str)
    pd.testing.assert_frame_equal(back.astype(str), expected.reset_index(drop=True).astype(str))
    # No stray temp files left beside the outputs.
    out_dir = Path(paths["png"]).parent
    assert not list(out_dir.glob("*.tmp"))
    return svg, page


def _svg_text(svg: str) -> str:
    """The visible text of the SVG (title, subtitle lines in <tspan>s, axis labels), entities left as-is."""
    text = " ".join(re.sub(r"<[^>]+>", " ", t) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S))
    return re.sub(r"\s+", " ", text)  # a title wrapped onto two lines reads as one


def test_searches_per_day_synthetic(tmp_path, daily):
    chart = charts.searches_per_day(daily, jurisdiction_name="Alvin ISD", synthetic=True, timezone="America/Chicago")
    paths = charts.save_chart(chart, daily, tmp_path, "searches_per_day")
    assert paths["png"] == str(tmp_path / "searches_per_day.png")
    svg, _ = _check_files(paths, daily)
    text = _svg_text(svg)
    # 1,246 searches over 4 days (Mar 1-4) = 311.5 a day; the peak 1,234 on March 4.
    assert "SYNTHETIC DATA — About 312 searches a day, up to 1,234 on March 4, 2024" in text
    assert "not a real public-records release" in text
    assert "March 1, 2024 – March 4, 2024" in text and "local time (CST)" in text


def test_searches_per_day_real_has_no_synthetic_label(tmp_path, daily):
    d = daily.assign(local_date=pd.to_datetime(daily["local_date"]))  # datetime64 works too
    chart = charts.searches_per_day(
        d,
        jurisdiction_name="Alvin ISD",
        synthetic=False,
        timezone="America/Chicago",
        source="Flock Safety network audit released by Alvin ISD",
    )
    svg, _ = _check_files(charts.save_chart(chart, daily, tmp_path, "per_day"), daily)
    text = _svg_text(svg)
    assert "SYNTHETIC" not in svg
    assert "Searches of Alvin ISD's cameras per day" in text
    assert "Source: Flock Safety network audit released by Alvin ISD." in text
    assert "Chart: Flock audit-log pipeline" in text


@pytest.mark.parametrize("synthetic", [True, False])
def test_top_agencies_escaped_and_labelled(tmp_path, top, synthetic):
    chart = charts.top_agencies(top, jurisdiction_name="Alvin ISD", synthetic=synthetic, n=20)
    svg, page = _check_files(charts.save_chart(chart, top, tmp_path, "top_agencies"), top)
    assert ("SYNTHETIC DATA — " in _svg_text(svg)) is synthetic
    assert "<script>alert" not in svg and "</script> Police" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Police Dept" in svg  # shown, as text
    # The data embedded in the HTML page cannot end its <script> element.
    assert "<script>alert" not in page and "</script> Police" not in page
    assert page.count("</script>") == 2  # the JS bundle and the embed call, nothing else


def test_top_agencies_order_and_limit(top):
    chart = charts.top_agencies(top, jurisdiction_name="Texas Rangers", synthetic=False, n=2)
    spec = chart.to_dict()
    y = spec["layer"][0]["layer"][0]["encoding"]["y"]
    # A long name is shortened between two words (never mid-word); the tooltip has it in full.
    assert y["sort"] == ["<script>alert(1)</script>…", "Harris County Sheriff's Office"]
    assert 0 < y["axis"]["labelLimit"] <= 300  # never push the chart wider
    rows = next(iter(spec["datasets"].values()))
    assert {r["name"] for r in rows} == {EVIL, "Harris County Sheriff's Office"}
    assert " ".join(spec["title"]["text"]) == f"{EVIL} ran the most searches: 75"
    assert "the top 2 of 3 agencies" in " ".join(spec["title"]["subtitle"])


def test_enable_offline_renderer():
    import altair as alt

    before = alt.renderers.active
    try:
        charts.enable_offline_renderer()
        assert alt.renderers.active == "svg"
    finally:
        alt.renderers.enable(before)


# --------------------------------------------------------------------------------------------------
# Immigration-related searches and the state map


@pytest.fixture(scope="module")
def by_agency():
    return pd.DataFrame(
        {
            "org_name": [
                "Harris County Sheriff's Office",
                "Harris County Sheriff's Office",
                EVIL,
                "Texas DPS & Friends",
                "Harris County Sheriff's Office",
            ],
            "immigration_type": ["civil", "criminal", "unspecified", "civil", "unspecified"],
            "searches": [40, 5, 12, 3, 7],
        }
    )


@pytest.fixture(scope="module")
def by_state():
    return pd.DataFrame(
        {"agency_state": ["TX", "", "FL", "GA", "<script>alert(2)</script>", "PR"], "searches": [120, 30, 20, 5, 1, 2]}
    )


@pytest.mark.parametrize("synthetic", [True, False])
def test_immigration_by_agency_saved_stacked_and_escaped(tmp_path, by_agency, synthetic):
    chart = charts.immigration_by_agency(by_agency, jurisdiction_name="Alvin ISD", synthetic=synthetic)
    svg, page = _check_files(charts.save_chart(chart, by_agency, tmp_path, "immigration_by_agency"), by_agency)
    text = _svg_text(svg)
    # 52 of 67 by Harris County (78%).
    assert ("SYNTHETIC DATA — Harris County Sheriff's Office ran 78% of the 67" in text) is synthetic
    assert "Harris County Sheriff's Office ran 78% of the 67 immigration-related searches" in text
    assert "<script>alert" not in svg and "<script>alert" not in page and "</script> Police" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Police Dept" in svg
    assert page.count("</script>") == 2
    spec = chart.to_dict()
    bars = spec["layer"][0]["layer"][0]["encoding"]
    # The same colours, in the same order, in every chart; stacked civil, criminal, unspecified.
    assert bars["color"]["scale"] == {
        "domain": ["Civil", "Criminal", "Unspecified"],
        "range": [charts.IMMIGRATION_COLORS[t] for t in charts.IMMIGRATION_TYPES],
    }
    assert bars["order"]["field"] == "stack"
    assert bars["y"]["sort"] == [
        "Harris County Sheriff's Office",
        "<script>alert(1)</script>…",
        "Texas DPS & Friends",
    ]
    assert "all 3 agencies" in " ".join(spec["title"]["subtitle"])


def test_immigration_by_agency_top_30_of_many():
    many = pd.DataFrame(
        {
            "org_name": [f"Agency {i:03d}" for i in range(75) for _ in (0, 1)],
            "immigration_type": ["civil", "unspecified"] * 75,
            "searches": [i + 1 for i in range(75) for _ in (0, 1)],
        }
    )
    spec = charts.immigration_by_agency(many, jurisdiction_name="Alvin ISD", synthetic=False).to_dict()
    order = spec["layer"][0]["layer"][0]["encoding"]["y"]["sort"]
    assert len(order) == 30 and order[0] == "Agency 074" and order[-1] == "Agency 045"
    assert "the top 30 of 75 agencies" in " ".join(spec["title"]["subtitle"])
    sixty = many[many["org_name"] < "Agency 060"]
    spec = charts.immigration_by_agency(sixty, jurisdiction_name="Alvin ISD", synthetic=False).to_dict()
    assert len(spec["layer"][0]["layer"][0]["encoding"]["y"]["sort"]) == 60  # up to 60: every agency
    with pytest.raises(ValueError, match="unknown immigration_type value.*'asylum'"):
        charts.immigration_by_agency(many.assign(immigration_type="asylum"), jurisdiction_name="X", synthetic=False)


def test_immigration_by_state_sorted_named_and_escaped(tmp_path, by_state):
    chart = charts.immigration_by_state(by_state, jurisdiction_name="Alvin ISD", synthetic=True)
    svg, page = _check_files(charts.save_chart(chart, by_state, tmp_path, "immigration_by_state"), by_state)
    # Texas 120 of 178 = 67%.
    assert "SYNTHETIC DATA — Agencies based in Texas ran 67% of the 178 immigration-related searches" in _svg_text(svg)
    order = chart.to_dict()["layer"][0]["layer"][0]["encoding"]["y"]["sort"]
    assert order == ["Texas", "Florida", "Georgia", "Puerto Rico", "<script>alert(2)</script>", "State not identified"]
    assert "<script>alert" not in svg and "<script>alert" not in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in svg


def test_immigration_types_counts_every_type(tmp_path):
    types = pd.DataFrame({"immigration_type": ["civil", "criminal"], "searches": [421, 189]})
    chart = charts.immigration_types(types, jurisdiction_name="Alvin ISD", synthetic=True)
    svg, _ = _check_files(charts.save_chart(chart, types, tmp_path, "immigration_types"), types)
    text = _svg_text(svg)
    assert "SYNTHETIC DATA — Civil immigration reasons outnumbered criminal ones, 421 to 189: 2.2 times as" in text
    assert "610 immigration-related searches of Alvin ISD's cameras, by type." in text
    assert "Civil and criminal: immigration reasons picked from Flock's drop-down list." in text
    for label in ("421 (69%)", "189 (31%)", "0 (0%)"):  # each bar labelled, the missing type as 0
        assert re.search(rf"<text[^>]*>{re.escape(label)}</text>", svg), label
    rows = next(iter(chart.to_dict()["datasets"].values()))
    assert [(r["immigration_type"], r["searches"]) for r in rows] == [
        ("civil", 421),
        ("criminal", 189),
        ("unspecified", 0),
    ]


def test_state_table_matches_the_boundaries():
    states = charts.state_table()
    assert len(states) == 52 and {"DC", "PR", "TX", "AK", "HI"} <= set(states["code"])
    assert states["fips"].str.fullmatch(r"\d{2}").all()
    topo = charts.us_states_topology()
    ids = {g["id"]: g["properties"]["name"] for g in topo["objects"]["states"]["geometries"]}
    for code, fips, name in states.itertuples(index=False):
        assert ids[fips] == name, code


def test_searches_by_state_map_offline(tmp_path, by_state):
    chart = charts.searches_by_state_map(by_state, jurisdiction_name="Alvin ISD", synthetic=True)
    paths = charts.save_chart(chart, by_state, tmp_path, "searches_by_state_map")
    svg, page = _check_files(paths, by_state)
    text = _svg_text(svg)
    assert "SYNTHETIC DATA — Agencies in 3 states searched Alvin ISD's cameras" in text
    assert "2 by agencies in Puerto Rico" in text and "30 by agencies whose state was not identified" in text
    assert svg.count("<path") >= 50  # every state drawn, shaded or grey
    labels = {frozenset(label.split("; ")) for label in re.findall(r'aria-label="([^"]*State: [^"]*)"', svg)}
    assert frozenset({"State: Texas", "Searches: 120"}) in labels  # shaded, with its count
    assert frozenset({"State: Wyoming", "Searches: 0"}) in labels  # grey, 0
    assert "<script>alert" not in svg and "<script>alert" not in page
    spec = chart.to_dict()
    # The boundaries are in the spec (and so in the page), never fetched from a URL.
    geo = spec["layer"][0]["layer"][0]["data"]
    assert geo["format"] == {"type": "topojson", "feature": "states"}
    assert spec["datasets"][geo["name"]]["type"] == "Topology"
    assert '"url"' not in json.dumps(spec) and '"type": "Topology"' in page
    assert Path(paths["html"]).stat().st_size < 3_000_000


def test_searches_by_state_map_without_searches(tmp_path):
    empty = pd.DataFrame({"agency_state": pd.Series([], dtype=str), "searches": pd.Series([], dtype="int64")})
    chart = charts.searches_by_state_map(empty, jurisdiction_name="Salem PD", synthetic=False, log_kind="organization")
    svg, _ = _check_files(charts.save_chart(chart, empty, tmp_path, "map"), empty)
    assert "The searching agencies were based in 0 states" in _svg_text(svg)
    assert "Searches run by Salem PD by the searching agency's state" in _svg_text(svg)
    assert svg.count("<path") >= 50


def test_immigration_types_all_zero_keeps_zero_at_the_left():
    none = pd.DataFrame({"immigration_type": ["civil", "criminal", "unspecified"], "searches": [0, 0, 0]})
    spec = charts.immigration_types(
        none, jurisdiction_name="Foster City PD", synthetic=False, log_kind="portal"
    ).to_dict()
    x = spec["layer"][0]["layer"][0]["encoding"]["x"]
    assert x["scale"]["domain"] == [0, 1]
    assert spec["title"]["text"] == ["No immigration-related searches"]
    assert spec["title"]["subtitle"][0] == "0 immigration-related searches in Foster City PD's search audit, by type."


# --------------------------------------------------------------------------------------------------
# Publication standard: titles that state the finding, top N of N, partial periods, the Keys, pages, alt text


def _title_text(chart) -> str:
    return " ".join(chart.to_dict()["title"]["text"])


def test_immigration_types_title_follows_the_numbers():
    two_to_one = pd.DataFrame({"immigration_type": ["civil", "criminal"], "searches": [421, 189]})
    three_to_two = pd.DataFrame({"immigration_type": ["criminal", "civil", "unspecified"], "searches": [300, 200, 7]})
    only_typed = pd.DataFrame({"immigration_type": ["unspecified"], "searches": [5]})
    kw = dict(jurisdiction_name="Alvin ISD", synthetic=False)
    assert (
        _title_text(charts.immigration_types(two_to_one, **kw))
        == "Civil immigration reasons outnumbered criminal ones, 421 to 189: 2.2 times as many"
    )
    assert (
        _title_text(charts.immigration_types(three_to_two, **kw))
        == "Criminal immigration reasons outnumbered civil ones, 300 to 200: 1.5 times as many"
    )
    assert (
        _title_text(charts.immigration_types(only_typed, **kw))
        == "All 5 immigration-related searches gave unspecified immigration reasons"
    )
    d = charts.describe("immigration_types", three_to_two, period="March 1, 2024 – March 31, 2024", **kw)
    assert "507 immigration-related searches" in d and "March 1, 2024 – March 31, 2024" in d
    assert "criminal 300 (59%)" in d and "unspecified 7 (1.4%)" in d


def test_top_agencies_title_says_how_concentrated_and_top_n_of_n():
    # Eight agencies of 10 searches each and 70 more with 1: the first 8 ran 80 of 150 searches (53%).
    few = pd.DataFrame(
        {
            "org_name": [f"Big {i}" for i in range(8)] + [f"Small {i:02d}" for i in range(70)],
            "searches": [10] * 8 + [1] * 70,
        }
    )
    chart = charts.top_agencies(
        few,
        jurisdiction_name="Alvin ISD",
        synthetic=False,
        n=20,
        total=3150,
        all_searches=150,
        period="December 1, 2025 – January 7, 2026",
    )
    assert _title_text(chart) == "Eight agencies ran 53% of the searches"
    subtitle = " ".join(chart.to_dict()["title"]["subtitle"])
    assert "the top 20 of 3,150 agencies" in subtitle and "December 1, 2025 – January 7, 2026" in subtitle
    labels = [r["label"] for r in next(iter(chart.to_dict()["datasets"].values())) if "label" in r]
    assert labels[0] == "10 (6.7%)" and len(labels) == 20  # direct labels with shares, words.share's rounding
    # One agency with most of the searches: named in the title.
    one = pd.DataFrame({"org_name": ["Houston TX PD", "Other PD"], "searches": [900, 100]})
    chart = charts.top_agencies(one, jurisdiction_name="Alvin ISD", synthetic=False, total=2, all_searches=1000)
    assert _title_text(chart) == "Houston TX PD ran 90% of the searches"
    assert "Houston TX PD ran the most, 900, then Other PD (100)." in chart.description


def test_searches_per_day_marks_a_partial_second_file():
    days = pd.date_range("2025-12-01", "2026-01-07", freq="D")
    daily = pd.DataFrame({"local_date": days.date, "searches": [100] * 31 + [40] * 7})
    releases = pd.DataFrame(
        {
            "file": ["data/raw/x/dec.csv", "data/raw/x/jan.xlsx"],
            "first_local_date": [dt.date(2025, 12, 1), dt.date(2026, 1, 1)],
            "last_local_date": [dt.date(2025, 12, 31), dt.date(2026, 1, 7)],
            "searches": [3100, 280],
        }
    )
    chart = charts.searches_per_day(
        daily, jurisdiction_name="Alvin ISD", synthetic=False, timezone="America/Chicago", releases=releases
    )
    spec = chart.to_dict()
    subtitle = " ".join(spec["title"]["subtitle"])
    assert "jan.xlsx covers January 1, 2026 – January 7, 2026, not whole months" in subtitle
    assert "dec.csv" not in subtitle  # a whole month is not flagged
    bands = [rows for rows in spec["datasets"].values() if rows and "fill" in rows[0]][0]
    assert [b["label"] for b in bands] == ["Dec. 1–Dec. 31", "Partial: Jan. 1–Jan. 7"]
    assert bands[1]["fill"] == charts.PARTIAL_FILL and bands[0]["fill"] != charts.PARTIAL_FILL
    # 100 a day in December, 40 a day in January 1-7: more than a twofold change, said instead of an average.
    assert _title_text(chart) == "Searches fell from about 100 a day (Dec. 1–Dec. 31) to about 40 a day (Jan. 1–Jan. 7)"
    # A table that says a file ends before the stated period is flagged even when it covers whole months.
    flagged = charts.searches_per_day(
        daily,
        jurisdiction_name="Alvin ISD",
        synthetic=False,
        timezone="America/Chicago",
        releases=releases.assign(partial=[True, False]),
    )
    assert "dec.csv covers December 1, 2025 – December 31, 2025" in " ".join(flagged.to_dict()["title"]["subtitle"])


def test_state_map_keeps_the_florida_keys_and_the_insets():
    import vl_convert

    states = pd.DataFrame({"agency_state": ["FL", "AK", "HI"], "searches": [10, 2, 3]})
    chart = charts.searches_by_state_map(states, jurisdiction_name="Alvin ISD", synthetic=False)
    # d3's albersUsa clips the lower 48 to a box that cuts off the Keys: the map must not use it. Each region
    # is fitted (Vega's fit, to the region's own features) inside the plot, so nothing of it can be clipped.
    assert "albersUsa" not in json.dumps(chart.to_dict())
    vega = vl_convert.vegalite_to_vega(chart.to_dict())
    width, height = vega["width"], vega["height"]
    for projection in vega["projections"]:
        assert "fit" in projection and "scale" not in projection and "translate" not in projection
        (x0, y0), (x1, y1) = projection["extent"]
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
    lower = next(p for p in vega["projections"] if p["type"] == "albers")
    by_name = {d["name"]: d for d in vega["data"]}

    def chain(name):  # a dataset's transforms and those of its sources
        d = by_name[name]
        return json.dumps(d.get("transform", [])) + (chain(d["source"]) if "source" in d else "")

    fitted = "".join(chain(n) for n in re.findall(r"data\('([^']+)'\)", lower["fit"]["signal"]))
    assert '\\"12\\"' in fitted  # Florida (FIPS 12) is in the data it is fitted to
    svg = vl_convert.vegalite_to_svg(chart.to_dict())
    labels = " ".join(re.findall(r'aria-label="([^"]*)"', svg))
    for state in ("Florida", "Alaska", "Hawaii", "Wyoming"):
        assert f"State: {state}" in labels, state
    fills = {}
    for tag in re.findall(r"<path[^>]*>", svg):
        name = re.search(r"State: ([A-Za-z ]+)", tag)
        fill = re.search(r'fill="([^"]+)"', tag)
        if name and fill:
            fills[name.group(1)] = fill.group(1)
    # 10, 2 and 3 searches: three different shades (a zero in the log scale's domain once made them one),
    # and a state with none in grey.
    assert len({fills["Florida"], fills["Alaska"], fills["Hawaii"]}) == 3
    assert fills["Wyoming"] == charts.NO_SEARCHES_COLOR


def test_chart_page_title_links_description_and_width(tmp_path, top):
    chart = charts.top_agencies(top, jurisdiction_name="Alvin ISD", synthetic=True, total=3150, all_searches=500)
    paths = charts.save_chart(chart, top, tmp_path, "top_agencies")
    page = Path(paths["html"]).read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert title.startswith("SYNTHETIC DATA — Alvin ISD: ") and "(chart)" in title
    assert 'href="../03_analyze.html"' in page and 'href="../../index.html"' in page
    from markupsafe import escape

    assert chart.description and str(escape(chart.description)) in page  # shown, escaped
    assert 'name="viewport"' in page and "#vis svg { max-width: 100%; height: auto; }" in page
    assert '"renderer": "svg"' in page or 'renderer: "svg"' in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "nothing may load from the network"
    assert "<script>alert" not in page and page.count("</script>") == 2


def test_show_gives_nbconvert_the_alt_text(tmp_path, top):
    import nbformat
    from nbconvert import HTMLExporter

    chart = charts.top_agencies(top, jurisdiction_name="Alvin ISD", synthetic=False)
    shown = charts.show(chart)
    data, metadata = shown._repr_mimebundle_()
    assert metadata["image/png"]["alt"] == chart.description == metadata["alt"]
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "chart", outputs=[nbformat.v4.new_output("display_data", data=data, metadata=metadata)]
        )
    ]
    for template in ("lab", "classic"):
        body, _ = HTMLExporter(template_name=template).from_notebook_node(nb)
        alts = re.findall(r'<img[^>]*\balt="([^"]*)"', body)
        assert alts, template
        import html as html_lib

        assert html_lib.unescape(alts[0]) == chart.description, template
        assert "No description has been provided" not in body


def test_reason_categories_sorted_labelled_and_titled():
    df = pd.DataFrame(
        {
            "id": ["no_stated_purpose", "case_number_only", "review_ambiguous_term", "immigration"],
            "label": ["No stated purpose", "Case number only", "Ambiguous terms to review", "Immigration"],
            "searches": [120, 300, 900, 40],
            "share": [0.12, 0.30, 0.90, 0.04],
        }
    )
    chart = charts.reason_categories(df, jurisdiction_name="Belmont PD", synthetic=False, log_kind="portal")
    spec = chart.to_dict()
    bars = spec["layer"][0]["layer"][0]["encoding"]
    # Counted categories largest first; the review list (not a count) last, whatever its size.
    assert bars["y"]["sort"] == ["Case number only", "No stated purpose", "Immigration", "Ambiguous terms to review"]
    # The review bar (900) is larger: the title does not call case numbers the largest.
    assert _title_text(chart) == "Case number only: 30% of searches, after ambiguous terms to review (90%)"
    rows = next(rows for rows in spec["datasets"].values() if rows and "label" in rows[0])
    assert {r["name"]: r["label"] for r in rows}["No stated purpose"] == "120 (12%)"
    other = df.assign(searches=[500, 300, 900, 40], share=[0.5, 0.3, 0.9, 0.04])
    assert (
        _title_text(charts.reason_categories(other, jurisdiction_name="Belmont PD", synthetic=False))
        == "No stated purpose: 50% of searches, after ambiguous terms to review (90%)"
    )
    largest = df.assign(searches=[500, 300, 100, 40], share=[0.5, 0.3, 0.1, 0.04])
    assert (
        _title_text(charts.reason_categories(largest, jurisdiction_name="Belmont PD", synthetic=False))
        == "No stated purpose: 50% of searches, the largest reason category"
    )


def test_reasons_in_no_category_are_drawn_last_and_never_the_finding():
    df = pd.DataFrame(
        {
            "id": ["generic_purpose", "other_reasons", "immigration"],
            "label": ["A generic word only", "Any other stated reason", "Immigration"],
            "searches": [83, 582, 6],
            "share": [0.11, 0.74, 0.008],
        }
    )
    chart = charts.reason_categories(df, jurisdiction_name="Alvin ISD", synthetic=False)
    bars = chart.to_dict()["layer"][0]["layer"][0]["encoding"]
    assert bars["y"]["sort"] == ["A generic word only", "Immigration", "Any other stated reason"]
    # Alvin's case: 11% is not "the largest" next to a 74% bar (issue 23).
    assert _title_text(chart) == "A generic word only: 11% of searches, after any other stated reason (74%)"


def test_a_chart_drawn_once_saves_what_altair_would_save(tmp_path, top):
    """save_chart draws once (charts.draw): the PNG, SVG and page hold what Altair's own save and to_json
    give for the same chart (the SVG up to vl-convert's gradient counter, which is not used here)."""
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    chart = charts.top_agencies(top, jurisdiction_name="Peña ISD", synthetic=False)  # not ASCII: as written
    paths = charts.save_chart(chart, top, tmp_path, "top_agencies")
    chart.save(str(tmp_path / "altair.png"), format="png", scale_factor=2)
    chart.save(str(tmp_path / "altair.svg"), format="svg")
    assert Path(paths["png"]).read_bytes() == (tmp_path / "altair.png").read_bytes()
    assert Path(paths["svg"]).read_text() == (tmp_path / "altair.svg").read_text()
    spec = chart.to_json(cls=charts.ScriptSafeJSON, indent=None)
    assert spec in Path(paths["html"]).read_text(encoding="utf-8")
    shown = charts.show(charts.draw(chart))._repr_mimebundle_()[0]["image/png"]
    import base64

    assert base64.b64decode(shown) == vlc.vegalite_to_png(
        chart.to_dict(), vl_version=vl_version_for_vl_convert(), scale=1
    )
