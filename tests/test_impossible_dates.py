"""Issue 26, item 5: a search time no audit can hold (before Flock Safety existed, or after the file holding
it was written) is a rejected row with its reason and citation; the jurisdiction still runs to the end, and
no chart meets the outlier (03's daily chart failed with Altair's MaxRowsError on one row in 1970 and one
in 2099; years 0001 and 9999 stopped 02 with "year 0 is out of range")."""

import json

import pandas as pd

from test_bad_inputs import SLUG, cli_project, portal, portal_row, run_cli

NORMAL = [portal_row(i, t=f"2026-03-{10 + i:02d}T04:31:52.901Z") for i in range(1, 7)]
IMPOSSIBLE = {  # source_row (header = row 1) -> the row
    8: portal_row(7, t="0001-01-01T00:00:00.000Z"),
    9: portal_row(8, t="9999-12-31T23:59:59.000Z"),
    10: portal_row(9, t="1970-01-01T00:00:00.000Z"),
    11: portal_row(10, t="2099-06-01T12:00:00.000Z"),
}
WHY = {8: "search_time_before_flock", 9: "search_time_after_file_written", 10: "search_time_before_flock"}
WHY[11] = "search_time_after_file_written"


def test_impossible_search_times_are_rejected_rows_and_the_run_publishes(tmp_path):
    root = cli_project(tmp_path, {"a.csv": portal(*NORMAL, *IMPOSSIBLE.values())})
    r = run_cli(root)
    out = r.stdout + r.stderr
    assert r.returncode == 0 and "Traceback" not in out and "MaxRowsError" not in out, out
    processed = root / "data/processed" / SLUG
    rej = pd.read_csv(processed / "rejected.csv", keep_default_na=False)
    assert dict(zip(rej["source_row"], rej["reject_reason"])) == WHY
    assert (rej["source_file"] == f"data/raw/{SLUG}/a.csv").all()
    reports = root / "reports" / SLUG
    facts = json.loads((reports / "facts.json").read_text())
    assert facts["searches"] == 6 and facts["rejected"] == 4
    verdict = json.loads((reports / "validation.json").read_text())
    assert verdict["verdict"] == "YELLOW", verdict.get("why")
    daily = pd.read_csv(reports / "charts/searches_per_day.csv")
    assert len(daily) == 6  # 10 to 16 March 2026 less none: the outliers never reach the chart
    assert json.loads((reports / "run.json").read_text())["last"]["status"] == "ok"
