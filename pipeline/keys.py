"""Content keys: what a stage's output depends on, as one SHA-256, so unchanged work can be skipped.

A key covers the bytes of the raw inputs, the code and rule files the stage runs, and its parameters.
Hashing a large release takes seconds, so a file's SHA-256 is reused from the last manifest while its
size and modification time are unchanged (the same trust `make` and `git` place in them).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from . import ROOT
from .hashing import sha256_file

PACKAGE = ROOT / "pipeline"
# What the ingest + clean stage of build() runs (when it is reused, the enrichment rules are re-applied).
CLEAN_CODE = ["pipeline/sources/*.py", "pipeline/clean.py", "pipeline/db.py", "pipeline/rules/columns.yml",
              "pipeline/rules/cells.yml", "pipeline/rules/pdf_layouts.yml"]


def digest(*parts) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(json.dumps(part, sort_keys=True, default=str).encode())
        h.update(b"\x1f")
    return h.hexdigest()


def files_digest(patterns: list[str], root: Path = ROOT) -> str:
    files = sorted({p for pat in patterns for p in root.glob(pat) if p.is_file()})
    return digest([(str(p.relative_to(root)), sha256_file(p)) for p in files])


# Modules that make inputs or measure, but never shape a jurisdiction's outputs: editing them reruns nothing.
NOT_IN_CODE_VERSION = {"pipeline/synth.py", "pipeline/bench.py", "pipeline/bench_pdf.py"}


def code_version(root: Path = ROOT) -> str:
    """The pipeline package as it is on disk (committed or not): every .py and rule file that shapes outputs."""
    files = sorted({p for pat in ["pipeline/**/*.py", "pipeline/rules/**/*"] for p in root.glob(pat)
                    if p.is_file() and str(p.relative_to(root)) not in NOT_IN_CODE_VERSION})
    return digest([(str(p.relative_to(root)), sha256_file(p)) for p in files])


def raw_hashes(files: list[Path], previous: list[dict] | None, display) -> list[dict]:
    """[{file, bytes, mtime_ns, sha256}] for the raw files, reusing unchanged hashes from the last manifest."""
    known = {r["file"]: r for r in previous or []}
    out = []
    for path in files:
        st = path.stat()
        name = display(path)
        old = known.get(name)
        if old and old.get("bytes") == st.st_size and old.get("mtime_ns") == st.st_mtime_ns:
            sha = old["sha256"]
        else:
            sha = sha256_file(path)
        out.append({"file": name, "bytes": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha})
    return out
