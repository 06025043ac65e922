"""ICE's 287(g) list and the matcher (pipeline/analyze/ice287g_list.py, ice287g_match.py).

The reader's counts are checked against data/reference/ice-287g/stats.json, computed independently from
the sheets; the matcher against every example of pipeline/rules/ice287g/matching.yml (taken from the list
itself) and the cases below.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from collections import Counter

import openpyxl
import pytest

from pipeline.analyze import ice287g_list as L
from pipeline.analyze import ice287g_match as M
from pipeline.errors import RulesError

MAY = "participatingAgencies05182026am.xlsx"
JULY = "participatingAgencies07182025pm.xlsx"
STATS = json.loads((L.LIST_DIR / "stats.json").read_text(encoding="utf-8"))
# SOURCE.md's SHA-256 of each file as ICE released it
SHA256 = {
    MAY: "f2d0629e4a4c7f4557d90c74998be7fec37738cd2ca35de36b0b749ca25d04e0",
    JULY: "d6edafa262b3d105118e09bd00686e34cee9e19a621352cd0a39cafd3f056195",
    "pendingAgencies02272026am.xlsx": "4c0fc44c608a9770250ee09b88278eb7cfc48f573b0e5859e20fbd9950d9501f",
    "pendingAgencies07182025pm.xlsx": "5ff8d8cb630eeed5fd2cda2b973484ac9618fd305921c6b129e58d7c0e7c5b2c",
}


@pytest.fixture(scope="module")
def may():
    return L.read(L.LIST_DIR / MAY)


@pytest.fixture(scope="module")
def matcher(may):
    return M.Matcher(may)


# --------------------------------------------------------------------------------------------------
# The files and the reader
@pytest.mark.parametrize("name", sorted(SHA256))
def test_lists_are_byte_identical(name):
    assert hashlib.sha256((L.LIST_DIR / name).read_bytes()).hexdigest() == SHA256[name]


def test_the_newest_list_is_used():
    assert L.newest() == L.LIST_DIR / MAY
    assert L.current().date == dt.date(2026, 5, 18) and L.current().file == f"data/reference/ice-287g/{MAY}"


@pytest.mark.parametrize("name", [MAY, JULY])
def test_counts_equal_stats_json(name):
    ice, truth = L.read(L.LIST_DIR / name), STATS[name]
    rows, agencies = ice.rows, ice.agencies
    assert len(rows) == truth["rows"]
    assert len(agencies) == truth["distinct_agencies_state_plus_name"]
    assert rows.groupby("state_name").size().to_dict() == truth["rows_by_state"]
    assert (
        agencies.groupby(agencies["state"].map({v: k for k, v in L.state_codes().items()})).size().to_dict()
        == (truth["agencies_by_state"])
    )
    assert rows["model"].value_counts().to_dict() == truth["rows_by_support_type"]
    assert rows["type"].value_counts().to_dict() == truth["rows_by_type"]
    assert {str(k): v for k, v in agencies["rows"].value_counts().to_dict().items()} == truth[
        "agencies_by_number_of_rows"
    ]
    by_state_model = {s: g["model"].value_counts().to_dict() for s, g in rows.groupby("state")}
    assert by_state_model == truth["rows_by_state_and_support_type"]
    # an agency's models are its rows' models, each once (no pair is listed twice)
    assert sum(len(m) for m in agencies["models"]) == truth["rows"]


def test_may_2026_figures(may):
    assert may.date == dt.date(2026, 5, 18) and may.half == "am"
    signed = [d for d in may.rows["signed"] if d is not None]
    assert (min(signed).isoformat(), max(signed).isoformat()) == (STATS[MAY]["signed_min"], STATS[MAY]["signed_max"])
    assert len(signed) == 1843


def test_july_2025_bad_signed_cells_are_not_dates():
    """`7/72025` and `05/082025` are text and `5025-07-07` is after the list: none is a signed date."""
    ice = L.read(L.LIST_DIR / JULY)
    assert ice.rows["signed"].isna().sum() == 3
    assert max(d for d in ice.rows["signed"] if d is not None) <= dt.date(2025, 7, 18)


def test_cells_are_cleaned(may):
    rows = may.rows
    for col in ("agency", "type", "county", "model", "state_name"):
        assert (rows[col] == rows[col].str.strip()).all() and not rows[col].str.contains("  ").any()
    assert not rows["agency"].str.contains("\u2019").any()
    assert not rows["county"].isin(["#N/A", "#NA", "N/A"]).any()
    assert set(rows["state"]) >= {"GU", "MP", "TX"}
    v = may.agencies[(may.agencies["state"] == "TX") & (may.agencies["agency"] == "Victoria County Sheriff's Office")]
    assert v["models"].tolist() == [("Task Force Model", "Warrant Service Officer", "Jail Enforcement Model")]
    assert v["signed"].tolist() == [dt.date(2020, 6, 8)]


@pytest.mark.parametrize("name", ["pendingAgencies02272026am.xlsx", "pendingAgencies07182025pm.xlsx"])
def test_a_sheet_of_another_shape_is_refused(name):
    with pytest.raises(L.ListError, match=rf"{name}, sheet .*row 1: the header is .* not read"):
        L.read(L.LIST_DIR / name)


def _workbook(path, rows):
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(path)
    return path


HEAD = ["STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE", "SIGNED", "MOA", "ADDENDUM"]


def test_a_newer_list_replaces_the_older(tmp_path):
    shutil.copy(L.LIST_DIR / MAY, tmp_path / MAY)
    newer = _workbook(
        tmp_path / "participatingAgencies10092026am.xlsx",
        [
            HEAD,
            [
                "TEXAS ",
                "Alvin Police Department ",
                "Municipality",
                "Brazoria County",
                "Task Force Model",
                dt.datetime(2026, 9, 1),
                "link",
                None,
            ],
        ],
    )
    assert L.newest(tmp_path) == newer
    ice = L.read(newer)
    assert (
        ice.date == dt.date(2026, 10, 9) and ice.agencies.to_dict("records")[0]["agency"] == "Alvin Police Department"
    )
    assert M.Matcher(ice).match("Alvin TX PD", "TX").models == ("Task Force Model",)


def test_pm_is_newer_than_am_of_the_same_day(tmp_path):
    for n in ("participatingAgencies05182026am.xlsx", "participatingAgencies05182026pm.xlsx"):
        _workbook(tmp_path / n, [HEAD])
    assert L.newest(tmp_path).name.endswith("pm.xlsx")


@pytest.mark.parametrize(
    "rows, message",
    [
        ([["STATE", "AGENCY", "SUPPORT TYPE"]], "row 1: the header is"),
        ([HEAD], "the header has no rows"),
        (
            [HEAD, ["TEXAS", "X PD", "Municipality", "", "Friendly Model", dt.datetime(2025, 1, 1)]],
            "row 2: support type",
        ),
        (
            [
                HEAD,
                ["TEXAS", "X PD", "Municipality", "", "Task Force Model", dt.datetime(2025, 1, 1)],
                ["ATLANTIS", "Y PD", "Municipality", "", "Task Force Model", dt.datetime(2025, 1, 1)],
            ],
            "row 3: state 'ATLANTIS'",
        ),
        (
            [HEAD, ["TEXAS", "  ", "Municipality", "", "Task Force Model", dt.datetime(2025, 1, 1)]],
            "row 2: the agency cell",
        ),
    ],
)
def test_bad_sheets_are_refused_naming_the_row(tmp_path, rows, message):
    path = _workbook(tmp_path / "participatingAgencies01012026am.xlsx", rows)
    with pytest.raises(L.ListError, match=message):
        L.read(path)


@pytest.mark.parametrize(
    "name", ["participatingAgencies.xlsx", "agencies-2026.xlsx", "participatingAgencies13012026am.xlsx"]
)
def test_a_file_name_without_a_date_is_refused(tmp_path, name):
    _workbook(tmp_path / name, [HEAD])
    with pytest.raises(L.ListError, match="date"):
        L.newest(tmp_path)


def test_not_a_workbook_is_refused(tmp_path):
    p = tmp_path / "participatingAgencies01012026am.xlsx"
    p.write_text("STATE,AGENCY\n")
    with pytest.raises(L.ListError, match="cannot be read as a workbook"):
        L.read(p)


# --------------------------------------------------------------------------------------------------
# The matcher: every example of the rules file, then the rules file's own checks
RULES = L.rules()
EXAMPLES = [pytest.param(e, id=f"must:{e['name']}") for e in RULES["must_match"]] + [
    pytest.param(e, id=f"must-not:{e['name']}") for e in RULES["must_not_match"]
]


def test_there_are_enough_examples_of_every_kind():
    assert len(EXAMPLES) >= 40
    whys = " ".join(e.get("why", "") for e in RULES["must_not_match"]).lower()
    for kind in ("state", "precinct", "corrections", "federal", "ice lists both"):
        assert kind in whys, kind
    assert {e["how"] for e in RULES["must_match"]} == {"exact", "normalised", "alias"}


@pytest.mark.parametrize("e", EXAMPLES)
def test_rules_examples(matcher, e):
    got = matcher.match(e["name"], e["state"], e.get("federal", False))
    if "ice" in e:
        assert (got.method, got.agencies) == (e["how"], (e["ice"],))
        assert got.on_list is True and got.models
    elif e.get("ambiguous"):
        assert got.method == M.AMBIGUOUS and len(got.candidates) == 2 and got.on_list is None
    else:
        assert got.on_list is not True and not got.models
        assert got.method == (M.FEDERAL if e.get("federal") else M.NO_STATE if not e["state"] else M.NONE)


def test_the_examples_state_is_the_one_agencies_yml_reads():
    from pipeline.enrich.agencies import identify

    for e in RULES["must_match"] + RULES["must_not_match"]:
        r = identify(e["name"])
        state = "" if e.get("given") else e["state"]  # given: the jurisdiction's state, the name tells none
        assert (r["agency_state"], r["agency_federal"]) == (state, bool(e.get("federal"))), e["name"]


def test_okaloosa_sheriff_gets_its_own_agreement_only(matcher):
    m = matcher.match("Okaloosa County FL SO", "FL")
    assert m.agencies == ("Okaloosa County Sheriff's Office",)
    assert m.models == ("Task Force Model",) and m.signed == dt.date(2025, 2, 26)  # not the corrections' WSO


def test_models_and_earliest_signed_date(matcher):
    m = matcher.match("Galveston County TX SO", "TX")  # three rows, one with a curly apostrophe
    assert m.models == ("Task Force Model", "Warrant Service Officer", "Jail Enforcement Model")
    assert m.signed == dt.date(2020, 6, 8)


def test_every_alias_names_an_agency_on_the_list(matcher):
    for e in RULES["aliases"]:
        assert matcher.match(e["flock"], e["state"]).method == M.ALIAS, e["flock"]


def test_an_alias_of_an_agency_no_longer_listed_is_none(may):
    spec = {**RULES, "aliases": [{"flock": "Gone PD", "state": "TX", "ice": "Gone Police Department", "why": "t"}]}
    assert M.Matcher(may, spec).match("Gone PD", "TX").method == M.NONE


def test_a_reviewed_alias_may_join_two_rows_of_one_agency(may):
    spec = {
        **RULES,
        "aliases": [
            {
                "flock": "Walker County TX SO",
                "state": "TX",
                "ice": ["Walker County Sheriff's Department", "Walker County Sheriff's Office"],
                "why": "test",
            }
        ],
    }
    m = M.Matcher(may, spec).match("Walker County TX SO", "TX")
    assert (m.method, m.models, m.signed) == (
        M.ALIAS,
        ("Warrant Service Officer", "Jail Enforcement Model"),
        dt.date(2020, 6, 9),
    )


@pytest.mark.parametrize("bad", [[{"flock": "X"}], [{"flock": "X", "state": "TX", "ice": "Y"}]])
def test_an_alias_without_why_is_refused(may, bad):
    with pytest.raises(RulesError, match="alias 1"):
        M.Matcher(may, {**RULES, "aliases": bad})


@pytest.mark.parametrize(
    "a, b",
    [
        ("Galveston County TX Constable Pct.1", "galveston county constable precinct 1"),
        ("Galveston County Constable's Office Pct.1", "galveston county constable precinct 1"),
        (
            "Pennsylvania State Constable's Office So Middleton Twp",
            "pennsylvania state constable so middleton township",
        ),
        ("Houston PD (TX)", "houston police"),
        ("Blaine CO OK SO", "blaine county sheriff"),
    ],
)
def test_normalised_keys(matcher, a, b):
    state = "TX" if "TX" in a else "OK" if "OK" in a else ""
    assert matcher.norm.key(a, state) == b


def test_no_fuzzy_matching(matcher):
    for name in ("Okaloosa Cnty Sherif FL", "Okaloosa FL SO", "Okaloosa County Sheriff FL Dept of Corrections"):
        assert matcher.match(name, "FL").on_list is not True, name


def test_statistics_of_the_list_show_no_key_collision_but_the_two_reviewed(matcher):
    """Only two normalised keys fit two agencies on the May 2026 list: Walker County TX and Waukesha County WI."""
    clashes = sorted(k for k, v in matcher.by_key.items() if len(v) > 1)
    assert clashes == [("TX", "walker county sheriff"), ("WI", "waukesha county sheriff")]
    assert Counter(len(v) for v in matcher.by_key.values())[1] == 1551 - 4


# --------------------------------------------------------------------------------------------------
# A new list reruns the analysis (03 and the corpora), not the cleaning
def test_the_list_is_an_input_of_the_analysis_key(tmp_path):
    from pipeline.io.keys import NOTEBOOK_CODE, code_version
    from pipeline.run.corpora import CORPUS_CODE

    folder = tmp_path / "data" / "reference" / "ice-287g"
    folder.mkdir(parents=True)
    shutil.copy(L.LIST_DIR / MAY, folder / MAY)
    before = {nb: code_version(tmp_path, nb) for nb in NOTEBOOK_CODE}
    _workbook(folder / "participatingAgencies10092026am.xlsx", [HEAD])
    after = {nb: code_version(tmp_path, nb) for nb in NOTEBOOK_CODE}
    assert before["03_analyze"] != after["03_analyze"]
    assert before["01_clean"] == after["01_clean"] and before["02_validate"] == after["02_validate"]
    assert "data/reference/ice-287g/*.xlsx" in CORPUS_CODE and "pipeline/rules/ice287g/*.yml" in CORPUS_CODE
