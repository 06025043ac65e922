"""No import cycles (issue 27 item 3) among the modules of pipeline/, tools/ and bench/, counting the imports
made inside functions (a cycle hidden in a function still ties two modules to each other).

grimp (installed with import-linter) builds the graph; it reads every `import` statement in a module,
wherever it stands, which the first test checks on a planted package so the others can rely on it. Imports
under `if TYPE_CHECKING:` are left out: they never run."""

from __future__ import annotations

import textwrap

import grimp
import pytest

PACKAGES = ("pipeline", "tools", "bench")


def import_graph(*packages: str) -> dict[str, set[str]]:
    """Module -> the project modules it imports (at the top or inside a function)."""
    g = grimp.build_graph(*packages, exclude_type_checking_imports=True, cache_dir=None)
    return {m: set(g.find_modules_directly_imported_by(m)) for m in g.modules}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or in a ring (strongly connected components of
    more than one module, or a module importing itself), by Tarjan's algorithm, iteratively."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    m = stack.pop()
                    on_stack.discard(m)
                    group.append(m)
                    if m == node:
                        break
                if len(group) > 1 or node in graph.get(node, ()):
                    found.append(sorted(group))
    return sorted(found)


@pytest.fixture
def planted(tmp_path, monkeypatch):
    """A package `plantedpkg` written into tmp_path (importable for grimp): {module name: source}."""

    def write(modules: dict[str, str]) -> str:
        pkg = tmp_path / "plantedpkg"
        pkg.mkdir()
        (pkg / "__init__.py").write_text('"""A planted package."""\n')
        for name, source in modules.items():
            (pkg / f"{name}.py").write_text(textwrap.dedent(source))
        monkeypatch.syspath_prepend(str(tmp_path))
        return "plantedpkg"

    return write


def test_the_graph_counts_an_import_made_inside_a_function(planted):
    pkg = planted({"a": "def f():\n    from plantedpkg import b\n    return b\n", "b": "X = 1\n"})
    assert import_graph(pkg)["plantedpkg.a"] == {"plantedpkg.b"}


def test_a_cycle_through_a_function_level_import_is_found(planted):
    pkg = planted(
        {
            "a": "from plantedpkg import b\n",
            "b": "def f():\n    import plantedpkg.c\n",
            "c": "def g():\n    from plantedpkg.a import thing\n",
            "d": "import plantedpkg.a\n",  # imports into the ring, but is not part of it
        }
    )
    assert cycles(import_graph(pkg)) == [["plantedpkg.a", "plantedpkg.b", "plantedpkg.c"]]


def test_a_type_checking_import_makes_no_cycle(planted):
    pkg = planted(
        {
            "a": "from plantedpkg import b\n",
            "b": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from plantedpkg import a\n",
        }
    )
    assert cycles(import_graph(pkg)) == []


def test_the_cycle_finder_on_small_graphs():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    assert cycles({"a": {"a"}}) == [["a"]]
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c", "a"}}) == [["a", "b"], ["c", "d"]]


def test_no_import_cycles_in_pipeline_tools_and_bench():
    graph = import_graph(*PACKAGES)
    assert "pipeline.run.add_files" in graph  # (the graph holds the tree's modules)
    assert cycles(graph) == []
