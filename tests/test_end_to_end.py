"""One real papermill run of the three notebooks per jurisdiction, in a temp project (fixture `e2e`)."""
import json


def test_a_broken_release_fails_alone_with_the_readers_message(e2e):
    root, code, lines = e2e
    out = "\n".join(lines)
    assert code == 1
    assert "broken-pd: FAILED in 01_clean" in out and "not a Flock search audit" in out
    assert "data/raw/broken-pd/b.csv" in out
    assert "foster-city-ca-pd: done" in out and "alvin-isd: done" in out
    # the index shows the broken release as RED with the reader's sentence, the good ones GREEN
    index = (root / "reports/index.html").read_text()
    row = index[index.index("Broken PD"):]
    row = row[:row.index("</tr>")]
    assert "RED" in row and "could not be read" in row and "not a Flock search audit" in row
    foster = index[index.index("Foster City PD"):]
    assert "GREEN" in foster[:foster.index("</tr>")]


def test_notebooks_run_and_render_for_each_jurisdiction(e2e):
    root, _, _ = e2e
    for slug in ("foster-city-ca-pd", "alvin-isd"):
        reports = root / "reports" / slug
        for nb in ("01_clean", "02_validate", "03_analyze"):
            assert (reports / f"{nb}.ipynb").exists()
            editor = (reports / f"{nb}.html").read_text()
            code_html = (reports / f"{nb}.code.html").read_text()
            assert "hl-ipython3" not in editor and "hl-ipython3" in code_html      # code only for fact-checkers
        executed = json.loads((reports / "03_analyze.ipynb").read_text())
        assert executed["metadata"]["papermill"]["parameters"]["jurisdiction"] == slug
        assert (reports / "charts/searches_per_day.png").exists() and (reports / "charts/searches_per_day.csv").exists()
        assert json.loads((reports / "validation.json").read_text())["verdict"] in ("GREEN", "YELLOW")
        assert not list(reports.glob(".*.ipynb"))                                  # no partial notebooks left
    assert json.loads((root / "reports/foster-city-ca-pd/facts.json").read_text())["searches"] == 36


def test_synthetic_outputs_say_so(e2e):
    root, _, _ = e2e
    reports = root / "reports/alvin-isd"
    facts = json.loads((reports / "facts.json").read_text())
    truth = json.loads((root / "data/raw/alvin-isd/truth.json").read_text())
    assert facts["synthetic"] is True and facts["searches"] == truth["searches"]
    for page in ("01_clean.html", "03_analyze.html", "03_analyze.code.html"):
        assert "SYNTHETIC DATA" in (reports / page).read_text()
    assert "SYNTHETIC DATA" in (reports / "charts/top_agencies.svg").read_text()
    index = (root / "reports/index.html").read_text()
    assert "Foster City PD" in index and "Broken PD" in index and "SYNTHETIC" in index


def test_claims_are_checked_and_a_failed_claim_is_named(e2e):
    root, code, lines = e2e
    claims = json.loads((root / "reports/alvin-isd/claims.json").read_text())
    assert [c["holds"] for c in claims["claims"]] == [False, True] and claims["all_hold"] is False
    out = "\n".join(lines)
    assert 'alvin-isd: CLAIM DOES NOT HOLD: "more than 733,000 searches"' in out and code == 1
    index = (root / "reports/index.html").read_text()
    assert "1 of 2 do not hold" in index and "more than 733,000 searches" in index
    # the analysis notebook prints each story sentence beside its computed figure
    assert "more than 733,000 searches" in (root / "reports/alvin-isd/03_analyze.html").read_text()


def test_fact_checker_files_cite_every_immigration_search(e2e):
    import pandas as pd
    root, _, _ = e2e
    facts = json.loads((root / "reports/alvin-isd/facts.json").read_text())
    imm = pd.read_csv(root / "reports/alvin-isd/immigration_searches.csv", keep_default_na=False)
    assert len(imm) == facts["immigration_searches"] > 0
    assert imm["source_file"].str.startswith("data/raw/alvin-isd/SYNTHETIC_").all() and (imm["source_row"] > 1).all()
    assert imm["matched_text"].str.len().gt(0).all()
    for chart in ("immigration_types", "immigration_by_agency", "immigration_by_state", "searches_by_state_map"):
        for ext in ("png", "svg", "html", "csv"):
            assert (root / f"reports/alvin-isd/charts/{chart}.{ext}").exists(), (chart, ext)


def test_a_red_verdict_stops_the_analysis_of_that_jurisdiction_only(e2e):
    root, code, lines = e2e
    out = "\n".join(lines)
    assert "red-pd: RED, stopped before analysis" in out and code == 1
    reports = root / "reports/red-pd"
    validation = json.loads((reports / "validation.json").read_text())
    assert validation["verdict"] == "RED" and "period" in validation["why"]
    assert (reports / "02_validate.html").exists() and not (reports / "03_analyze.ipynb").exists()
    assert not (reports / "facts.json").exists()
    index = (root / "reports/index.html").read_text()
    assert "Red PD" in index and "RED" in index
    assert "foster-city-ca-pd: done" in out                     # the others still ran
