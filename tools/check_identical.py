"""Does a code change leave every output as it was? (`make check-identical BASE=<rev>`)

Runs the bundled jurisdictions twice, once with the code at BASE (a git worktree under build/) and once
with the working tree, with the same jurisdictions.yml (the working tree's) on the same raw files (the real releases of data/raw/ and the synthetic ones,
generated once, small), each in a project folder of its own under build/identical/. Then compares what a
reporter publishes and a fact-checker checks: every processed table (Parquet by value, CSV by bytes),
the manifests, facts.json, claims.json, validation.json, agencies.csv, immigration_searches.csv and every
chart's CSV. Run times, timestamps, code versions, commits and content keys are left out of the
comparison (they differ by design); everything else must be equal. Exit 0 when identical, 1 otherwise,
listing each difference.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "identical"
# Fields that record when, how long, or with which code and cache keys a run happened: never compared.
VOLATILE = {
    "started_at_utc",
    "seconds",
    "code_version",
    "pipeline",
    "stage_keys",
    "pipeline_commit",
    "mtime_ns",
    "generated_at",
    "generated_at_utc",
    "packages",
    "duration",
}
JSON_FILES = [
    "reports/{slug}/facts.json",
    "reports/{slug}/claims.json",
    "reports/{slug}/validation.json",
    "data/processed/{slug}/manifest.json",
]
BYTE_FILES = [
    "data/processed/{slug}/reconciliation.csv",
    "data/processed/{slug}/rejected.csv",
    "data/processed/{slug}/conflicts.csv",
    "reports/{slug}/agencies.csv",
    "reports/{slug}/immigration_searches.csv",
]
PARQUET_FILES = ["data/processed/{slug}/searches.parquet", "data/processed/{slug}/matches.parquet"]


def _strip(value):
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _project(name: str, code: Path, raw: dict[str, Path]) -> Path:
    project = WORK / name
    shutil.rmtree(project, ignore_errors=True)
    (project / "data" / "raw").mkdir(parents=True)
    shutil.copytree(code / "notebooks", project / "notebooks")
    # the same entries for both: only the code may differ
    shutil.copyfile(ROOT / "jurisdictions.yml", project / "jurisdictions.yml")
    for slug, folder in raw.items():
        shutil.copytree(folder, project / "data" / "raw" / slug)
    return project


def _run(project: Path, code: Path, *, old: bool) -> int:
    env = dict(os.environ, PIPELINE_PSEUDONYM_KEY="check-identical", PIPELINE_PROGRESS="0")
    if old:  # the old code first on the path, so it and its kernels import it instead of the installed package
        env["PYTHONPATH"] = str(code)
    else:
        env.pop("PYTHONPATH", None)
    print(f"running the {'base' if old else 'working-tree'} code on {project.relative_to(ROOT)} ...", flush=True)
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", "--root", str(project), "--jobs", "2"],
        cwd=code,
        env=env,
        capture_output=True,
        text=True,
    )
    (project / "run.log").write_text(done.stdout + done.stderr)
    return done.returncode


def compare(a: Path, b: Path, slugs: list[str]) -> list[str]:
    diffs = []
    for slug in slugs:
        for pattern in PARQUET_FILES + BYTE_FILES + JSON_FILES:
            rel = pattern.format(slug=slug)
            fa, fb = a / rel, b / rel
            if fa.exists() != fb.exists():
                diffs.append(f"{rel}: only in {'base' if fa.exists() else 'working tree'}")
                continue
            if not fa.exists():
                continue
            if rel.endswith(".parquet"):
                ta, tb = pq.read_table(fa), pq.read_table(fb)
                if not ta.equals(tb):
                    cols = [c for c in ta.column_names if c not in tb.column_names or not ta[c].equals(tb[c])]
                    diffs.append(f"{rel}: tables differ (columns {', '.join(cols) or 'order or schema'})")
            elif rel.endswith(".json"):
                ja = _strip(json.loads(fa.read_text(encoding="utf-8")))
                jb = _strip(json.loads(fb.read_text(encoding="utf-8")))
                if ja != jb:
                    keys = sorted(k for k in set(ja) | set(jb) if ja.get(k) != jb.get(k))
                    diffs.append(f"{rel}: differs in {', '.join(keys)}")
            elif fa.read_bytes() != fb.read_bytes():
                diffs.append(f"{rel}: bytes differ")
        charts_a = sorted(p.name for p in (a / "reports" / slug / "charts").glob("*.csv"))
        charts_b = sorted(p.name for p in (b / "reports" / slug / "charts").glob("*.csv"))
        if charts_a != charts_b:
            diffs.append(f"reports/{slug}/charts: chart CSVs {charts_a} vs {charts_b}")
        for name in set(charts_a) & set(charts_b):
            if (a / "reports" / slug / "charts" / name).read_bytes() != (
                b / "reports" / slug / "charts" / name
            ).read_bytes():
                diffs.append(f"reports/{slug}/charts/{name}: bytes differ")
    return diffs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.check_identical", description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", required=True, help="the git revision whose outputs the working tree must reproduce")
    ap.add_argument("--scale", type=float, default=0.05, help="size of the synthetic releases (default 0.05)")
    a = ap.parse_args(argv)
    from pipeline.config import load
    from tools import synth, synth_corpus

    base = WORK / "base-code"
    subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, capture_output=True)
    shutil.rmtree(base, ignore_errors=True)
    WORK.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "worktree", "add", "--detach", str(base), a.base], cwd=ROOT, check=True, capture_output=True)
    try:
        jurisdictions = load(ROOT / "jurisdictions.yml", root=ROOT, check_files=False)
        raw: dict[str, Path] = {}
        corpus_members = {m[0] for m in synth_corpus.MEMBERS}
        if any(j.slug in corpus_members for j in jurisdictions):  # the corpus's members come as one set
            synth_corpus.generate_corpus(WORK / "synthetic")
        for j in jurisdictions:
            if j.synthetic and j.slug not in corpus_members:
                synth.generate(j.slug, WORK / "synthetic" / j.slug, scale=a.scale)
            raw[j.slug] = WORK / "synthetic" / j.slug if j.synthetic else j.raw_dir
        old = _project("base", base, raw)
        new = _project("working-tree", ROOT, raw)
        codes = (_run(old, base, old=True), _run(new, ROOT, old=False))
        diffs = compare(old, new, [j.slug for j in jurisdictions])
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, capture_output=True)
    print(
        f"exit codes: base {codes[0]}, working tree {codes[1]} (logs: {old.relative_to(ROOT)}/run.log, "
        f"{new.relative_to(ROOT)}/run.log)"
    )
    if codes[0] != codes[1]:
        diffs.append(f"the runs ended differently: exit {codes[0]} vs {codes[1]}")
    for d in diffs:
        print("DIFFERENT:", d)
    n = len(jurisdictions)
    print(f"{n} jurisdictions compared: " + ("identical" if not diffs else f"{len(diffs)} difference(s)"))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
