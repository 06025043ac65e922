"""The benchmark's sizes, methods and labels, and its data: the generated audits and the project that reads them."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from pipeline import ROOT

BENCH = ROOT / "bench"
GB = 1e9
MIN_FREE_FULL = 12 * GB  # before generating the 32-month files
MIN_FREE_REUSE = 5 * GB  # stage files, DuckDB spill and outputs when the files already exist
# The build's staging files, DuckDB's spill and outputs, per byte of CSV read: measured 8.2x (27 GB for the
# 3.3 GB of the 32 months, Nov 2026). A build is skipped, not started, when the disk has less than this.
BUILD_DISK_FACTOR = 4  # the 17.1M-row build raised used disk by 1.6x its CSV bytes (28 Nov 2026)

SIZES = {
    "1-month": {
        "rows": 733_000,
        "months": 1,
        "start": [2025, 12],
        "agencies": 3150,
        "seed": 20251201,
        "like": "one month, like Alvin ISD (Dec 2025)",
    },
    "32-months": {
        "rows": 17_135_439,
        "months": 32,
        "start": [2024, 1],
        "agencies": 5363,
        "seed": 20240101,
        "like": "32 months, like The Colony TX (Jan 2024 - Aug 2026)",
    },
}
# The scaling curve (`--scaling`): the build and validation at four sizes of one network audit (the 17.1M
# size is the full run's, so its files are shared).
SCALING = {
    "scale-1M": {
        "rows": 1_000_000,
        "months": 2,
        "start": [2024, 1],
        "agencies": 5363,
        "seed": 20240101,
        "like": "1M rows, two months",
    },
    "scale-4M": {
        "rows": 4_000_000,
        "months": 8,
        "start": [2024, 1],
        "agencies": 5363,
        "seed": 20240101,
        "like": "4M rows, eight months",
    },
    "32-months": SIZES["32-months"],
    "scale-34M": {
        "rows": 34_270_878,
        "months": 64,
        "start": [2021, 1],
        "agencies": 5363,
        "seed": 20240101,
        "like": "34.3M rows, 64 months (twice The Colony's release)",
    },
}
# validate runs on what pipeline_build wrote, so it follows it.
METHODS = ("floor_duckdb", "floor_pyarrow", "floor_write", "floor_typed", "naive_pandas", "pipeline_build", "validate")
SCALING_METHODS = ("floor_write", "pipeline_build", "validate")
E2E_METHODS = ("e2e_floor", "e2e_first", "e2e_rerun")
LABELS = {
    "floor_duckdb": "floor: DuckDB count(*) from read_csv",
    "floor_pyarrow": "floor: pyarrow streaming CSV, count rows",
    "floor_write": "write floor: DuckDB read_csv (all text) to Parquet",
    "floor_typed": "typed floor: read_csv + the build's typing SQL + repeats counted, to Parquet",
    "validate": "pipeline: validation (02_validate's checks)",
    "naive_pandas": "naive: pandas read_csv + str.contains",
    "pipeline_build": "pipeline: ingest + clean + classify",
    "e2e_floor": "whole-run floor: 3 kernels with the notebooks' imports + HTML, no data",
    "e2e_first": "pipeline: whole run (3 notebooks + HTML)",
    "e2e_rerun": "pipeline: rerun, nothing changed",
}
# What a reporter might type to find immigration-related reasons (the naive baseline).
NAIVE_PATTERN = r"\b(?:ice|immigration|deport\w*|hsi|ero|cbp|border patrol|usbp|287\(g\))\b"


# ------------------------------------------------------------------------------------------------
# Data
# ------------------------------------------------------------------------------------------------
def bench_slug(size: str) -> str:
    return f"bench-{size.lower()}"  # a slug is lower case (config.check_slug): scale-1M -> bench-scale-1m


def raw_dir(project: Path, size: str) -> Path:
    return project / "data" / "raw" / bench_slug(size)


def generator_params(spec: dict) -> dict:
    from tools.synth import AUDIT_CSV_VERSION

    return {
        "generator": "tools.synth.network_audit_csvs",
        "version": AUDIT_CSV_VERSION,
        **{k: spec[k] for k in ("rows", "months", "start", "agencies", "seed")},
    }


def existing_truth(raw: Path, params: dict) -> dict | None:
    """The truth of files generated earlier with the same parameters, if every file is there intact."""
    try:
        if json.loads((raw / "params.json").read_text()) != params:
            return None
        truth = json.loads((raw / "truth.json").read_text())
    except (OSError, ValueError):
        return None
    for f in truth["files"]:
        p = raw / f["file"]
        if not p.exists() or p.stat().st_size != f.get("bytes"):
            return None
    return truth


def ensure_data(project: Path, size: str, spec: dict, echo=print) -> dict:
    """Generate the files of one size unless the same parameters' files are already there."""
    from tools.synth import network_audit_csvs

    raw = raw_dir(project, size)
    params = generator_params(spec)
    truth = existing_truth(raw, params)
    if truth is not None:
        echo(f"{size}: reusing {len(truth['files'])} file(s), {truth['rows']:,} rows ({raw})")
        return {**truth, "generated_seconds": None}
    if raw.exists():
        shutil.rmtree(raw)
    raw.mkdir(parents=True)
    echo(f"{size}: generating {spec['rows']:,} rows in {spec['months']} monthly CSV file(s) -> {raw}")
    t0 = time.perf_counter()
    truth = network_audit_csvs(
        raw,
        rows=spec["rows"],
        months=spec["months"],
        start=tuple(spec["start"]),
        agencies=spec["agencies"],
        seed=spec["seed"],
        slug=bench_slug(size),
        progress=lambda m: echo(f"  {m}"),
    )
    for f in truth["files"]:
        f["bytes"] = (raw / f["file"]).stat().st_size
    seconds = time.perf_counter() - t0
    (raw / "truth.json").write_text(json.dumps(truth, indent=2) + "\n")
    (raw / "params.json").write_text(json.dumps(params, indent=2) + "\n")
    echo(f"{size}: generated in {seconds:.0f} s ({sum(f['bytes'] for f in truth['files']) / GB:.2f} GB)")
    return {**truth, "generated_seconds": round(seconds, 1)}


def write_project(project: Path, sizes: list[str]) -> None:
    """The throw-away project: jurisdictions.yml (one entry per size) and a copy of the notebooks."""
    import yaml

    entries = [
        {
            "slug": bench_slug(s),
            "name": f"Benchmark {s} (synthetic)",
            "producer": "The Colony TX PD (synthetic)",
            "log_kind": "network",
            "timezone": "America/Chicago",
            "producer_state": "TX",
            "synthetic": True,
            "inputs": ["SYNTHETIC_*.csv"],
        }
        for s in sizes
    ]
    text = "# Written by bench/bench.py: the benchmark's throw-away project (bench/README.md).\n" + yaml.safe_dump(
        {"jurisdictions": entries}, sort_keys=False
    )
    cfg = project / "jurisdictions.yml"
    if not cfg.exists() or cfg.read_text() != text:
        cfg.write_text(text)
    nb = project / "notebooks"
    nb.mkdir(parents=True, exist_ok=True)
    for src in sorted((ROOT / "notebooks").glob("*.ipynb")):
        dst = nb / src.name
        if not dst.exists() or dst.read_bytes() != src.read_bytes():  # unchanged copies keep their keys
            shutil.copyfile(src, dst)


def snapshot_code(dest: Path) -> Path:
    """Copy the pipeline package, the benchmark, the generator and expectations to `dest`: every method then
    runs the same code even while the work tree is being edited (and the rerun's content keys stay those of
    the first run)."""
    if dest.exists():
        shutil.rmtree(dest)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "pipeline", dest / "pipeline", ignore=ignore)
    shutil.copytree(ROOT / "tools", dest / "tools", ignore=ignore)
    (dest / "bench").mkdir()
    for f in (ROOT / "bench").glob("*.py"):
        shutil.copyfile(f, dest / "bench" / f.name)
    if (ROOT / "expectations").exists():
        shutil.copytree(ROOT / "expectations", dest / "expectations", ignore=ignore)
    return dest


def warm(files: list[Path]) -> float:
    """Read every file once so that every method finds them in the page cache."""
    t0 = time.perf_counter()
    for p in files:
        with open(p, "rb") as f:
            while f.read(1 << 24):
                pass
    return time.perf_counter() - t0


def clear_outputs(project: Path, slug: str) -> None:
    for p in [project / "data" / "processed" / slug, project / "reports" / slug]:
        shutil.rmtree(p, ignore_errors=True)
    for p in (project / "data" / "processed").glob(f".{slug}*"):
        shutil.rmtree(p, ignore_errors=True)
