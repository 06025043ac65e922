"""Outputs are never half-written, raw files are never altered, and unchanged work is not redone."""

import os
import signal
import subprocess
import sys
import time

import pytest

from tools import synth
from pipeline.clean.build import RawFileChanged, processed_dir
from pipeline.io.hashing import sha256_file

from conftest import REAL, built


def hashes(folder):
    return {p.name: sha256_file(p) for p in sorted(folder.iterdir()) if p.is_file()}


def test_a_second_build_reuses_the_cleaned_searches(project):
    j = project({"f.csv": REAL / "foster-city-ca-pd/foster-city-ca-pd_search_audit.f5f2e2bb.csv"})
    first = built(j)
    second = built(j)
    assert first["stage_keys"]["clean_reused"] is False and second["stage_keys"]["clean_reused"] is True
    assert second["stage_keys"]["clean"] == first["stage_keys"]["clean"]
    assert second["outputs"] == first["outputs"]  # the same bytes, not merely the same counts
    assert not list(j.root.glob(f"data/processed/.{j.slug}.*"))  # no scratch folders left


def test_a_new_file_reruns_cleaning(project):
    j = project({"f.csv": REAL / "foster-city-ca-pd/foster-city-ca-pd_search_audit.f5f2e2bb.csv"}, inputs=["*.csv"])
    built(j)
    (j.raw_dir / "g.csv").write_bytes((REAL / "belmont-ca-pd/belmont-ca-pd_search_audit.a871b2fc.csv").read_bytes())
    m = built(j)
    assert m["stage_keys"]["clean_reused"] is False and m["totals"]["searches"] == 36 + 91


def test_a_raw_file_changed_in_place_is_named_and_stops_the_run(project):
    j = project({"f.csv": REAL / "foster-city-ca-pd/foster-city-ca-pd_search_audit.f5f2e2bb.csv"})
    built(j)
    before = hashes(processed_dir(j))
    path = j.raw_dir / "f.csv"
    path.write_bytes(path.read_bytes().replace(b"locate", b"LOCATE"))
    with pytest.raises(RawFileChanged) as e:
        built(j)
    assert f"data/raw/{j.slug}/f.csv changed since the last run" in str(e.value)
    assert "--accept-changed-raw" in str(e.value)
    assert hashes(processed_dir(j)) == before  # the last good outputs are untouched
    m = built(j, accept_changed_raw=True)
    assert m["raw_files"][0]["sha256"] == sha256_file(path)


def test_a_run_killed_mid_write_leaves_the_last_good_outputs_and_the_next_run_completes(project, tmp_path):
    synth.generate("alvin-isd", tmp_path / "gen", scale=0.05)
    files = {p.name: p for p in (tmp_path / "gen").glob("SYNTHETIC_*")}
    j = project(
        files,
        slug="alvin-isd",
        synthetic=True,
        log_kind="network",
        inputs=sorted(files, key=lambda n: n.endswith(".xlsx")),
    )
    built(j)
    out = processed_dir(j)
    before = hashes(out)
    raw_before = {p.name: sha256_file(p) for p in j.raw_dir.iterdir()}
    # A changed parameter forces a full rebuild, which we kill while it writes.
    cfg = j.root / "jurisdictions.yml"
    cfg.write_text(cfg.read_text().replace("America/Chicago", "America/Denver"))
    code = (
        "import sys; from pipeline.config import load, select; from pipeline.clean.build import build; "
        f"(j,) = select(load(r'{cfg}', root=r'{j.root}'), ['alvin-isd']); build(j, progress=lambda m: None)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.time() + 60
    while time.time() < deadline and not list(out.parent.glob(".alvin-isd.new-*/*")):
        time.sleep(0.02)
    assert list(out.parent.glob(".alvin-isd.new-*")), "the run never started writing"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert hashes(out) == before  # nothing of the killed run reached the outputs
    assert {p.name: sha256_file(p) for p in j.raw_dir.iterdir()} == raw_before
    from pipeline.config import load, select

    (j2,) = select(load(cfg, root=j.root), ["alvin-isd"])
    m = built(j2)
    assert m["parameters"]["timezone"] == "America/Denver"
    assert not list(out.parent.glob(".alvin-isd.*"))  # the killed run's scratch folders are cleared
    assert hashes(out)["manifest.json"] != before["manifest.json"]


def test_a_swap_killed_between_its_two_renames_is_undone(project):
    j = project({"f.csv": REAL / "foster-city-ca-pd/foster-city-ca-pd_search_audit.f5f2e2bb.csv"})
    built(j)
    out = processed_dir(j)
    before = hashes(out)
    out.rename(out.parent / f".{out.name}.old-20260101T000000-1")  # as if killed after the first rename
    m = built(j)
    assert m["stage_keys"]["clean_reused"] is True and hashes(out)["searches.parquet"] == before["searches.parquet"]


def test_a_stamp_skips_a_write_only_while_every_input_and_output_is_as_it_was_written(tmp_path):
    from pipeline.io.atomic import write_text
    from pipeline.run.stamps import Stamps, code_tree, tree

    package, src, out = tmp_path / "pkg", tmp_path / "in", tmp_path / "out"
    (package / "templates").mkdir(parents=True)
    (package / "templates" / "page.html").write_text("<p>{{ x }}</p>")
    src.mkdir()
    (src / "facts.json").write_text("{}")
    writes = []

    def inputs():
        return [tree(src), tree(out), code_tree(tmp_path, package)]

    def write():
        writes.append(1)
        write_text(out / "index.html", f"page {len(writes)}")

    def rewrote() -> bool:  # a fresh Stamps each time: as a new run reads them
        return Stamps(tmp_path).rewrite("index", inputs, write)

    assert rewrote() and not rewrote() and not rewrote()
    write_text(src / "facts.json", "{}")  # the same bytes, rewritten: a new file
    assert rewrote() and not rewrote()
    (package / "templates" / "page.html").write_text("<p>{{ x }}!</p>")  # a template edited
    assert rewrote() and not rewrote()
    (out / "index.html").unlink()  # the output itself gone
    assert rewrote() and (out / "index.html").exists() and not rewrote()
    assert Stamps(tmp_path).rewrite("index", inputs, write, force=True)
    (tmp_path / "build" / "rerun-stamps.json").write_text("not json")  # a lost stamp: one rewrite
    assert rewrote() and not rewrote()
    assert len(writes) == 6


def test_a_run_that_did_nothing_leaves_the_record_only_while_its_outcome_is_the_recorded_one():
    from pipeline.run.stamps import same_outcome

    ran = {"status": "ok", "timings": {"01_clean": 3.0}, "cached": [], "finished_at": "t0"}
    cached = {"status": "ok", "timings": {}, "cached": ["01_clean", "02_validate", "03_analyze"], "seconds": 0.0}
    failed = {"status": "failed", "notebook": "inputs", "message": "a.csv is missing", "timings": {}}
    assert same_outcome(ran, cached) and same_outcome(failed, dict(failed))
    assert not same_outcome(failed, cached) and not same_outcome(cached, failed)  # a change of state is news
    assert not same_outcome({**failed, "message": "b.csv is missing"}, failed)
    assert not same_outcome({}, cached) and not same_outcome(cached, ran)  # no record; a run that worked
