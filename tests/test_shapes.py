"""Every release shape of issue 24, read whole: each generated fixture (tests/shape_fixtures.py) is built
and every figure its generator planted is checked."""

import datetime as dt
import re

import pandas as pd
import pytest
import shape_fixtures as shapes
from builders import uid
from conftest import built, read_searches

from pipeline.analyze.facts import compute


def _utc(t: dt.datetime) -> pd.Timestamp:
    return pd.Timestamp(t, tz="UTC")


def _validate(j):
    from pipeline.validate import checks

    return checks.run(j)


def test_2026_export_keeps_reason_and_dropdown_apart_and_classes_from_both(project):
    files, truth = shapes.offense_export()
    j = project(files, log_kind="portal")
    m = built(j)
    (src,) = m["sources"]
    assert src["extra_columns"] == []  # offenseType is read, not left as an extra column
    assert "offense_type" in src["canonical_columns"] and "searcher" not in src["canonical_columns"]
    df = read_searches(j)
    assert len(df) == truth["searches"]
    assert df["reason_clean"].isin(["Investigation", "BOL", "Stolen", "ICE detainer"]).all()
    # each selected value counts once per search, in every category a multi-select cell picks
    picked = df["offense_categories"].explode().dropna().value_counts().to_dict()
    assert picked == truth["offense_values"]
    assert (df["offense_type_unknown"] == truth["unknown_value"]).sum() == truth["unknown_searches"]
    assert df["immigration"].sum() == truth["immigration"]
    assert df.loc[df["immigration"], "immigration_type"].value_counts().to_dict() == truth["immigration_types"]
    assert df["immigration_from"].value_counts().to_dict() == truth["immigration_from"]
    # a search counted by its dropdown value alone holds the category, and its match names the value
    only = df[df["immigration_from"] == "offense_type"]
    assert only["reason_categories"].map(lambda c: "immigration" in list(c)).all()
    matches = pd.read_parquet(j.root / "data" / "processed" / j.slug / "matches.parquet")
    imm = matches[matches["category"] == "immigration"]
    assert imm["search_key"].is_unique and set(imm["search_key"]) == set(df.loc[df["immigration"], "search_key"])
    assert set(imm.loc[imm["rule_id"].str.startswith("offense_type_"), "matched_text"]) <= {
        shapes.IMM_CIVIL,
        shapes.IMM_CRIMINAL,
    }
    # no userId column: not_exported, never blank
    assert (df["name_state"] == "not_exported").all()
    from pipeline.clean import absent

    said = absent.sentences(m)  # page 01 says it once
    assert sum("no searcher column" in x for x in said) == 1 and said[0].startswith(
        "This export has no searcher column"
    )
    f = compute(j)
    assert f["searches_searcher_not_exported"] == truth["searches"] and f["searches_searcher_blank"] == 0
    assert f["immigration_searches"] == truth["immigration"]
    # the figures facts.json gives page 03 and the index
    assert {v["value"]: v["searches"] for v in f["offense_type_values"]} == truth["offense_values"]
    assert f["offense_type_unknown_values"] == [
        {"value": truth["unknown_value"], "searches": truth["unknown_searches"]}
    ]
    assert f["searches_with_offense_type"] == truth["searches"]
    assert f["immigration_from_offense_type"] == truth["immigration_from"].get("offense_type", 0) + truth[
        "immigration_from"
    ].get("both", 0)
    assert f["immigration_from_reason"] == truth["immigration_from"].get("reason", 0) + truth["immigration_from"].get(
        "both", 0
    )
    assert f["offense_type_summary"].startswith(f"{truth['searches']} searches of {truth['searches']} have a value")
    assert f"{shapes.IMM_CRIMINAL} {truth['offense_values'][shapes.IMM_CRIMINAL]}" in f["offense_type_summary"]
    marks = {v["value"]: v["immigration"] for v in f["offense_type_values"]}
    assert (marks[shapes.IMM_CIVIL], marks[shapes.IMM_CRIMINAL], marks[shapes.WANTED]) == ("civil", "criminal", None)


def test_2026_export_verdict_names_a_value_not_on_the_list_and_never_warns_of_the_missing_column(project):
    files, truth = shapes.offense_export()
    j = project(files, log_kind="portal")
    built(j)
    v = _validate(j)
    assert v["verdict"] == "YELLOW"
    assert f"'{truth['unknown_value']}'" in v["why"] and "dropdown value" in v["why"]
    assert "userId" not in v["why"]
    failed = [o for o in v["expectations"] if o["success"] is False]
    assert [o["column"] for o in failed] == ["offense_type_unknown"]
    assert failed[0]["unexpected_count"] == truth["unknown_searches"]


def test_the_engine_path_gives_the_same_verdict_on_the_2026_export(project, monkeypatch):
    from pipeline.validate import slices

    files, truth = shapes.offense_export()
    j = project(files, log_kind="portal")
    built(j)
    monkeypatch.setattr(slices, "VALIDATE_ROWS", 10)  # a table larger than this is validated in DuckDB
    v = _validate(j)
    assert v["verdict"] == "YELLOW" and f"'{truth['unknown_value']}'" in v["why"] and "userId" not in v["why"]


def test_2026_export_with_every_value_on_the_list_is_green(project):
    files, _ = shapes.offense_export(unknown=0)
    j = project(files, log_kind="portal")
    built(j)
    v = _validate(j)
    assert (v["verdict"], v["why"]) == (
        "GREEN",
        "Every check passed and every row read was kept or recognised as a duplicate.",
    )


def test_a_portal_export_with_only_the_dropdown_reason_is_not_refused(project):
    rows = [f'"{uid(4500 + i)}","2026-03-1{i}T08:00:00.000Z","2","Welfare Check"' for i in range(3)]
    j = project({"only.csv": "\n".join(['"id","searchDate","networkCount","offenseType"', *rows])}, log_kind="portal")
    built(j)
    v = _validate(j)
    assert v["verdict"] == "GREEN", v["why"]
    assert read_searches(j)["offense_categories"].map(list).tolist() == [["Welfare Check"]] * 3


def test_federal_searches_export_without_time_frame_or_devices(project):
    files, truth = shapes.federal_export()
    j = project(files, log_kind="network")
    m = built(j)
    (src,) = m["sources"]
    assert (src["detected_kind"], len(src["header_as_released"])) == ("flock_export csv", truth["columns"])
    assert not {"time_frame", "total_devices"} & set(src["canonical_columns"])
    df = read_searches(j)
    f = compute(j)
    assert f["searches"] == truth["searches"] and f["agencies"] == truth["agencies"]
    assert df["org_name"].value_counts().to_dict() == truth["by_agency"]
    assert f["federal_searches"] == truth["federal_searches"]
    assert df["total_networks"].max() == truth["max_networks"]
    assert df["total_devices"].isna().all() and df["time_frame_start_utc"].isna().all()
    assert f["searches_looking_back_over_30_days"] is None  # no Time Frame: cannot be told, not 0
    v = _validate(j)
    assert v["verdict"] == "GREEN", v["why"]


def test_merged_six_column_portal_header_mixed_dates_and_either_count(project, monkeypatch):
    from pipeline.analyze import dropdown

    files, truth = shapes.merged_portal()
    j = project(files, log_kind="portal")
    m = built(j)
    assert m["totals"]["rejected"] == 0 and m["sources"][0]["extra_columns"] == []
    df = read_searches(j).set_index("flock_id")
    assert len(df) == truth["searches"]
    assert df["searched_at_utc"].min() == _utc(truth["first_utc"])
    assert df["searched_at_utc"].max() == _utc(truth["last_utc"])
    assert df["camera_count"].dropna().astype(int).to_dict() == truth["camera_count"]
    assert df["total_networks"].dropna().astype(int).to_dict() == truth["total_networks"]
    f = compute(j)
    assert f["searchers"] == truth["searchers"]
    assert f["camera_count_searches"] == len(truth["camera_count"])
    assert f["camera_count_max"] == max(truth["camera_count"].values())
    # without the producer's own camera count, local-only searches are not measured, never guessed
    assert f["camera_count_local_only_searches"] is None and "cannot be told" in dropdown.camera_words(f)
    own = {j.slug: {"cameras": truth["own_cameras"], "source": "planted by the test"}}
    monkeypatch.setattr(dropdown, "camera_rules", lambda: {"own_cameras": own})
    f = compute(j)
    assert f["camera_count_local_only_searches"] == truth["cameras_local_only"]
    said = dropdown.camera_words(f)
    assert f"{truth['cameras_local_only']} searches look local-only" in said
    assert not re.search(r"\d networks?\b", said)  # a cameraCount is never "3 networks"
    assert _validate(j)["verdict"] == "GREEN"


def test_user_ids_masked_two_ways_and_present(project):
    files, truth = shapes.masked_users()
    j = project(files, log_kind="portal")
    built(j)
    f = compute(j)
    assert (f["searches_searcher_present"], f["searches_searcher_masked"]) == (truth["present"], truth["masked"])
    assert f["searches_searcher_blank"] == 0 and f["searchers"] == truth["searchers"]
    assert _validate(j)["verdict"] == "GREEN"


def test_portal_files_without_final_newline_quoted_and_unquoted_counts(project):
    files, truth = shapes.eras_without_newline()
    j = project(files, log_kind="portal")
    m = built(j)
    assert (m["totals"]["searches"], m["totals"]["rejected"]) == (truth["searches"], 0)
    df = read_searches(j).set_index("flock_id")
    assert df["camera_count"].dropna().astype(int).to_dict() == truth["camera_count"]
    assert df["total_networks"].dropna().astype(int).to_dict() == truth["total_networks"]
    last_2025 = df[df["camera_count"].notna()].sort_values("searched_at_utc").iloc[-1]
    assert last_2025["reason"] == truth["last_reason_2025"]  # the unterminated last record is whole


@pytest.mark.parametrize("order", ["reason_only_first", "offense_type_first"])
def test_same_search_in_two_releases_keeps_the_dropdown_value(project, order):
    files, truth = shapes.two_releases()
    names = sorted(files) if order == "reason_only_first" else sorted(files, reverse=True)
    j = project(files, inputs=names, log_kind="portal")
    m = built(j)
    assert (m["totals"]["searches"], m["totals"]["duplicates"]) == (truth["searches"], truth["duplicates"])
    assert m["totals"]["conflicting_searches"] == truth["conflicts"]
    df = read_searches(j).set_index("flock_id")
    assert df["offense_type"].dropna().to_dict() == truth["offense_type"]


def test_explorer_carries_the_dropdown_values_never_the_cell(project):
    import json
    import sqlite3

    from pipeline.analyze import facts
    from pipeline.explore import build as explore_build

    files, truth = shapes.offense_export()
    j = project(files, log_kind="portal")
    built(j)
    from explore_fixtures import run_record

    facts.write(j, facts.compute(j))
    run_record(project.root, j.slug, "ok")  # the explorer takes only runs that ended ok
    explore_build.build(project.root, echo=lambda *a: None)
    con = sqlite3.connect(explore_build.db_path(project.root))
    rows = con.execute("SELECT dropdown_values, dropdown_value_not_on_list, immigration_from FROM searches").fetchall()
    cols = [r[1] for r in con.execute("PRAGMA table_info(searches)")]
    con.close()
    assert "offense_type" not in cols  # the cell can hold a free-text detail ("... - white van")
    picked = [v for r in rows for v in json.loads(r[0])]
    assert {v: picked.count(v) for v in set(picked)} == truth["offense_values"]
    assert sum(r[1] for r in rows) == truth["unknown_searches"]
    assert {k: sum(1 for r in rows if r[2] == k) for k in truth["immigration_from"]} == truth["immigration_from"]
    assert not any("white van" in str(r) for r in rows)
