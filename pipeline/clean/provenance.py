"""Provenance for the manifest: the git commit of the code that ran (and whether the work tree had
uncommitted changes), and the versions of the packages that shape the outputs."""

from __future__ import annotations

import importlib.metadata
import subprocess
from pathlib import Path

from pipeline import ROOT

PACKAGES = [
    "pandas",
    "pyarrow",
    "duckdb",
    "python-calamine",
    "pypdfium2",
    "altair",
    "vl-convert-python",
    "papermill",
    "nbconvert",
    "great_expectations",
    "PyYAML",
]


def pipeline_version(root: Path = ROOT) -> dict:
    """The git commit of the code that ran, and whether the work tree had uncommitted changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = bool(
            subprocess.run(
                ["git", "status", "--porcelain", "--", "pipeline", "notebooks", "expectations"],
                cwd=root,
                capture_output=True,
                text=True,
            ).stdout.strip()
        )
    except (OSError, subprocess.CalledProcessError):
        commit, dirty = None, None
    return {"git_commit": commit, "uncommitted_changes": dirty}


def package_versions() -> dict:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    return out
