"""One real papermill run of the three notebooks on a small real jurisdiction, in a temp project."""
import json
import shutil

import yaml

from pipeline import ROOT
from pipeline.runner import run

from conftest import REAL


def test_notebooks_run_and_render_for_a_small_real_jurisdiction(tmp_path):
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    raw = tmp_path / "data/raw/foster-city-ca-pd"
    raw.mkdir(parents=True)
    shutil.copyfile(REAL / "foster-city-ca-pd/foster-city-ca-pd_search_audit.f5f2e2bb.csv", raw / "f.csv")
    broken = tmp_path / "data/raw/broken-pd"
    broken.mkdir(parents=True)
    (broken / "b.csv").write_text("Colour,Shape\nred,round\n")
    entries = [
        {"slug": "foster-city-ca-pd", "name": "Foster City PD", "producer": "Foster City Police Department",
         "log_kind": "portal", "timezone": "America/Los_Angeles", "inputs": ["f.csv"]},
        {"slug": "broken-pd", "name": "Broken PD", "producer": "Broken PD", "log_kind": "auto",
         "timezone": "America/Chicago", "inputs": ["b.csv"]},
    ]
    (tmp_path / "jurisdictions.yml").write_text(yaml.safe_dump({"jurisdictions": entries}))
    lines = []
    code = run(root=tmp_path, jobs=2, echo=lines.append)
    out = "\n".join(lines)
    # the broken release fails with the reader's plain message; the other jurisdiction still completes
    assert code == 1
    assert "broken-pd: FAILED in 01_clean" in out and "not a Flock search audit" in out
    assert "data/raw/broken-pd/b.csv" in out
    reports = tmp_path / "reports/foster-city-ca-pd"
    for nb in ("01_clean", "02_validate", "03_analyze"):
        assert (reports / f"{nb}.ipynb").exists()
        editor = (reports / f"{nb}.html").read_text()
        code_html = (reports / f"{nb}.code.html").read_text()
        assert "hl-ipython3" not in editor and "hl-ipython3" in code_html      # code cells only for fact-checkers
    facts = json.loads((reports / "facts.json").read_text())
    assert facts["searches"] == 36 and facts["synthetic"] is False
    assert json.loads((reports / "validation.json").read_text())["verdict"] in ("GREEN", "YELLOW")
    assert (reports / "charts/searches_per_day.png").exists() and (reports / "charts/searches_per_day.csv").exists()
    executed = json.loads((reports / "03_analyze.ipynb").read_text())
    assert executed["metadata"]["papermill"]["parameters"]["jurisdiction"] == "foster-city-ca-pd"
    index = (tmp_path / "reports/index.html").read_text()
    assert "Foster City PD" in index and "Broken PD" in index
    # no partial notebooks left behind
    assert not list(reports.glob(".*.ipynb"))
