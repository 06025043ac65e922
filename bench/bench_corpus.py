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
import tempfile
import time
from pathlib import Path

import duckdb

from pipeline import ROOT

OUT = ROOT / "bench" / "data" / "corpus"
PRODUCERS, MAX_SHARED, STEP, STEP_INV = 44, 18, 13, 17  # 13 * 17 = 221 = 1 (mod 44): copies never collide
ID_LESS = (42, 43)
IMM_PER_MILLE = 2  # about the share of immigration-related searches in real network audits
VERSION = 5  # bump when the generated tables change (older ones are regenerated)
TARGET_SECONDS, TARGET_RSS = 600, 3e9


def _copies_sql(searches: int) -> str:
    """k(s) copies of search s, 1..18, mean 7.34 (MEAN_COPIES; a skewed mix: many in one log, some in many)."""
    return f"""CASE WHEN hash(s, 1) % 100 < 12 THEN 1
                    ELSE 2 + (hash(s, 2) % 100 < 60)::INT * (hash(s, 3) % 11)::INT
                           + (hash(s, 2) % 100 >= 60)::INT * (hash(s, 4) % {MAX_SHARED - 1})::INT END"""


MEAN_COPIES = 0.12 * 1 + 0.88 * (0.6 * (2 + 5) + 0.4 * (2 + (MAX_SHARED - 2) / 2))  # of _copies_sql: 7.34


def searches_for(rows: int) -> int:
    """The searches to generate for about `rows` copies (the public build: 139.8M rows, 18.7M searches)."""
    return round(rows / MEAN_COPIES)


def generate(rows: int, folder: Path) -> dict:
    """44 producers' searches.parquet for about `rows` copies; returns what was written.

    One pass: each search s is unnested into its k(s) copies, copy j going to producer (7s + 13j) mod 44
    (13 is a unit mod 44, so one search's copies land in k distinct logs), and DuckDB writes every
    producer's rows to its own file (PARTITION_BY), which is then moved to bench-pNN/searches.parquet."""
    searches = searches_for(rows)
    meta = folder / "generated.json"
    if meta.exists() and json.loads(meta.read_text()).get("version") == VERSION:
        return json.loads(meta.read_text())
    parts = folder / "parts"
    shutil.rmtree(parts, ignore_errors=True)
    (folder / "tmp").mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    for setting in (
        "enable_progress_bar = false",
        "threads = 2",
        "memory_limit = '2GB'",
        "preserve_insertion_order = false",
        f"temp_directory = '{folder / 'tmp'}'",
    ):
        con.execute(f"SET {setting}")
    con.execute(
        f"COPY ({_generator_sql(searches)}) TO '{parts}' (FORMAT parquet, PARTITION_BY (p), "
        "ROW_GROUP_SIZE 122880, FILENAME_PATTERN 'searches')"
    )
    written = 0
    for p in range(PRODUCERS):
        out = folder / "data" / "processed" / f"bench-p{p:02d}"
        out.mkdir(parents=True, exist_ok=True)
        files = sorted((parts / f"p={p}").glob("*.parquet"))
        if len(files) == 1:
            files[0].replace(out / "searches.parquet")
        else:  # one file per writing thread: joined into one
            con.execute(
                f"COPY (FROM read_parquet({[str(f) for f in files]})) TO '{out / 'searches.parquet'}' "
                "(FORMAT parquet, ROW_GROUP_SIZE 122880)"
            )
        written += con.execute(f"SELECT count(*) FROM '{out / 'searches.parquet'}'").fetchone()[0]
    shutil.rmtree(parts, ignore_errors=True)
    info = {
        "version": VERSION,
        "rows": written,
        "searches": searches,
        "producers": PRODUCERS,
        "id_less_producers": len(ID_LESS),
        "bytes": sum(f.stat().st_size for f in (folder / "data").rglob("*.parquet")),
    }
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
               'network' AS log_kind, CASE WHEN {imm} THEN ['immigration'] ELSE []::VARCHAR[] END AS reason_categories,
               'TX' AS agency_state, hash(s, 5) % 6000 < 20 AS agency_federal,
               'data/raw/bench-p' || lpad(p::VARCHAR, 2, '0') || '/audit.csv' AS source_file,
               NULL::VARCHAR AS source_sheet, s AS source_row
        FROM copies"""


CHILD = """
import json, sys, time
from pathlib import Path
from pipeline.config import Corpus, Jurisdiction
from pipeline.analyze import corpus, corpus_report
root = Path(sys.argv[1])
members = tuple(Jurisdiction(slug=f"bench-p{p:02d}", name=f"bench {p}", producer=f"Bench producer {p}", log_kind="network",
                timezone="America/Chicago", inputs=("audit.csv",), raw_dir=root / "data" / "raw" / f"bench-p{p:02d}",
                synthetic=True) for p in range(int(sys.argv[2])))
c = Corpus(name="bench", display_name="Bench (SYNTHETIC)", members=members)
keyed, steps, build = {}, {}, corpus.build_searches
def build_searches(con, rules):   # the work files' size, and when the one pass over the copies ended
    steps["keyed_pass_done"] = time.perf_counter() - t
    keyed["bytes"] = sum(f.stat().st_size for f in (root / "work").rglob("*.parquet"))
    build(con, rules)
    steps["searches_done"] = time.perf_counter() - t
corpus.build_searches = build_searches
t = time.perf_counter()
r = corpus_report.compute(c, work=root / "work")
corpus_report.write(c, r, root=root)
secs = time.perf_counter() - t
hwm = next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"seconds": round(secs, 1), "peak_rss": hwm, "distinct_searches": r["facts"]["distinct_searches"],
                  "rows_counted": r["facts"]["rows"], "links": r["facts"]["searches_by_link"],
                  "keyed_parquet_bytes": keyed.get("bytes"), "steps": {k: round(v, 1) for k, v in steps.items()}}))
"""


def measure(folder: Path) -> dict:
    """Run CHILD in a fresh process; also the largest size of its work folder while it ran (the keyed work
    files, the work database and DuckDB's spill), sampled every half second."""
    cmd = ["nice", "-n", "10", sys.executable, "-c", CHILD, str(folder), str(PRODUCERS)]
    load_before, rise = _load_average(), 0
    t = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env={**os.environ, "PIPELINE_PROGRESS": "0"})
        while child.poll() is None:
            rise = max(rise, _folder_bytes(folder / "work"))
            time.sleep(0.5)
        out.seek(0), err.seek(0)
        if child.returncode:
            raise RuntimeError(err.read()[-2000:])
        result = json.loads(out.read().strip().splitlines()[-1])
    result["process_seconds"] = round(time.perf_counter() - t, 1)
    result["work_folder_bytes_max"] = rise
    result["load_average"] = f"{load_before} → {_load_average()}"  # 1-min load before and after: the machine is shared
    return result


def _folder_bytes(folder: Path) -> int:
    total = 0
    for path, _, files in os.walk(folder):
        for f in files:
            try:
                total += os.stat(os.path.join(path, f)).st_size
            except OSError:  # removed while walking
                pass
    return total


def _load_average() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="bench.bench_corpus")
    ap.add_argument("--rows", nargs="+", type=float, default=[10e6])
    a = ap.parse_args(argv)
    results = _load()
    for rows in map(int, a.rows):
        folder = OUT / f"{rows // 1_000_000}M"
        short = _short_of_disk(rows, folder, results)
        if short:
            print(f"{rows:,} rows: skipped: {short}", flush=True)
            continue
        t = time.perf_counter()
        gen = generate(rows, folder)
        gen_s = round(time.perf_counter() - t, 1)
        m = measure(folder)
        results[str(rows)] = {**gen, **m, "generate_seconds": gen_s, "measured_at": time.strftime("%Y-%m-%d %H:%M")}
        print(
            f"{rows:,} rows: {m['seconds']} s, peak RSS {m['peak_rss'] / 1e9:.2f} GB, "
            f"{m['distinct_searches']:,} searches (generated {gen['searches']:,})",
            flush=True,
        )
        (OUT / "results.json").write_text(json.dumps(results, indent=2))
    write_results(results)
    return 0


BYTES_PER_ROW = 300  # disk per row before any measurement: generated Parquet (100), work files and spill (<200)


def _bytes_per_row(results: dict) -> float:
    """Disk per row as measured at the largest size run: its generated Parquet and its work folder at its largest."""
    done = [r for r in results.values() if r.get("work_folder_bytes_max") is not None]
    if not done:
        return BYTES_PER_ROW
    r = max(done, key=lambda r: r["rows"])
    return (r["bytes"] + r["work_folder_bytes_max"]) / r["rows"]


def _short_of_disk(rows: int, folder: Path, results: dict) -> str | None:
    """Why this size cannot run here (free disk, with a margin of a quarter), or None."""
    per_row = _bytes_per_row(results)
    have = (folder / "generated.json").exists()
    need = 1.25 * rows * per_row - (json.loads((folder / "generated.json").read_text())["bytes"] if have else 0)
    OUT.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(OUT).free
    return f"needs about {need / 1e9:.0f} GB of free disk, {free / 1e9:.0f} GB free" if free < need else None


def _load() -> dict:
    try:
        return json.loads((OUT / "results.json").read_text())
    except (OSError, ValueError):
        return {}


def write_results(results: dict) -> None:
    """Replace the corpus section of bench/RESULTS.md (or add it), leaving every other section as it is."""
    lines = [
        "## Corpus step (04_corpus's computation): `python -m bench.bench_corpus`",
        "",
        f"44 producers' processed tables generated by DuckDB; targets {TARGET_SECONDS // 60} min and "
        f"{TARGET_RSS / 1e9:.0f} GB peak RSS at 140M rows. 2 shared cores, DuckDB memory limit "
        f"{os.environ.get('PIPELINE_MEMORY_LIMIT', '2GB')} (spills beyond it), run under nice 10. "
        "*Rows* and *searches* are checked against what the generator wrote and made.",
        "",
        "| rows | distinct searches | Parquet GB | seconds | copies read (keyed file written) at, s | s per M rows | "
        "peak RSS GB | work folder at most, GB | load (1 min, before → after) | measured |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for _, r in sorted(results.items(), key=lambda kv: int(kv[0])):
        ok = "" if (r.get("rows_counted"), r["distinct_searches"]) == (r["rows"], r["searches"]) else " **≠ generated**"
        lines.append(
            f"| {r['rows']:,} | {r['distinct_searches']:,}{ok} | {r['bytes'] / 1e9:.2f} | {r['seconds']} | "
            f"{r.get('steps', {}).get('keyed_pass_done', '—')} | {r['seconds'] / (r['rows'] / 1e6):.2f} | "
            f"{r['peak_rss'] / 1e9:.2f} | {(r.get('work_folder_bytes_max') or 0) / 1e9:.2f} | "
            f"{r.get('load_average', '?')} | {r['measured_at']} |"
        )
    lines += ["", verdict(results)]
    write_section("\n".join([BEGIN, *lines, END]) + "\n")


BEGIN, END = "<!-- corpus: begin -->", "<!-- corpus: end -->"  # bench.py keeps this block when it rewrites RESULTS.md


def write_section(text: str, path: Path = ROOT / "bench" / "RESULTS.md") -> None:
    """Replace the corpus block of RESULTS.md (or add it), leaving every other section as it is."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    if BEGIN in old and END in old:
        old = old[: old.index(BEGIN)] + old[old.index(END) + len(END) + 1 :]
    path.write_text(old.rstrip("\n") + "\n\n" + text, encoding="utf-8")


def verdict(results: dict) -> str:
    """In words, from the largest size measured: does one machine suffice for the largest known corpus
    (139.8M rows), and what would limit it first beyond."""
    if not results:
        return "No size was measured."
    rows, r = max(((int(k), v) for k, v in results.items()), key=lambda kv: kv[0])
    rate = r["rows"] / r["seconds"]
    met = r["seconds"] <= TARGET_SECONDS and r["peak_rss"] <= TARGET_RSS
    size = (
        "the size of the largest known corpus"
        if rows >= 139_000_000
        else "short of the largest known corpus (139.8M rows)"
    )
    free, per_row = shutil.disk_usage(OUT).free, _bytes_per_row(results)
    words = (
        f"**At {r['rows']:,} rows ({size}) the step took {r['seconds'] / 60:.1f} min with a peak RSS of "
        f"{r['peak_rss'] / 1e9:.2f} GB: {'within' if met else 'not within'} the targets "
        f"({TARGET_SECONDS // 60} min, {TARGET_RSS / 1e9:.0f} GB).** "
    )
    if rows >= 139_000_000:
        words += (
            "One machine like this one suffices for the largest known corpus. "
            if met
            else "One machine like this one does not yet suffice for the largest known corpus in the target time. "
        )
    sizes = sorted(((int(k), v) for k, v in results.items()), key=lambda kv: kv[0])
    rss = ", ".join(f"{v['peak_rss'] / 1e9:.2f} GB at {v['rows'] / 1e6:.0f}M" for _, v in sizes)
    flat = len(sizes) > 1 and sizes[-1][1]["peak_rss"] <= 1.2 * sizes[-2][1]["peak_rss"]
    words += (
        f"Peak RSS: {rss}"
        + (
            "; it stops growing once DuckDB's 2GB budget is reached (the per-search GROUP BY "
            "spills to disk beyond it), so memory is not the first limit"
            if flat
            else ""
        )
        + ". "
    )
    by_time = rate * TARGET_SECONDS
    by_disk = (free + r["bytes"]) / per_row  # this size's generated tables could make room for a larger corpus
    limits = sorted(
        [
            (
                by_time,
                f"time (at the measured {rate / 1e6:.2f}M rows/s, 10 minutes cover about {by_time / 1e6:.0f}M rows)",
            ),
            (
                by_disk,
                f"disk (the generated tables and the work folder at its largest — keyed files, work "
                f"database, spill — took {per_row:.0f} bytes per row, so the {free / 1e9:.0f} GB free "
                f"here and the {r['bytes'] / 1e9:.0f} GB of this size's tables hold about "
                f"{by_disk / 1e6:.0f}M rows)",
            ),
        ]
    )
    words += (
        f"Beyond that, the first limit on this machine is {limits[0][1]}, then {limits[1][1]}. A search's "
        "producers are bits of one 64-bit mask: at most 64 members per corpus "
        "(pipeline.analyze.corpus.MAX_MEMBERS)."
    )
    return words


if __name__ == "__main__":
    sys.exit(main())
