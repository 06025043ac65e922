"""A run killed at any notebook leaves nothing behind: no worker, template or kernel outlives it (so none
writes reports/ after its lock is gone), no temporary file stays, and the next run publishes whole.

Each case kills a real run (`kill -9` of the run alone, or of its whole process group) while a notebook
is running, looks for any process of that run still alive (they carry a marker in their environment),
then runs again and checks every folder of reports/ against its manifest."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml

from pipeline import ROOT
from pipeline.io.hashing import sha256_file
from pipeline.run.runner import run

REAL = ROOT / "data" / "raw"
SLUG = "foster-city-ca-pd"
pytestmark = pytest.mark.slow


def _survivors(marker: str) -> list[str]:
    """Every process whose environment carries this run's marker: the run's workers, template, kernels."""
    alive = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            env = Path(f"/proc/{pid}/environ").read_bytes()
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if f"FLOCK_KILL_TEST={marker}".encode() in env.split(b"\0") and state != "Z":
            alive.append(pid + " " + Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:120])
    return alive


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("kill")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    raw = root / "data/raw" / SLUG
    raw.mkdir(parents=True)
    shutil.copyfile(REAL / SLUG / "foster-city-ca-pd_search_audit.f5f2e2bb.csv", raw / "f.csv")
    entry = {
        "slug": SLUG,
        "name": "Foster City PD",
        "producer": "Foster City Police Department",
        "log_kind": "portal",
        "timezone": "America/Los_Angeles",
        "producer_state": "CA",
        "inputs": ["f.csv"],
    }
    (root / "jurisdictions.yml").write_text(yaml.safe_dump({"jurisdictions": [entry]}, sort_keys=False))
    assert run(root=root, jobs=1, echo=lambda line: None) == 0
    return root


def _kill_during(root: Path, notebook: str, whole_group: bool) -> str:
    """Start a forced run, kill it a moment into `notebook`; return the run's marker."""
    marker = uuid.uuid4().hex
    script = f"from pathlib import Path; from pipeline.run.runner import run; run(root=Path({str(root)!r}), jobs=1, force=True)"
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        env={**os.environ, "FLOCK_KILL_TEST": marker},
    )
    deadline = time.monotonic() + 300
    for line in child.stdout:
        if f"running {notebook}" in line or time.monotonic() > deadline:
            break
    time.sleep(1.5)  # inside the notebook: its kernel is running cells
    assert child.poll() is None, "the run ended before it could be killed"
    if whole_group:
        os.killpg(child.pid, signal.SIGKILL)
    else:
        os.kill(child.pid, signal.SIGKILL)
    child.wait()
    child.stdout.close()
    return marker


def _published_as_listed(root: Path) -> None:
    reports = root / "reports"
    scratch = [p for p in reports.rglob(".*") if p.is_file()]
    assert scratch == [], scratch
    manifest = json.loads((reports / SLUG / "manifest.json").read_text())
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    on_disk = {p.relative_to(reports / SLUG).as_posix() for p in (reports / SLUG).rglob("*") if p.is_file()}
    assert on_disk - {"manifest.json"} == set(listed)
    assert all(sha256_file(reports / SLUG / path) == sha for path, sha in listed.items())


@pytest.mark.parametrize("notebook", ["01_clean", "02_validate", "03_analyze"])
@pytest.mark.parametrize("whole_group", [False, True], ids=["run-alone", "whole-group"])
def test_a_killed_run_leaves_no_process_and_the_next_run_publishes_whole(project, notebook, whole_group):
    marker = _kill_during(project, notebook, whole_group)
    time.sleep(0.5)  # the parent-death signal is immediate; give the kernel's exit a moment to be reaped
    assert _survivors(marker) == []
    lines: list[str] = []
    assert run(root=project, jobs=1, echo=lines.append) == 0, lines
    _published_as_listed(project)
    assert [p for p in (project / "build" / "running").rglob("*") if p.is_file()] == []  # cleared at start
