"""The benchmark's machinery at a tiny size (20,000 rows): every method runs in its own process and
results.json holds positive seconds and peak RSS for each, with the ratios to the floor. Timings are never
asserted (they belong to the machine); the full benchmark is `make bench` (bench/README.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bench.common import METHODS
from pipeline import ROOT


def test_bench_tiny(tmp_path):
    env = dict(os.environ)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.bench",
            "--rows",
            "20000",
            "--no-e2e",
            "--no-profile",
            "--out",
            str(tmp_path / "out"),
            "--data",
            str(tmp_path / "data"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    res = json.loads((tmp_path / "out" / "results.json").read_text())
    size = "rows-20000"
    runs = {r["method"]: r for r in res["runs"] if r["size"] == size}
    assert set(runs) == set(METHODS)
    for method, r in runs.items():
        assert r["ok"], (method, r.get("error"), r.get("log_tail"))
        assert r["seconds"] > 0 and r["process_seconds"] > 0, method
        assert r["peak_rss"] > 0, method
        # validation counts the searches (duplicates removed); every other method the rows of the files
        want = res["data"][size]["searches"] if method == "validate" else res["data"][size]["rows"]
        assert r["rows"] == want and res["data"][size]["rows"] == 20_000, method
        assert r["ratio_to_floor"] > 0 and r["rows_per_second"] > 0, method
        assert r["ratio_to_write_floor"] > 0 and r["ratio_to_naive"] > 0, method
    assert runs["floor_write"]["ratio_to_write_floor"] == 1.0
    assert (
        runs["validate"]["verdict"] in ("GREEN", "YELLOW", "RED") and len(runs["validate"]["validation_digest"]) == 64
    )
    floor = res["floors"][size]
    assert floor["method"] in ("floor_duckdb", "floor_pyarrow")
    assert min(runs["floor_duckdb"]["ratio_to_floor"], runs["floor_pyarrow"]["ratio_to_floor"]) == 1.0
    # the pipeline found what the generator planted, and both classifier engines agree
    assert all(c["ok"] for c in res["correctness"]), [c for c in res["correctness"] if not c["ok"]]
    assert res["checks"][size]["mismatches"] == 0
    assert {t["target"].split(":")[0] for t in res["targets"]} == {size}
    md = (tmp_path / "out" / "RESULTS.md").read_text()
    assert "| method | size | rows | seconds | rows/s | peak RSS | ratio to floor | to write floor | to naive |" in md
    assert "Where the time goes" in md


def test_scaling_curve_per_million_rows():
    """The curve divides each size's seconds by its rows: a build twice the rows in twice the time is flat."""
    from bench.results import scaling_curve, scaling_markdown

    res = {
        "machine": {"date": "d", "git_commit": "c"},
        "settings": {"sizes": {"a": {"rows": 1_000_000}, "b": {"rows": 4_000_000}}},
        "runs": [
            {
                "method": "pipeline_build",
                "size": "a",
                "ok": True,
                "seconds": 10.0,
                "cpu_seconds": 15.0,
                "peak_rss": 1e9,
            },
            {
                "method": "pipeline_build",
                "size": "b",
                "ok": True,
                "seconds": 40.0,
                "cpu_seconds": 60.0,
                "peak_rss": 1e9,
            },
            {"method": "validate", "size": "b", "ok": False, "seconds": 1.0},
        ],
    }
    curve = scaling_curve(res)
    a, b = curve["sizes"]
    assert a["pipeline_build"]["seconds_per_million_rows"] == b["pipeline_build"]["seconds_per_million_rows"] == 10.0
    assert b["pipeline_build"]["cpu_seconds_per_million_rows"] == 15.0
    assert "validate" not in b  # a failed run is not a point of the curve
    assert any(line.startswith("| b | 4,000,000 | 40.0 |") for line in scaling_markdown(curve))
