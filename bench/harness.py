"""Measuring one method in a fresh process from outside: seconds, peak RSS of the process tree, CPU pressure; the machine."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from pipeline import ROOT


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
    """Run `python -m bench.children METHOD ARGS OUT` (the pipeline imported from `code`) and measure
    it from outside."""
    import psutil

    out = log.with_suffix(".json")
    out.unlink(missing_ok=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(code)]
        + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and Path(p).resolve() != ROOT.resolve()]
    )
    cmd = [sys.executable, "-m", "bench.children", method, json.dumps(args), str(out)]
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


def vm_hwm() -> int | None:
    """This process's peak resident set size (VmHWM; its own, since exec: a forking parent's is not in it)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


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
