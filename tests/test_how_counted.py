"""The page with code shows how each headline figure is counted (issue 27): the figure, its value and the
function with its SQL, on the code page only; the editor page leaves that section out."""

import shutil

import nbformat
import pytest
import yaml

from pipeline import ROOT
from pipeline.config import load, select
from pipeline.analyze.facts import HEADLINE_FIGURES, compute, how_counted
from pipeline.report.render import CODE_ONLY_TAG, code_view, editor_view

from conftest import REAL, built, entry


@pytest.fixture(scope="module")
def belmont(tmp_path_factory):
    """The real Belmont release built in a throw-away project (SOURCES.md: 91 searches); the project
    fixture is per test, so this builds by hand once for the module."""
    root = tmp_path_factory.mktemp("belmont")
    name = "belmont-ca-pd_search_audit.a871b2fc.csv"
    (root / "data/raw/belmont-ca-pd").mkdir(parents=True)
    shutil.copyfile(REAL / "belmont-ca-pd" / name, root / "data/raw/belmont-ca-pd" / name)
    e = entry("belmont-ca-pd", [name], timezone="America/Los_Angeles", log_kind="portal", producer_state="CA")
    (root / "jurisdictions.yml").write_text(yaml.safe_dump({"jurisdictions": [e]}, sort_keys=False))
    (j,) = select(load(root / "jurisdictions.yml", root=root), ["belmont-ca-pd"])
    built(j)
    return j


def test_every_headline_figure_is_shown_with_its_value_and_the_sql_that_counts_it(belmont):
    f = compute(belmont)
    parts = how_counted(f)
    assert [p["function"].rsplit(".", 1)[-1] for p in parts] == [fn.__qualname__ for fn, _ in HEADLINE_FIGURES]
    shown = dict(kv for p in parts for kv in p["figures"])
    assert shown["searches"] == 91  # SOURCES.md
    assert shown["agencies"] is None  # a portal export names no agency: not computed, never 0
    for p in parts:
        assert p["source"].lstrip().startswith("def ")
    sql = [p for p in parts if p["function"].endswith(("_figures", "_who_and_why", "_look_back"))]
    assert all("FROM searches" in p["source"] for p in sql)


def test_a_figure_missing_from_the_facts_is_an_error_not_a_silent_gap():
    with pytest.raises(KeyError, match="searches"):
        how_counted({})


def test_the_editor_page_leaves_out_the_fact_checkers_section_and_the_code_page_keeps_it():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("## Findings"),
        nbformat.v4.new_code_cell("facts.how_counted(f)", metadata={"tags": [CODE_ONLY_TAG]}),
    ]
    assert [c.source for c in editor_view(nb).cells] == ["## Findings"]
    assert len(code_view(nb).cells) == 2


def test_page_03_shows_how_counted_on_the_code_page_only():
    nb = nbformat.read(ROOT / "notebooks" / "03_analyze.ipynb", as_version=4)
    tagged = [c for c in nb.cells if CODE_ONLY_TAG in c.metadata.get("tags", [])]
    assert any("facts.how_counted(f)" in c.source for c in tagged)
