"""The fixed-cost benchmark's verdicts (bench/bench_kernels.py): each target of issue 22 judged from the
figures measured, as ratios to the import floor F of the same session (hand-made figures, no run here)."""

from __future__ import annotations

from bench import bench_kernels as bk


def _run(what, template, seconds, own=None, pss=None, rss=None):
    """A timed run (no memory figures), or with pss and rss a run whose memory was sampled."""
    return {
        "what": what,
        "template": template,
        "ok": True,
        "memory": pss is not None,
        "seconds": seconds,
        "own_seconds": own,
        "ratio_whole": round(seconds / 4.0, 2),
        "ratio_own": round(own / 4.0, 2) if own else None,
        "cpu_seconds": seconds,
        "ratio_cpu": seconds / 4.0,
        "peak_rss": rss,
        "peak_pss": pss,
    }


def results(**over):
    runs = [
        _run("make run", True, 44.0),
        _run("make run", False, 90.0),
        _run("small", True, 9.6, own=6.0),
        _run("small", False, 20.0, own=15.0),
        _run("month", True, 24.0, own=17.0),
        _run("month", False, 35.0, own=30.0),
        # the runs whose memory was sampled: slower (the sampling), never the time of a target
        _run("make run", True, 40.0, pss=900e6, rss=2000e6),
        _run("make run", False, 95.0, pss=1000e6, rss=1100e6),
        _run("small", True, 9.0, own=5.0, pss=400e6, rss=500e6),
    ]
    return {
        "floor_seconds": 4.0,
        "floor_cpu_seconds": 4.2,
        "load_before": 0.3,
        "cpus": 2,
        "runs": runs,
        "rerun_seconds": 0.4,
        "test_seconds": 420.0,
        **over,
    }


def test_each_target_is_judged_from_the_best_run_with_the_template():
    said = bk.targets(results())
    assert said[0] == "- met: small whole command ≤ 2.5 F: 2.4 F"
    assert said[1] == "- **NOT met**: one month, own time ≤ 4.0 F: 4.2 F"  # 17.0 s / 4.0 s
    assert said[2] == "- met: make run ≤ 12.0 F: 11.0 F"
    assert said[3].startswith("- met: peak memory") and "PSS 900 MB vs 1,000 MB" in said[3]  # RSS would say otherwise
    assert said[4] == "- met: a rerun with nothing changed under 1 s: 0.40 s"
    assert said[5] == "- **NOT met**: `make test` (its pytest) within 6 min: 7.0 min"


def test_a_command_that_failed_is_not_met():
    r = results()
    r["runs"] = [x for x in r["runs"] if x["what"] != "month"]
    assert "- **NOT met**: one month, own time: not measured (the command failed)" in bk.targets(r)


def test_the_results_block_has_every_command_both_ways_and_the_targets():
    block = bk.markdown(results())
    assert block.startswith(f"<!-- {bk.MARK}: begin -->") and block.rstrip().endswith(f"<!-- {bk.MARK}: end -->")
    assert block.count("| forked from the template |") == 3 and block.count("| ordinary start |") == 3
    assert "F = 4.00 s" in block and "**NOT met**: one month" in block
    # the times are the timed runs'; the memory the sampled runs' (a command without one says so)
    assert "| `run -j foster-city-ca-pd --force` | forked from the template | 9.6 s | 2.4 | 6.0 s | 1.5 |" in block
    assert "| 500 MB (400 MB) |" in block
    assert [line.endswith("| - |") for line in block.splitlines() if "| `run" in line] == [False] * 3 + [True] * 3
