"""Redo only what changed: content keys per jurisdiction and notebook, and parallel = serial; a rerun
with nothing changed rewrites nothing, and a change to what the index reads rewrites it."""

import json
import shutil
import subprocess
import sys

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
        entries.append(
            {
                "slug": slug,
                "name": slug,
                "producer": slug,
                "log_kind": "portal",
                "timezone": "America/Los_Angeles",
                "inputs": ["*.csv"],
            }
        )
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


def snapshot(root):
    """Every output file with its bytes' SHA-256, size, modification time and inode (a rewrite is a new inode)."""
    out = {}
    for folder in (root / "reports", root / "data/processed"):
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                st = p.stat()
                out[str(p.relative_to(root))] = (sha256_file(p), st.st_size, st.st_mtime_ns, st.st_ino)
    return out


def test_a_rerun_with_nothing_changed_rewrites_nothing(twice):
    root = twice[0]
    before = snapshot(root)
    assert any(k.endswith("manifest.json") for k in before) and "reports/index.html" in before
    lines = []
    assert run(root=root, jobs=2, echo=lines.append) == 0
    assert snapshot(root) == before  # not the index, a trail, a run record or a page
    assert "running" not in "\n".join(lines) and any(line.startswith("index: file://") for line in lines)


def test_a_rerun_with_nothing_changed_imports_no_table_notebook_or_template_library(twice):
    root = twice[0]
    code = (
        "import sys; from pathlib import Path; from pipeline.run.runner import run; "
        f"assert run(root=Path({str(root)!r}), jobs=1, echo=lambda m: None) == 0; "
        "print(sorted(m for m in ('pandas', 'pyarrow', 'duckdb', 'nbformat', 'papermill', 'jinja2', "
        "'great_expectations', 'altair') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_change_the_index_reads_rewrites_the_index_and_nothing_else(twice):
    root = twice[0]
    before = snapshot(root)
    db = root / "reports/explore/flock.db"
    db.parent.mkdir()
    db.write_bytes(b"SQLite format 3\x00")  # as `make explore` leaves it: the index links it
    assert run(root=root, jobs=2, echo=lambda m: None) == 0
    after = snapshot(root)
    changed = {k for k in after.keys() | before.keys() if after.get(k) != before.get(k)}
    assert changed == {"reports/index.html", "reports/explore/flock.db"}
    assert 'href="explore/flock.db"' in (root / "reports/index.html").read_text()
    shutil.rmtree(db.parent)
    assert run(root=root, jobs=2, echo=lambda m: None) == 0
    assert 'href="explore/flock.db"' not in (root / "reports/index.html").read_text()


def test_a_release_that_fails_then_comes_back_is_recorded_and_published_each_time(twice):
    """A state change with no notebook run: the run record, the trail and the index follow it both ways."""
    root = twice[0]
    raw, record = root / "data/raw/foster-city-ca-pd/a.csv", root / "reports/foster-city-ca-pd/run.json"
    kept = raw.read_bytes()
    raw.unlink()
    try:
        assert run(root=root, jobs=2, echo=lambda m: None) == 1
        assert json.loads(record.read_text())["last"]["notebook"] == "inputs"
        assert not (root / "reports/foster-city-ca-pd/manifest.json").exists()  # a failed run vouches for nothing
        assert "inputs failed" in (root / "reports/index.html").read_text()
    finally:
        raw.write_bytes(kept)
    lines = []
    assert run(root=root, jobs=2, echo=lines.append) == 0
    assert "foster-city-ca-pd: unchanged since the last run; nothing to do" in lines
    assert json.loads(record.read_text())["last"]["status"] == "ok"
    assert (root / "reports/foster-city-ca-pd/manifest.json").exists()
    assert "inputs failed" not in (root / "reports/index.html").read_text()


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
    edited = {
        **registry,
        "rules": registry["rules"]
        + [
            {
                "id": "test_locate",
                "category": "locate_request",
                "pattern": r"\blocate\b",
                "precedence": 999,
                "notes": "added by a test",
                "examples": {"match": ["locate"], "no_match": ["relocate"]},
            }
        ],
    }
    monkeypatch.setattr(classify, "load_registry", lambda path=None: edited)
    second = built(j)
    assert second["stage_keys"]["clean_reused"] is True  # ingest and clean skipped
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
