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
