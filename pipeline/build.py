"""Build a jurisdiction's processed data: read its raw files, clean them, write the manifest.

This is what notebook 01_clean runs. Outputs go to data/processed/<slug>/, each file written atomically;
the manifest is written last and records the SHA-256 of every output beside every input, so a
fact-checker can tell which raw bytes produced which tables.
"""
from __future__ import annotations

import datetime as dt
import importlib.metadata
import shutil
import subprocess
import time
from pathlib import Path

from . import ROOT, RULES
from .atomic import write_json
from .clean import CleanResult, clean
from .enrich import enrich
from .config import Jurisdiction, check_inputs
from .hashing import sha256_file
from .sources import display_path, ingest

PACKAGES = ["pandas", "pyarrow", "duckdb", "python-calamine", "altair", "vl-convert-python", "papermill",
            "nbconvert", "great_expectations", "PyYAML"]


def processed_dir(j: Jurisdiction) -> Path:
    return j.root / "data" / "processed" / j.slug


def pipeline_version(root: Path = ROOT) -> dict:
    """The git commit of the code that ran, and whether the work tree had uncommitted changes."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--", "pipeline", "notebooks", "expectations"],
                                    cwd=root, capture_output=True, text=True).stdout.strip())
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


def build(j: Jurisdiction, progress=print) -> dict:
    """Ingest and clean one jurisdiction; return the manifest (also written to manifest.json)."""
    started = dt.datetime.now(dt.timezone.utc)
    t0 = time.perf_counter()
    check_inputs(j)
    root = j.root
    out = processed_dir(j)
    out.mkdir(parents=True, exist_ok=True)
    work = out / f".work-{started.strftime('%Y%m%dT%H%M%S')}-{id(j):x}"
    try:
        ing = ingest(j.files(), work / "stage", root, progress)
        progress(f"cleaning {sum(s.rows_read for s in ing.sources):,} rows")
        result: CleanResult = clean(j, ing.sources, out, work)
        progress("classifying reasons and agencies")
        enriched = enrich(out / "searches.parquet", out / "matches.parquet", work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    progress(f"{result.searches:,} searches, {result.duplicates:,} duplicates, {result.rejected:,} rejected "
             f"({time.perf_counter() - t0:.1f} s)")
    outputs = {}
    for name in ("searches.parquet", "matches.parquet", "reconciliation.csv", "rejected.csv", "conflicts.csv"):
        p = out / name
        outputs[name] = {"bytes": p.stat().st_size, "sha256": sha256_file(p)}
    manifest = {
        "jurisdiction": j.slug,
        "synthetic": j.synthetic,
        "log_kind": result.log_kind,
        "log_kind_declared": j.log_kind,
        "raw_files": ing.raw_files,
        "sources": [s.manifest() for s in ing.sources],
        "skipped": ing.skipped,
        "totals": {"rows_read": result.rows_read, "searches": result.searches, "duplicates": result.duplicates,
                   "rejected": result.rejected, "conflicting_searches": result.conflicts},
        "rejected_by_reason": {k[len("rejected_"):]: sum(r[k] for r in result.reconciliation)
                               for k in (result.reconciliation[0] if result.reconciliation else {})
                               if k.startswith("rejected_")},
        "cells_not_understood": result.not_understood,
        "reconciliation_balanced": all(r["balanced"] for r in result.reconciliation),
        "outputs": outputs,
        "enrichment": enriched,
        "rules": {p.name: sha256_file(p) for p in sorted(RULES.glob("*.yml"))},
        "parameters": j.as_params(),
        "pipeline": pipeline_version(root),
        "packages": package_versions(),
        "started_at_utc": started.isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - t0, 2),
    }
    write_json(out / "manifest.json", manifest)
    return manifest


