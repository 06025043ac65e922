"""Benchmark of a run's fixed cost (issue 22): every figure a ratio to the import floor F measured in the same session.

    python -m bench.bench_kernels                # every target of issue 22 (make bench runs this, --tests too)
    python -m bench.bench_kernels --tests        # and `make test`'s pytest, timed

F, the import floor: one fresh Python process importing what the notebooks import (their own import lines,
and pandas, DuckDB, Great Expectations, Altair, vl-convert, nbformat, papermill, nbconvert, pyarrow,
openpyxl), best of two. Then, as whole commands, with the kernel template and with FLOCK_KERNEL_TEMPLATE=0
(the ordinary start: the baseline of "not higher"), alternating, best of `--repeat`:
- `python -m pipeline run --force`: every bundled jurisdiction and corpus (`make run` after set-up);
- `python -m pipeline run -j foster-city-ca-pd --force`: a jurisdiction under 100 searches, whole command;
- `python -m pipeline run -j alvin-isd --force`: one month, the jurisdiction's own time (its closing line);
- `python -m pipeline run`: a rerun with nothing changed.
Seconds come from runs with nothing watching them; the peak RSS and PSS of the process tree (PSS: pages a
fork shares with its template counted once, as the machine pays for them) from one more run of each command
both ways, sampled every 0.1 s: reading every process's page tables that often costs a tenth of a core and
holds up the processes read (a small run took 10.6 s watched, 7.8 s not). Before each run the benchmark waits
(up to 60 s) for the CPUs to be free of other jobs, and records the load average: on a shared machine only the
ratios inside one session mean anything.

Writes bench/data/kernels/kernels.json and a block of bench/RESULTS.md (between its markers, which the
main benchmark keeps), with each target met or not.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

from pipeline import ROOT

BENCH = ROOT / "bench"
LIBRARIES = (
    "pandas",
    "duckdb",
    "great_expectations",
    "altair",
    "vl_convert",
    "nbformat",
    "papermill",
    "nbconvert",
    "pyarrow",
    "openpyxl",
)
SMALL, MONTH = "foster-city-ca-pd", "alvin-isd"
TARGETS = {"small whole command": 2.5, "one month, own time": 4.0, "make run": 12.0}  # ratios to F
TEST_SECONDS = 360  # make test on 2 cores, every test kept
RERUN_SECONDS = 1.0
MARK = "kernels"


def import_floor() -> tuple[float, float]:
    """(seconds, CPU seconds) for one fresh process to import what the notebooks import (best of two)."""
    import resource

    from pipeline.run.template_server import notebook_modules

    modules = [m for m in notebook_modules(ROOT) if not m.startswith(("ipykernel", "IPython"))] + list(LIBRARIES)
    code = "import importlib\nfor m in %r:\n    try: importlib.import_module(m)\n    except ImportError: pass" % modules
    best, cpu = float("inf"), float("inf")
    for _ in range(2):
        c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
        best = min(best, time.perf_counter() - t)
        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = min(cpu, c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime)
    return best, cpu


def _tree_rss(pid: int, stop: threading.Event, peak: list[int]) -> None:
    """The largest sum over the process tree of RSS (peak[0]) and of PSS (peak[1]: pages a fork shares with
    its template counted once between them, as the machine pays for them)."""
    import psutil

    try:
        top = psutil.Process(pid)
    except psutil.Error:
        return
    while not stop.is_set():
        rss = pss = 0
        try:
            for q in [top] + top.children(recursive=True):
                try:
                    full = q.memory_full_info()
                    rss, pss = rss + full.rss, pss + getattr(full, "pss", full.rss)
                except psutil.Error:
                    pass
        except psutil.Error:
            pass
        peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
        stop.wait(0.1)


def whole_command(slug: str | None, template: bool, force: bool = True, memory: bool = False) -> dict:
    """`python -m pipeline run [-j SLUG] [--force]`: wall seconds, the jurisdiction's own seconds, CPU, and with
    `memory` the peak RSS and PSS of the tree (sampled: those seconds are not the command's own)."""
    from bench.harness import wait_quiet

    env = {**os.environ, "FLOCK_KERNEL_TEMPLATE": "1" if template else "0"}
    args = [*(["-j", slug] if slug else []), *(["--force"] if force else [])]
    wait_quiet(60)
    load = os.getloadavg()[0]
    import resource

    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    stop, peak = threading.Event(), [0, 0]
    watcher = threading.Thread(target=_tree_rss, args=(proc.pid, stop, peak), daemon=True)
    if memory:
        watcher.start()
    out, _ = proc.communicate()
    seconds = time.perf_counter() - t
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    stop.set()
    if memory:
        watcher.join()
    own = re.search(rf"^{re.escape(slug)}: done in ([\d.]+) s \((.*)\)$", out, re.M) if slug else None
    return {
        "template": template,
        "seconds": round(seconds, 2),
        "own_seconds": float(own.group(1)) if own else None,
        "notebooks": own.group(2) if own else None,
        "memory": memory,
        "peak_rss": peak[0] if memory else None,
        "peak_pss": peak[1] if memory else None,
        # CPU seconds of the whole process tree (every process is reaped by its parent): steadier than wall
        # seconds on a shared machine
        "cpu_seconds": round(cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime, 2),
        "exit_code": proc.returncode,
        "load_before": round(load, 2),
        "ok": proc.returncode == 0 and (own is not None or not slug),
    }


# What is measured: (name, slug or None for every jurisdiction, --force)
COMMANDS = (("make run", None, True), ("small", SMALL, True), ("month", MONTH, True))


def run(repeat: int, tests: bool = False, echo=print) -> dict:
    load = os.getloadavg()[0]
    floor, floor_cpu = import_floor()
    echo(f"import floor F = {floor:.2f} s, {floor_cpu:.2f} CPU s (load average {load:.1f})")
    rows = []
    first = whole_command(None, True)  # set-up's run: every output exists before the measured ones
    echo(f"  a first whole run (not counted): {first['seconds']:.1f} s, {'ok' if first['ok'] else 'FAILED'}")
    for name, slug, force in COMMANDS:
        for k in range(repeat):
            for template in (True, False):
                r = {"what": name, "slug": slug, "repeat": k, **whole_command(slug, template, force)}
                r["ratio_whole"] = round(r["seconds"] / floor, 2)
                r["ratio_own"] = round(r["own_seconds"] / floor, 2) if r["own_seconds"] else None
                r["ratio_cpu"] = round(r["cpu_seconds"] / floor_cpu, 2)
                rows.append(r)
                echo(
                    f"  {name:<9} template {'on ' if template else 'off'}  whole {r['seconds']:6.1f} s = "
                    f"{r['ratio_whole']:.1f} F   own {r['own_seconds']} s   CPU {r['cpu_seconds']} s = {r['ratio_cpu']:.1f} F(CPU)   "
                    f"(load {r['load_before']})  {'ok' if r['ok'] else 'FAILED'}"
                )
    for name, slug, force in COMMANDS:
        for template in (True, False):
            r = {"what": name, "slug": slug, **whole_command(slug, template, force, memory=True)}
            rows.append(r)
            echo(
                f"  {name:<9} template {'on ' if template else 'off'}  peak RSS {r['peak_rss'] / 1e6:,.0f} MB, "
                f"PSS {r['peak_pss'] / 1e6:,.0f} MB (a run of its own, sampled; load {r['load_before']})  "
                f"{'ok' if r['ok'] else 'FAILED'}"
            )
    rerun = min((whole_command(None, True, force=False) for _ in range(3)), key=lambda r: r["seconds"])
    echo(f"  rerun with nothing changed: {rerun['seconds']:.2f} s")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    out = {
        "measured": f"{time.strftime('%Y-%m-%d')}, code at {commit.stdout.strip() or 'an unknown commit'}",
        "floor_seconds": round(floor, 2),
        "floor_cpu_seconds": round(floor_cpu, 2),
        "load_before": round(load, 2),
        "runs": rows,
        "rerun_seconds": rerun["seconds"],
        "cpus": os.cpu_count(),
    }
    if tests:
        out["test_seconds"] = time_tests(echo)
    return out


def time_tests(echo=print) -> float:
    """`make test`'s pytest (lint excluded: seconds), in a fresh process with the Makefile's environment."""
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=ROOT)
    seconds = round(time.perf_counter() - t, 1)
    echo(f"  make test's pytest: {seconds:.0f} s (exit {done.returncode})")
    return seconds


def _best(rows: list[dict], what: str, template: bool) -> dict | None:
    """The fastest run of `what`, of those timed with nothing watching them."""
    ok = [r for r in rows if r["what"] == what and r["template"] == template and r["ok"] and not r.get("memory")]
    return min(ok, key=lambda r: r["seconds"], default=None)


def _memory(rows: list[dict], what: str, template: bool) -> dict | None:
    """The run of `what` whose memory was sampled."""
    ok = [r for r in rows if r["what"] == what and r["template"] == template and r["ok"] and r.get("memory")]
    return max(ok, key=lambda r: r["peak_pss"], default=None)


def targets(results: dict) -> list[str]:
    """Each target of issue 22, met or not, with its measured figures."""
    runs = results["runs"]
    on = {name: _best(runs, name, True) for name, _, _ in COMMANDS}
    said = []

    def line(ok: bool, text: str) -> None:
        said.append(f"- {'met' if ok else '**NOT met**'}: {text}")

    for name, key, measure in (
        ("small", "small whole command", "ratio_whole"),
        ("month", "one month, own time", "ratio_own"),
        ("make run", "make run", "ratio_whole"),
    ):
        r = on[name]
        if r and r.get(measure) is not None:
            line(r[measure] <= TARGETS[key], f"{key} ≤ {TARGETS[key]} F: {r[measure]:.1f} F")
        else:
            line(False, f"{key}: not measured (the command failed)")
    a, b = _memory(runs, "make run", True), _memory(runs, "make run", False)
    if a and b:
        line(
            a["peak_pss"] <= b["peak_pss"],
            f"peak memory of a whole `make run` not higher than with the ordinary start: PSS {a['peak_pss'] / 1e6:,.0f} "
            f"MB vs {b['peak_pss'] / 1e6:,.0f} MB (RSS summed over the tree, which counts a fork's shared pages once "
            f"per process: {a['peak_rss'] / 1e6:,.0f} MB vs {b['peak_rss'] / 1e6:,.0f} MB)",
        )
    line(
        results["rerun_seconds"] < RERUN_SECONDS,
        f"a rerun with nothing changed under 1 s: {results['rerun_seconds']:.2f} s",
    )
    if "test_seconds" in results:
        t = results["test_seconds"]
        line(t <= TEST_SECONDS, f"`make test` (its pytest) within {TEST_SECONDS / 60:.0f} min: {t / 60:.1f} min")
    return said


def markdown(results: dict) -> str:
    """The RESULTS.md block: each command's best, both ways, as ratios to F, then the targets."""
    f = results["floor_seconds"]
    lines = [
        f"<!-- {MARK}: begin -->",
        "## A run's fixed cost: kernels forked from a warm template (issue 22)",
        "",
        f"Import floor **F = {f:.2f} s** ({results['floor_cpu_seconds']:.2f} CPU seconds: one process importing what "
        "the notebooks import), measured in the same "
        f"session ({results.get('measured', 'date not recorded')}); load average {results['load_before']} on {results['cpus']} CPUs before it (a shared machine: "
        "read the ratios, not the seconds). Best of each; `python -m bench.bench_kernels` (in `make bench`).",
        "",
        "| command | kernels | whole command | = F | the jurisdiction's own time | = F | CPU seconds, all processes "
        "| = F's CPU | peak RSS (PSS) of the tree, in a run of its own |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    words = {
        "make run": "`run --force`, every jurisdiction and corpus",
        "small": f"`run -j {SMALL} --force`",
        "month": f"`run -j {MONTH} --force`",
    }
    for name, _, _ in COMMANDS:
        for template in (True, False):
            r, m = _best(results["runs"], name, template), _memory(results["runs"], name, template)
            if r:
                own = f"{r['own_seconds']:.1f} s | {r['ratio_own']:.1f}" if r["own_seconds"] else "- | -"
                peak = f"{m['peak_rss'] / 1e6:,.0f} MB ({m['peak_pss'] / 1e6:,.0f} MB)" if m else "-"
                lines.append(
                    f"| {words[name]} | {'forked from the template' if template else 'ordinary start'} | "
                    f"{r['seconds']:.1f} s | {r['ratio_whole']:.1f} | {own} | {r['cpu_seconds']:.1f} | "
                    f"{r['ratio_cpu']:.1f} | {peak} |"
                )
    lines += ["", "Targets (issue 22):", "", *targets(results), "", f"<!-- {MARK}: end -->"]
    return "\n".join(lines) + "\n"


def write(results: dict, out: Path, results_md: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "kernels.json").write_text(json.dumps(results, indent=1) + "\n")
    block = markdown(results)
    old = results_md.read_text(encoding="utf-8") if results_md.exists() else ""
    pattern = re.compile(rf"<!-- {MARK}: begin -->.*?<!-- {MARK}: end -->\n?", re.S)
    new = pattern.sub(lambda _m: block, old) if pattern.search(old) else old.rstrip("\n") + "\n\n" + block
    results_md.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_kernels", description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--tests", action="store_true", help="also time make test's pytest")
    ap.add_argument("--out", default=str(BENCH / "data" / "kernels"))
    ap.add_argument("--results-md", default=str(BENCH / "RESULTS.md"))
    a = ap.parse_args(argv)
    results = run(max(1, a.repeat), a.tests, echo=lambda *x: print(*x, flush=True))
    write(results, Path(a.out), Path(a.results_md))
    for line in targets(results):
        print(line)
    return 0 if all(r["ok"] for r in results["runs"]) else 1


if __name__ == "__main__":
    sys.exit(main())
