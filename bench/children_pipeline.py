"""The pipeline's own methods (build, validate, profile, whole runs), run inside a method's own process."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from bench.children_floor import DuckShim
from pipeline import ROOT


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
    # the exact reader (its own module since the split) builds its batches with the same helpers
    wrap("pipeline.ingest.csv_exact", "build_batch", "ingest: build staging batches")
    wrap("pipeline.ingest.csv_exact", "reject_marks", "ingest: row marks (repeated headers, blank rows)")
    wrap("pipeline.ingest.csv_exact", "extra_json", "ingest: extra columns as JSON")
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
        db.duckdb = DuckShim(duckdb, "duckdb", sql_times)
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
