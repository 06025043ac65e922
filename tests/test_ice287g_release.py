"""A test release with real agency names: every 287(g) flag and model, the figures and the finding.

The truth below is written by hand from ICE's list of May 18, 2026 (data/reference/ice-287g/), not from
the matcher: each agency's flag, models, earliest signed date and how it matches.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from builders import EXPORT_HEADER, uid

from pipeline.analyze import changes, facts, ice287g, tables
from pipeline.clean.build import build

TFM, WSO, JEM = "Task Force Model", "Warrant Service Officer", "Jail Enforcement Model"
# Org Name: (searches, immigration-related, ice_287g, models, signed, match)
TRUTH = {
    "Okaloosa County FL SO": (3, 1, True, TFM, "2025-02-26", "normalised"),
    "Collier County FL SO": (2, 2, True, f"{TFM}; {JEM}", "2020-06-09", "normalised"),
    "Victoria County TX SO": (1, 0, True, f"{TFM}; {WSO}; {JEM}", "2020-06-08", "normalised"),
    "Victoria County TX Constable Pct 1": (2, 1, False, "", None, "none"),
    "Galveston County TX Constable Pct 1": (1, 0, True, TFM, "2025-09-09", "normalised"),
    "Galveston County TX Constable Pct 3": (1, 1, False, "", None, "none"),
    "Harris County TX SO": (2, 1, False, "", None, "none"),
    "Harris County GA SO": (1, 1, True, f"{TFM}; {WSO}", "2025-05-22", "normalised"),
    "Houston MO PD": (1, 0, True, TFM, "2025-12-17", "normalised"),
    "Houston TX PD": (1, 0, False, "", None, "none"),
    "Walker County TX SO": (1, 1, None, "", None, "ambiguous"),
    "[Federal] US Border Patrol": (2, 2, False, "", None, "federal"),
    "Carrollton GA PD": (1, 0, False, "", None, "none"),
    "Houston Police Department": (1, 0, None, "", None, "no_state"),
    "Florida Highway Patrol": (1, 1, True, TFM, "2025-02-07", "alias"),
}


def _rows() -> str:
    out, i = [], 0
    for name, (n, imm, *_rest) in TRUTH.items():
        for k in range(n):
            i += 1
            reason = "Immigration (civil/administrative)" if k < imm else "stolen vehicle"
            out.append(
                f'{uid(i)},***,"{name}",1,,"11/01/2025, 05:30:00 AM UTC\n12/01/2025, 05:29:00 AM UTC",***,'
                f'{reason},,,"12/0{1 + i % 5}/2025, 01:{i:02d}:00 PM UTC",search,,'
            )
    return EXPORT_HEADER + "\n" + "\n".join(out) + "\n"


@pytest.fixture
def release(project):
    j = project(
        {"audit.csv": _rows()},
        slug="real-names",
        log_kind="network",
        producer="Alvin Independent School District",
        producer_state="TX",
    )
    build(j, progress=lambda msg: None)
    return j


def test_every_flag_and_model(release):
    df = tables.agencies_table(release).set_index("org_name")
    assert set(df.index) == set(TRUTH)
    for name, (n, imm, flag, models, signed, how) in TRUTH.items():
        row = df.loc[name]
        assert (row["searches"], row["immigration_searches"]) == (n, imm), name
        assert (None if pd.isna(row["ice_287g"]) else bool(row["ice_287g"])) is flag, name
        assert row["ice_287g_models"] == models, name
        assert (None if pd.isna(row["ice_287g_signed"]) else row["ice_287g_signed"]) == signed, name
        assert row["ice_287g_match"] == how, name
    assert df.loc["Walker County TX SO", "ice_287g_agency"] == (
        "Walker County Sheriff's Department; Walker County Sheriff's Office"
    )


def test_the_figures_and_the_finding(release):
    f = facts.compute(release)
    hit = {k: v for k, v in TRUTH.items() if v[2]}
    assert f["ice_287g_list_date"] == "2026-05-18" and f["ice_287g_applies"] is True
    assert f["ice_287g_agencies"] == len(hit) == 7
    assert f["ice_287g_searches"] == sum(v[0] for v in hit.values()) == 10
    assert f["ice_287g_immigration_searches"] == sum(v[1] for v in hit.values()) == 5
    assert f["ice_287g_immigration_agencies"] == 4 and f["immigration_agencies"] == 9
    by_model = f["ice_287g_by_model"]
    for model in (TFM, WSO, JEM):
        sub = [v for v in hit.values() if model in v[3]]
        assert by_model[model] == {
            "agencies": len(sub),
            "searches": sum(v[0] for v in sub),
            "immigration_searches": sum(v[1] for v in sub),
        }, model
    assert f["ice_287g_not_checked"] == {"ambiguous": 1, "no_state": 1}
    assert f["ice_287g_review"] == [
        {
            "agency": "Walker County TX SO",
            "agency_state": "TX",
            "fits": ["Walker County Sheriff's Department", "Walker County Sheriff's Office"],
        }
    ]
    item = next(x for x in f["findings"] if x["id"] == "ice_287g")
    ids = [x["id"] for x in f["findings"]]
    assert ids.index("ice_287g") == ids.index("immigration_agencies") + 1
    assert item["display"].startswith(
        "4 of the 9 agencies that ran immigration-related searches have a 287(g) agreement with ICE "
        "(ICE's list of May 18, 2026). 7 of all 15 searching agencies do."
    )
    assert (
        "Not checked: 1 name fits two agencies on the list (left for review); 1 name tells no state." in item["display"]
    )
    for words in ("does not say that a search was made for ICE", "list changes", "Federal agencies", "by name within"):
        assert words in item["caveat"]
    table = ice287g.table(f)
    assert table["agency"].tolist() == [  # immigration-related searches first, then searches, then the name
        "Collier County FL SO",
        "Okaloosa County FL SO",
        "Florida Highway Patrol",
        "Harris County GA SO",
        "Galveston County TX Constable Pct 1",
        "Houston MO PD",
        "Victoria County TX SO",
    ]
    assert (table["immigration_searches"] > 0).sum() == 4


def test_a_synthetic_release_says_the_check_does_not_apply(project):
    j = project({"audit.csv": _rows()}, slug="synthetic-names", log_kind="network", producer_state="TX", synthetic=True)
    build(j, progress=lambda msg: None)
    f = facts.compute(j)
    assert (
        f["ice_287g_applies"] is False and f["ice_287g_agencies"] is None and f["ice_287g_immigration_agencies"] is None
    )
    item = next(x for x in f["findings"] if x["id"] == "ice_287g")
    assert item["value"] is None and item["display"].startswith("Does not apply: the agency names of a SYNTHETIC")
    assert "0 of" not in item["display"]
    df = tables.agencies_table(j)
    assert df["ice_287g"].isna().all() and set(df["ice_287g_match"]) == {"not_applicable"}


def test_changes_say_when_a_new_list_changes_the_figures(release):
    f = facts.compute(release)
    snap = changes.snapshot(f, [], "2026-05-20T00:00:00Z")
    old = {
        **f,
        "ice_287g_list": {**f["ice_287g_list"], "date": "2025-07-18", "sha256": "0" * 64},
        "ice_287g_agencies": 4,
    }
    out = changes.compare(changes.snapshot(old, [], "2026-05-19T00:00:00Z"), snap, status="changed")
    text = " ".join(out["sentences"])
    assert "ICE's 287(g) list is now the one of 2026-05-18 (the last run used ICE's list of 2025-07-18)." in text
    assert "Searching agencies with a 287(g) agreement with ICE rise from 4 to 7 (+3)." in text
    assert "the figures differ because ICE's 287(g) list changed" in text
    same = changes.compare(snap, snap, status="changed")
    assert not any("ICE's 287(g) list is now" in s for s in same["sentences"])


def test_the_list_date_is_the_file_names():
    f = {"ice_287g_list_date": "2026-05-18"}
    assert ice287g._day(f) == "May 18, 2026" and dt.date(2026, 5, 18)


def test_the_explorer_carries_the_columns(release):
    import sqlite3

    from pipeline.explore import build as explore_build

    from explore_fixtures import run_record

    facts.write(release, facts.compute(release))
    run_record(release.root, release.slug, "ok")  # the explorer takes only runs that ended ok
    explore_build.build(release.root, echo=lambda msg: None)
    con = sqlite3.connect(explore_build.db_path(release.root))
    rows = con.execute(
        "SELECT agency, ice_287g, ice_287g_models, ice_287g_signed, ice_287g_match FROM agencies ORDER BY agency"
    ).fetchall()
    con.close()
    got = {a: (None if flag is None else bool(flag), models, signed, how) for a, flag, models, signed, how in rows}
    assert got == {a: (v[2], v[3], v[4], v[5]) for a, v in TRUTH.items()}


def test_the_corpus_agencies_table_carries_the_columns():
    agencies = pd.DataFrame(
        {
            "agency": ["Okaloosa County FL SO", "Harris County TX SO", "[Federal] US Border Patrol"],
            "agency_state": ["FL", "TX", ""],
            "federal": [False, False, True],
        }
    )
    out = ice287g.annotate(agencies, False, name="agency", federal="federal")
    assert out["ice_287g"].tolist() == [True, False, False]
    assert out["ice_287g_match"].tolist() == ["normalised", "none", "federal"]
    assert ice287g.annotate(agencies, True, name="agency", federal="federal")["ice_287g"].isna().all()


def test_the_bundled_real_producers():
    """Okaloosa's sheriff has a Task Force Model agreement, and the county's corrections office its own, never
    attached to the sheriff; the Eugene, Belmont and Foster City police departments are not on the list."""
    from pipeline import ROOT
    from pipeline.config import load

    js = {j.slug: j for j in load(ROOT / "jurisdictions.yml", root=ROOT, check_files=False)}
    ok = ice287g._producer(js["okaloosa-fl-so"])
    assert (ok["ice_287g"], ok["ice_287g_models"], ok["ice_287g_signed"]) == (True, "Task Force Model", "2025-02-26")
    assert ok["same_county"] == [
        {
            "ice_agency": "Okaloosa County Board of County Commissioners/ Department of Corrections",
            "models": "Warrant Service Officer",
        }
    ]
    for slug in ("eugene-or-pd", "belmont-ca-pd", "foster-city-ca-pd"):
        p = ice287g._producer(js[slug])
        assert (p["ice_287g"], p["ice_287g_match"]) == (False, "none"), slug


def test_what_the_table_says_without_rows():
    base = {"ice_287g_applies": True, "ice_287g_agencies": 0, "ice_287g_not_applicable": None}
    assert ice287g.no_rows(base).startswith("No searching agency")
    assert ice287g.no_rows({**base, "ice_287g_agencies": None}).startswith("The release names no searching agency")
    synthetic = {**base, "ice_287g_applies": False, "ice_287g_not_applicable": ice287g.SYNTHETIC_WHY}
    assert "SYNTHETIC" in ice287g.no_rows(synthetic)


def test_okaloosa_real_release_shows_the_sheriffs_agreement(project):
    """The real PDF (the sheriff's own searches, one Org Name): its agency matched to the Sheriff's Office's
    Task Force Model agreement, beside its 0 immigration-related searches, the corrections office apart."""
    from conftest import REAL

    pdf = "11_1_2025-12_8_2025-Okaloosa_County_FL_SO-Audit.pdf"
    j = project(
        {pdf: REAL / "okaloosa-fl-so" / pdf},
        slug="okaloosa-fl-so",
        producer="Okaloosa County Sheriff's Office",
        log_kind="organization",
        producer_state="FL",
    )
    build(j, progress=lambda msg: None)
    f = facts.compute(j)
    assert f["ice_287g_matched"] == [
        {
            "agency": "Okaloosa County FL SO",
            "agency_state": "FL",
            "ice_agency": "Okaloosa County Sheriff's Office",
            "models": TFM,
            "signed": "2025-02-26",
            "match": "normalised",
            "searches": 7273,
            "immigration_searches": 0,
        }
    ]
    assert (f["ice_287g_agencies"], f["ice_287g_immigration_searches"], f["immigration_searches"]) == (1, 0, 0)
    item = next(x for x in f["findings"] if x["id"] == "ice_287g")
    assert "Task Force Model, signed February 26, 2025): 7,273 searches, 0 immigration-related" in item["display"]
    assert "Department of Corrections (Warrant Service Officer): a separate agreement" in item["display"]
