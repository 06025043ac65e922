"""A disk that fills during a run: one sentence naming the folder and the space needed, the jurisdiction's
last good outputs (manifest.json and run record included) left byte for byte as they were, and the run
ends normally with the jurisdiction failed. The project lives on a small tmpfs made full on purpose."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
import yaml

from pipeline import ROOT
from pipeline.run.runner import run

SLUG = "foster-city-ca-pd"
pytestmark = pytest.mark.slow


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _fill(disk: Path, leave: int) -> None:
    """Write until the disk is full, then free `leave` bytes."""
    filler = disk / f"filler-{uuid.uuid4().hex}"
    with open(filler, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 1_000_000)
                f.flush()
        except OSError:
            pass
    with open(filler, "r+b") as f:
        f.truncate(max(0, filler.stat().st_size - leave))


def test_a_full_disk_keeps_the_last_good_outputs_and_says_so_in_one_sentence(small_disk):
    root = small_disk / "project"
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    raw = root / "data/raw" / SLUG
    raw.mkdir(parents=True)
    shutil.copyfile(ROOT / "data/raw" / SLUG / "foster-city-ca-pd_search_audit.f5f2e2bb.csv", raw / "f.csv")
    entry = {
        "slug": SLUG,
        "name": "Foster City PD",
        "producer": "Foster City Police Department",
        "log_kind": "portal",
        "timezone": "America/Los_Angeles",
        "inputs": ["f.csv"],
    }
    (root / "jurisdictions.yml").write_text(yaml.safe_dump({"jurisdictions": [entry]}, sort_keys=False))
    os.environ.setdefault("IPYTHONDIR", str(root / "build" / ".ipython"))
    assert run(root=root, jobs=1, echo=lambda line: None) == 0
    before = {name: _hashes(root / name / SLUG) for name in ("reports", "data/processed")}
    assert "manifest.json" in before["reports"] and "run.json" in before["reports"]

    _fill(small_disk, leave=64_000)
    lines: list[str] = []
    code = run(root=root, jobs=1, force=True, echo=lines.append)

    assert code == 1
    said = [line for line in lines if "is full" in line]
    assert said and said[0].startswith(f"{SLUG}: FAILED in "), lines
    assert f"reports/{SLUG}/ is full" in said[0] and "needs about" in said[0] and "MB free" in said[0]
    assert not [line for line in lines if "Traceback" in line], lines
    after = {name: _hashes(root / name / SLUG) for name in ("reports", "data/processed")}
    assert after == before  # untouched, manifest.json and run.json included
    assert not (root / "build" / "last-good" / SLUG).exists()
