"""Reason classifier: the registry's own examples, in both engines, and the traps that must never count."""

import json
import re

import duckdb
import pytest
import yaml

from pipeline.enrich.classify import (
    REGISTRY_PATH,
    RegistryError,
    classify_in_duckdb,
    classify_text,
    load_registry,
    main,
)

REG = load_registry()
RULES = {r["id"]: r for r in REG["rules"]}
IMMIGRATION_RULES = {r["id"] for r in REG["rules"] if r["category"] == "immigration"}

# FORMATS.md §7 and the traps planted by tools/synth.py: none of these is an immigration search.
MUST_NOT_MATCH = [
    "police",
    "service",
    "notice",
    "justice",
    "office",
    "device",
    "license",
    "Niceville",
    "Price",
    "vice unit",
    "icy roads",
    "black ice",
    "ice cream truck",
    "DHS",
    "DHS welfare check",
    "zero",
    "hero",
    "herod st",
    "aero",
    "Ferrous",
    "expired license",
    "call for service",
    "warrant service",
    "police report",
    "CR26-2873",
    "selling ice meth",
    "Niceville burglary",
    "Price check fraud",
    "icy roads crash",
    "black ice collision",
    "ice cream truck theft",
    "office burglary",
    "justice court warrant",
    "device theft",
    "notice to appear",
    "herod st burglary",
    "zero plate",
    "E287021",
    "ICAC",
    "Administrative Test",
    "Homeland Security",
    "detainer",
    "illegal dumping",
    "Police Service Notice Justice Office Device License",
]

# Texts beyond the examples, for engine parity: Unicode (spans are code points), characters RE2 and
# Python fold differently (Kelvin sign, long s), newlines, NULL and repeats.
EXTRA_TEXTS = [
    None,
    "",
    "Überprüfung ICE hold",
    "\u212aice rally",
    "\u017fupport activists",
    "ICE\n",
    "No \u212aings rally",
    "cu\u017ftoms and border",
    "U\u017fBP",
    "line one\nICE detainer",
    "café ICE investigation ☕",
    "Immigration (criminal)\n",
    "Welfare Check, Immigration (civil/administrative) - ",
    "  Immigration (criminal)  ",
]


def all_example_texts():
    texts = []
    for r in REG["rules"]:
        texts += r["examples"]["match"] + r["examples"]["no_match"]
    return list(dict.fromkeys(texts + MUST_NOT_MATCH + EXTRA_TEXTS))


@pytest.fixture(scope="module")
def duck():
    """{text: classify_text-shaped result} from the DuckDB engine, for every text above (one run)."""
    texts = all_example_texts()
    con = duckdb.connect()
    con.execute("CREATE TABLE inp (reason_clean VARCHAR)")
    con.executemany("INSERT INTO inp VALUES (?)", [[t] for t in texts + texts[:5]])  # repeats
    classify_in_duckdb(con, "SELECT reason_clean FROM inp")
    classes = con.execute("SELECT * FROM reason_classes").fetchall()
    matches = con.execute("SELECT * FROM reason_matches").fetchall()
    out = {}
    for text, imm, imm_type, cats, era in classes:
        assert text not in out, f"reason_classes has {text!r} twice"
        out[text] = {
            "text": text,
            "immigration": imm,
            "immigration_type": imm_type,
            "reason_categories": list(cats),
            "reason_era": era,
            "matches": [],
        }
    for text, cat, rule_id, matched, start, end in matches:
        out[text]["matches"].append(
            {"rule_id": rule_id, "category": cat, "matched_text": matched, "span_start": start, "span_end": end}
        )
    assert len(out) == len(texts)  # one row per distinct reason, NULL included once
    # raw firing of every pattern (immigration rules included, winner or not), for the no_match examples
    raw = {}
    con.execute("CREATE TABLE ex (t VARCHAR)")
    con.executemany("INSERT INTO ex VALUES (?)", [[t] for t in texts if t is not None])
    for r in REG["rules"]:
        p = r["pattern"].replace("'", "''")
        raw[r["id"]] = {t for (t,) in con.execute(f"SELECT t FROM ex WHERE regexp_matches(t, '{p}', 'i')").fetchall()}
    con.close()
    return out, raw


def _by_rule(result):
    return {m["rule_id"]: m for m in result["matches"]}


# 1. every example of every rule, in both engines, and the engines agree on every field -----------------
EXAMPLES = [(r["id"], kind, t) for r in REG["rules"] for kind in ("match", "no_match") for t in r["examples"][kind]]


@pytest.mark.parametrize("rule_id,kind,text", EXAMPLES, ids=[f"{i}:{k}:{t!r}" for i, k, t in EXAMPLES])
def test_rule_examples(rule_id, kind, text, duck):
    out, raw = duck
    py = classify_text(text)
    if kind == "match":
        # reported; for an immigration rule that means it WON the exclusive group
        assert rule_id in _by_rule(py), py
        assert rule_id in _by_rule(out[text])
        if rule_id in IMMIGRATION_RULES:
            assert py["immigration_type"] == RULES[rule_id]["immigration_type"]
    else:
        # the pattern is not found at all, whichever rule wins
        assert rule_id not in _by_rule(py), py
        assert rule_id not in _by_rule(out[text])
        assert text not in raw[rule_id]
        assert not re.search(RULES[rule_id]["pattern"], text, re.IGNORECASE | re.ASCII)


@pytest.mark.parametrize("text", all_example_texts(), ids=repr)
def test_engines_agree(text, duck):
    out, _ = duck
    py = classify_text(text)
    dk = out[text]
    key = lambda m: m["rule_id"]  # noqa: E731
    assert {**py, "matches": sorted(py["matches"], key=key)} == {**dk, "matches": sorted(dk["matches"], key=key)}
    for m in py["matches"]:  # the evidence is the reason's own words at the reported place
        subject = text or ""
        assert subject[m["span_start"] : m["span_end"]] == m["matched_text"]


# 2. the traps -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", MUST_NOT_MATCH)
def test_must_not_match_immigration(text, duck):
    out, _ = duck
    for res in (classify_text(text), out[text]):
        assert res["immigration"] is False, res
        assert res["immigration_type"] is None
        assert "immigration" not in res["reason_categories"]
        assert not [m for m in res["matches"] if m["category"] == "immigration"]


@pytest.mark.parametrize(
    "text",
    [
        "ICE investigation",
        "CBP Investigation",
        "HSI",
        "ERO",
        "Border Patrol",
        "USBP",
        "ICE detainer",
        "deportation",
        "removal order",
        "immigration violation",
        "287(g)",
        "ICE",
        "assist ICE",
        "ICE ERO",
    ],
)
def test_free_text_immigration_is_unspecified(text):
    res = classify_text(text)
    assert res["immigration"] and res["immigration_type"] == "unspecified", res
    assert res["reason_era"] == "free_text"


# 3. dropdown before free text -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text,expected",
    [
        ("Immigration (criminal)", "criminal"),
        ("Immigration (criminal) - ", "criminal"),
        ("Immigration (criminal)   ", "criminal"),
        ("Immigration (criminal) - ICE detainer", "criminal"),
        ("Immigration (civil/administrative)", "civil"),
        ("Immigration (civil/administrative) - ", "civil"),
        ("Immigration (civil/administrative) - ICE detainer", "civil"),
        ("Welfare Check, Immigration (civil/administrative) - ", "civil"),
        ("Drugs/Narcotics, Immigration (criminal)", "criminal"),
        ("Immigration (criminal), Motor Vehicle Theft/Stolen", "criminal"),
        ("Immigration (criminal), Immigration (civil/administrative)", "civil"),  # both: civil by precedence
        ("ICE detainer", "unspecified"),
    ],
)
def test_dropdown_before_free_text(text, expected):
    res = classify_text(text)
    assert res["immigration_type"] == expected
    imm = [m for m in res["matches"] if m["category"] == "immigration"]
    assert len(imm) == 1  # exclusive: one immigration match, the winner


def test_reason_era():
    assert classify_text("Immigration (criminal) - ")["reason_era"] == "dropdown"
    assert classify_text("Drugs/Narcotics, Immigration (criminal)")["reason_era"] == "dropdown"
    assert classify_text("  Welfare Check")["reason_era"] == "dropdown"
    assert classify_text("welfare check")["reason_era"] == "free_text"  # case-sensitive on purpose
    assert classify_text("Drugs/Narc")["reason_era"] == "free_text"  # cut off: documented
    assert classify_text("ICE detainer")["reason_era"] == "free_text"
    assert classify_text(None)["reason_era"] == "free_text"
    assert classify_text(None)["reason_categories"] == ["no_stated_purpose"]


# 4. the registry file itself --------------------------------------------------------------------------
def test_registry_file():
    doc = yaml.safe_load(REGISTRY_PATH.read_text(encoding="utf-8"))
    ids = [r["id"] for r in doc["rules"]]
    assert len(ids) == len(set(ids))
    for r in doc["rules"]:
        assert r["examples"]["match"] and r["examples"]["no_match"], r["id"]
        assert r["notes"].strip()
    imm = [r for r in doc["rules"] if r["category"] == "immigration"]
    assert len({r["precedence"] for r in imm}) == len(imm)
    assert {r["immigration_type"] for r in imm} == {"civil", "criminal", "unspecified"}
    civil = next(r for r in imm if r["immigration_type"] == "civil")
    assert all(civil["precedence"] < r["precedence"] for r in imm if r is not civil)
    dropdown = [r for r in imm if r["immigration_type"] != "unspecified"]
    assert all(
        d["precedence"] < r["precedence"] for d in dropdown for r in imm if r["immigration_type"] == "unspecified"
    )
    for v in [
        "Wanted Person (Arrest Warrant/Fugitive)",
        "Motor Vehicle Theft/Stolen",
        "Assault/Battery Offenses",
        "Burglary/Breaking & Entering",
        "Larceny/Theft Offenses",
        "Welfare Check",
        "Drugs/Narcotics",
        "Missing/Endangered Person/Runaway",
        "Immigration (civil/administrative)",
        "Immigration (criminal)",
    ]:
        assert v in REG["dropdown_categories"]  # (the values of rules/dropdown.yml, added by load_registry)


def test_patterns_compile_in_duckdb():
    con = duckdb.connect()
    for r in REG["rules"]:
        p = r["pattern"].replace("'", "''")
        con.execute(f"SELECT regexp_matches('x', '{p}', 'i'), regexp_extract('x', '^((?s:.*?))({p})', 2, 'i')")
    con.close()


@pytest.mark.parametrize(
    "bad,message",
    [
        ({"pattern": "(?<!x)ice"}, "lookaround"),
        ({"pattern": r"(a)\1"}, "backreference"),
        ({"pattern": r"ice\s+hold"}, r"\s"),
        ({"pattern": "ice("}, "does not compile"),
        ({"colour": "red"}, "unknown keys"),
        ({"examples": {"match": ["x"], "no_match": []}}, "no_match"),
    ],
)
def test_registry_validation(tmp_path, bad, message):
    doc = yaml.safe_load(REGISTRY_PATH.read_text(encoding="utf-8"))
    doc["rules"][3].update(bad)
    p = tmp_path / "reasons.yml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    with pytest.raises(RegistryError, match="rule #4") as e:
        load_registry(p)
    assert message in str(e.value)


@pytest.mark.parametrize("field, words", [("id", "duplicate id"), ("precedence", "must be unique")])
def test_duplicate_ids_and_precedence_rejected(tmp_path, field, words):
    doc = yaml.safe_load(REGISTRY_PATH.read_text(encoding="utf-8"))
    doc["rules"][1][field] = doc["rules"][0][field]
    p = tmp_path / f"dup-{field}.yml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    with pytest.raises(RegistryError, match=words):
        load_registry(p)


# 5. the command line ----------------------------------------------------------------------------------
def test_cli(capsys):
    assert main(["ICE investigation", "police report"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["text"] for r in out] == ["ICE investigation", "police report"]
    assert out[0]["immigration"] is True and out[0]["immigration_type"] == "unspecified"
    imm = [m for m in out[0]["matches"] if m["category"] == "immigration"]
    assert imm == [
        {
            "rule_id": "imm_ice",
            "category": "immigration",
            "matched_text": "ICE investigation",
            "span_start": 0,
            "span_end": 17,
        }
    ]
    assert out[1]["immigration"] is False and out[1]["immigration_type"] is None
    assert out[1]["matches"] == [] and out[1]["reason_categories"] == []
