"""Run the notebooks of every jurisdiction with papermill and render them for editors.

Each jurisdiction runs in its own process (its notebooks in their own kernels); one jurisdiction's
failure never stops the others. The run ends with a table of every jurisdiction's status and writes
reports/index.html. Executed notebooks are written beside their target and renamed into place, so a
failed run leaves the last good outputs untouched.
"""
from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import json
import multiprocessing
import os
import time
import traceback
from pathlib import Path

from . import ROOT
from .config import Jurisdiction, check_inputs, load, select
from .errors import PipelineError

NOTEBOOKS = ("01_clean", "02_validate", "03_analyze")


def _environment(root: Path) -> None:
    """Keep Jupyter, IPython and GX state inside the project and the kernels on this package."""
    build = root / "build"
    (build / ".ipython").mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("IPYTHONDIR", str(build / ".ipython"))
    os.environ.setdefault("JUPYTER_CONFIG_DIR", str(build / ".jupyter"))
    os.environ.setdefault("JUPYTER_DATA_DIR", str(build / ".jupyter" / "data"))
    os.environ.setdefault("JUPYTER_RUNTIME_DIR", str(build / ".jupyter" / "runtime"))
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    # The kernels import this package from where it lives, whichever project folder they analyse.
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if str(ROOT) not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + paths)


def run_jurisdiction(slug: str, config: str, root: str) -> dict:
    """Execute and render the three notebooks of one jurisdiction; never raises."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from .report import render_notebook

    root_path = Path(root)
    _environment(root_path)
    (j,) = select(load(config or None, root=root_path, check_files=False), [slug])
    out_dir = root_path / "reports" / slug
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    timings = {}
    for name in NOTEBOOKS:
        t = time.perf_counter()
        print(f"{slug}: running {name} ({NOTEBOOKS.index(name) + 1}/{len(NOTEBOOKS)})", flush=True)
        target = out_dir / f"{name}.ipynb"
        tmp = out_dir / f".{name}.{os.getpid()}.ipynb"
        try:
            pm.execute_notebook(str(root_path / "notebooks" / f"{name}.ipynb"), str(tmp),
                                parameters={"jurisdiction": slug, "config": config, "root": root},
                                kernel_name="python3", cwd=str(root_path), progress_bar=False, log_output=False)
            os.replace(tmp, target)
        except PapermillExecutionError as e:
            failed = out_dir / f"{name}.failed.ipynb"
            if tmp.exists():
                os.replace(tmp, failed)
            pipeline_error = e.ename in ("PipelineError", "ConfigError", "SourceError", "ReconciliationError")
            message = e.evalue if pipeline_error else f"{e.ename}: {e.evalue}"
            return {"slug": slug, "status": "failed", "notebook": name, "message": message,
                    "executed_with_error": str(failed.relative_to(root_path)), "seconds": time.perf_counter() - t0,
                    "timings": timings}
        except Exception as e:  # a kernel that died, a missing notebook: report, never crash the run
            if tmp.exists():
                tmp.unlink()
            return {"slug": slug, "status": "failed", "notebook": name, "message": f"{type(e).__name__}: {e}",
                    "traceback": traceback.format_exc(), "seconds": time.perf_counter() - t0, "timings": timings}
        render_notebook(target, out_dir, synthetic=j.synthetic)
        timings[name] = round(time.perf_counter() - t, 1)
    return {"slug": slug, "status": "ok", "seconds": time.perf_counter() - t0, "timings": timings}


def index_entries(jurisdictions: list[Jurisdiction], results: dict[str, dict], root: Path) -> list[dict]:
    entries = []
    for j in jurisdictions:
        facts_path = root / "reports" / j.slug / "facts.json"
        facts = json.loads(facts_path.read_text(encoding="utf-8")) if facts_path.exists() else None
        r = results.get(j.slug)
        if r is None:
            status, note = ("ok", "not rerun in this run") if facts else ("failed", "never run")
        elif r["status"] == "ok":
            status, note = "ok", None
        else:
            status = "stale" if facts else "failed"
            note = (f"{r['notebook']} failed: {r['message']}" +
                    (" The figures shown are from the last good run." if facts else ""))
        claims_path = root / "reports" / j.slug / "claims.json"
        claims = json.loads(claims_path.read_text(encoding="utf-8"))["claims"] if claims_path.exists() else None
        entries.append({"slug": j.slug, "name": j.name, "producer": j.producer, "synthetic": j.synthetic,
                        "log_kind": (facts or {}).get("log_kind", j.log_kind), "status": status,
                        "status_note": note, "facts": facts, "claims": claims})
    return entries


def shared_agencies(jurisdictions: list[Jurisdiction], root: Path) -> list[dict]:
    """Agencies whose name (as released, trimmed) appears in more than one producer's log."""
    import pandas as pd

    seen: dict[str, dict] = {}
    for j in jurisdictions:
        path = root / "reports" / j.slug / "agencies.csv"
        if not path.exists():
            continue
        df = pd.read_csv(path, keep_default_na=False, dtype={"agency_state": str})
        for name, state, searches in zip(df["org_name"], df["agency_state"], df["searches"]):
            entry = seen.setdefault(name, {"org_name": name, "agency_state": state, "producers": []})
            entry["producers"].append({"name": j.name, "synthetic": j.synthetic, "searches": int(searches)})
    shared = [e for e in seen.values() if len(e["producers"]) > 1]
    return sorted(shared, key=lambda e: (-len(e["producers"]), -sum(p["searches"] for p in e["producers"]),
                                         e["org_name"]))


def run(slugs: list[str] | None = None, config: str | None = None, jobs: int | None = None,
        root: Path = ROOT, echo=print) -> int:
    """Run the selected jurisdictions (default: all); return the process exit code."""
    from .report import write_index

    _environment(root)
    all_j = load(config, root=root, check_files=False)
    chosen = select(all_j, slugs)
    results: dict[str, dict] = {}
    runnable = []
    for j in chosen:
        try:
            check_inputs(j)
            runnable.append(j)
        except PipelineError as e:
            results[j.slug] = {"slug": j.slug, "status": "failed", "notebook": "inputs", "message": str(e),
                               "seconds": 0.0, "timings": {}}
            echo(f"{j.slug}: cannot start: {e}")
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(runnable) or 1))
    echo(f"running {len(runnable)} jurisdiction(s) with {jobs} process(es): {', '.join(j.slug for j in runnable)}")
    ctx = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        futures = {pool.submit(run_jurisdiction, j.slug, str(config or ""), str(root)): j for j in runnable}
        for fut in cf.as_completed(futures):
            j = futures[fut]
            try:
                r = fut.result()
            except Exception as e:  # the worker process itself died
                r = {"slug": j.slug, "status": "failed", "notebook": "?", "message": f"{type(e).__name__}: {e}",
                     "seconds": 0.0, "timings": {}}
            results[j.slug] = r
            if r["status"] == "ok":
                echo(f"{j.slug}: done in {r['seconds']:.1f} s ({', '.join(f'{k} {v} s' for k, v in r['timings'].items())})")
            else:
                echo(f"{j.slug}: FAILED in {r['notebook']}: {r['message']}")
    index = write_index(root / "reports", index_entries(all_j, results, root),
                        generated_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                        shared_agencies=shared_agencies(all_j, root))
    echo("")
    echo(f"{'jurisdiction':<22} {'status':<8} {'seconds':>8}")
    for j in chosen:
        r = results[j.slug]
        echo(f"{j.slug:<22} {r['status']:<8} {r['seconds']:>8.1f}")
    echo(f"index: {index}")
    failed = [s for s, r in results.items() if r["status"] != "ok"]
    claims_failed = failed_claims([j for j in chosen if results[j.slug]["status"] == "ok"], root)
    for slug, claim in claims_failed:
        echo(f"{slug}: CLAIM DOES NOT HOLD: \"{claim['claim']}\" ({claim['fact']} = {claim['computed']}, "
             f"needs {claim['test'].replace('_', ' ')} {claim['target']}){': ' + claim['why_not'] if claim['why_not'] else ''}")
    if failed:
        echo(f"{len(failed)} jurisdiction(s) failed: {', '.join(failed)}")
    if failed or claims_failed:
        return 1
    return 0


def failed_claims(jurisdictions: list[Jurisdiction], root: Path) -> list[tuple[str, dict]]:
    """(slug, claim) for every published claim that the last run of its jurisdiction did not reproduce."""
    out = []
    for j in jurisdictions:
        path = root / "reports" / j.slug / "claims.json"
        if j.claims and path.exists():
            out += [(j.slug, c) for c in json.loads(path.read_text(encoding="utf-8"))["claims"] if not c["holds"]]
        elif j.claims:
            out.append((j.slug, {"claim": "(claims were not checked)", "fact": "-", "computed": None, "test": "-",
                                 "target": "-", "why_not": "claims.json is missing"}))
    return out
