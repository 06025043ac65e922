"""Benchmark of the explore database: build time, peak RSS and size of reports/explore/flock.db for the
17.1M-row release, and how fast a search of the reasons answers at that size.

    python -m bench.bench_explore                 # the 32-month release (17,135,439 rows) of bench/bench.py
    python -m bench.bench_explore --size 1-month  # 733,000 rows
    python -m bench.bench_explore --rows 20000    # the machinery only

It reuses the benchmark's generated files and project (bench/data/project, `bench.ensure_data`): the
release's searches.parquet is built by the pipeline first when it is not there yet (timed apart: that is
the pipeline's figure, not this one's). The explore build then runs in a fresh process from nothing
(`--force`), and reports its own seconds and peak RSS (VmHWM). The searches are then timed on the built
file: the full-text query Datasette runs for `?_search=ice` (the first page and its count), straight in
SQLite, then over HTTP against a real Datasette. Results: bench/data/explore/results.json and a section of
bench/RESULTS.md (between the markers below, replaced on each run).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.common import BENCH, SIZES, bench_slug, ensure_data, raw_dir, write_project
from pipeline import ROOT

OUT = BENCH / "data" / "explore"
BEGIN, END = "<!-- explore: begin -->", "<!-- explore: end -->"
SEARCHES = ("ice", "immigration", "theft")  # rare, middling and common words of the reasons


def vm_hwm() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def child(argv: list[str]) -> int:
    """In a fresh process: one step, its seconds and peak RSS as JSON on the last line of stdout."""
    step, root, slug = argv
    t0 = time.perf_counter()
    if step == "pipeline":
        from pipeline.clean.build import build
        from pipeline.config import load, select

        (j,) = select(load(Path(root) / "jurisdictions.yml", root=Path(root)), [slug])
        build(j, progress=lambda m: None)
        extra = {}
    else:
        from pipeline.explore.build import build

        extra = build(Path(root), Path(root) / f"explore-{slug}.yml", force=True, echo=lambda m: None)
        extra = {k: extra[k] for k in ("bytes", "tables")}
    print(json.dumps({"seconds": round(time.perf_counter() - t0, 2), "peak_rss": vm_hwm(), **extra}))
    return 0


def run_child(step: str, root: Path, slug: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_explore", "--child", step, str(root), slug],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _record_run_ok(project: Path, slug: str) -> None:
    """The explorer takes only jurisdictions whose last run ended ok (reports/<slug>/run.json): the bench
    builds the table as notebook 01 does, without the runner, so it records that run as the runner would."""
    record = project / "reports" / slug / "run.json"
    if not record.exists():
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps({"keys": {}, "last": {"status": "ok", "notebook": None}}) + "\n")


def time_sql(db: Path, word: str) -> dict:
    """The query of Datasette's table page for ?_search=word: the first page, then its count."""
    con = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
    where = "reason_id in (select rowid from reasons_fts where reasons_fts match ?)"
    t0 = time.perf_counter()
    con.execute(f"select * from searches where {where} order by rowid limit 51", (word,)).fetchall()
    page = time.perf_counter() - t0
    t0 = time.perf_counter()
    n = con.execute(f"select count(*) from searches where {where}", (word,)).fetchone()[0]
    count = time.perf_counter() - t0
    con.close()
    return {"word": word, "rows": n, "page_seconds": round(page, 3), "count_seconds": round(count, 3)}


def time_http(root: Path, words) -> list[dict]:
    """The same searches through a real Datasette (table page JSON, with and without the facets)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from explore_fixtures import start_server

    proc, url = start_server(root, OUT / "datasette.log", timeout=600)
    out = []
    try:
        for w in words:
            for facets in (False, True):
                q = f"flock/searches.json?_search={w}&_size=50" + ("" if facets else "&_nofacet=1")
                t0 = time.perf_counter()
                body = json.loads(urllib.request.urlopen(url + q, timeout=600).read())
                out.append(
                    {
                        "word": w,
                        "facets": facets,
                        "seconds": round(time.perf_counter() - t0, 3),
                        "rows": body.get("filtered_table_rows_count"),
                        "facets_timed_out": body.get("facets_timed_out"),
                    }
                )
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return out


def markdown(r: dict) -> str:
    b = r["build"]
    lines = [
        BEGIN,
        "## Explore database (`python -m pipeline explore`)",
        "",
        f"{r['rows']:,} searches ({r['size']}), {r['machine']}; load average {r['load_before']:.1f} before the "
        "build" + (" (other jobs shared the cores: the seconds are inflated)" if r["load_before"] > 1.5 else ""),
        "",
        "| what | figure |",
        "|---|---:|",
        f"| build of flock.db from searches.parquet (fresh process) | {b['seconds']:,.1f} s |",
        f"| peak RSS of the build | {b['peak_rss'] / 1e9:.2f} GB |",
        f"| flock.db size | {b['bytes'] / 1e9:.2f} GB |",
    ]
    for s in r["sql"]:
        lines.append(
            f"| FTS `{s['word']}` ({s['rows']:,} searches): first page / count, SQLite | "
            f"{s['page_seconds']:.3f} s / {s['count_seconds']:.3f} s |"
        )
    for h in r.get("http", []):
        lines.append(
            f"| Datasette `?_search={h['word']}` {'with' if h['facets'] else 'without'} facets | "
            f"{h['seconds']:.2f} s{' (facets timed out)' if h['facets_timed_out'] else ''} |"
        )
    if r.get("pipeline_build"):
        lines.append(
            f"| (before: the pipeline's build of searches.parquet) | {r['pipeline_build']['seconds']:,.1f} s |"
        )
    return "\n".join(lines + ["", END]) + "\n"


def write_section(text: str, path: Path = BENCH / "RESULTS.md") -> None:
    old = path.read_text() if path.exists() else "# Benchmark results\n\n"
    if BEGIN in old and END in old:
        old = old[: old.index(BEGIN)] + old[old.index(END) + len(END) + 1 :]
    path.write_text(old.rstrip("\n") + "\n\n" + text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_explore", description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="32-months", choices=sorted(SIZES))
    ap.add_argument("--rows", type=int, default=None, help="another number of rows (the machinery only)")
    ap.add_argument("--no-http", action="store_true", help="time the searches in SQLite only")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        return child(a.child)
    spec = dict(SIZES[a.size])
    size = a.size if a.rows is None else f"{a.rows}-rows"
    if a.rows is not None:
        spec.update(rows=a.rows, months=1, like=f"{a.rows:,} rows (machinery)")
    project = BENCH / "data" / "project"
    project.mkdir(parents=True, exist_ok=True)
    truth = ensure_data(project, size, spec)
    write_project(project, [size])
    slug = bench_slug(size)
    (project / f"explore-{slug}.yml").write_text((project / "jurisdictions.yml").read_text())
    parquet = project / "data/processed" / slug / "searches.parquet"
    OUT.mkdir(parents=True, exist_ok=True)
    r = {"size": size, "rows": truth["rows"], "machine": f"{os.cpu_count()} cores", "raw": str(raw_dir(project, size))}
    if not parquet.exists():
        print(f"{size}: building searches.parquet with the pipeline first")
        r["pipeline_build"] = run_child("pipeline", project, slug)
    _record_run_ok(project, slug)
    r["load_before"] = os.getloadavg()[0]
    print(f"{size}: building the explore database (load {r['load_before']:.1f})")
    r["build"] = run_child("explore", project, slug)
    r["rows"] = r["build"]["tables"]["searches"]
    db = project / "reports/explore/flock.db"
    r["sql"] = [time_sql(db, w) for w in SEARCHES]
    if not a.no_http:
        r["http"] = time_http(project, SEARCHES)
    (OUT / "results.json").write_text(json.dumps(r, indent=2) + "\n")
    write_section(markdown(r))
    print(markdown(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
