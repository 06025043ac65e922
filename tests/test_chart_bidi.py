"""A chart never publishes Unicode's bidirectional controls (issue 26 item 9): an agency named with a
right-to-left override would read backwards in the image, the vector file and the interactive page."""

import json

import altair as alt
import pandas as pd

from pipeline.analyze.chart_page import draw
from pipeline.io.text import BIDI_CONTROLS

OVERRIDE = "\u202e"


def test_a_name_with_a_right_to_left_override_is_drawn_without_it():
    df = pd.DataFrame({"name": [f"Evil {OVERRIDE}SO XT ytnuoC", "Plain PD"], "searches": [3, 2]})
    chart = alt.Chart(df).mark_bar().encode(y="name:N", x="searches:Q").properties(title=f"Top {OVERRIDE}agency")
    drawn = draw(chart)
    assert OVERRIDE in chart.to_dict()["title"]  # the input really holds one
    for text in (drawn.svg, json.dumps(drawn.spec, ensure_ascii=False)):
        assert not any(c in text for c in BIDI_CONTROLS)
    assert "Evil SO XT ytnuoC" in drawn.svg and "Top agency" in drawn.svg
