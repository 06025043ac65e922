"""One real papermill run of the three notebooks per jurisdiction, in a temp project (fixture `e2e`)."""

import csv
import json
import os

from pipeline.io.publish import FORMULA_START


def test_a_broken_release_fails_alone_with_the_readers_message(e2e):
    root, code, lines = e2e
    out = "\n".join(lines)
    assert code == 1
    assert "broken-pd: FAILED in 01_clean" in out and "not a Flock search audit" in out
    assert "data/raw/broken-pd/b.csv" in out
    assert "foster-city-ca-pd: done" in out and "alvin-isd: done" in out
    # the index shows the broken release as RED with the reader's sentence, the good ones GREEN
    index = (root / "reports/index.html").read_text()
    index = index[index.index('<details id="runs">') :]  # the runs table: one row each
    row = index[index.index("Broken PD") :]
    row = row[: row.index("</tr>")]
    assert "RED" in row and "could not be read" in row and "not a Flock search audit" in row
    foster = index[index.index("Foster City PD") :]
    assert "GREEN" in foster[: foster.index("</tr>")]


def test_notebooks_run_and_render_for_each_jurisdiction(e2e):
    root, _, _ = e2e
    for slug in ("foster-city-ca-pd", "alvin-isd"):
        reports = root / "reports" / slug
        for nb in ("01_clean", "02_validate", "03_analyze"):
            assert (reports / f"{nb}.ipynb").exists()
            editor = (reports / f"{nb}.html").read_text()
            code_html = (reports / f"{nb}.code.html").read_text()
            assert "hl-ipython3" not in editor and "hl-ipython3" in code_html  # code only for fact-checkers
        executed = json.loads((reports / "03_analyze.ipynb").read_text())
        assert executed["metadata"]["papermill"]["parameters"]["jurisdiction"] == slug
        assert (reports / "charts/searches_per_day.png").exists() and (reports / "charts/searches_per_day.csv").exists()
        assert json.loads((reports / "validation.json").read_text())["verdict"] in ("GREEN", "YELLOW")
        assert not list(reports.glob(".*.ipynb"))  # no partial notebooks left
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
    assert "1 of 2 hold" in index and "more than 733,000 searches" in index
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
    assert "foster-city-ca-pd: done" in out  # the others still ran


def test_the_closing_table_shows_verdict_claims_and_searches_and_a_failed_claim_is_not_ok(e2e):
    root, _, lines = e2e
    header = next(i for i, line in enumerate(lines) if line.startswith("jurisdiction "))
    assert lines[header].split()[:5] == ["jurisdiction", "status", "verdict", "claims", "searches"]
    rows = {line.split()[0]: line for line in lines[header + 1 : header + 7]}
    alvin = rows["alvin-isd"]
    assert "claim fails" in alvin and " ok " not in alvin
    assert '1 held, 1 failed: "more than 733,000 searches"' in alvin
    facts = json.loads((root / "reports/alvin-isd/facts.json").read_text())
    assert f"{facts['searches']:,}" in alvin
    assert rows["broken-pd"].split()[1:3] == ["FAILED", "RED"]
    assert rows["red-pd"].split()[1:3] == ["RED", "RED"]
    assert rows["foster-city-ca-pd"].split()[1:4] == ["ok", "GREEN", "none"]
    index_line = next(line for line in lines if line.startswith("index: "))
    assert index_line == f"index: {(root / 'reports/index.html').resolve().as_uri()}"


def test_what_was_not_read_is_said_listed_and_makes_the_verdict_yellow(e2e):
    root, _, lines = e2e
    member = "data/raw/hostile-pd/org-audit.zip!cover-letter.docx"
    said = [line for line in lines if "cover-letter.docx" in line]
    assert said == [f"hostile-pd: not read: {member}: not a CSV, workbook or PDF (or a system file)"]
    v = json.loads((root / "reports/hostile-pd/validation.json").read_text())
    assert v["verdict"] == "YELLOW" and "org-audit.zip!cover-letter.docx" in v["why"], v["why"]
    assert "cover-letter.docx" in (root / "reports/hostile-pd/01_clean.html").read_text()
    index = (root / "reports/index.html").read_text()
    index = index[index.index('<details id="runs">') :]  # the runs table: one row each
    row = index[index.index("Hostile &lt;b&gt;PD&lt;/b&gt;") :]
    row = row[: row.index("</tr>")]
    assert "Not read as searches" in row and "cover-letter.docx" in row and "YELLOW" in row


def test_source_notes_matched_by_a_pattern_are_skipped_and_said_once(e2e):
    root, _, lines = e2e
    assert [line for line in lines if "SOURCE.md" in line] == [
        "hostile-pd: not read as a release (source notes): SOURCE.md"
    ]
    manifest = json.loads((root / "data/processed/hostile-pd/manifest.json").read_text())
    assert [f["file"] for f in manifest["raw_files"]] == ["data/raw/hostile-pd/org-audit.zip"]


def _cells(path):
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.reader(f):
            yield from row


def _number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def test_no_csv_under_reports_holds_a_live_formula(e2e):
    root, _, _ = e2e
    files = sorted((root / "reports").rglob("*.csv"))
    assert any(f.match("hostile-pd/charts/top_agencies.csv") for f in files)
    scanned = {f.relative_to(root).as_posix(): list(_cells(f)) for f in files}
    assert any("'=HYPERLINK" in c for c in scanned["reports/hostile-pd/charts/top_agencies.csv"])  # escaped, kept
    live = [
        (name, c) for name, cells in scanned.items() for c in cells if c.startswith(FORMULA_START) and not _number(c)
    ]
    assert not live, live[:10]


def test_published_files_name_no_folder_of_the_machine(e2e):
    root, _, _ = e2e
    needles = {str(root.resolve()), str(root)}
    home = os.environ.get("HOME", "")
    if len(home) > 1:
        needles.add(home.rstrip("/") + "/")
    found = []
    for f in sorted((root / "reports").rglob("*")):
        if f.is_file():
            text = f.read_bytes().decode("utf-8", errors="replace")
            found += [(f.relative_to(root).as_posix(), n) for n in needles if n in text]
    assert not found, found[:10]
    meta = json.loads((root / "reports/foster-city-ca-pd/01_clean.ipynb").read_text())["metadata"]["papermill"]
    assert meta["input_path"] == "notebooks/01_clean.ipynb"
    assert meta["output_path"] == "reports/foster-city-ca-pd/01_clean.ipynb"
    assert meta["parameters"]["root"] == "."
