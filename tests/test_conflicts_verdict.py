"""Issue 26, item 10: two copies of one search ID with different content (one with an immigration reason)
made no difference to the verdict (GREEN), and the conflict showed only on 01. Now the verdict is YELLOW,
its sentence (the top of 02 and the index's verdict) names the copies, and validation.json's `conflicts`
holds the counts the index reads."""

import json

from conftest import built
from test_bad_inputs import portal, portal_row
from pipeline.validate import checks

ICE = portal_row(2, reason="ICE detainer")


def test_two_copies_of_one_id_that_disagree_make_the_verdict_yellow_and_are_named(project):
    rows = [portal_row(1), ICE, portal_row(3), portal_row(2, reason="theft")]  # row 5: search 2 again
    j = project({"a.csv": portal(*rows)})
    built(j)
    r = checks.run(j)
    assert r["verdict"] == "YELLOW", r["why"]
    assert r["conflicts"] == {
        "searches": 1,
        "immigration_reason": 1,
        "fields": {"reason_clean": 1},
        "first": "data/raw/test-j/a.csv row 3",
    }
    assert "1 search held in more than one copy disagree" in r["why"]
    assert "one copy's reason is immigration-related and another's is not" in r["why"]
    assert "conflicts.csv" in r["why"]
    on_disk = json.loads((j.root / "reports" / j.slug / "validation.json").read_text())
    assert on_disk["verdict"] == "YELLOW" and on_disk["conflicts"]["immigration_reason"] == 1


def test_copies_that_agree_leave_the_verdict_green(project):
    j = project({"a.csv": portal(portal_row(1), ICE, portal_row(3), ICE)})
    built(j)
    r = checks.run(j)
    assert r["verdict"] == "GREEN" and r["conflicts"] is None, r["why"]
