"""make check-identical's comparison can fail: a changed value in a table, a figure or a chart's data is
reported; run times, commits and content keys are not."""

from __future__ import annotations

import json
import shutil

import pyarrow as pa
import pyarrow.parquet as pq

from tools.check_identical import compare


def _outputs(root, searches=3, started="2026-12-01T10:00:00+00:00", chart="day,searches\n2025-12-01,3\n"):
    slug = "x-pd"
    processed, reports = root / "data/processed" / slug, root / "reports" / slug
    (reports / "charts").mkdir(parents=True)
    processed.mkdir(parents=True)
    pq.write_table(pa.table({"search_key": [f"k{i}" for i in range(searches)]}), processed / "searches.parquet")
    (processed / "manifest.json").write_text(
        json.dumps(
            {
                "totals": {"searches": searches},
                "started_at_utc": started,
                "code_version": started,
                "stage_keys": {"clean": started},
            }
        )
    )
    (reports / "facts.json").write_text(json.dumps({"searches": searches, "pipeline_commit": started}))
    (reports / "charts" / "searches_per_day.csv").write_text(chart)
    return root


def test_the_same_outputs_at_other_times_are_identical(tmp_path):
    a = _outputs(tmp_path / "a")
    b = _outputs(tmp_path / "b", started="2026-12-02T11:00:00+00:00")
    assert compare(a, b, ["x-pd"]) == []


def test_a_changed_table_figure_or_chart_is_reported(tmp_path):
    a = _outputs(tmp_path / "a")
    assert compare(a, _outputs(tmp_path / "b", searches=4), ["x-pd"]) == [
        "data/processed/x-pd/searches.parquet: tables differ (columns search_key)",
        "reports/x-pd/facts.json: differs in searches",
        "data/processed/x-pd/manifest.json: differs in totals",
    ]
    c = _outputs(tmp_path / "c", chart="day,searches\n2025-12-01,4\n")
    assert compare(a, c, ["x-pd"]) == ["reports/x-pd/charts/searches_per_day.csv: bytes differ"]
    shutil.rmtree(c / "reports/x-pd/charts")
    (c / "reports/x-pd/charts").mkdir()
    assert compare(a, c, ["x-pd"])[0].startswith("reports/x-pd/charts: chart CSVs ['searches_per_day.csv'] vs []")
