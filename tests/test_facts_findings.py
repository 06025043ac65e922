"""The findings' words and caveats (pure: hand-made figures in, facts.json's findings out)."""

import pytest

from pipeline.analyze import findings
from pipeline.analyze.facts import reason_category_ids
from pipeline.analyze.words import date_words, period_words, series, share

BASE = {
    "name": "Alvin ISD",
    "producer": "Alvin Independent School District",
    "log_kind": "network",
    "searches": 741_900,
    "agencies": 3_150,
    "out_of_state_agencies": 2_805,
    "immigration_searches": 640,
    "immigration_civil": 430,
    "immigration_criminal": 150,
    "immigration_unspecified": 60,
    "immigration_agencies": 30,
    "immigration_states": ["FL", "GA", "IN", "TN"],
    "federal_searches": 344,
    "federal_agencies": [
        {"agency": "[Federal] U.S. Border Patrol", "searches": 300, "immigration_searches": 40},
        {"agency": "[Federal] ATF", "searches": 44, "immigration_searches": 0},
    ],
    "no_specific_purpose_searches": 1_000,
    "searchers": 12,
    "searches_searcher_present": 2_000,
    "searches_searcher_masked": 739_900,
    "searches_searcher_blank": 0,
    "searches_searcher_not_exported": 0,
    "first_local_date": "2025-12-01",
    "last_local_date": "2026-01-07",
}


def by_id(f):
    return {x["id"]: x for x in findings.describe(f, "TX")["findings"]}


def test_the_headline_findings_in_order_with_shares():
    out = findings.describe(BASE, "TX")
    assert out["period_words"] == "December 1, 2025 – January 7, 2026"
    ids = [x["id"] for x in out["findings"]]
    assert ids[:6] == [
        "searches",
        "agencies",
        "out_of_state_agencies",
        "immigration_searches",
        "immigration_agencies",
        "federal_agencies",
    ]
    x = by_id(BASE)
    assert x["out_of_state_agencies"]["display"] == "2,805 of 3,150 agencies (89%)"  # the figure
    assert x["out_of_state_agencies"]["label"] == "Agencies from outside Texas"
    assert x["immigration_searches"]["display"].startswith("640 of 741,900 searches (less than 0.1%): 430 civil")
    assert x["immigration_agencies"]["display"] == "30 agencies in 4 states: Florida, Georgia, Indiana and Tennessee"
    assert x["federal_agencies"]["display"].startswith("[Federal] U.S. Border Patrol: 300 searches (40 immigration")
    assert all(set(i) == {"id", "label", "value", "display", "caveat", "period", "windows"} for i in out["findings"])


def test_unmasked_searchers_are_said_for_what_they_are():
    s = by_id(BASE)["searchers_unmasked"]
    assert s["display"] == "12 distinct names or ids, on 2,000 of 741,900 searches (0.3%); the others: 739,900 masked"
    assert "not a count of the people" in s["caveat"]


def test_a_portal_release_says_what_it_cannot_give_and_its_own_caveats():
    portal = {
        **BASE,
        "log_kind": "portal",
        "agencies": None,
        "out_of_state_agencies": None,
        "immigration_agencies": None,
        "immigration_states": None,
        "federal_agencies": None,
        "federal_searches": None,
        "immigration_searches": 0,
    }
    x = by_id(portal)
    assert x["agencies"]["value"] is None and "no agency column" in x["agencies"]["display"]
    assert x["out_of_state_agencies"]["caveat"] is None  # no caveat on a figure that is not there
    assert "portal export has no agency column" in x["agencies"]["caveat"]
    titles = [c["title"] for c in findings.describe(portal, "OR")["caveats"]]
    assert titles[0] == "A portal export lists only the producer's own searches"
    network = " ".join(c["text"] for c in findings.caveats_for("network"))
    assert "school district" not in network and "network audit" in network.lower()
    kinds = {k: findings.caveats_for(k)[0]["title"] for k in findings.LOG_KINDS}
    assert len(set(kinds.values())) == 3  # a different first caveat per log kind


def test_every_reason_category_has_words_and_a_caveat():
    labels = findings.category_labels()
    for c in reason_category_ids() + [findings.OTHER_REASONS]:
        assert labels[c]["label"] and labels[c]["caveat"], c
    assert set(findings.no_specific_purpose_categories()) <= set(reason_category_ids())


@pytest.mark.parametrize(
    "part, whole, words",
    [
        (2805, 3150, "89%"),
        (1, 2000, "less than 0.1%"),
        (4, 100, "4.0%"),
        (9995, 10000, "more than 99%"),
        (0, 5, "0%"),
        (5, 5, "100%"),
        (1, 0, None),
        (None, 5, None),
    ],
)
def test_shares(part, whole, words):
    assert share(part, whole) == words


def test_dates_and_series():
    assert (
        date_words("2025-09-03", short=True) == "Sept. 3, 2025"
        and date_words("2025-03-03", short=True) == "March 3, 2025"
    )
    assert period_words("2025-12-01", "2025-12-01") == "December 1, 2025" and period_words(None, "2025-12-01") is None
    assert series(["A"]) == "A" and series(["A", "B", "C"]) == "A, B and C"


def test_every_headline_figure_states_its_period():
    for item in findings.describe(BASE, "TX")["findings"]:
        assert item["period"] == "December 1, 2025 – January 7, 2026 (38 days)", item["id"]


def test_a_claim_window_shows_both_figures_and_why_they_differ():
    # Alvin: the story speaks of December; the release runs to January 7. Both figures, and why.
    december = {
        "window": {"start": "2025-12-01", "end": "2025-12-31"},
        "searches": 735_900,
        "agencies": 3_120,
        "immigration_searches": 625,
        "immigration_agencies": 30,
    }
    x = by_id({**BASE, "windows": {"2025-12-01/2025-12-31": december}})
    (searches,) = x["searches"]["windows"]
    assert searches.startswith(
        "December 1, 2025 – December 31, 2025, the period of the published claims: 735,900 searches."
    )
    assert searches.endswith("The figure above counts the whole release, which ends 7 days later, on January 7, 2026.")
    assert x["agencies"]["windows"][0].startswith("December 1, 2025 – December 31, 2025")
    assert x["immigration_agencies"]["windows"][0].endswith("30 agencies, the same as over the whole release.")
    assert x["no_specific_purpose"]["windows"] == []  # no claim speaks of it
    whole = {**december, "window": {"start": "2025-12-01", "end": "2026-01-07"}}
    assert by_id({**BASE, "windows": {"w": whole}})["searches"]["windows"] == []  # the same days: said once


def test_an_organization_audit_of_one_agency_has_no_agency_findings():
    # Okaloosa: every row carries the Sheriff's Office's own name; "0 of 1 agency (0%)" read as a finding.
    own = {
        **BASE,
        "log_kind": "organization",
        "agencies": 1,
        "out_of_state_agencies": 0,
        "immigration_agencies": 0,
        "federal_agencies": [],
    }
    x = by_id(own)
    for key in findings.AGENCY_FINDINGS:
        assert x[key]["value"] is None and x[key]["display"] == findings.NOT_APPLICABLE, key
        assert x[key]["period"] is None  # no period beside a figure that is not there
        assert "of 1 agency" not in x[key]["display"]
    assert findings.own_searches_only(own) and not findings.own_searches_only(BASE)
    assert x["searches"]["display"] == "741,900 searches"


def test_when_agencies_with_no_state_ran_most_immigration_searches_that_leads_the_states_sentence():
    # issue 23: Huffman's 143 immigration-related searches, 135 of them by U.S. Border Patrol (no state)
    f = dict(BASE, immigration_searches=143, immigration_agencies=4, immigration_states=["FL", "GA", "TX"])
    said = by_id(dict(f, immigration_state_not_identified=135))["immigration_agencies"]["display"]
    assert said == (
        "4 agencies; those with no identified state (federal agencies, most often) ran 135 of the 143 (94%); "
        "the others are in 3 states: Florida, Georgia and Texas"
    )
    # a minority without a state: the states lead, as before
    assert by_id(dict(f, immigration_state_not_identified=60))["immigration_agencies"]["display"] == (
        "4 agencies in 3 states: Florida, Georgia and Texas"
    )
