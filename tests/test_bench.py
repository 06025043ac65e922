"""The benchmark's machinery at a tiny size (20,000 rows): every method runs in its own process and
results.json holds positive seconds and peak RSS for each, with the ratios to the floor. Timings are never
asserted (they belong to the machine); the full benchmark is `make bench` (bench/README.md)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from pipeline import ROOT
from bench.bench import METHODS


def test_bench_tiny(tmp_path):
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, "-m", "bench.bench", "--rows", "20000", "--no-e2e", "--no-profile",
                           "--out", str(tmp_path / "out"), "--data", str(tmp_path / "data")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    res = json.loads((tmp_path / "out" / "results.json").read_text())
    size = "rows-20000"
    runs = {r["method"]: r for r in res["runs"] if r["size"] == size}
    assert set(runs) == set(METHODS)
    for method, r in runs.items():
        assert r["ok"], (method, r.get("error"), r.get("log_tail"))
        assert r["seconds"] > 0 and r["process_seconds"] > 0, method
        assert r["peak_rss"] > 0, method
        assert r["rows"] == res["data"][size]["rows"] == 20_000, method
        assert r["ratio_to_floor"] > 0 and r["rows_per_second"] > 0, method
    floor = res["floors"][size]
    assert floor["method"] in ("floor_duckdb", "floor_pyarrow")
    assert min(runs["floor_duckdb"]["ratio_to_floor"], runs["floor_pyarrow"]["ratio_to_floor"]) == 1.0
    # the pipeline found what the generator planted, and both classifier engines agree
    assert all(c["ok"] for c in res["correctness"]), [c for c in res["correctness"] if not c["ok"]]
    assert res["checks"][size]["mismatches"] == 0
    assert {t["target"].split(":")[0] for t in res["targets"]} == {size}
    md = (tmp_path / "out" / "RESULTS.md").read_text()
    assert "| method | size | rows | seconds | rows/s | peak RSS | ratio to floor |" in md
    assert "Where the time goes" in md
