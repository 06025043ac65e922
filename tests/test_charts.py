"""Charts: built from tiny aggregate tables, saved as PNG/SVG/HTML/CSV, offline and escaped."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest

from pipeline import charts

EVIL = "<script>alert(1)</script> Police Dept"


@pytest.fixture(scope="module")
def daily():
    return pd.DataFrame({"local_date": [dt.date(2024, 3, 1), dt.date(2024, 3, 2), dt.date(2024, 3, 4)],
                         "searches": [12, 0, 1234]})


@pytest.fixture(scope="module")
def top():
    return pd.DataFrame({"org_name": ["Harris County Sheriff's Office", EVIL, "Texas DPS & Friends"],
                         "searches": [40, 75, 3]})


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
    assert not re.search(r"<script[^>]*\bsrc=", page, re.IGNORECASE), "HTML must embed its JavaScript"
    assert "vegaEmbed" in page
    back = pd.read_csv(paths["csv"])
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
    return " ".join(re.sub(r"<[^>]+>", " ", t) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S))


def test_searches_per_day_synthetic(tmp_path, daily):
    chart = charts.searches_per_day(daily, jurisdiction_name="Alvin ISD", synthetic=True,
                                    timezone="America/Chicago")
    paths = charts.save_chart(chart, daily, tmp_path, "searches_per_day")
    assert paths["png"] == str(tmp_path / "searches_per_day.png")
    svg, _ = _check_files(paths, daily)
    text = _svg_text(svg)
    assert "SYNTHETIC DATA — Searches per day of Alvin ISD's cameras" in text
    assert "not a real public-records release" in text
    assert "America/Chicago" in text


def test_searches_per_day_real_has_no_synthetic_label(tmp_path, daily):
    d = daily.assign(local_date=pd.to_datetime(daily["local_date"]))  # datetime64 works too
    chart = charts.searches_per_day(d, jurisdiction_name="Alvin ISD", synthetic=False, timezone="America/Chicago",
                                    source="Flock Safety network audit released by Alvin ISD")
    svg, _ = _check_files(charts.save_chart(chart, daily, tmp_path, "per_day"), daily)
    text = _svg_text(svg)
    assert "SYNTHETIC" not in svg
    assert "Searches per day of Alvin ISD" in text
    assert "Source: Flock Safety network audit released by Alvin ISD." in text


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
    rows = next(iter(spec["datasets"].values()))
    assert [r["org_name"] for r in rows] == [EVIL, "Harris County Sheriff's Office"]
    assert spec["encoding"]["y"]["axis"]["labelLimit"] >= 500
    assert spec["title"]["text"] == "Agencies that searched Texas Rangers' cameras most"
    assert "top 2 of 3" in spec["title"]["subtitle"][0]


def test_enable_offline_renderer():
    import altair as alt
    before = alt.renderers.active
    try:
        charts.enable_offline_renderer()
        assert alt.renderers.active == "svg"
    finally:
        alt.renderers.enable(before)
