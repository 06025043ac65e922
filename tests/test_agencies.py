"""Tests of pipeline.enrich.agencies: every `Org Name` form of FORMATS.md §4, the traps, the rules file itself,
and the synthetic generator's agencies (the state it records for each name must be the state read)."""

from __future__ import annotations

import copy
import csv

import pandas as pd
import pytest
import yaml

from pipeline.enrich import agencies
from tools import synth
from tools.synth_names import invent_name
from pipeline.enrich.agencies import COLUMNS, RULES_PATH, identify, identify_many, load_rules

# (Org Name, state, type): every form FORMATS.md §4 lists, then traps and the decisions documented in
# pipeline/rules/agencies.yml.
CASES = [
    # FORMATS.md §4, in its order
    ("Houston TX PD", "TX", "city_police"),
    ("Harris County TX SO", "TX", "sheriff"),
    ("Arlington PD (WA)", "WA", "city_police"),
    ("CA - Napa Valley College Campus", "CA", "school_or_campus_police"),
    ("Georgia Attorney General's Office - GA", "GA", "state_agency"),
    ("Redding PD - CA", "CA", "city_police"),
    ("Windsor- IL- PD", "IL", "city_police"),
    ("Georgia State Patrol GA PD", "GA", "state_agency"),
    ("Michigan State Police", "MI", "state_agency"),
    ("Texas Dept. of Public Safety", "TX", "state_agency"),
    ("MOCIC", "", "task_force_or_multi_agency"),
    ("NCRIC", "", "task_force_or_multi_agency"),
    ("Midwest HIDTA", "", "task_force_or_multi_agency"),
    ("Home Depot Corporation", "", "private_or_business"),
    ("Lowe's Home Centers LLC", "", "private_or_business"),
    ("[Federal] U.S. Border Patrol", "", "federal"),
    ("Houston TX PD [Inactive]", "TX", "city_police"),
    ("Blaine CO OK SO", "OK", "sheriff"),  # CO = County, the state is OK
    ("San Diego County CA SD", "CA", "sheriff"),  # SD = Sheriff's Department
    # the brief's suffix forms
    ("Alvin ISD TX PD", "TX", "school_or_campus_police"),
    ("Brazoria County TX DA", "TX", "other"),
    ("Harris County TX Constable Pct 4", "TX", "other"),
    # words that look like codes, and "ice" inside words
    ("Portland OR PD", "OR", "city_police"),
    ("Portland ME PD", "ME", "city_police"),
    ("Fort Wayne IN PD", "IN", "city_police"),
    ("Police Dept IN Action", "", "city_police"),  # IN not in a code position
    ("Niceville FL PD", "FL", "city_police"),
    ("Price UT PD", "UT", "city_police"),
    ("Police Service Office", "", "unknown"),  # not federal: "ice" in Police/Service/Office
    ("Rapid City SD PD", "SD", "city_police"),  # SD as a state, before the suffix
    ("Hughes County SD", "", "sheriff"),  # SD as Sheriff's Department, no state
    ("Blaine CO SO", "", "sheriff"),  # CO = County, no state: not Colorado
    ("Larimer County CO SO", "CO", "sheriff"),
    ("Denver CO PD", "CO", "city_police"),
    # full state names: only in a state-body form
    ("Indiana University Police", "IN", "school_or_campus_police"),  # documented decision
    ("Indiana University of Pennsylvania Police", "PA", "school_or_campus_police"),
    ("Washington University Police", "", "school_or_campus_police"),  # St. Louis: not the state
    ("Oklahoma Highway Patrol", "OK", "state_agency"),
    ("West Virginia State Police", "WV", "state_agency"),
    ("INDIANA STATE POLICE", "IN", "state_agency"),
    ("Washington County SO", "", "sheriff"),
    ("Kansas City PD", "", "city_police"),
    ("Virginia Beach PD", "", "city_police"),
    ("Georgetown PD", "", "city_police"),
    ("Texas City TX PD", "TX", "city_police"),
    ("Springfield Police, Illinois", "IL", "city_police"),
    ("[Federal] U.S. Marshals Service - Southern District of Texas", "TX", "federal"),
    # more spellings seen in public sharing lists
    ("Everett (WA) Police Department", "WA", "city_police"),
    ("Kings County Sheriff's Office CA", "CA", "sheriff"),
    ("Clark Co. IL Sheriff's Dept.", "IL", "sheriff"),
    ("Harris County SO (TX)", "TX", "sheriff"),
    ("Harris County Const TX Pct 4", "TX", "other"),
    ("Fort Wayne \u2013 IN \u2013 PD", "IN", "city_police"),  # en dashes
    ("  Houston   TX PD ", "TX", "city_police"),
    ("Houston TX PD (DNU)", "TX", "city_police"),
    # multi-agency forms and "<State> <place> <type>" (rules 4b and 4c): the state is the name's first words
    ("Arizona Jaston Task Force", "AZ", "task_force_or_multi_agency"),
    ("Georgia Elmville Task Force", "GA", "task_force_or_multi_agency"),
    ("Georgia Elmville Drug Task Force", "GA", "task_force_or_multi_agency"),
    ("New Mexico Elmville Task Force", "NM", "task_force_or_multi_agency"),
    ("Florida Elmville PD", "FL", "city_police"),
    ("North Carolina Elmville PD", "NC", "city_police"),
    ("West Virginia Elmville PD", "WV", "city_police"),
    ("Ohio Elmville Metro Narcotics Unit", "OH", "unknown"),
    ("Virginia Commonwealth University Police", "VA", "school_or_campus_police"),
    ("Nevada HIDTA", "NV", "task_force_or_multi_agency"),
    ("North Texas HIDTA", "TX", "task_force_or_multi_agency"),
    ("South Florida HIDTA", "FL", "task_force_or_multi_agency"),
    ("Northern California HIDTA", "CA", "task_force_or_multi_agency"),
    ("West Virginia HIDTA", "WV", "task_force_or_multi_agency"),  # not Virginia after "West"
    ("Indiana Task Force 1", "IN", "task_force_or_multi_agency"),
    # ... and what must not match: a state name that begins a place name, two states, Washington D.C.
    ("Kansas City Metro Task Force", "", "task_force_or_multi_agency"),
    ("Washington County Drug Task Force", "", "task_force_or_multi_agency"),
    ("Delaware Valley Intelligence Center", "", "task_force_or_multi_agency"),
    ("Oregon-Idaho HIDTA", "", "task_force_or_multi_agency"),
    ("New York/New Jersey HIDTA", "", "task_force_or_multi_agency"),
    ("Washington/Baltimore HIDTA", "", "task_force_or_multi_agency"),
    ("New York New Jersey Port Authority Police", "", "city_police"),
    ("Missouri City PD", "", "city_police"),  # Texas
    ("Michigan City PD", "", "city_police"),  # Indiana
    ("Maryland Heights PD", "", "city_police"),  # Missouri
    ("California Borough PD", "", "city_police"),  # Pennsylvania
    ("Colorado River Indian Tribes PD", "", "city_police"),
    ("Tennessee Valley Authority Police", "", "city_police"),
    ("Washington Metropolitan Police Department", "", "city_police"),  # D.C.
    ("Washington Navy Yard Police", "", "city_police"),
    ("Wyoming PD", "", "city_police"),  # a city in Michigan
    ("Indiana County SO", "", "sheriff"),  # Pennsylvania
    ("Nevada County SO", "", "sheriff"),  # California
    # types
    ("University Park TX PD", "TX", "city_police"),  # a city, not a university
    ("College Station TX PD", "TX", "city_police"),
    ("State College PA PD", "PA", "city_police"),
    ("Texas A&M University Police", "TX", "school_or_campus_police"),
    ("Sunnyvale CA DPS", "CA", "city_police"),  # a city's Department of Public Safety
    ("TX DPS", "TX", "state_agency"),
    ("ICE ERO Houston", "", "federal"),
    ("[Federal] ATF Houston Field Division", "", "federal"),  # a city is not a state: never guessed
    ("Marshall TX PD", "TX", "city_police"),  # not a marshal
    ("Federal Way WA PD", "WA", "city_police"),  # not federal
]


@pytest.mark.parametrize("name,state,typ", CASES)
def test_name_forms(name, state, typ):
    r = identify(name)
    assert (r["agency_state"], r["agency_type"]) == (state, typ), r
    assert r["org_name"] == name
    assert set(r) == set(COLUMNS)


def test_tags():
    r = identify("[Federal] U.S. Border Patrol")
    assert r["agency_federal"] and r["agency_federal_tag"] and not r["agency_inactive"]
    r = identify("Houston TX PD [Inactive]")
    assert r["agency_inactive"] and not r["agency_federal"] and not r["agency_federal_tag"]
    r = identify("ICE ERO Houston")  # a federal name, no tag
    assert r["agency_federal"] and not r["agency_federal_tag"]
    for name in ("Police Service Office", "Niceville FL PD", "Justice of the Peace Pct 2", "Price UT PD"):
        assert not identify(name)["agency_federal"], name
    assert identify("Some PD [inactive]")["agency_inactive"]


def test_rule_ids_say_what_decided():
    assert identify("Arlington PD (WA)")["agency_rule"] == "paren/city_police"
    assert identify("Redding PD - CA")["agency_rule"] == "dash/city_police"
    assert identify("Houston TX PD")["agency_rule"] == "before_suffix/city_police"
    assert identify("Michigan State Police")["agency_rule"] == "state_name/state_agency"
    assert identify("MOCIC")["agency_rule"] == "override:mocic/override:mocic"
    assert identify("Home Depot Corporation")["agency_rule"] == "none/business"
    assert identify("[Federal] U.S. Border Patrol")["agency_rule"] == "none/federal_tag"
    r = identify("Some PD (TX) (OK)")  # two states in one rule: never pick one
    assert r["agency_state"] == "" and r["agency_rule"].startswith("ambiguous:paren/")


@pytest.mark.parametrize("blank", [None, "", "   ", float("nan"), pd.NA])
def test_blank(blank):
    r = identify(blank)
    assert (r["agency_state"], r["agency_type"], r["agency_federal"], r["agency_inactive"]) == (
        "",
        "unknown",
        False,
        False,
    )


@pytest.mark.parametrize(
    "name",
    [
        "Springfield PD",
        "Houston Police",
        "Lakewood Police Department",
        "Metro Narcotics Unit",
        "Houston TX",
        "North Precinct",
        "Sheriff",
        "Madison County SO",
        "Jackson Police Dept",
        "Columbia SO",
    ],
)
def test_never_guessed(name):
    """A name with no state marker gives "" whatever the city or county (these exist in many states;
    Houston TX without a suffix is not a form either)."""
    assert identify(name)["agency_state"] == ""


def test_codes_must_be_real():
    assert identify("Springfield XX PD")["agency_state"] == ""
    assert identify("Washington DC PD")["agency_state"] == "DC"
    assert identify("San Juan PR PD")["agency_state"] == "PR"
    assert identify("Springfield il PD")["agency_state"] == ""  # codes are read in upper case only


def test_overrides_match_normalised_names():
    assert identify(" mocic ")["agency_state"] == "" and identify(" mocic ")["agency_rule"].startswith("override:")
    assert identify("MOCIC [Inactive]")["agency_inactive"]


def test_identify_many_distinct_and_at_scale():
    names = ["Houston TX PD", None, "Houston TX PD", "MOCIC", float("nan"), "Houston TX PD "]
    df = identify_many(names)
    assert list(df.columns) == COLUMNS
    assert len(df) == 4  # "Houston TX PD " is its own spelling
    assert df["org_name"].iloc[0] == "Houston TX PD" and df["org_name"].isna().sum() == 1
    assert df["agency_federal"].dtype == bool and df["agency_inactive"].dtype == bool
    assert identify_many([]).columns.tolist() == COLUMNS

    cities = [c.replace("_", " ") for c in synth.CITIES + synth.TX_CITIES]
    codes = [s[0] for s in synth.STATES]
    big = [f"{c} {st} PD" for c in cities for st in codes][:7000]
    big += [f"Agency number {i} of nowhere in particular" for i in range(3000)]  # matches nothing: slowest
    df = identify_many(big).set_index("org_name")
    assert len(df) == 10_000
    # each name states its own code before the suffix; the made-up ones state none (speed: make bench)
    assert all(df.at[n, "agency_state"] == n.rsplit(" ", 2)[1] for n in big[:7000])
    assert (df.loc[big[7000:], "agency_state"] == "").all()


def test_rules_file_is_sound():
    doc = load_rules()
    assert doc is load_rules()  # cached
    assert RULES_PATH.name == "agencies.yml"
    assert set(doc["types"]) == {
        "city_police",
        "sheriff",
        "state_agency",
        "federal",
        "school_or_campus_police",
        "task_force_or_multi_agency",
        "private_or_business",
        "other",
        "unknown",
    }
    assert len(doc["states"]) == 52 and {"DC", "PR"} <= set(doc["states"])
    assert [r["id"] for r in doc["state_rules"]] == [
        "paren",
        "dash",
        "before_suffix",
        "after_suffix",
        "state_name",
        "state_name_place",
        "state_multi_agency",
    ]
    for o in doc["overrides"]:
        assert o["why"].strip() and o.get("state", "") in ("", *doc["states"])
    raw = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))
    assert "_compiled" not in raw


def test_bad_rules_are_refused():
    raw = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))
    bad = copy.deepcopy(raw)
    bad["type_rules"][0]["type"] = "police"
    with pytest.raises(ValueError, match="not one of `types`"):
        identify("x", bad)
    bad = copy.deepcopy(raw)
    bad["overrides"].append({"id": "x", "name": "X", "state": "ZZ", "why": "test"})
    with pytest.raises(ValueError, match="ZZ"):
        identify("x", bad)
    bad = copy.deepcopy(raw)
    bad["state_rules"][0]["patterns"] = ["(unclosed"]
    with pytest.raises(ValueError, match="paren"):
        identify("x", bad)
    ok = copy.deepcopy(raw)  # a hand-built rules dict works like the file
    assert identify("Houston TX PD", ok)["agency_state"] == "TX"


def test_lower_pattern_keeps_escapes_and_group_names():
    assert agencies._lower_pattern(r"(?P<name>Texas)\S\D\.X") == r"(?P<name>texas)\S\D\.x"


# --------------------------------------------------------------------------------------------------
# The synthetic generator: the state it records for every agency is the state its name reveals
# --------------------------------------------------------------------------------------------------
def _org_names(folder):
    names = set()
    for p in sorted(folder.glob("*.csv")):
        with open(p, newline="", encoding="utf-8") as f:
            rows = csv.reader(f)
            header = [h.strip() for h in next(rows)]
            i = header.index("Org Name")
            names.update(r[i].strip() for r in rows if r and r[i].strip() != "Org Name")
    return names


@pytest.mark.parametrize("slug", ["alvin-isd", "huffman-isd"])
def test_synthetic_agencies(tmp_path, slug):
    out = tmp_path / "x"
    truth = synth.generate(slug, out, scale=0.02)
    by_agency = truth["state_by_agency"]
    assert len(by_agency) == truth["agencies"]
    assert _org_names(out) == set(by_agency)  # every agency searched at least once in the CSV
    df = identify_many(list(by_agency)).set_index("org_name")
    got = df["agency_state"].to_dict()
    wrong = {n: (st, got[n], df.loc[n, "agency_rule"]) for n, st in by_agency.items() if got[n] != st}
    assert not wrong, wrong
    # the names the generator plants for FORMATS.md §4 are all there, and the ones without a state are ""
    if slug == "alvin-isd":
        for name, _ in synth.ALVIN_MUSTS:
            assert invent_name(name) in by_agency  # places invented (tools/synth_names.py)
        for name in (
            "MOCIC",
            "NCRIC",
            "Midwest HIDTA",
            "Home Depot Corporation",
            "[Federal] ATF Houston Field Division",
            "[Federal] DEA Houston Division",
            "[Federal] U.S. Secret Service",
        ):
            assert by_agency[invent_name(name)] == "" and got[invent_name(name)] == ""
        assert by_agency["[Federal] U.S. Marshals Service - Southern District of Texas"] == "TX"
    # the truth's state counts use the same states
    assert sum(truth["searches_by_state"].values()) == truth["searches"]
    assert set(truth["immigration"]["agency_states"]) <= set(by_agency.values())
    assert all(df.loc[n, "agency_type"] != "unknown" for n in by_agency)
