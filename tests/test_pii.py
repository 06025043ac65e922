"""Personal data typed into reasons is flagged and redacted the same way in DuckDB and in Python."""

import duckdb
import pytest

import re

from pipeline.enrich.pii import load_patterns, load_rules, pseudonym_sql, redact_in_duckdb, redact_text

EXAMPLES = [(p["kind"], text, True) for p in load_patterns() for text in p["match"]] + [
    (p["kind"], text, False) for p in load_patterns() for text in p["no_match"]
]


@pytest.mark.parametrize("kind, text, flagged", EXAMPLES)
def test_every_example_in_the_rule_file(kind, text, flagged):
    kinds, redacted = redact_text(text)
    assert (kind in kinds) is flagged
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT ? AS reason_clean", [text])
    redact_in_duckdb(con, "SELECT reason_clean FROM t")
    db_kinds, db_redacted = con.execute("SELECT reason_pii, reason_redacted FROM reason_pii").fetchone()
    assert (kind in db_kinds) is flagged
    assert db_redacted == redacted  # both engines publish the same text
    assert (redacted != text) is bool(kinds)


def test_a_reason_with_a_name_after_dob_and_a_plate_keeps_only_its_purpose():
    kinds, redacted = redact_text("ICE detainer John Roe DOB 01/02/1980, plate ABC1234")
    assert set(kinds) >= {"dob", "plate"}
    assert "John Roe DOB" not in redacted and "ABC1234" not in redacted and redacted.startswith("ICE detainer")


def test_pseudonyms_are_stable_keyed_and_not_the_name():
    con = duckdb.connect()
    a = con.execute(f"SELECT {pseudonym_sql('x', 'k1')} FROM (SELECT 'Jane Roe' AS x)").fetchone()[0]
    b = con.execute(f"SELECT {pseudonym_sql('x', 'k1')} FROM (SELECT 'Jane Roe' AS x)").fetchone()[0]
    c = con.execute(f"SELECT {pseudonym_sql('x', 'k2')} FROM (SELECT 'Jane Roe' AS x)").fetchone()[0]
    assert a == b != c and a.startswith("S-") and "Jane" not in a


REFERENCES = [(p["pattern"], text, True) for p in load_rules()["not_personal"] for text in p["match"]] + [
    (p["pattern"], text, False) for p in load_rules()["not_personal"] for text in p["no_match"]
]


@pytest.mark.parametrize("pattern, text, matches", REFERENCES)
def test_every_reference_number_example(pattern, text, matches):
    assert bool(re.search(pattern, text)) is matches
    con = duckdb.connect()
    assert con.execute("SELECT regexp_matches(?, ?)", [text, pattern]).fetchone()[0] is matches


@pytest.mark.parametrize(
    "text", ["CFS 2025-88812", "welfare check CFS 2025-88812", "INC 2024-556677 theft", "Report No. 25-1234; RPT 2025"]
)
def test_case_cfs_incident_and_report_numbers_are_published_as_typed(text):
    kinds, redacted = redact_text(text)
    assert kinds == [] and redacted == text


def test_personal_data_beside_a_reference_number_is_still_redacted_in_both_engines():
    text = "CFS 2025-88812 plate ABC1234, call 713-555-0142"
    kinds, redacted = redact_text(text)
    assert redacted == "CFS 2025-88812 plate [REDACTED plate], call [REDACTED phone]" and set(kinds) == {
        "plate",
        "phone",
    }
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT ? AS reason_clean", [text])
    redact_in_duckdb(con, "SELECT reason_clean FROM t")
    assert con.execute("SELECT reason_pii, reason_redacted FROM reason_pii").fetchone() == (kinds, redacted)


def _duckdb(texts: list[str]) -> dict:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (reason_clean VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [[t] for t in texts])
    redact_in_duckdb(con, "SELECT reason_clean FROM t")
    return {r: (k, red) for r, k, red in con.execute("SELECT * FROM reason_pii").fetchall()}


NAMES = load_rules()["names"]


@pytest.mark.parametrize("text, flagged", [(t, True) for t in NAMES["match"]] + [(t, False) for t in NAMES["no_match"]])
def test_every_name_example_in_the_rule_file_in_both_engines(text, flagged):
    kinds, redacted = redact_text(text)
    assert ("name" in kinds) is flagged, redacted
    assert _duckdb([text])[text] == (kinds, redacted)


def test_the_hostile_reasons_of_issue_26_publish_no_personal_data():
    """Each was published as typed before: a plate with a space, an e-mail, a phone with +1, a bare name."""
    cases = {
        "stolen veh plate 7ABC 123": "stolen veh plate [REDACTED plate]",
        "tips to jane.doe@example.com": "tips to [REDACTED email]",
        "call +1 713 555 0142": "call +1 [REDACTED phone]",
        "cell 7135550142 theft": "[REDACTED phone] theft",
        "2603300087": "2603300087",  # a Foster City case number, ten digits: published as typed
        "locate Jane Q Doe": "locate [REDACTED name]",
        "U.S. Border Patrol assist": "U.S. Border Patrol assist",
    }
    got = _duckdb(list(cases))
    for text, published in cases.items():
        assert redact_text(text)[1] == published == got[text][1]


def test_bidi_controls_never_reach_a_published_reason():
    """U+202E (right-to-left override) made 'ICE' read as 'ECI'; every bidi control is removed, the rest kept."""
    text = "welfare \u202echeck\u202c \u2066ICE\u2069 \u200f"
    kinds, redacted = redact_text(text)
    assert redacted == "welfare check ICE " and kinds == []
    assert _duckdb([text])[text] == ([], redacted)


def test_names_file_is_the_census_list_with_its_provenance():
    from pipeline import RULES

    names = (RULES / NAMES["given_names"]).read_text().split()
    assert len(names) == 5163 and names == sorted(set(names)) and {"Jane", "Juan", "Maria"} <= set(names)
    source = (RULES / NAMES["source"]).read_text()
    assert "public domain" in source and "726e46254f2ed03f1ffb5d941dae3bc67c35123941c29becd02d48d0caa2a671" in source
