"""Build a jurisdiction's processed data: read its raw files, clean them, write the manifest.

This is what notebook 01_clean runs. Outputs go to data/processed/<slug>/, each file written atomically;
the manifest is written last and records the SHA-256 of every output beside every input, so a
fact-checker can tell which raw bytes produced which tables.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from pathlib import Path

from pipeline import ROOT, RULES, project
from pipeline.io.atomic import write_json
from pipeline.clean.searches import CleanResult, clean
from pipeline.enrich.apply import enrich
from pipeline.enrich.pii import pseudonym_key
from pipeline.io.progress import reporter
from pipeline.config import Jurisdiction, check_inputs
from pipeline.errors import PipelineError
from pipeline.io.hashing import sha256_file
from pipeline.clean.provenance import package_versions, pipeline_version
from pipeline.io.keys import CLEAN_CODE, code_version, digest, files_digest, raw_hashes
from pipeline.ingest import ingest


def processed_dir(j: Jurisdiction) -> Path:
    return project.processed_dir(j.root, j.slug)


# Manifest fields that describe the ingest + clean stage; reused as they are when that stage is skipped.
CLEAN_FIELDS = [
    "log_kind",
    "raw_files",
    "sources",
    "skipped",
    "totals",
    "rejected_by_reason",
    "cells_not_understood",
    "reconciliation_balanced",
]
CLEAN_OUTPUTS = ["searches.parquet", "reconciliation.csv", "rejected.csv", "conflicts.csv"]
OUTPUTS = CLEAN_OUTPUTS + ["matches.parquet"]


class RawFileChanged(PipelineError):
    """A raw file's bytes differ from the last run's: releases must come as new files."""


def _siblings(out: Path, kind: str) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.{kind}-*"))


def _recover(out: Path) -> None:
    """Finish or undo a swap that a killed run left half done, and clear its scratch folders."""
    olds = _siblings(out, "old")
    if not out.exists() and olds:
        olds[-1].rename(out)  # the kill came between the two renames: put the last good back
    for p in _siblings(out, "old") + _siblings(out, "new") + _siblings(out, "work"):
        shutil.rmtree(p, ignore_errors=True)


def _swap(new: Path, out: Path, stamp: str) -> None:
    """Replace the processed folder as a whole: readers see the old set or the new set, never a mix."""
    old = out.parent / f".{out.name}.old-{stamp}"
    if out.exists():
        out.rename(old)
    new.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def _previous_manifest(out: Path) -> dict | None:
    try:
        return json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def check_raw_unchanged(raw_files: list[dict], previous: dict | None) -> None:
    if not previous:
        return
    before = {r["file"]: r["sha256"] for r in previous.get("raw_files", [])}
    changed = [r for r in raw_files if r["file"] in before and before[r["file"]] != r["sha256"]]
    if changed:
        names = ", ".join(r["file"] for r in changed)
        raise RawFileChanged(
            f"{names} changed since the last run (SHA-256 {before[changed[0]['file']][:12]}… is now "
            f"{changed[0]['sha256'][:12]}…). Raw files are never altered: a new or corrected release must come "
            "as a new file beside the old one.",
            hint="If you did mean to replace it, rerun with --accept-changed-raw.",
        )


def build(j: Jurisdiction, progress=None, accept_changed_raw: bool = False, force: bool = False) -> dict:
    """Ingest, clean and enrich one jurisdiction; return the manifest (also written to manifest.json).

    Everything is written into a new folder beside data/processed/<slug>/ and swapped in at the end,
    so a run that is killed or fails leaves the last good outputs as they were. Clean writes
    searches.parquet once, with the enrichment rules' answers. Ingest and clean are skipped when their
    content key (raw bytes, their code and rules, the entry's parameters) is unchanged; the rules are then
    re-applied to the reused searches (once per distinct reason and agency, one pass over the table).
    """
    progress = progress or reporter(j.slug)  # the notebook, and the terminal when someone watches
    started = dt.datetime.now(dt.timezone.utc)
    stamp = f"{started.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
    t0 = time.perf_counter()
    check_inputs(j)
    root = j.root
    out = processed_dir(j)
    out.parent.mkdir(parents=True, exist_ok=True)
    _recover(out)
    previous = _previous_manifest(out)
    files = j.files()
    raw_files = raw_hashes(files, (previous or {}).get("raw_files"), lambda p: project.display_path(p, root))
    if not accept_changed_raw:
        check_raw_unchanged(raw_files, previous)
    params = {k: v for k, v in j.as_params().items() if k not in ("source", "period_start", "period_end")}
    clean_key = digest("clean", [(r["file"], r["sha256"]) for r in raw_files], params, files_digest(CLEAN_CODE, ROOT))
    new = out.parent / f".{out.name}.new-{stamp}"
    work = out.parent / f".{out.name}.work-{stamp}"
    new.mkdir()
    try:
        reuse = (
            not force
            and previous is not None
            and previous.get("stage_keys", {}).get("clean") == clean_key
            and all((out / name).exists() for name in CLEAN_OUTPUTS)
        )
        if reuse:
            clean_fields = _reuse_cleaned(previous, out, new, raw_files, progress)
            progress("classifying reasons and agencies")
            work.mkdir(exist_ok=True)
            enriched = enrich(new / "searches.parquet", new / "matches.parquet", work, pseudonym_key(root))
        else:
            clean_fields, enriched = _ingest_and_clean(j, files, raw_files, new, work, progress)
        totals = clean_fields["totals"]
        progress(
            f"{totals['searches']:,} searches, {totals['duplicates']:,} duplicates, "
            f"{totals['rejected']:,} rejected ({time.perf_counter() - t0:.1f} s)"
        )
        manifest = _manifest(j, clean_fields, new, enriched, {"clean": clean_key, "clean_reused": reuse}, started, t0)
        write_json(new / "manifest.json", manifest)
        _swap(new, out, stamp)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(new, ignore_errors=True)
    return manifest


def _reuse_cleaned(previous: dict, out: Path, new: Path, raw_files: list[dict], progress) -> dict:
    """The cleaned tables of the last build, linked into the new folder; their manifest fields as they were."""
    progress("raw files, cleaning code and rules unchanged: reusing the cleaned searches")
    for name in CLEAN_OUTPUTS:
        os.link(out / name, new / name)
    clean_fields = {k: previous[k] for k in CLEAN_FIELDS}
    clean_fields["raw_files"] = raw_files
    return clean_fields


def _ingest_and_clean(
    j: Jurisdiction, files: list[Path], raw_files: list[dict], new: Path, work: Path, progress
) -> tuple[dict, dict]:
    """Read and clean the release into `new`; return its manifest fields and the enrichment summary."""
    hashes = {path: r["sha256"] for path, r in zip(files, raw_files)}
    ing = ingest(files, work / "stage", j.root, progress, hashes=hashes)
    progress(f"cleaning {sum(s.rows_read for s in ing.sources):,} rows")
    result: CleanResult = clean(j, ing.sources, new, work, lambda: pseudonym_key(j.root), progress)
    clean_fields = {
        "log_kind": result.log_kind,
        "raw_files": raw_files,
        "sources": [s.manifest() for s in ing.sources],
        "skipped": ing.skipped,
        "totals": {
            "rows_read": result.rows_read,
            "searches": result.searches,
            "duplicates": result.duplicates,
            "rejected": result.rejected,
            "conflicting_searches": result.conflicts,
        },
        "rejected_by_reason": {
            k[len("rejected_") :]: sum(r[k] for r in result.reconciliation)
            for k in (result.reconciliation[0] if result.reconciliation else {})
            if k.startswith("rejected_")
        },
        "cells_not_understood": result.not_understood,
        "reconciliation_balanced": all(r["balanced"] for r in result.reconciliation),
    }
    return clean_fields, result.enrichment


def _manifest(
    j: Jurisdiction, clean_fields: dict, new: Path, enriched: dict, stage_keys: dict, started: dt.datetime, t0: float
) -> dict:
    """What was read and made, from which bytes, by which code: every input's and output's SHA-256."""
    return {
        "jurisdiction": j.slug,
        "synthetic": j.synthetic,
        "log_kind_declared": j.log_kind,
        **clean_fields,
        "outputs": {
            name: {"bytes": (new / name).stat().st_size, "sha256": sha256_file(new / name)} for name in OUTPUTS
        },
        "enrichment": enriched,
        "stage_keys": stage_keys,
        "rules": {p.name: sha256_file(p) for p in sorted(RULES.glob("*.yml"))},
        "parameters": j.as_params(),
        "pipeline": pipeline_version(j.root),
        "code_version": code_version(ROOT, "01_clean"),
        "packages": package_versions(),
        "started_at_utc": started.isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - t0, 2),
    }
