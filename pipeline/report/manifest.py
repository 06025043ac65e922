"""reports/<slug>/manifest.json: every published file of a jurisdiction, its SHA-256, and what it rests on.

A fact-checker holding any file of reports/<slug>/ can check its bytes against this list, and follow it
back to the raw files (with the SHA-256 the clean recorded in data/processed/<slug>/manifest.json) and
the processed tables (hashed here, as they are on disk when the pages are published). Written atomically
and last, after every other file of the folder, so the list is complete; files whose name starts with a
dot are an atomic write's scratch and are not published.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from pipeline import ROOT
from pipeline.config import Jurisdiction
from pipeline.contracts import RunStatus
from pipeline.io.atomic import write_json
from pipeline.io.hashing import sha256_file
from pipeline.project import processed_dir, reports_dir

MANIFEST = "manifest.json"
HISTORY = "history"  # earlier runs' figures: they name their own inputs inside them


def published_files(folder: Path) -> list[Path]:
    """Every file under folder (recursively) except manifest.json itself and dot-named scratch files."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p != folder / MANIFEST
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def _entry(path: Path, base: Path) -> dict:
    return {"path": path.relative_to(base).as_posix(), "sha256": sha256_file(path), "bytes": path.stat().st_size}


def made_from(j: Jurisdiction) -> dict:
    """The raw files (as the clean recorded them) and the processed tables (hashed now) the pages rest on."""
    processed = processed_dir(j.root, j.slug)
    built = json.loads((processed / "manifest.json").read_text(encoding="utf-8"))
    tables = [processed / name for name in built.get("outputs", {})] + [processed / "manifest.json"]
    return {
        "raw_files": [
            {"path": r["file"], "sha256": r["sha256"], "bytes": r["bytes"]} for r in built.get("raw_files", [])
        ],
        "processed": [_entry(p, j.root) for p in tables if p.exists()],
        "processed_by": built.get("pipeline"),
    }


def write_manifest(j: Jurisdiction, status: str = RunStatus.OK) -> Path:
    """Write reports/<slug>/manifest.json (call it after every other file of the folder is written).
    `status` is the run's (ok, or red: validation stopped the analysis, whose pages are then an earlier run's)."""
    folder = reports_dir(j.root, j.slug)
    files = []
    for p in published_files(folder):
        entry = _entry(p, folder)
        if entry["path"].startswith(HISTORY + "/"):
            entry["made_from"] = "an earlier run's inputs, listed inside the file"
        files.append(entry)
    from pipeline.clean.provenance import pipeline_version  # importlib.metadata: only when a manifest is written

    version = pipeline_version(ROOT)
    doc = {
        "jurisdiction": j.slug,
        "synthetic": j.synthetic,
        "run_status": str(status),
        "generated_at_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "pipeline_commit": version["git_commit"],
        "uncommitted_changes": version["uncommitted_changes"],
        "about": (
            "Every file of this folder except this one: path (relative to it), SHA-256 and bytes. Each was "
            "made from made_from: the raw files with the SHA-256 the clean recorded, and the processed "
            "tables as they were when the pages were published (paths relative to the project)."
        ),
        "made_from": made_from(j),
        "files": files,
    }
    write_json(folder / MANIFEST, doc)
    return folder / MANIFEST
