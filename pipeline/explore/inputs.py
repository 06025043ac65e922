"""What the explore database is built from, and its content key.

The inputs are every jurisdiction of jurisdictions.yml that has data/processed/<slug>/searches.parquet
and whose last run ended ok (reports/<slug>/run.json: a failed run can leave a table of impossible rows, and
a RED one a table that failed a critical check, with no analysis to match; both are left out and named in
build.json's `left_out`), its reports/<slug>/facts.json and data/raw/<slug>/SOURCE.md, every reports/corpora/<name>/ with a
facts.json, and the code and rules of this stage. The key is the SHA-256 of all of them (a file's SHA-256
reused from the last build while its size and modification time are unchanged, as runs do for raw files).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pipeline import ROOT, project
from pipeline.config import Jurisdiction, load
from pipeline.contracts import RunStatus
from pipeline.io.keys import digest, raw_hashes

# The code that decides what is in the database (metadata.json, written at every run, is not keyed: a
# README or description edit never rebuilds millions of rows).
CODE = [
    "pipeline/explore/build.py",
    "pipeline/explore/columns.py",
    "pipeline/explore/columns.yml",
    "pipeline/explore/tables.py",
    "pipeline/explore/sources.py",
    "pipeline/explore/inputs.py",
]


@dataclass(frozen=True)
class Inputs:
    root: Path
    jurisdictions: tuple[Jurisdiction, ...]
    corpora: tuple[Path, ...]  # reports/corpora/<name>/ folders holding facts.json
    left_out: tuple[dict, ...] = ()  # {jurisdiction, status, why}: a table whose last run did not end ok

    def files(self) -> list[Path]:
        out = []
        for j in self.jurisdictions:
            out += [searches_path(j), facts_path(j), project.raw_dir(j.root, j.slug) / "SOURCE.md"]
        for c in self.corpora:
            out += sorted(p for p in c.iterdir() if p.suffix in (".csv", ".json") and p.name != "run.json")
        return [p for p in out if p.is_file()]


def searches_path(j: Jurisdiction) -> Path:
    return project.processed_dir(j.root, j.slug) / "searches.parquet"


def facts_path(j: Jurisdiction) -> Path:
    return project.reports_dir(j.root, j.slug) / "facts.json"


def corpora_root(root: Path) -> Path:
    return project.reports_root(root) / project.CORPORA


def find(root: Path, config: str | Path | None = None) -> Inputs:
    """The jurisdictions that have a processed table and whose last run ended ok (in jurisdictions.yml
    order), those left out and why, and the corpora published."""
    root = Path(root)
    js, left_out = [], []
    for j in load(config or root / "jurisdictions.yml", root=root, check_files=False):
        if not searches_path(j).is_file():
            continue
        why = not_publishable(j)
        if why:
            left_out.append({"jurisdiction": j.slug, **why})
        else:
            js.append(j)
    cdir = corpora_root(root)
    corpora = sorted(p for p in cdir.iterdir() if (p / "facts.json").is_file()) if cdir.is_dir() else []
    return Inputs(root, tuple(js), tuple(corpora), tuple(left_out))


def not_publishable(j: Jurisdiction) -> dict | None:
    """None when the jurisdiction's last run ended ok; else {status, why} from its run record.

    RED is left out as well as FAILED: a RED table failed a critical expectation (its search times, keys or
    columns cannot be trusted) and its analysis did not run, so its facts.json would not match its rows."""
    try:
        last = json.loads((project.reports_dir(j.root, j.slug) / "run.json").read_text(encoding="utf-8"))["last"]
        status = str(last["status"])
    except (OSError, ValueError, KeyError, TypeError):
        return {"status": "no run record", "why": "no finished run recorded in reports/<slug>/run.json"}
    if status == RunStatus.OK:
        return None
    where = f" in {last['notebook']}" if last.get("notebook") else ""
    message = " ".join(str(last.get("message") or "").split())
    return {"status": status, "why": f"its last run ended {status.upper()}{where}: {message}"[:500]}


def key(inputs: Inputs, previous: list[dict] | None = None) -> tuple[str, list[dict]]:
    """(the content key, the inputs' hashes as recorded in build.json for the next build to reuse)."""

    def display(p: Path) -> str:
        try:
            return str(p.resolve().relative_to(inputs.root.resolve()))
        except ValueError:
            return str(p)

    hashes = raw_hashes(inputs.files(), previous, display)
    code = raw_hashes(
        sorted({p for pat in CODE for p in ROOT.glob(pat) if p.is_file()}),
        previous,
        lambda p: "code:" + str(p.relative_to(ROOT)),
    )
    parts = [(h["file"], h["sha256"]) for h in hashes + code]
    params = [(j.slug, j.name, j.producer, j.synthetic, j.timezone) for j in inputs.jurisdictions]
    left = [(x["jurisdiction"], x["status"]) for x in inputs.left_out]
    return digest(parts, params, left), hashes + code
