"""bench/RESULTS.md from the results."""

from __future__ import annotations

from bench.common import (
    GB,
    LABELS,
)
from bench.results import (
    gb,
    stage_table,
    scaling_markdown,
)


def markdown(results: dict) -> str:  # noqa: C901 - one ordered page of RESULTS.md, section by section
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
            L.append(f"| {label} | {r['size']} | - | FAILED | - | {gb(r.get('peak_rss'))} | {r.get('error', '')} |")
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
            f"| {label}{floor_mark} | {r['size']} | {rows} | {secs:.2f} | {rps} | {gb(r['peak_rss'])} | {ratio} "
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
        L += ["By the build's own progress messages:", ""] + stage_table(r)
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
            f"(CPU {r['cpu_seconds']:.0f} s, peak RSS of the process tree {gb(r['peak_rss'])}); the run said: "
            f"{said[:400] or '-'}"
        )
    runs = [r for r in e2e if r["method"] != "e2e_floor"]
    if len(runs) == 2 and runs[0].get("code_version_after") != runs[1].get("code_version_before"):
        L.append(
            "- note: the pipeline's code changed between the first run and the rerun, so the rerun was not a "
            "rerun with nothing changed"
        )
    return "\n".join(L) + "\n"
