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
import json
import os
import shutil
import sys
from pathlib import Path

from bench.children import child_main
from bench.common import (
    BENCH,
    BUILD_DISK_FACTOR,
    E2E_METHODS,
    GB,
    METHODS,
    MIN_FREE_FULL,
    MIN_FREE_REUSE,
    NAIVE_PATTERN,
    SCALING,
    SCALING_METHODS,
    SIZES,
    clear_outputs,
    existing_truth,
    generator_params,
    bench_slug,
    ensure_data,
    raw_dir,
    snapshot_code,
    warm,
    write_project,
)
from bench.harness import machine, measure, wait_quiet
from bench.results import (
    finish,
    other_benches,
    save,
    scaling_curve,
    write_json_file,
)
from bench.results_md import markdown
from pipeline import ROOT


def run_bench(  # noqa: C901 - one ordered benchmark: sizes, floors, methods, checks, in the order RESULTS.md shows them
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
    missing = [s for s, spec in sizes.items() if existing_truth(raw_dir(project, s), generator_params(spec)) is None]
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
        save(results, out_dir)

    for size in sizes:
        slug = bench_slug(size)
        truth = results["data"][size]
        files = [str(raw_dir(project, size) / f["file"]) for f in truth["files"]]
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
                    clear_outputs(project, slug)
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
        save(results, out_dir)
    if profile_size:
        slug = bench_slug(profile_size)
        clear_outputs(project, slug)
        echo(f"{profile_size}: profiling the build under cProfile")
        results["profile"] = measure(
            "profile",
            {"root": str(project), "slug": slug, "stats": str(logs / f"{profile_size}.build.prof")},
            logs / f"{profile_size}.profile.log",
            code,
        )
        results["profile"]["size"] = profile_size
        save(results, out_dir)
    if e2e_size:
        slug = bench_slug(e2e_size)
        clear_outputs(project, slug)
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
    finish(results)
    if methods == SCALING_METHODS:
        results["scaling"] = scaling_curve(results)
        write_json_file(BENCH / "scaling.json", results["scaling"])  # the full run's RESULTS.md shows it
    elif (BENCH / "scaling.json").exists():
        results["scaling"] = json.loads((BENCH / "scaling.json").read_text())
    save(results, out_dir)
    (out_dir / "RESULTS.md").write_text(markdown(results) + other_benches(out_dir / "RESULTS.md"))
    echo(f"results: {out_dir / 'results.json'} and {out_dir / 'RESULTS.md'}")
    return results


# ------------------------------------------------------------------------------------------------
# Command line
# ------------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "bench":
        argv = argv[1:]
    if argv and argv[0] == "_child":
        return child_main(argv[1:])
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
        from bench.bench_pdf import run as run_pdf

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
        from bench.bench_pdf import run as run_pdf

        print("PDF releases: the reader on the Okaloosa PDF against the floor", flush=True)
        run_pdf(out, data, echo=lambda *x: print(*x, flush=True))
    if full:
        from bench import bench_kernels

        print("A run's fixed cost: the import floor F and a small jurisdiction's whole command", flush=True)
        kernels = bench_kernels.run(["foster-city-ca-pd"], 2, echo=lambda *x: print(*x, flush=True))
        bench_kernels.write(kernels, data / "kernels", out / "RESULTS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
