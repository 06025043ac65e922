"""Benchmark the corpus step on generated processed tables the size of the largest public corpus.

    python -m bench.bench_corpus                     # 10M rows (about 1.4M distinct searches), 44 producers
    python -m bench.bench_corpus --rows 10e6 40e6 140e6

For each size, 44 producers' data/processed/<slug>/searches.parquet are written by DuckDB straight into
Parquet (generated once per size and reused, under bench/data/corpus/<rows>/), about 7.4 rows per distinct
search as in the public build (139.8M rows, 18.7M searches, the most-shared in 18 logs); two producers export
no ID, so the fingerprint path runs at scale too. Then `pipeline.analyze.corpus_report.compute` + `write` run
in a fresh Python process (nice 10) whose seconds and peak RSS (VmHWM) are recorded. Results: the corpus
section of bench/RESULTS.md and bench/data/corpus/results.json.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from pipeline import ROOT

OUT = ROOT / "bench" / "data" / "corpus"
PRODUCERS, MAX_SHARED, STEP, STEP_INV = 44, 18, 13, 17      # 13 * 17 = 221 = 1 (mod 44): copies never collide
ROWS_PER_SEARCH = 139.8 / 18.7
ID_LESS = (42, 43)
IMM_PER_MILLE = 2        # about the share of immigration-related searches in real network audits
VERSION = 3              # bump when the generated tables change (older ones are regenerated)
TARGET_SECONDS, TARGET_RSS = 600, 3e9


def _copies_sql(searches: int) -> str:
    """k(s) copies of search s, 1..18, mean about 7.4 (a skewed mix: many in one log, some in many)."""
    return f"""CASE WHEN hash(s, 1) % 100 < 12 THEN 1
                    ELSE 2 + (hash(s, 2) % 100 < 60)::INT * (hash(s, 3) % 11)::INT
                           + (hash(s, 2) % 100 >= 60)::INT * (hash(s, 4) % {MAX_SHARED - 1})::INT END"""


def generate(rows: int, folder: Path) -> dict:
    """44 producers' searches.parquet for about `rows` copies; returns what was written.

    One pass: each search s is unnested into its k(s) copies, copy j going to producer (7s + 13j) mod 44
    (13 is a unit mod 44, so one search's copies land in k distinct logs), and DuckDB writes every
    producer's rows to its own file (PARTITION_BY), which is then moved to bench-pNN/searches.parquet."""
    searches = int(rows / ROWS_PER_SEARCH)
    meta = folder / "generated.json"
    if meta.exists() and json.loads(meta.read_text()).get("version") == VERSION:
        return json.loads(meta.read_text())
    parts = folder / "parts"
    shutil.rmtree(parts, ignore_errors=True)
    (folder / "tmp").mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    for setting in ("enable_progress_bar = false", "threads = 2", "memory_limit = '2GB'", "preserve_insertion_order = false",
                    f"temp_directory = '{folder / 'tmp'}'"):
        con.execute(f"SET {setting}")
    con.execute(f"COPY ({_generator_sql(searches)}) TO '{parts}' (FORMAT parquet, PARTITION_BY (p), "
                "ROW_GROUP_SIZE 122880, FILENAME_PATTERN 'searches')")
    written = 0
    for p in range(PRODUCERS):
        out = folder / "data" / "processed" / f"bench-p{p:02d}"
        out.mkdir(parents=True, exist_ok=True)
        files = sorted((parts / f"p={p}").glob("*.parquet"))
        if len(files) == 1:
            files[0].replace(out / "searches.parquet")
        else:   # one file per writing thread: joined into one
            con.execute(f"COPY (FROM read_parquet({[str(f) for f in files]})) TO '{out / 'searches.parquet'}' "
                        "(FORMAT parquet, ROW_GROUP_SIZE 122880)")
        written += con.execute(f"SELECT count(*) FROM '{out / 'searches.parquet'}'").fetchone()[0]
    shutil.rmtree(parts, ignore_errors=True)
    info = {"version": VERSION, "rows": written, "searches": searches, "producers": PRODUCERS, "id_less_producers": len(ID_LESS),
            "bytes": sum(f.stat().st_size for f in (folder / "data").rglob("*.parquet"))}
    meta.write_text(json.dumps(info, indent=2))
    return info


def _generator_sql(searches: int) -> str:
    idless = f"p IN ({', '.join(map(str, ID_LESS))})"
    imm = f"hash(s, 8) % 1000 < {IMM_PER_MILLE}"
    return f"""
        WITH copies AS (SELECT s, ((s * 7) % {PRODUCERS} + j * {STEP}) % {PRODUCERS} AS p
                        FROM (SELECT s, unnest(range({_copies_sql(searches)})) AS j FROM range({searches}) t(s)))
        SELECT p, CASE WHEN {idless} THEN NULL ELSE md5(s::VARCHAR)::UUID::VARCHAR END AS flock_id,
               CASE WHEN {idless} THEN 'h:' || md5('r' || s::VARCHAR) ELSE md5(s::VARCHAR)::UUID::VARCHAR END AS search_key,
               TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(s * 4) AS searched_at_utc,
               'Agency ' || (hash(s, 5) % 6000)::VARCHAR || ' TX PD' AS org_name,
               (1 + hash(s, 6) % 3000)::BIGINT AS total_networks, (10 + hash(s, 7) % 90000)::BIGINT AS total_devices,
               TIMESTAMPTZ '2023-12-01 00:00:00+00' + to_seconds(s * 4) AS time_frame_start_utc,
               TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(s * 4) AS time_frame_end_utc,
               CASE WHEN {imm} THEN 'Immigration (civil/administrative)'
                    ELSE ['Stolen Vehicle', 'Robbery', 'Burglary'][1 + (hash(s, 9) % 3)::INT] END AS reason_clean,
               'search' AS search_type, {imm} AS immigration, CASE WHEN {imm} THEN 'civil' END AS immigration_type,
               'TX' AS agency_state, hash(s, 5) % 6000 < 20 AS agency_federal,
               'data/raw/bench-p' || lpad(p::VARCHAR, 2, '0') || '/audit.csv' AS source_file,
               NULL::VARCHAR AS source_sheet, s AS source_row
        FROM copies"""


CHILD = """
import json, sys, time
from pathlib import Path
from pipeline.config import Corpus, Jurisdiction
from pipeline.analyze import corpus_report
root = Path(sys.argv[1])
members = tuple(Jurisdiction(slug=f"bench-p{p:02d}", name=f"bench {p}", producer=f"Bench producer {p}", log_kind="network",
                timezone="America/Chicago", inputs=("audit.csv",), raw_dir=root / "data" / "raw" / f"bench-p{p:02d}",
                synthetic=True) for p in range(int(sys.argv[2])))
c = Corpus(name="bench", display_name="Bench (SYNTHETIC)", members=members)
t = time.perf_counter()
r = corpus_report.compute(c, work=root / "work")
corpus_report.write(c, r, root=root)
secs = time.perf_counter() - t
hwm = next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"seconds": round(secs, 1), "peak_rss": hwm, "distinct_searches": r["facts"]["distinct_searches"],
                  "rows": r["facts"]["rows"], "links": r["facts"]["searches_by_link"]}))
"""


def measure(folder: Path) -> dict:
    cmd = ["nice", "-n", "10", sys.executable, "-c", CHILD, str(folder), str(PRODUCERS)]
    load_before = _load_average()
    t = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PIPELINE_PROGRESS": "0"})
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["process_seconds"] = round(time.perf_counter() - t, 1)
    out["load_average"] = f"{load_before} → {_load_average()}"   # 1-min load before and after: the machine is shared
    return out


def _load_average() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="bench.bench_corpus")
    ap.add_argument("--rows", nargs="+", type=float, default=[10e6])
    a = ap.parse_args(argv)
    results = _load()
    for rows in map(int, a.rows):
        folder = OUT / f"{rows // 1_000_000}M"
        t = time.perf_counter()
        gen = generate(rows, folder)
        gen_s = round(time.perf_counter() - t, 1)
        m = measure(folder)
        results[str(rows)] = {**gen, **m, "generate_seconds": gen_s, "measured_at": time.strftime("%Y-%m-%d %H:%M")}
        print(f"{rows:,} rows: {m['seconds']} s, peak RSS {m['peak_rss'] / 1e9:.2f} GB", flush=True)
        (OUT / "results.json").write_text(json.dumps(results, indent=2))
    write_results(results)
    return 0


def _load() -> dict:
    try:
        return json.loads((OUT / "results.json").read_text())
    except (OSError, ValueError):
        return {}


def write_results(results: dict) -> None:
    """Replace the corpus section of bench/RESULTS.md (or add it), leaving every other section as it is."""
    lines = ["## Corpus step (04_corpus's computation): `python -m bench.bench_corpus`", "",
             f"44 producers' processed tables generated by DuckDB; targets {TARGET_SECONDS // 60} min and "
             f"{TARGET_RSS / 1e9:.0f} GB peak RSS at 140M rows. 2 shared cores, DuckDB memory limit "
             f"{os.environ.get('PIPELINE_MEMORY_LIMIT', '1.5GB')} (spills beyond it), run under nice 10.", "",
             "| rows | distinct searches | Parquet GB | seconds | peak RSS GB | rows/s | load (1 min, before → after) | measured |",
             "|---|---|---|---|---|---|---|---|"]
    for _, r in sorted(results.items(), key=lambda kv: int(kv[0])):
        lines.append(f"| {r['rows']:,} | {r['distinct_searches']:,} | {r['bytes'] / 1e9:.2f} | {r['seconds']} | "
                     f"{r['peak_rss'] / 1e9:.2f} | {r['rows'] / r['seconds']:,.0f} | {r.get('load_average', '?')} | {r['measured_at']} |")
    section = "\n".join(lines) + "\n"
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    start = text.find("## Corpus step")
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + (text[end + 1:] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
