"""A chart's interactive page read on a 390 px phone (issue 23 item 10): its text stays at the size it was
drawn (12 px or more) and the chart scrolls sideways, rather than shrinking to about 5 px."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from browser import Browser, find_chromium

from pipeline.analyze import charts

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="no Chromium here (make browser installs it)")

SETTLE = "document.querySelector('#vis svg')"
SCALE = "(() => { const s = document.querySelector('#vis svg'); return s.getBoundingClientRect().width / s.width.baseVal.value; })()"


def test_a_chart_page_is_legible_on_a_phone(tmp_path):
    top = pd.DataFrame({"org_name": ["Houston TX PD", "Harris County TX Constable Pct 4"], "searches": [3972, 2175]})
    paths = charts.save_chart(
        charts.top_agencies(top, jurisdiction_name="Huffman ISD", synthetic=True), top, tmp_path, "t"
    )
    with Browser() as b:
        for width in (390, 1400):
            visit = b.visit(
                Path(paths["html"]).as_uri(), width=width, settle_js=SETTLE, check_js=SCALE, screenshot=False
            )
            assert visit.check >= 0.99, (width, visit.check)  # drawn at its own size: 12 px text is 12 px
