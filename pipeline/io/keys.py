"""Content keys: what a stage's output depends on, as one SHA-256, so unchanged work can be skipped.

A key covers the bytes of the raw inputs, the code and rule files the stage runs, and its parameters.
Hashing a large release takes seconds, so a file's SHA-256 is reused from the last manifest while its
size and modification time are unchanged (the same trust `make` and `git` place in them).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pipeline import ROOT
from pipeline.io.hashing import sha256_file

# The one table of what each stage runs. A notebook's key covers only its own code (and the key of the
# notebook before it), so editing a chart reruns 03_analyze alone, and editing a reason rule reruns 01's
# enrichment (ingest and clean are reused) and what follows. The shared base and the renderer shape every
# notebook's outputs; the runner, the command line and the tools outside the package shape none.
BASE_CODE = [
    "pipeline/__init__.py",
    "pipeline/config.py",
    "pipeline/claims.py",
    "pipeline/contracts.py",
    "pipeline/errors.py",
    "pipeline/project.py",
    "pipeline/io/*.py",
    "pipeline/report/*.py",
]
# ICE's 287(g) lists and the rules that match agencies to them (analyze/ice287g*.py): a new list dropped into
# the folder reruns the analysis (03 and the corpora), not the cleaning.
ICE_287G = ["data/reference/ice-287g/*.xlsx", "pipeline/rules/ice287g/*.yml"]
NOTEBOOK_CODE = {
    "01_clean": BASE_CODE
    + ["pipeline/ingest/*.py", "pipeline/clean/*.py", "pipeline/enrich/*.py", "pipeline/rules/*.yml"],
    "02_validate": BASE_CODE + ["pipeline/validate/*.py", "expectations/*.json"],
    "03_analyze": BASE_CODE + ["pipeline/analyze/*.py", "pipeline/rules/geo/*"] + ICE_287G,
}
# Inside 01: what the ingest + clean stage runs (when only the rules changed, they are re-applied to the
# reused searches instead).
CLEAN_CODE = [
    "pipeline/ingest/*.py",
    "pipeline/clean/searches.py",
    "pipeline/clean/parse.py",
    "pipeline/clean/outputs.py",
    "pipeline/io/db.py",
    "pipeline/rules/columns.yml",
    "pipeline/rules/cells.yml",
    "pipeline/rules/pdf_layouts.yml",
]


def digest(*parts) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(json.dumps(part, sort_keys=True, default=str).encode())
        h.update(b"\x1f")
    return h.hexdigest()


def files_digest(patterns: list[str], root: Path = ROOT) -> str:
    files = sorted({p for pat in patterns for p in root.glob(pat) if p.is_file()})
    return digest([(str(p.relative_to(root)), sha256_file(p)) for p in files])


def code_version(root: Path = ROOT, notebook: str | None = None) -> str:
    """The code a notebook runs, as it is on disk (committed or not); without a notebook, all of it."""
    patterns = NOTEBOOK_CODE[notebook] if notebook else sorted({p for v in NOTEBOOK_CODE.values() for p in v})
    return files_digest(patterns, root)


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
