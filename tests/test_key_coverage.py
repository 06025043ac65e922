"""The clean stage's content key (pipeline/io/keys.py CLEAN_CODE) covers every module the clean stage runs:
a module split out of clean.searches or the readers must be listed, or a change in it would not rerun the
cleaning (issue 27 item 2 split them)."""

from __future__ import annotations

import grimp

from pipeline import ROOT
from pipeline.io.keys import CLEAN_CODE


def stage_modules(start: str, within: tuple[str, ...]) -> set[str]:
    """The modules `start` imports, directly or through others, inside the given packages (grimp's graph
    counts imports made inside functions)."""
    g = grimp.build_graph("pipeline", cache_dir=None)
    reached = g.find_upstream_modules(start) | {start}
    return {m for m in reached if m.startswith(within)}


def covered(module: str) -> bool:
    path = ROOT / (module.replace(".", "/") + ".py")
    if not path.exists():
        path = ROOT / module.replace(".", "/") / "__init__.py"
    return any(path in ROOT.glob(pattern) for pattern in CLEAN_CODE)


def test_the_clean_key_covers_every_module_clean_runs():
    modules = stage_modules("pipeline.clean.searches", ("pipeline.clean", "pipeline.ingest"))
    assert {"pipeline.clean.parse", "pipeline.clean.outputs", "pipeline.ingest.stage"} <= modules
    assert sorted(m for m in modules if not covered(m)) == []
