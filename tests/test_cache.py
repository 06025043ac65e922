"""Redo only what changed: content keys per jurisdiction and notebook, and parallel = serial."""
import shutil

import pandas as pd
import pytest
import yaml

from pipeline import ROOT
from pipeline.enrich import classify
from pipeline.clean.build import processed_dir
from pipeline.config import load, select
from pipeline.io.hashing import sha256_file
from pipeline.run.runner import run

from conftest import REAL, built

FOSTER = REAL / "foster-city-ca-pd/foster-city-ca-pd_search_audit.f5f2e2bb.csv"
BELMONT = REAL / "belmont-ca-pd/belmont-ca-pd_search_audit.a871b2fc.csv"


def make_root(root):
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    entries = []
    for slug, src in (("foster-city-ca-pd", FOSTER), ("belmont-ca-pd", BELMONT)):
        (root / "data/raw" / slug).mkdir(parents=True)
        shutil.copyfile(src, root / "data/raw" / slug / "a.csv")
        entries.append({"slug": slug, "name": slug, "producer": slug, "log_kind": "portal",
                        "timezone": "America/Los_Angeles", "inputs": ["*.csv"]})
    (root / "jurisdictions.yml").write_text(yaml.safe_dump({"jurisdictions": entries}))
    return root


@pytest.fixture(scope="module")
def twice(tmp_path_factory):
    root = make_root(tmp_path_factory.mktemp("cache"))
    first, second = [], []
    codes = (run(root=root, jobs=2, echo=first.append), run(root=root, jobs=2, echo=second.append))
    return root, codes, first, second


def test_a_rerun_with_nothing_changed_does_no_work_and_says_so(twice):
    root, codes, first, second = twice
    assert codes == (0, 0)
    assert "foster-city-ca-pd: done" in "\n".join(first)
    out = "\n".join(second)
    assert "foster-city-ca-pd: unchanged since the last run; nothing to do" in out
    assert "belmont-ca-pd: unchanged since the last run; nothing to do" in out
    assert "running" not in out


def test_a_new_file_reruns_that_jurisdiction_only(twice):
    root, _, _, _ = twice
    shutil.copyfile(FOSTER, root / "data/raw/belmont-ca-pd/b.csv")
    lines = []
    assert run(root=root, jobs=2, echo=lines.append) == 0
    out = "\n".join(lines)
    assert "foster-city-ca-pd: unchanged since the last run" in out and "belmont-ca-pd: done" in out
    (j,) = select(load(root / "jurisdictions.yml", root=root), ["belmont-ca-pd"])
    assert pd.read_parquet(processed_dir(j) / "searches.parquet").shape[0] == 91 + 36


def test_a_registry_edit_reruns_classification_but_not_ingest(project, monkeypatch):
    j = project({"f.csv": FOSTER})
    first = built(j)
    registry = classify.load_registry()
    edited = {**registry, "rules": registry["rules"] + [{
        "id": "test_locate", "category": "locate_request", "pattern": r"\blocate\b", "precedence": 999,
        "notes": "added by a test", "examples": {"match": ["locate"], "no_match": ["relocate"]}}]}
    monkeypatch.setattr(classify, "load_registry", lambda path=None: edited)
    second = built(j)
    assert second["stage_keys"]["clean_reused"] is True            # ingest and clean skipped
    df = pd.read_parquet(processed_dir(j) / "searches.parquet")
    assert df["reason_categories"].map(lambda c: "locate_request" in list(c)).sum() > 0
    assert second["outputs"]["searches.parquet"] != first["outputs"]["searches.parquet"]


def test_parallel_and_serial_runs_give_byte_identical_processed_data(tmp_path):
    serial, parallel = make_root(tmp_path / "serial"), make_root(tmp_path / "parallel")
    assert run(root=serial, jobs=1, echo=lambda m: None) == 0
    assert run(root=parallel, jobs=2, echo=lambda m: None) == 0
    for slug in ("foster-city-ca-pd", "belmont-ca-pd"):
        for name in ("searches.parquet", "matches.parquet", "reconciliation.csv", "rejected.csv", "conflicts.csv"):
            a = serial / "data/processed" / slug / name
            b = parallel / "data/processed" / slug / name
            assert sha256_file(a) == sha256_file(b), (slug, name)
