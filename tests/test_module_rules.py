"""One job per module (issue 27 item 2): no module in pipeline/, tools/ or bench/ over 500 lines, and none
reaching into another module's private names (`from m import _x` or `m._x`): shared code is public, a layer
down."""

from __future__ import annotations

import ast
from pathlib import Path

from pipeline import ROOT

PACKAGES = ("pipeline", "tools", "bench")
MAX_LINES = 500
# Being split in other branches of issue 27 (runner, bench, charts): their helpers fix these. Each entry must
# still be true, so the list only shrinks: delete an entry when its branch lands.
AWAITED = {
    "lines": set(),
    "private": set(),
}


def sources() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def private_uses(path: Path) -> list[str]:
    """Every use of another project module's private name in one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules, hits = set(), []
    for n in ast.walk(tree):
        if isinstance(n, ast.ImportFrom) and n.module and n.module.split(".")[0] in PACKAGES:
            for a in n.names:
                if a.name.startswith("_") and not a.name.startswith("__"):
                    hits.append(f"line {n.lineno}: from {n.module} import {a.name}")
                modules.add(a.asname or a.name)
        elif isinstance(n, ast.Import):
            modules |= {a.asname or a.name.split(".")[0] for a in n.names if a.name.split(".")[0] in PACKAGES}
    for n in ast.walk(tree):
        if (
            isinstance(n, ast.Attribute)
            and n.attr.startswith("_")
            and not n.attr.startswith("__")
            and isinstance(n.value, ast.Name)
            and n.value.id in modules
        ):
            hits.append(f"line {n.lineno}: {n.value.id}.{n.attr}")
    return hits


def rel(p: Path) -> str:
    return p.relative_to(ROOT).as_posix()


def test_no_module_is_over_500_lines():
    long = {rel(p): n for p in sources() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert set(long) - AWAITED["lines"] == set(), long
    assert AWAITED["lines"] <= set(long), f"landed: remove {AWAITED['lines'] - set(long)} from AWAITED"


def test_no_module_uses_another_modules_private_names():
    found = {rel(p): hits for p in sources() if (hits := private_uses(p))}
    assert set(found) - AWAITED["private"] == set(), {k: v for k, v in found.items() if k not in AWAITED["private"]}
    assert AWAITED["private"] <= set(found), f"landed: remove {AWAITED['private'] - set(found)} from AWAITED"


def test_the_check_sees_both_forms(tmp_path):
    f = tmp_path / "m.py"
    f.write_text("from pipeline.report.show import _x\nfrom pipeline.io import db\ndb._y()\n")
    assert private_uses(f) == ["line 1: from pipeline.report.show import _x", "line 3: db._y"]
