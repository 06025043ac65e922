"""Published claims are structured data: each comparison holds or fails as it should; nothing is evaluated."""

import pytest

from pipeline.claims import check_spec, evaluate
from pipeline.errors import ConfigError

FACTS = {
    "searches": 741_900,
    "agencies": 3_150,
    "immigration_civil": 430,
    "immigration_criminal": 150,
    "immigration_states": ["FL", "GA", "IN", "TN", "TX"],
    "searchers": None,
}


def one(fact, test, value):
    return evaluate([{"claim": "c", "fact": fact, "test": test, "value": value}], FACTS)[0]


@pytest.mark.parametrize(
    "fact, test, value, holds",
    [
        ("searches", "greater_than", 733_000, True),
        ("searches", "greater_than", 741_900, False),
        ("searches", "at_least", 741_900, True),
        ("agencies", "equals", 3_150, True),
        ("agencies", "equals", 3_100, False),
        ("agencies", "at_most", 3_100, False),
        ("agencies", "less_than", 3_151, True),
        ("immigration_civil", "greater_than", {"fact": "immigration_criminal", "times": 2}, True),
        ("immigration_civil", "greater_than", {"fact": "immigration_criminal", "times": 3}, False),
        ("immigration_states", "contains_all", ["FL", "GA", "IN", "TN"], True),
        ("immigration_states", "contains_all", ["FL", "NY"], False),
    ],
)
def test_comparisons(fact, test, value, holds):
    assert one(fact, test, value)["holds"] is holds


def test_a_figure_the_release_cannot_give_fails_the_claim_and_says_why():
    r = one("searchers", "greater_than", 10)
    assert r["holds"] is False and "cannot be measured" in r["why_not"]
    r = one("nonexistent", "greater_than", 10)
    assert r["holds"] is False and "not computed" in r["why_not"]
    assert "missing NY" in one("immigration_states", "contains_all", ["FL", "NY"])["why_not"]


@pytest.mark.parametrize(
    "spec, words",
    [
        ({"claim": "x", "fact": "searches", "test": "eval", "value": 1}, "test 'eval'"),
        (
            {"claim": "x", "fact": "searches", "test": "greater_than", "value": "__import__('os').system('ls')"},
            "value must be a number",
        ),
        ({"claim": "x", "fact": "searches", "test": "greater_than"}, "missing value"),
        ({"claim": "x", "fact": "s", "test": "contains_all", "value": "FL"}, "needs a list"),
        ({"claim": "x", "fact": "s", "test": "at_least", "value": {"expr": "1+1"}}, "{fact: NAME, times: NUMBER}"),
        ({"claim": "x", "fact": "s", "test": "at_least", "value": 1, "when": "always"}, "unknown key(s) when"),
    ],
)
def test_malformed_claims_are_config_errors(spec, words):
    with pytest.raises(ConfigError) as e:
        check_spec(spec, "alvin-isd", 0)
    assert words in str(e.value) and "jurisdiction 'alvin-isd', claim 1" in str(e.value)


@pytest.mark.parametrize(
    "window, words",
    [
        ({"start": "2025-12-01"}, "window must be {start: YYYY-MM-DD, end: YYYY-MM-DD}"),
        ("December", "window must be"),
        ({"start": "2025-12-01", "end": "soon"}, "window end 'soon' is not a date"),
        ({"start": "2025-12-31", "end": "2025-12-01"}, "window starts (2025-12-31) after it ends (2025-12-01)"),
    ],
)
def test_a_malformed_window_is_a_config_error_naming_the_claim(window, words):
    spec = {"claim": "x", "fact": "searches", "test": "at_least", "value": 1, "window": window}
    with pytest.raises(ConfigError) as e:
        check_spec(spec, "alvin-isd", 2)
    assert words in str(e.value) and "jurisdiction 'alvin-isd', claim 3" in str(e.value)


def test_a_claim_with_a_window_is_checked_against_that_window_only():
    import datetime as dt

    facts = {
        **FACTS,
        "windows": {
            "2025-12-01/2025-12-31": {"searches": 689_900, "immigration_civil": 400, "immigration_criminal": 100}
        },
    }
    dec = {"start": dt.date(2025, 12, 1), "end": dt.date(2025, 12, 31)}
    check_spec({"claim": "c", "fact": "searches", "test": "greater_than", "value": 733000, "window": dec}, "a", 0)
    month, whole, ratio, other = evaluate(
        [
            {"claim": "c", "fact": "searches", "test": "greater_than", "value": 733_000, "window": dec},
            {"claim": "c", "fact": "searches", "test": "greater_than", "value": 733_000},
            {
                "claim": "c",
                "fact": "immigration_civil",
                "test": "greater_than",
                "value": {"fact": "immigration_criminal", "times": 4},
                "window": dec,
            },
            {
                "claim": "c",
                "fact": "searches",
                "test": "at_least",
                "value": 1,
                "window": {"start": "2026-01-01", "end": "2026-01-31"},
            },
        ],
        facts,
    )
    assert (month["holds"], month["computed"], month["window"]) == (
        False,
        689_900,
        {"start": "2025-12-01", "end": "2025-12-31"},
    )
    assert whole["holds"] and whole["window"] is None
    # the other fact is the window's too (100 in December, not the release's 150)
    assert ratio["holds"] is False and ratio["target"].endswith("= 400") and ratio["computed"] == 400
    assert other["holds"] is False and "were not computed" in other["why_not"]
