"""Benchmark: how fast and how lean the pipeline reads network audits as large as real ones.

    python -m bench.bench              # full: 1 month (733,000 rows) and 32 months (17.1 M rows, 3.4 GB)
    python -m bench.bench --quick      # the machinery only: 200,000 rows, about two minutes
    python -m bench.bench --rows 20000 --no-e2e --out DIR    # what tests/test_bench.py runs

For each size, on the same files (generated once by tools.synth.network_audit_csvs and reused), with
the page cache warm (every file is read once first), each method runs in a fresh Python process:

  floor_duckdb    DuckDB  SELECT count(*) FROM read_csv([...])           the fastest plain read
  floor_pyarrow   pyarrow streaming CSV reader, counting rows            (the floor is the faster of the two)
  floor_write     DuckDB  COPY (SELECT * FROM read_csv([...], all_varchar)) TO parquet   reading every cell, writing it
  floor_typed     floor_write's reader feeding the build's own typing SQL, repeats counted, to Parquet (no
                  citations, checks, de-duplication or enrichment: what typing alone costs)
  naive_pandas    pd.concat(pd.read_csv(f) for f in files) + Reason.str.contains(regex)
  pipeline_build  pipeline.clean.build.build(j): ingest + clean + classify -> searches.parquet
  e2e_first       pipeline.run.runner.run([slug]): three notebooks executed and rendered to HTML (one month)
  e2e_rerun       the same again with nothing changed

Seconds are the method's own work inside its process (Python start-up and imports excluded; the whole
process's wall time is kept in results.json as process_seconds). Peak RSS is the larger of the process's
own high-water mark (VmHWM from /proc/self/status, read by the child as it ends: exact for one process;
ru_maxrss from wait4 is kept too, but on Linux it also holds the forking parent's peak) and the largest
sum of RSS over the process and all its descendants sampled every 0.1 s with psutil (the notebooks run
in kernels of their own).

Writes results.json and RESULTS.md (bench/ for the full run; bench/data/<mode>/ otherwise). See
bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
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
def _slug(size: str) -> str:
    return f"bench-{size.lower()}"  # a slug is lower case (config.check_slug): scale-1M -> bench-scale-1m


def _raw_dir(project: Path, size: str) -> Path:
    return project / "data" / "raw" / _slug(size)


def _params(spec: dict) -> dict:
    from tools.synth import AUDIT_CSV_VERSION

    return {
        "generator": "tools.synth.network_audit_csvs",
        "version": AUDIT_CSV_VERSION,
        **{k: spec[k] for k in ("rows", "months", "start", "agencies", "seed")},
    }


def _existing(raw: Path, params: dict) -> dict | None:
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

    raw = _raw_dir(project, size)
    params = _params(spec)
    truth = _existing(raw, params)
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
        slug=_slug(size),
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
            "slug": _slug(s),
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


def _clear_outputs(project: Path, slug: str) -> None:
    for p in [project / "data" / "processed" / slug, project / "reports" / slug]:
        shutil.rmtree(p, ignore_errors=True)
    for p in (project / "data" / "processed").glob(f".{slug}*"):
        shutil.rmtree(p, ignore_errors=True)


# ------------------------------------------------------------------------------------------------
# Measuring one method in its own process
# ------------------------------------------------------------------------------------------------
def _cpu_pressure() -> tuple[float | None, int | None]:
    """(share of the last 10 s in which some task waited for a CPU, cumulative microseconds) from PSI."""
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0].split()
        kv = dict(x.split("=") for x in line[1:])
        return float(kv["avg10"]), int(kv["total"])
    except (OSError, ValueError, KeyError, IndexError):
        return None, None


def wait_quiet(max_wait: float, threshold: float = 25.0, echo=print) -> float:
    """Wait (at most max_wait s) until other jobs leave the CPUs mostly free (PSI cpu some avg10 < threshold)."""
    t0 = time.perf_counter()
    said = False
    while time.perf_counter() - t0 < max_wait:
        avg10, _ = _cpu_pressure()
        if avg10 is None or avg10 < threshold:
            break
        if not said:
            echo(f"  (waiting up to {max_wait:.0f} s for other jobs to leave the CPUs: pressure {avg10:.0f} %)")
            said = True
        time.sleep(2)
    return time.perf_counter() - t0


def measure(method: str, args: dict, log: Path, code: Path = ROOT, disk: Path | None = None) -> dict:
    """Run `python -m bench.bench _child METHOD ARGS OUT` (the pipeline imported from `code`) and measure
    it from outside."""
    import psutil

    out = log.with_suffix(".json")
    out.unlink(missing_ok=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(code)]
        + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and Path(p).resolve() != ROOT.resolve()]
    )
    cmd = [sys.executable, "-m", "bench.bench", "_child", method, json.dumps(args), str(out)]
    load = os.getloadavg()[0]
    psi10, psi0 = _cpu_pressure()
    samples: list[tuple[float, int]] = []
    disk_used = [shutil.disk_usage(disk).used] if disk else []
    stop = threading.Event()
    t0, wall0 = time.perf_counter(), time.time()
    with open(log, "w") as lf:
        proc = subprocess.Popen(cmd, stdout=lf, stderr=subprocess.STDOUT, env=env, cwd=str(code))

    def poll():
        try:
            top = psutil.Process(proc.pid)
        except psutil.Error:
            return
        while not stop.is_set():
            try:
                procs = [top] + top.children(recursive=True)
            except psutil.Error:
                break
            rss = 0
            for q in procs:
                try:
                    rss += q.memory_info().rss
                except psutil.Error:
                    pass
            samples.append((time.time(), rss))
            if disk and len(samples) % 5 == 0:
                disk_used.append(shutil.disk_usage(disk).used)
            stop.wait(0.1)

    th = threading.Thread(target=poll, daemon=True)
    th.start()
    _, status, usage = os.wait4(proc.pid, 0)
    process_seconds = time.perf_counter() - t0
    _, psi1 = _cpu_pressure()
    stop.set()
    th.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    maxrss = usage.ru_maxrss * 1024  # Linux: kilobytes
    sampled = max((r for _, r in samples), default=0)
    rec = {
        "method": method,
        "process_seconds": round(process_seconds, 3),
        "exit_code": proc.returncode,
        "ru_maxrss": maxrss,
        "sampled_peak_rss": sampled,
        "peak_rss": max(maxrss, sampled),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_extra_disk": (max(disk_used) - disk_used[0]) if disk_used else None,
        "load_average_1m_before": round(load, 2),
        "cpu_pressure_avg10_before": psi10,
        "cpu_pressure_during": (
            round((psi1 - psi0) / 1e6 / process_seconds, 3) if psi0 is not None and psi1 is not None else None
        ),
        "started_at": wall0,
        "log": str(log),
    }
    try:
        rec.update(json.loads(out.read_text()))
    except (OSError, ValueError):
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        rec.update(ok=False, error=f"the method's process exited {proc.returncode} without a result", log_tail=tail)
    # ru_maxrss from wait4 also holds this (forking) process's own peak on Linux, so the child's own VmHWM
    # is used where there is one; the sampled sum covers the process tree (the notebooks' kernels).
    own = rec.get("vm_hwm") or maxrss
    rec["peak_rss"] = max(own, sampled)
    if "events" in rec:
        rec["stage_peaks"] = _stage_peaks(rec["events"], samples, wall0 + process_seconds)
    return rec


def _stage_peaks(events: list, samples: list, end: float) -> list:
    """Peak RSS (sampled) between each progress message of the child and the next."""
    out = []
    for i, (t, msg) in enumerate(events):
        t_next = events[i + 1][0] if i + 1 < len(events) else end
        peak = max((r for s, r in samples if t <= s <= t_next), default=None)
        out.append(peak)
    return out


# ------------------------------------------------------------------------------------------------
# The methods (run inside the child process)
# ------------------------------------------------------------------------------------------------
def _files_sql(files: list[str]) -> str:
    return "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"


def child_floor_duckdb(a: dict) -> dict:
    import duckdb

    con = duckdb.connect()
    t0 = time.perf_counter()
    n = con.execute(
        f"SELECT count(*) FROM read_csv({_files_sql(a['files'])}, header = true, all_varchar = true)"
    ).fetchone()[0]
    seconds = time.perf_counter() - t0
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    return {"seconds": seconds, "rows": int(n), "duckdb_threads": threads, "duckdb_version": duckdb.__version__}


def child_floor_write(a: dict) -> dict:
    """The write floor: read every cell as text and write the table, DuckDB's parallel reader and writer."""
    import duckdb
    import pyarrow.parquet as pq

    tmp = Path(a["tmp"])
    tmp.mkdir(parents=True, exist_ok=True)
    target = tmp / "floor.parquet"
    con = duckdb.connect()
    con.execute(f"SET temp_directory = '{tmp}'")
    t0 = time.perf_counter()
    con.execute(
        f"COPY (SELECT * FROM read_csv({_files_sql(a['files'])}, header = true, all_varchar = true)) "
        f"TO '{target}' (FORMAT parquet)"
    )
    seconds = time.perf_counter() - t0
    rows, size = pq.ParquetFile(target).metadata.num_rows, target.stat().st_size
    target.unlink()
    return {
        "seconds": seconds,
        "rows": rows,
        "parquet_bytes": size,
        "duckdb_threads": con.execute("SELECT current_setting('threads')").fetchone()[0],
    }


def child_floor_typed(a: dict) -> dict:
    """The typed floor: what the build's own typing costs with nothing else around it. DuckDB's parallel
    reader (all text) feeds the build's typing statement (clean.searches._parse: times, counts, the cleaned
    reason, the search key, why rejected), the repeated search keys are counted, and the typed rows are
    written to Parquet. Left out, and so not a build: record and line numbers (citations), the readers'
    checks and the exact reader, raw-file hashes, de-duplication, reconciliation, the enrichment rules,
    matches, the pseudonyms and the manifest."""
    import types
    from pipeline.clean import searches
    from pipeline.config import load
    from pipeline.ingest.csv_reader import header_map
    from pipeline.ingest.headers import CANONICAL
    from pipeline.io.db import connect, identifier, literal

    tmp = Path(a["tmp"])
    tmp.mkdir(parents=True, exist_ok=True)
    target = tmp / "typed.parquet"
    j = next(x for x in load(Path(a["root"]) / "jurisdictions.yml", root=Path(a["root"])) if x.slug == a["slug"])
    hmap = header_map(Path(a["files"][0]), "utf-8", a["files"][0])  # the bench's files share one header
    cols = [f"{identifier(name)} AS {c}" for name, c in zip(hmap.released, hmap.columns) if c]
    con = connect(tmp)
    t0 = time.perf_counter()
    con.execute(f"""CREATE VIEW staged AS SELECT 0 AS source_index, 0 AS source_row, 0 AS source_line,
        NULL::VARCHAR AS reject_reason, {", ".join(cols)},
        {", ".join(f"NULL::VARCHAR AS {c}" for c in CANONICAL if c not in hmap.present)}
        FROM read_csv({_files_sql(a["files"])}, header = true, all_varchar = true)""")
    searches._parse(con, [types.SimpleNamespace(schema=hmap.schema)], searches.CellSql.of(j))
    repeated = con.execute(
        "SELECT count(*) FROM (SELECT search_key FROM parsed WHERE reject IS NULL GROUP BY 1 HAVING count(*) > 1)"
    ).fetchone()[0]
    con.execute(f"COPY parsed TO {literal(str(target))} (FORMAT parquet)")
    seconds = time.perf_counter() - t0
    rows = con.execute(f"SELECT count(*) FROM read_parquet({literal(str(target))})").fetchone()[0]
    size = target.stat().st_size
    target.unlink()
    return {"seconds": seconds, "rows": rows, "parquet_bytes": size, "repeated_keys": repeated}


def child_floor_pyarrow(a: dict) -> dict:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    t0 = time.perf_counter()
    n = 0
    for f in a["files"]:
        reader = pacsv.open_csv(
            f,
            read_options=pacsv.ReadOptions(block_size=1 << 24),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(column_types={}, strings_can_be_null=False),
        )
        for batch in reader:
            n += batch.num_rows
    return {
        "seconds": time.perf_counter() - t0,
        "rows": n,
        "pyarrow_version": pa.__version__,
        "cpu_count": pa.cpu_count(),
    }


def child_naive_pandas(a: dict) -> dict:
    import pandas as pd

    t0 = time.perf_counter()
    frames = [pd.read_csv(f) for f in a["files"]]
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    del frames
    read = time.perf_counter() - t0
    hits = df["Reason"].str.contains(NAIVE_PATTERN, case=False, regex=True, na=False)
    n_hits = int(hits.sum())
    return {
        "seconds": time.perf_counter() - t0,
        "rows": len(df),
        "read_seconds": read,
        "regex_hits": n_hits,
        "pandas_version": pd.__version__,
        "reason_dtype": str(df["Reason"].dtype),
    }


class _TimedCon:
    """A DuckDB connection that times every execute() (the statements of clean and enrich)."""

    def __init__(self, con, who: str, sql_times: dict):
        self._con, self._who, self._sql = con, who, sql_times

    def execute(self, query, *args, **kw):
        t = time.perf_counter()
        try:
            return self._con.execute(query, *args, **kw)
        finally:
            label = f"{self._who}: " + " ".join(str(query).split())[:100]
            d = self._sql.setdefault(label, [0.0, 0])
            d[0] += time.perf_counter() - t
            d[1] += 1

    def __getattr__(self, name):
        return getattr(self._con, name)


class _DuckShim:
    def __init__(self, module, who: str, sql_times: dict):
        self._m, self._who, self._sql = module, who, sql_times

    def connect(self, *args, **kw):
        return _TimedCon(self._m.connect(*args, **kw), self._who, self._sql)

    def __getattr__(self, name):
        return getattr(self._m, name)


def _instrument(timers: dict, sql_times: dict) -> list[str]:
    """Time the pipeline's own steps from outside (module attributes wrapped; nothing in pipeline/ changes).
    Returns the names wrapped; a name the current code does not have is left out."""
    import functools
    import importlib
    import inspect

    import duckdb

    done = []

    def wrap(modname, attr, label):
        try:
            mod = importlib.import_module(modname)
        except ImportError:
            return
        owner, name = mod, attr
        if "." in attr:
            cls, name = attr.split(".")
            owner = getattr(mod, cls, None)
        f = getattr(owner, name, None) if owner is not None else None
        if f is None or not callable(f) or inspect.isgeneratorfunction(f) or inspect.isclass(f):
            return

        @functools.wraps(f)
        def timed(*a, **k):
            t = time.perf_counter()
            try:
                return f(*a, **k)
            finally:
                d = timers.setdefault(label, [0.0, 0])
                d[0] += time.perf_counter() - t
                d[1] += 1

        setattr(owner, name, timed)
        done.append(f"{modname}.{attr}")

    wrap("pipeline.ingest", "sha256_file", "ingest: SHA-256 of raw files")
    wrap("pipeline.io.keys", "sha256_file", "ingest: SHA-256 of raw files (and of code files, for content keys)")
    wrap("pipeline.ingest.csv_reader", "scan_text", "ingest: scan text (encoding, quotes)")
    wrap("pipeline.ingest.csv_reader", "header_map", "ingest: header")
    wrap("pipeline.ingest.csv_reader", "build_batch", "ingest: build staging batches")
    wrap("pipeline.ingest.csv_reader", "reject_marks", "ingest: row marks (repeated headers, blank rows)")
    wrap("pipeline.ingest.csv_reader", "extra_json", "ingest: extra columns as JSON")
    wrap("pipeline.ingest.stage", "StageWriter.write", "ingest: write staging Parquet")
    wrap("pipeline.ingest.stage", "StageWriter.close", "ingest: write staging Parquet")
    wrap("pipeline.clean.build", "check_inputs", "build: check inputs")
    wrap("pipeline.clean.build", "clean", "clean (total)")
    wrap("pipeline.clean.build", "enrich", "enrich: rules re-applied to reused searches (total)")
    wrap("pipeline.enrich.apply", "Enrichment.__init__", "clean: rules over distinct reasons, searchers, agencies")
    wrap("pipeline.enrich.apply", "Enrichment.write", "clean: ordered scan, apply rules, write searches.parquet")
    wrap("pipeline.enrich.apply", "Enrichment.write_matches", "clean: write matches.parquet")
    wrap("pipeline.clean.build", "sha256_file", "build: SHA-256 of outputs (manifest)")
    wrap("pipeline.clean.build", "pipeline_version", "build: git commit (manifest)")
    wrap("pipeline.clean.build", "package_versions", "build: package versions (manifest)")
    wrap("pipeline.enrich.apply", "identify_many", "enrich: agency rules (Python)")
    try:  # every stage connects through pipeline.io.db
        db = importlib.import_module("pipeline.io.db")
    except ImportError:
        db = None
    if getattr(db, "duckdb", None) is duckdb:
        db.duckdb = _DuckShim(duckdb, "duckdb", sql_times)
        done.append("pipeline.io.db.duckdb")
    return done


def _load_j(a: dict):
    from pipeline.config import load, select

    (j,) = select(load(None, root=Path(a["root"])), [a["slug"]])
    return j


def _build_kwargs() -> dict:
    import inspect

    from pipeline.clean.build import build

    return {"force": True} if "force" in inspect.signature(build).parameters else {}


def child_pipeline_build(a: dict) -> dict:
    from pipeline.clean.build import build

    timers: dict = {}
    sql_times: dict = {}
    instrumented = _instrument(timers, sql_times)
    j = _load_j(a)
    events: list = []

    def progress(msg):
        events.append([time.time(), str(msg)])
        print(msg, flush=True)

    t0 = time.perf_counter()
    events.append([time.time(), "(start)"])
    manifest = build(j, progress=progress, **_build_kwargs())
    seconds = time.perf_counter() - t0
    totals = manifest.get("totals", {})
    return {
        "seconds": seconds,
        "rows": totals.get("rows_read"),
        "searches": totals.get("searches"),
        "duplicates": totals.get("duplicates"),
        "rejected": totals.get("rejected"),
        "conflicting_searches": totals.get("conflicting_searches"),
        "readers": sorted({s.get("reader") or "?" for s in manifest.get("sources", [])}),
        "enrichment": manifest.get("enrichment"),
        "events": events,
        "timers": timers,
        "sql": sql_times,
        "instrumented": instrumented,
        "memory_limit_env": os.environ.get("PIPELINE_MEMORY_LIMIT"),
    }


def child_validate(a: dict) -> dict:
    """02_validate's checks (pipeline.validate.checks.run) on what the build wrote; the digest of
    validation.json without its timings tells two runs' results apart."""
    import hashlib

    from pipeline.validate.checks import run

    j = _load_j(a)
    t0 = time.perf_counter()
    out = run(j)
    seconds = time.perf_counter() - t0
    same = {k: v for k, v in out.items() if k != "seconds"}
    digest = hashlib.sha256(json.dumps(same, sort_keys=True, default=str).encode()).hexdigest()
    return {
        "seconds": seconds,
        "rows": out.get("rows_validated"),
        "verdict": out.get("verdict"),
        "slices": out.get("slices"),
        "validation_digest": digest,
        "own_seconds": out.get("seconds"),
    }


def child_engine_check(a: dict) -> dict:
    """The classifier's answers in DuckDB (what searches/matches.parquet hold) against Python's `re`
    (classify_text), for every distinct reason of the release: categories, immigration type, era,
    and every reported match (rule, span, matched text)."""
    import duckdb

    from pipeline.enrich.classify import classify_text, load_registry

    t0 = time.perf_counter()
    out = Path(a["root"]) / "data" / "processed" / a["slug"]
    con = duckdb.connect()
    s, m = str(out / "searches.parquet"), str(out / "matches.parquet")
    classes = con.execute(f"""
        SELECT DISTINCT reason_clean, immigration, immigration_type, reason_categories, reason_era
        FROM read_parquet('{s}')""").fetchall()
    matches: dict = {}
    for reason, rule, cat, start, end, text in con.execute(f"""
            SELECT DISTINCT s.reason_clean, m.rule_id, m.category, m.span_start, m.span_end, m.matched_text
            FROM read_parquet('{m}') m JOIN read_parquet('{s}') s USING (search_key)""").fetchall():
        matches.setdefault(reason, set()).add((rule, cat, start, end, text))
    counts = con.execute(f"""
        SELECT count(*) FILTER (WHERE immigration), count(*) FILTER (WHERE immigration_type = 'civil'),
               count(*) FILTER (WHERE immigration_type = 'criminal'),
               count(*) FILTER (WHERE immigration_type = 'unspecified'), count(*)
        FROM read_parquet('{s}')""").fetchone()
    registry = load_registry()
    mismatches = []
    seen = set()
    for reason, imm, imm_type, cats, era in classes:
        if reason in seen:
            mismatches.append({"reason": reason, "why": "two different classes for one reason"})
            continue
        seen.add(reason)
        py = classify_text(reason, registry)
        py_matches = {
            (x["rule_id"], x["category"], x["span_start"], x["span_end"], x["matched_text"]) for x in py["matches"]
        }
        got = (bool(imm), imm_type, sorted(cats or []), era)
        want = (py["immigration"], py["immigration_type"], py["reason_categories"], py["reason_era"])
        if got != want or matches.get(reason, set()) != py_matches:
            mismatches.append(
                {
                    "reason": reason,
                    "duckdb": [got, sorted(matches.get(reason, set()))],
                    "python": [want, sorted(py_matches)],
                }
            )
    return {
        "seconds": time.perf_counter() - t0,
        "distinct_reasons": len(classes),
        "mismatches": len(mismatches),
        "examples": mismatches[:5],
        "immigration": {"searches": counts[0], "civil": counts[1], "criminal": counts[2], "unspecified": counts[3]},
        "searches": counts[4],
    }


def child_profile(a: dict) -> dict:
    import cProfile
    import pstats

    from pipeline.clean.build import build

    j = _load_j(a)
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    build(j, progress=lambda m: None, **_build_kwargs())
    prof.disable()
    seconds = time.perf_counter() - t0
    prof.dump_stats(a["stats"])
    st = pstats.Stats(prof)
    rows = []
    for (file, line, func), (cc, nc, tt, ct, _) in st.stats.items():
        rows.append(
            {
                "function": _short(file, line, func),
                "calls": nc,
                "own_seconds": round(tt, 3),
                "cumulative_seconds": round(ct, 3),
            }
        )
    by_own = sorted(rows, key=lambda r: -r["own_seconds"])[:15]
    by_cum = sorted(rows, key=lambda r: -r["cumulative_seconds"])[:25]
    return {"seconds": seconds, "by_own_time": by_own, "by_cumulative_time": by_cum, "stats_file": a["stats"]}


def _short(file: str, line: int, func: str) -> str:
    if file == "~":
        return func
    p = file.replace(str(ROOT) + os.sep, "")
    if "site-packages" + os.sep in p:
        p = p.split("site-packages" + os.sep, 1)[1]
    elif os.sep + "lib" + os.sep + "python" in p:
        p = "stdlib " + Path(p).name
    return f"{p}:{line}({func})"


def child_e2e(a: dict) -> dict:
    from pipeline.run.runner import run

    lines: list[str] = []

    def echo(msg=""):
        lines.append(str(msg))
        print(msg, flush=True)

    def version():
        try:
            from pipeline.io.keys import code_version

            return code_version()
        except ImportError:
            return None

    before = version()
    t0 = time.perf_counter()
    code = run([a["slug"]], root=Path(a["root"]), jobs=1, echo=echo)
    seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "rows": a.get("rows"),
        "exit_code_run": code,
        "lines": lines[:60],
        "code_version_before": before,
        "code_version_after": version(),
    }


# What each notebook must import before it computes anything (its first cells' imports, and for 03 the
# first chart vl-convert draws): the whole-run floor runs only these, in the same kernels, with the same HTML.
E2E_FLOOR_CELLS = {
    "01_clean": "import pandas, pyarrow, duckdb\nfrom pipeline.report import show\nfrom pipeline.clean.build import build",
    "02_validate": "from pipeline.report import show\nfrom pipeline.validate import checks, tables\n"
    "import great_expectations",
    "03_analyze": "import pandas as pd\nfrom pipeline.report import show\nfrom pipeline.analyze import facts, tables, charts, changes\n"
    "from pipeline.io import publish\n"
    "d = charts.draw(charts.immigration_types(pd.DataFrame({'immigration_type': ['civil', 'criminal', "
    "'unspecified'], 'searches': [1, 2, 3]}), jurisdiction_name='x', synthetic=True))",
}


def child_e2e_floor(a: dict) -> dict:
    """The whole-run floor: the fixed costs of a run, with no data. Three notebooks that hold only the imports
    of the real ones (E2E_FLOOR_CELLS) run one after the other in the runner's own kernels (kernels.py) and
    are rendered to HTML by its own renderer, as the whole run does."""
    import nbformat
    from pipeline.report.render import render_notebook
    from pipeline.run.kernels import execute_notebook

    work = Path(a["tmp"]) / "e2e-floor"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    t0 = time.perf_counter()
    timings = {}
    for name, code in E2E_FLOOR_CELLS.items():
        t = time.perf_counter()
        nb = nbformat.v4.new_notebook()
        nb.cells = [
            nbformat.v4.new_code_cell("jurisdiction = ''", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell(code),
        ]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        source = work / f"{name}.source.ipynb"
        nbformat.write(nb, source)
        execute_notebook(source, work / f"{name}.ipynb", parameters={"jurisdiction": "floor"}, cwd=Path(a["root"]))
        render_notebook(work / f"{name}.ipynb", work, synthetic=True, jurisdiction_name="floor")
        timings[name] = round(time.perf_counter() - t, 2)
    return {"seconds": time.perf_counter() - t0, "rows": None, "timings": timings}


CHILDREN = {
    "floor_duckdb": child_floor_duckdb,
    "floor_pyarrow": child_floor_pyarrow,
    "naive_pandas": child_naive_pandas,
    "pipeline_build": child_pipeline_build,
    "floor_write": child_floor_write,
    "floor_typed": child_floor_typed,
    "validate": child_validate,
    "engine_check": child_engine_check,
    "profile": child_profile,
    "e2e_first": child_e2e,
    "e2e_rerun": child_e2e,
    "e2e_floor": child_e2e_floor,
}


def _vm_hwm() -> int | None:
    """This process's peak resident set size (VmHWM; its own, since exec: a forking parent's is not in it)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _child_main(argv: list[str]) -> int:
    from .bench_pdf import CHILDREN as PDF_CHILDREN

    method, args, out = argv[0], json.loads(argv[1]), Path(argv[2])
    result = {**CHILDREN, **PDF_CHILDREN}[method](args)
    result.setdefault("ok", True)
    result["vm_hwm"] = _vm_hwm()
    out.write_text(json.dumps(result, default=str))
    return 0


# ------------------------------------------------------------------------------------------------
# Orchestration
# ------------------------------------------------------------------------------------------------
def machine() -> dict:
    import duckdb
    import pandas
    import psutil
    import pyarrow

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = bool(
            subprocess.run(
                ["git", "status", "--porcelain", "--", "pipeline", "notebooks"],
                cwd=ROOT,
                capture_output=True,
                text=True,
            ).stdout.strip()
        )
    except OSError:
        commit, dirty = None, None
    return {
        "cores": os.cpu_count(),
        "memory_bytes": psutil.virtual_memory().total,
        "cpu": cpu,
        "python": platform.python_version(),
        "os": platform.platform(),
        "duckdb": duckdb.__version__,
        "pyarrow": pyarrow.__version__,
        "pandas": pandas.__version__,
        "git_commit": commit,
        "uncommitted_changes": dirty,
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }


def run_bench(
    sizes: dict,
    *,
    out_dir: Path,
    data_dir: Path,
    e2e_size: str | None,
    profile_size: str | None,
    repeat: int = 1,
    snapshot: bool = True,
    quiet_wait: float = 0.0,
    echo=print,
    methods: tuple = METHODS,
) -> dict:
    project = data_dir / "project"
    logs = data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    project.mkdir(parents=True, exist_ok=True)
    # Disk: refuse politely before writing gigabytes.
    free = shutil.disk_usage(data_dir).free
    missing = [s for s, spec in sizes.items() if _existing(_raw_dir(project, s), _params(spec)) is None]
    need_rows = sum(sizes[s]["rows"] for s in sizes)
    need = (
        MIN_FREE_FULL if (missing and need_rows > 5_000_000) else (MIN_FREE_REUSE if need_rows > 5_000_000 else 1 * GB)
    )
    if free < need:
        raise SystemExit(
            f"bench: only {free / GB:.1f} GB free under {data_dir}; the benchmark needs at least "
            f"{need / GB:.0f} GB here ({'to generate the files and ' if missing else ''}for staging, "
            f"spill and outputs). Free some space (or point --data elsewhere) and try again."
        )
    results: dict = {
        "machine": machine(),
        "settings": {
            "sizes": sizes,
            "repeat": repeat,
            "e2e_size": e2e_size,
            "profile_size": profile_size,
            "naive_pattern": NAIVE_PATTERN,
            "page_cache": "warm: every file read once before each size's methods",
            "seconds": "the method's own work inside its process (start-up and imports excluded)",
            "peak_rss": "max(the process's own VmHWM, read by it at the end; sampled sum of RSS over its process tree)",
            "PIPELINE_MEMORY_LIMIT": os.environ.get("PIPELINE_MEMORY_LIMIT"),
        },
        "data": {},
        "runs": [],
        "checks": {},
        "profile": None,
    }
    echo(
        f"machine: {results['machine']['cores']} cores, {results['machine']['memory_bytes'] / GB:.0f} GB, "
        f"{results['machine']['cpu']}; load {os.getloadavg()[0]:.2f}"
    )
    for size, spec in sizes.items():
        results["data"][size] = ensure_data(project, size, spec, echo)
    write_project(project, list(sizes))
    code = snapshot_code(data_dir / "code") if snapshot else ROOT
    results["settings"]["code"] = (
        "a copy of pipeline/ and expectations/ taken at the start (" + str(code) + ")"
        if snapshot
        else "the work tree as it is"
    )
    results["settings"]["quiet_wait"] = quiet_wait

    def run(method, args, log):
        waited = wait_quiet(quiet_wait, echo=echo) if quiet_wait else 0.0
        rec = measure(method, args, log, code, disk=data_dir)
        rec["waited_for_quiet_seconds"] = round(waited, 1)
        return rec

    def record(rec, size):
        rec["size"] = size
        results["runs"].append(rec)
        status = "ok" if rec.get("ok") else f"FAILED ({rec.get('error', '')})"
        echo(
            f"  {rec['method']:<15} {size:<10} {rec.get('seconds', float('nan')):8.2f} s  "
            f"peak RSS {rec['peak_rss'] / GB:5.2f} GB  {status}"
        )
        _save(results, out_dir)

    for size in sizes:
        slug = _slug(size)
        truth = results["data"][size]
        files = [str(_raw_dir(project, size) / f["file"]) for f in truth["files"]]
        echo(f"{size}: warming the page cache ({sum(f['bytes'] for f in truth['files']) / GB:.2f} GB)")
        results["data"][size]["warm_seconds"] = round(warm(files), 1)
        for k in range(repeat):
            built = False
            for method in methods:
                if method == "validate" and not built:
                    record(
                        {
                            "method": method,
                            "ok": False,
                            "peak_rss": 0,
                            "repeat": k,
                            "error": "skipped: the build did not finish",
                        },
                        size,
                    )
                    continue
                if method == "pipeline_build":
                    _clear_outputs(project, slug)
                    in_bytes = sum(f["bytes"] for f in truth["files"])
                    free = shutil.disk_usage(data_dir).free
                    if free < BUILD_DISK_FACTOR * in_bytes:
                        record(
                            {
                                "method": method,
                                "ok": False,
                                "peak_rss": 0,
                                "repeat": k,
                                "error": f"skipped: {free / GB:.0f} GB free, and the build of {in_bytes / GB:.1f} GB of CSV "
                                f"may need {BUILD_DISK_FACTOR * in_bytes / GB:.0f} GB (staging, DuckDB spill, outputs)",
                            },
                            size,
                        )
                        continue
                args = {"files": files, "root": str(project), "slug": slug, "tmp": str(data_dir / "tmp-floor")}
                rec = run(method, args, logs / f"{size}.{method}.{k}.log")
                rec["repeat"] = k
                rec["load_average"] = Path("/proc/loadavg").read_text().split()[:3]
                built = built or (method == "pipeline_build" and bool(rec.get("ok")))
                record(rec, size)
        if "pipeline_build" not in methods:
            continue
        check = measure("engine_check", {"root": str(project), "slug": slug}, logs / f"{size}.engine_check.log", code)
        results["checks"][size] = check
        reasons = check.get("distinct_reasons")
        echo(
            f"  engines agree on {reasons:,} distinct reasons: {check.get('mismatches') == 0} "
            f"({check.get('mismatches')} mismatches)"
            if reasons is not None
            else f"  engines not compared: {check.get('error', 'the check gave no result')}"
        )
        _save(results, out_dir)
    if profile_size:
        slug = _slug(profile_size)
        _clear_outputs(project, slug)
        echo(f"{profile_size}: profiling the build under cProfile")
        results["profile"] = measure(
            "profile",
            {"root": str(project), "slug": slug, "stats": str(logs / f"{profile_size}.build.prof")},
            logs / f"{profile_size}.profile.log",
            code,
        )
        results["profile"]["size"] = profile_size
        _save(results, out_dir)
    if e2e_size:
        slug = _slug(e2e_size)
        _clear_outputs(project, slug)
        rows = results["data"][e2e_size]["rows"]
        for method in E2E_METHODS:
            rec = run(
                method,
                {"root": str(project), "slug": slug, "rows": rows, "tmp": str(data_dir / "tmp-floor")},
                logs / f"{e2e_size}.{method}.log",
            )
            rec["ok"] = rec.get("ok", False) and rec.get("exit_code_run") == (None if method == "e2e_floor" else 0)
            if rec.get("exit_code_run") not in (0, None):
                rec["error"] = f"pipeline run exited {rec.get('exit_code_run')}"
            record(rec, e2e_size)
    _finish(results)
    if methods == SCALING_METHODS:
        results["scaling"] = scaling_curve(results)
        write_json_file(BENCH / "scaling.json", results["scaling"])  # the full run's RESULTS.md shows it
    elif (BENCH / "scaling.json").exists():
        results["scaling"] = json.loads((BENCH / "scaling.json").read_text())
    _save(results, out_dir)
    (out_dir / "RESULTS.md").write_text(markdown(results) + _other_benches(out_dir / "RESULTS.md"))
    echo(f"results: {out_dir / 'results.json'} and {out_dir / 'RESULTS.md'}")
    return results


def write_json_file(path: Path, data) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=1, default=str) + "\n")
    os.replace(tmp, path)


def _save(results: dict, out_dir: Path) -> None:
    tmp = out_dir / "results.json.tmp"
    tmp.write_text(json.dumps(results, indent=1, default=str) + "\n")
    os.replace(tmp, out_dir / "results.json")


def _best(results: dict, method: str, size: str) -> dict | None:
    runs = [r for r in results["runs"] if r["method"] == method and r["size"] == size and r.get("ok")]
    return min(runs, key=lambda r: r["seconds"]) if runs else None


def _finish(results: dict) -> None:
    """Rows per second, the floor of each size, each run's ratio to it, the targets and the checks."""
    floors = {}
    for size in results["settings"]["sizes"]:
        cands = [r for r in (_best(results, "floor_duckdb", size), _best(results, "floor_pyarrow", size)) if r]
        if cands:
            f = min(cands, key=lambda r: r["seconds"])
            floors[size] = {"method": f["method"], "seconds": f["seconds"], "peak_rss": f["peak_rss"]}
    results["floors"] = floors
    results["write_floors"] = {
        size: {"seconds": w["seconds"], "peak_rss": w["peak_rss"]}
        for size in results["settings"]["sizes"]
        if (w := _best(results, "floor_write", size))
    }
    for r in results["runs"]:
        if r.get("ok") and r.get("seconds"):
            if r.get("rows"):
                r["rows_per_second"] = r["rows"] / r["seconds"]
            if r["size"] in floors:
                r["ratio_to_floor"] = r["seconds"] / floors[r["size"]]["seconds"]
            if r["size"] in results["write_floors"]:
                r["ratio_to_write_floor"] = r["seconds"] / results["write_floors"][r["size"]]["seconds"]
            naive = _best(results, "naive_pandas", r["size"])
            if naive:
                r["ratio_to_naive"] = r["seconds"] / naive["seconds"]
    results["targets"] = targets(results)
    checks = []
    for size, truth in results["data"].items():
        for r in results["runs"]:
            if (
                r["size"] == size
                and r.get("ok")
                and r["method"]
                in ("floor_duckdb", "floor_pyarrow", "floor_write", "floor_typed", "naive_pandas", "pipeline_build")
            ):
                checks.append(
                    {
                        "check": f"{size}: {r['method']} counted every row of the files",
                        "ok": r.get("rows") == truth["rows"],
                        "got": r.get("rows"),
                        "want": truth["rows"],
                    }
                )
        b = _best(results, "pipeline_build", size)
        if b:
            checks.append(
                {
                    "check": f"{size}: searches kept = searches planted",
                    "ok": b.get("searches") == truth["searches"],
                    "got": b.get("searches"),
                    "want": truth["searches"],
                }
            )
            checks.append(
                {
                    "check": f"{size}: every file read by the fast reader (no exact-reader fallback)",
                    "ok": all(x.startswith("fast") for x in b.get("readers", [])),
                    "got": b.get("readers"),
                }
            )
        c = results["checks"].get(size)
        if c and c.get("ok"):
            checks.append(
                {
                    "check": f"{size}: immigration-related searches found = planted",
                    "ok": c["immigration"]
                    == {k: truth["immigration"][k] for k in ("searches", "civil", "criminal", "unspecified")},
                    "got": c["immigration"],
                    "want": truth["immigration"],
                }
            )
            checks.append(
                {
                    "check": f"{size}: DuckDB and Python classify all {c['distinct_reasons']:,} distinct "
                    "reasons identically (categories, type, era, every match and span)",
                    "ok": c["mismatches"] == 0,
                    "got": c["mismatches"],
                    "examples": c.get("examples"),
                }
            )
    results["correctness"] = checks


WRITE_FLOOR_FACTOR = 2.5  # issue 15: the build within 2.5x reading every cell and writing the table
BUILD_RSS = 2.5 * GB
VALIDATE_SECONDS = 60
E2E_SECONDS, RERUN_SECONDS = 20, 1


def targets(results: dict) -> list[dict]:
    sizes = results["settings"]["sizes"]
    big = max(sizes, key=lambda s: sizes[s]["rows"])
    note = "" if big == "32-months" else " (not the target size)"
    out = []
    wf = results.get("write_floors", {}).get(big)
    b = _best(results, "pipeline_build", big)
    n = _best(results, "naive_pandas", big)
    v = _best(results, "validate", big)
    typed = _best(results, "floor_typed", big)
    if b and wf:
        out.append(
            {
                "target": f"{big}: ingest + clean + classify within {WRITE_FLOOR_FACTOR}x the write floor{note}",
                "met": b["seconds"] <= WRITE_FLOOR_FACTOR * wf["seconds"],
                "measured": f"{b['seconds'] / wf['seconds']:.2f}x ({b['seconds']:.1f} s vs {wf['seconds']:.1f} s; "
                f"CPU {b['cpu_seconds']:.0f} s vs {_best(results, 'floor_write', big)['cpu_seconds']:.0f} s)"
                + (
                    f"; the typed floor alone (the build's typing SQL on DuckDB's parallel reader, "
                    f"no citation, check or enrichment) is {typed['seconds'] / wf['seconds']:.2f}x "
                    f"({typed['seconds']:.1f} s)"
                    if typed
                    else ""
                ),
            }
        )
    if b and n:
        out.append(
            {
                "target": f"{big}: no slower than the naive baseline{note}",
                "met": b["seconds"] <= n["seconds"],
                "measured": f"{b['seconds']:.1f} s vs {n['seconds']:.1f} s ({b['seconds'] / n['seconds']:.2f}x)",
            }
        )
    if b:
        out.append(
            {
                "target": f"{big}: build peak RSS under {BUILD_RSS / GB:.1f} GB{note}",
                "met": b["peak_rss"] < BUILD_RSS,
                "measured": f"{b['peak_rss'] / GB:.2f} GB",
            }
        )
    if v:
        out.append(
            {
                "target": f"{big}: validation within {VALIDATE_SECONDS} s{note}",
                "met": v["seconds"] <= VALIDATE_SECONDS,
                "measured": f"{v['seconds']:.1f} s (CPU {v['cpu_seconds']:.0f} s), peak RSS {v['peak_rss'] / GB:.2f} GB",
            }
        )
    e_size = results["settings"]["e2e_size"] or ""
    e1, e2 = _best(results, "e2e_first", e_size), _best(results, "e2e_rerun", e_size)
    e_note = "" if e_size == "1-month" else " (not the target size)"
    ef = _best(results, "e2e_floor", e_size)
    if e1:
        out.append(
            {
                "target": f"one month end to end (notebooks and HTML) under {E2E_SECONDS} s{e_note}",
                "met": e1["process_seconds"] < E2E_SECONDS,
                "measured": f"{e1['process_seconds']:.1f} s (CPU {e1['cpu_seconds']:.0f} s)"
                + (
                    f"; of which {ef['process_seconds']:.1f} s is the whole-run floor (three kernels "
                    "with the notebooks' imports and the HTML, no data)"
                    if ef
                    else ""
                ),
            }
        )
    if e2:
        out.append(
            {
                "target": f"rerun with nothing changed under {RERUN_SECONDS} s{e_note}",
                "met": e2["process_seconds"] < RERUN_SECONDS,
                "measured": f"{e2['process_seconds']:.1f} s",
            }
        )
    return out


# ------------------------------------------------------------------------------------------------
# Markdown
# ------------------------------------------------------------------------------------------------
def scaling_curve(results: dict) -> dict:
    """Seconds, CPU seconds and peak RSS of the build and of validation at each size, with the seconds per
    million rows (flat when time is linear) and each peak over the smallest size's (flat memory: near 1)."""
    rows = []
    for size, spec in results["settings"]["sizes"].items():
        row = {"size": size, "rows": spec["rows"]}
        for method in ("floor_write", "pipeline_build", "validate"):
            r = _best(results, method, size)
            if r:
                row[method] = {
                    "seconds": round(r["seconds"], 2),
                    "cpu_seconds": r["cpu_seconds"],
                    "peak_rss": r["peak_rss"],
                    "seconds_per_million_rows": round(r["seconds"] / spec["rows"] * 1e6, 3),
                    "cpu_seconds_per_million_rows": round(r["cpu_seconds"] / spec["rows"] * 1e6, 3),
                    "load_average": r.get("load_average"),
                }
        rows.append(row)
    return {"measured": results["machine"]["date"], "git_commit": results["machine"]["git_commit"], "sizes": rows}


def scaling_markdown(curve: dict | None) -> list[str]:
    if not curve:
        return []
    L = [
        "",
        "## Scaling curve",
        "",
        f"Measured {curve['measured']} at {curve['git_commit']} (`python -m bench "
        "--scaling`). Time is linear when the seconds per million rows stay flat; memory is bounded when the "
        "peak RSS does not grow with the rows.",
        "",
        "| size | rows | build s | build CPU s | s / M rows | build peak RSS | validate s | validate CPU s "
        "| s / M rows | validate peak RSS | write floor s | load average |",
        "|---|---:|" + "---:|" * 9 + "---|",
    ]
    for r in curve["sizes"]:
        b, v, w = r.get("pipeline_build") or {}, r.get("validate") or {}, r.get("floor_write") or {}
        f = lambda d, k, fmt: format(d[k], fmt) if k in d else "-"
        L.append(
            f"| {r['size']} | {r['rows']:,} | {f(b, 'seconds', '.1f')} | {f(b, 'cpu_seconds', '.0f')} | "
            f"{f(b, 'seconds_per_million_rows', '.2f')} | {_gb(b.get('peak_rss'))} | {f(v, 'seconds', '.1f')} | "
            f"{f(v, 'cpu_seconds', '.0f')} | {f(v, 'seconds_per_million_rows', '.2f')} | {_gb(v.get('peak_rss'))} | "
            f"{f(w, 'seconds', '.1f')} | {' '.join(b.get('load_average') or ['-'])} |"
        )
    return L


def _gb(b) -> str:
    return f"{b / GB:.2f} GB" if b else "-"


def _stage_table(rec: dict) -> list[str]:
    """Seconds between the build's progress messages (file names folded), with the peak RSS in each."""
    ev, peaks = rec.get("events") or [], rec.get("stage_peaks") or []
    if not ev:
        return []
    end = ev[0][0] + rec["seconds"]
    groups: dict[str, list] = {}
    for i, (t, msg) in enumerate(ev):
        t_next = ev[i + 1][0] if i + 1 < len(ev) else end
        key = _fold(msg)
        g = groups.setdefault(key, [0.0, 0, 0])
        g[0] += t_next - t
        g[1] += 1
        g[2] = max(g[2], peaks[i] or 0) if i < len(peaks) else g[2]
    total = sum(g[0] for g in groups.values()) or 1
    lines = [
        "| from the build's message (until the next one) | times | seconds | share | peak RSS |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, (s, k, p) in sorted(groups.items(), key=lambda kv: -kv[1][0]):
        lines.append(f"| {key} | {k} | {s:.1f} | {100 * s / total:.0f} % | {_gb(p)} |")
    return lines


def _fold(msg: str) -> str:
    import re

    msg = re.sub(r"SYNTHETIC_\S+?\.csv", "<file>", msg)
    msg = re.sub(r"\d[\d,]*(\.\d+)?", "N", msg)
    msg = msg.replace("|", "/")
    return ("`" + msg.strip()[:90] + "`") if msg != "(start)" else "(start: check inputs, hash the first file)"


def _other_benches(path: Path) -> str:
    """The blocks the corpus and explore benchmarks wrote into RESULTS.md (between their markers), kept."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    found = [m.group(0) for m in re.finditer(r"<!-- (\w+): begin -->.*?<!-- \1: end -->", old, flags=re.S)]
    return "".join("\n" + block + "\n" for block in found)


def markdown(results: dict) -> str:
    m = results["machine"]
    sizes = results["settings"]["sizes"]
    L = [
        "# Benchmark results",
        "",
        f"Measured {m['date']} on {m['cores']} cores, {m['memory_bytes'] / GB:.0f} GB RAM ({m['cpu']}), "
        f"Python {m['python']}, DuckDB {m['duckdb']}, pyarrow {m['pyarrow']}, pandas {m['pandas']}; code at "
        f"{m['git_commit']}{' with uncommitted changes' if m['uncommitted_changes'] else ''}. "
        "Machine-specific: the committed copy is the last full run on the project's machine; a run elsewhere "
        "rewrites it. How it is measured: [bench/README.md](README.md).",
        "",
        "Each method ran in a fresh process on the same files with the page cache warm. *Seconds* are the "
        "method's own work (Python start-up and imports excluded, except for the whole-run rows, which are the "
        "whole process); *peak RSS* is the process tree's; the *floor* is the faster plain read of the files "
        "(DuckDB or pyarrow). 1 GB = 10^9 bytes. *CPU s*: user + system time of the whole process tree "
        "(start-up included). *CPU pressure*: the share of the method's wall time in which some task on the "
        "machine waited for a CPU (Linux PSI); well above 0 % means other jobs were competing and the seconds "
        "are inflated. "
        + (
            f"Before each method the benchmark waited up to {results['settings']['quiet_wait']:.0f} s "
            "for the CPUs to be quiet. "
            if results["settings"].get("quiet_wait")
            else ""
        )
        + f"Code under test: {results['settings'].get('code', 'the work tree')}.",
        "",
    ]
    for size, truth in results["data"].items():
        L.append(
            f"- **{size}**: {sizes[size]['like']}; {truth['rows']:,} rows ({truth['searches']:,} searches, "
            f"{truth['duplicate_rows']:,} duplicate rows) in {len(truth['files'])} CSV file(s), "
            f"{sum(f['bytes'] for f in truth['files']) / GB:.2f} GB"
            + (
                f"; generated in {truth['generated_seconds']:.0f} s"
                if truth.get("generated_seconds")
                else "; generated earlier and reused"
            )
            + "."
        )
    L += [
        "",
        "## Results",
        "",
        "| method | size | rows | seconds | rows/s | peak RSS | ratio to floor | to write floor | to naive | CPU s "
        "| CPU pressure | load average |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results["runs"]:
        label = LABELS.get(r["method"], r["method"])
        if not r.get("ok"):
            L.append(f"| {label} | {r['size']} | - | FAILED | - | {_gb(r.get('peak_rss'))} | {r.get('error', '')} |")
            continue
        secs = r["process_seconds"] if r["method"].startswith("e2e") else r["seconds"]
        rows = f"{r['rows']:,}" if r.get("rows") else "-"
        rps = f"{r['rows'] / secs / 1e6:.2f} M" if r.get("rows") and secs else "-"
        ratio = f"{secs / results['floors'][r['size']]['seconds']:.2f}x" if r["size"] in results["floors"] else "-"
        floor_mark = " (floor)" if results["floors"].get(r["size"], {}).get("method") == r["method"] else ""
        pressure = r.get("cpu_pressure_during")
        pressure = f"{100 * pressure:.0f} %" if pressure is not None else "-"
        wf = f"{r['ratio_to_write_floor']:.2f}x" if r.get("ratio_to_write_floor") else "-"
        nv = f"{r['ratio_to_naive']:.2f}x" if r.get("ratio_to_naive") else "-"
        L.append(
            f"| {label}{floor_mark} | {r['size']} | {rows} | {secs:.2f} | {rps} | {_gb(r['peak_rss'])} | {ratio} "
            f"| {wf} | {nv} | {r['cpu_seconds']:.1f} | {pressure} | {' '.join(r.get('load_average') or ['-'])} |"
        )
    L += scaling_markdown(results.get("scaling"))
    L += ["", "## Targets (2 cores, 24 GB)", ""]
    for t in results["targets"]:
        L.append(f"- {'met' if t['met'] else '**NOT met**'}: {t['target']}: {t['measured']}")
    L += ["", "## Correctness checks", ""]
    for c in results.get("correctness", []):
        got = "" if c["ok"] else f" (got {c.get('got')}, want {c.get('want')})"
        L.append(f"- {'ok' if c['ok'] else '**FAILED**'}: {c['check']}{got}")
    n = [r for r in results["runs"] if r["method"] == "naive_pandas" and r.get("ok")]
    for r in n:
        c = results["checks"].get(r["size"], {})
        if c.get("immigration"):
            L.append(
                f"- for comparison only: the naive regex matched {r['regex_hits']:,} rows of {r['size']}; the "
                f"pipeline counts {c['immigration']['searches']:,} immigration-related searches (de-duplicated, "
                "by the reviewed rules: the naive regex also counts duplicate rows and trap words such as "
                '"black ice" and "selling ice meth").'
            )
    L += ["", "## Where the time goes", ""]
    for r in results["runs"]:
        if r["method"] != "pipeline_build" or not r.get("ok"):
            continue
        L += [f"### ingest + clean + classify, {r['size']} ({r['seconds']:.1f} s)", ""]
        if r.get("peak_extra_disk") is not None:
            L += [
                f"Disk: the filesystem's used space rose by up to {r['peak_extra_disk'] / GB:.1f} GB during the build "
                f"(staging Parquet, DuckDB's spill, outputs; for {sum(f['bytes'] for f in results['data'][r['size']]['files']) / GB:.2f} GB "
                "of CSV; other jobs' writes would count too).",
                "",
            ]
        L += ["By the build's own progress messages:", ""] + _stage_table(r)
        timers = r.get("timers") or {}
        if timers:
            L += [
                "",
                "By step (wrapped from outside; the rest of reading is pyarrow's CSV parser and Python glue):",
                "",
                "| step | calls | seconds | share of the build |",
                "|---|---:|---:|---:|",
            ]
            for k, (s, c) in sorted(timers.items(), key=lambda kv: -kv[1][0]):
                L.append(f"| {k} | {c:,} | {s:.1f} | {100 * s / r['seconds']:.0f} % |")
        sql = r.get("sql") or {}
        if sql:
            L += [
                "",
                "Slowest DuckDB statements:",
                "",
                "| statement (first words) | seconds | share |",
                "|---|---:|---:|",
            ]
            for k, (s, c) in sorted(sql.items(), key=lambda kv: -kv[1][0])[:8]:
                L.append(f"| `{k[:110].replace('|', '/')}` | {s:.1f} | {100 * s / r['seconds']:.0f} % |")
        L.append("")
    p = results.get("profile")
    if p and p.get("ok"):
        L += [
            f"### cProfile of the build, {p['size']} ({p['seconds']:.1f} s under the profiler)",
            "",
            "Functions by own time (the DuckDB statements' time shows up as the own time of the Python function "
            "that runs them: see the statements table above):",
            "",
            "| function | calls | own s | cumulative s |",
            "|---|---:|---:|---:|",
        ]
        for row in p["by_own_time"][:12]:
            L.append(
                f"| `{row['function']}` | {row['calls']:,} | {row['own_seconds']:.2f} | "
                f"{row['cumulative_seconds']:.2f} |"
            )
        L.append("")
    e2e = [r for r in results["runs"] if r["method"].startswith("e2e")]
    if e2e:
        L += ["### The whole run", ""]
    for r in e2e:
        said = "; ".join(
            x.strip()
            for x in r.get("lines", [])
            if not x.startswith("jurisdiction ")
            and ("done in" in x or "unchanged" in x or "nothing to do" in x or "FAILED" in x)
        )
        if r["method"] == "e2e_floor":
            said = ", ".join(f"{k} {v:.1f} s" for k, v in (r.get("timings") or {}).items())
        L.append(
            f"- {LABELS[r['method']]} ({r['size']}): {r['process_seconds']:.1f} s for the whole process "
            f"(CPU {r['cpu_seconds']:.0f} s, peak RSS of the process tree {_gb(r['peak_rss'])}); the run said: "
            f"{said[:400] or '-'}"
        )
    runs = [r for r in e2e if r["method"] != "e2e_floor"]
    if len(runs) == 2 and runs[0].get("code_version_after") != runs[1].get("code_version_before"):
        L.append(
            "- note: the pipeline's code changed between the first run and the rerun, so the rerun was not a "
            "rerun with nothing changed"
        )
    return "\n".join(L) + "\n"


# ------------------------------------------------------------------------------------------------
# Command line
# ------------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "bench":
        argv = argv[1:]
    if argv and argv[0] == "_child":
        return _child_main(argv[1:])
    ap = argparse.ArgumentParser(prog="python -m bench.bench", description=__doc__.split("\n\n")[0])
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="200,000 rows, one size: tests the machinery (~2 min)")
    mode.add_argument("--rows", type=int, default=None, help="one size of N rows in one month (e.g. 20000)")
    mode.add_argument(
        "--scaling",
        action="store_true",
        help="the scaling curve: the write floor, the build and "
        "validation at 1M, 4M, 17.1M and 34.3M rows (bench/scaling.json; ~1 h, 40 GB of disk)",
    )
    ap.add_argument("--sizes", default=None, help=f"full mode: a comma-separated subset of {', '.join(SIZES)}")
    ap.add_argument(
        "--out",
        default=None,
        help="where results.json and RESULTS.md go (default bench/ for the full run, bench/data/<mode>/ otherwise)",
    )
    ap.add_argument(
        "--data", default=str(BENCH / "data"), help="generated files, the project and logs (default bench/data)"
    )
    ap.add_argument("--no-e2e", action="store_true", help="skip the whole-run measurements")
    ap.add_argument("--no-profile", action="store_true", help="skip the cProfile run")
    ap.add_argument(
        "--pdf",
        action="store_true",
        help="only the PDF row: the reader on the 809-page Okaloosa PDF "
        "against the fastest plain text extraction (pdf.json, PDF.md)",
    )
    ap.add_argument("--no-pdf", action="store_true", help="skip the PDF row of the full run")
    ap.add_argument("--repeat", type=int, default=1, help="run each read/build method N times (best is reported)")
    ap.add_argument("--live-code", action="store_true", help="run the work tree's code, not a copy taken at the start")
    ap.add_argument(
        "--quiet-wait",
        type=float,
        default=None,
        help="before each measured method wait up to N s for other jobs to leave the CPUs "
        "(default 120 for the full run, 0 otherwise)",
    )
    a = ap.parse_args(argv)
    data = Path(a.data)
    if a.pdf:
        from .bench_pdf import run as run_pdf

        run_pdf(Path(a.out) if a.out else data / "pdf", data, echo=lambda *x: print(*x, flush=True))
        return 0
    if a.quick or a.rows:
        n = 200_000 if a.quick else a.rows
        name = "quick" if a.quick else f"rows-{n}"
        sizes = {
            name: {
                "rows": n,
                "months": 1,
                "start": [2025, 12],
                "agencies": max(300, min(3150, n // 200)),
                "seed": 20251201,
                "like": f"one month of {n:,} rows (quick check of the machinery)",
            }
        }
        out = Path(a.out) if a.out else data / name
        first = name
    else:
        table = SCALING if a.scaling else SIZES
        chosen = a.sizes.split(",") if a.sizes else list(table)
        bad = [s for s in chosen if s not in table]
        if bad:
            ap.error(f"unknown size(s) {bad}; choose from {list(table)}")
        sizes = {s: table[s] for s in chosen}
        out = Path(a.out) if a.out else (data / "scaling" if a.scaling else BENCH)
        first = "1-month" if "1-month" in sizes else None
    full = not (a.quick or a.rows or a.scaling)
    quiet = a.quiet_wait if a.quiet_wait is not None else (120.0 if full else 0.0)
    run_bench(
        sizes,
        out_dir=out,
        data_dir=data,
        echo=lambda *x: print(*x, flush=True),
        e2e_size=None if a.no_e2e else first,
        profile_size=None if a.no_profile else first,
        repeat=max(1, a.repeat),
        snapshot=not a.live_code,
        quiet_wait=quiet,
        methods=SCALING_METHODS if a.scaling else METHODS,
    )
    if full and not a.no_pdf:
        from .bench_pdf import run as run_pdf

        print("PDF releases: the reader on the Okaloosa PDF against the floor", flush=True)
        run_pdf(out, data, echo=lambda *x: print(*x, flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
