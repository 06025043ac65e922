"""Flock's dropdown list (pipeline/rules/dropdown.yml) and how one dropdown cell is read (enrich/offense.py)."""

import pytest
import yaml

from pipeline import RULES
from pipeline.enrich import offense
from pipeline.enrich.classify import load_registry

W = "Wanted Person (Arrest Warrant/Fugitive)"


@pytest.mark.parametrize(
    "cell, values, unknown, imm",
    [
        (f"{W}, Sex Offenses", (W, "Sex Offenses"), (), None),
        # a comma inside parentheses does not split: one value (here not on the list), then another
        ("Fraud (Identity, Credit Card), Robbery", ("Robbery",), ("Fraud (Identity, Credit Card)",), None),
        (f"{W} - warrant 25-1234, Sex Offenses", (W, "Sex Offenses"), (), None),
        ("Burglary/Breaking & Entering - suspect vehicle, white van", ("Burglary/Breaking & Entering",), (), None),
        ("Immigration (civil/administrative) - ", ("Immigration (civil/administrative)",), (), "civil"),
        ("Immigration (criminal) -", ("Immigration (criminal)",), (), "criminal"),
        ("Immigration (criminal), Immigration (civil/administrative)", None, (), "civil"),  # civil wins, as reasons.yml
        ("  welfare   CHECK ", ("Welfare Check",), (), None),  # trimmed, spaces collapsed, any case
        ("Welfare Check, Welfare Check", ("Welfare Check",), (), None),  # one search counts once per value
        ("Drugs/Narc, Robbery", ("Robbery",), ("Drugs/Narc",), None),  # cut off: not on the list, never classed
        ("Traffic Enforcement", (), ("Traffic Enforcement",), None),
        ("Immigration (c", (), ("Immigration (c",), None),
        ("", (), (), None),
        (None, (), (), None),
    ],
)
def test_read_cell(cell, values, unknown, imm):
    got = offense.read_cell(cell)
    if values is not None:
        assert got.values == values
    assert (got.unknown, got.immigration_type) == (unknown, imm)


def test_list_marks_exactly_the_two_immigration_values():
    marks = {e["value"]: e.get("immigration") for e in offense.vocabulary()}
    assert {v: t for v, t in marks.items() if t} == {
        "Immigration (civil/administrative)": "civil",
        "Immigration (criminal)": "criminal",
    }
    # docs/formats.md §3: the values seen in real releases are listed as seen there
    real = {e["value"] for e in offense.vocabulary() if e["seen"] == "real"}
    assert len(real) == 10 and W in real


def test_reason_era_uses_the_same_list():
    assert load_registry()["dropdown_categories"] == offense.values()


@pytest.mark.parametrize(
    "entry, words",
    [
        ({"value": "Robbery", "seen": "real"}, "listed twice"),
        ({"value": "Arson", "seen": "real", "immigration": "yes"}, "immigration must be"),
        ({"value": "Arson ", "seen": "real"}, "trimmed"),
        ({"value": "Arson"}, "seen must be"),
    ],
)
def test_a_malformed_list_is_refused_naming_the_entry(tmp_path, monkeypatch, entry, words):
    doc = yaml.safe_load((RULES / "dropdown.yml").read_text(encoding="utf-8"))
    doc["values"].append(entry)
    (tmp_path / "dropdown.yml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    monkeypatch.setattr(offense, "RULES", tmp_path)
    offense.vocabulary.cache_clear()
    try:
        with pytest.raises(offense.DropdownRulesError, match=words):
            offense.vocabulary()
    finally:
        offense.vocabulary.cache_clear()
        offense._by_key.cache_clear()
