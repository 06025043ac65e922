"""The analysis page (notebooks/03_analyze.ipynb) as an editor reads it (issue 23 items 4 and 5): no plumbing
in what is shown unfolded, no "who searched these cameras" on a log of the producer's own searches, no
agency ranking, out-of-state share or map for one agency, and a sentence instead of a chart of equal bars.

The notebook's words are checked here without running it; tests/test_end_to_end.py runs it."""

from __future__ import annotations

import json
import re

from pipeline import ROOT
from pipeline.analyze import fact_check
from pipeline.report import show

NOTEBOOK = ROOT / "notebooks" / "03_analyze.ipynb"
# What an editor page must not show outside the folded fact-checkers' section.
PLUMBING = re.compile(r"data/processed|\.parquet|pipeline/|rules/|facts\.py|rule_id|`[a-z_]+`|jurisdictions\.yml")


def _cells():
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]


def _text(cell) -> str:
    return "".join(cell["source"])


def test_no_plumbing_in_the_pages_words():
    # (a cell tagged code-page-only, how each figure is counted, is on the page with code alone)
    editor = [c for c in _cells() if "code-page-only" not in c.get("metadata", {}).get("tags", [])]
    for cell in editor:
        if cell["cell_type"] == "markdown":
            assert not PLUMBING.search(_text(cell)), _text(cell)[:120]
    # The strings a code cell displays (Markdown('...')) are held to the same rule.
    for cell in editor:
        if cell["cell_type"] == "code":
            for shown in re.findall(r"Markdown\((f?['\"].*?['\"])\)", _text(cell), re.DOTALL):
                assert not PLUMBING.search(shown), shown


def test_paths_rule_ids_and_hashes_are_folded_for_the_fact_checker():
    code = "\n".join(_text(c) for c in _cells() if c["cell_type"] == "code")
    # The table with rule ids and file names, the sources with their SHA-256, and the reads/writes are shown
    # only through fact_check.folded, closed by default.
    for what in ("'rule_id'", "show.sources_frame(f)", "fact_check.plumbing_html", "show.table(longest"):
        line = next(line for line in code.splitlines() if what in line)
        start = code.index(line)
        assert "fact_check.folded(" in code[max(0, start - 600) : start + len(line)], what
    folded = fact_check.folded("Sources <b>", "<p>x</p>")
    assert folded.startswith('<details class="fact-check"><summary>Sources &lt;b&gt;</summary>')
    assert " open" not in folded.split(">")[0]
    assert "data/processed/alvin-isd/searches.parquet" in fact_check.plumbing_html("alvin-isd")


def test_the_page_asks_its_question_by_the_kind_of_log():
    words = "\n".join(_text(c) for c in _cells())
    assert "who searched these cameras" not in words.lower()
    assert "Who searched {charts.possessive(j.name)} cameras" in words  # network audits only
    assert "own users search" in words and "officers search" in words


def test_one_agency_shows_no_ranking_share_or_map_and_equal_bars_a_sentence():
    cells = [_text(c) for c in _cells() if c["cell_type"] == "code"]
    for name in ("top_agencies", "immigration_by_agency", "immigration_by_state", "searches_by_state_map"):
        cell = next(c for c in cells if f"'{name}'" in c)
        assert cell.lstrip().splitlines()[1].startswith("if own"), name  # the first test is the one-agency log
    types = next(c for c in cells if "tables.immigration_types(j)" in c)
    assert "chart_or_sentence('immigration_types'" in types


def test_the_banner_gives_the_source_in_words_and_leaves_its_path_to_the_fact_checkers():
    import dataclasses

    from pipeline.config import load

    eugene = next(j for j in load(check_files=False) if j.slug == "eugene-or-pd")
    assert "data/raw/eugene-or-pd/SOURCE.md" in eugene.source  # the reporter's text names the path
    said = show.banner(eugene).data
    assert "EyesOff Eugene (CC0 1.0)" in said and "data/raw" not in said
    assert "data/raw/eugene-or-pd/SOURCE.md" in fact_check.plumbing_html(
        eugene.slug, show.source_words(eugene.source)[1]
    )
    unsaid = show.banner(dataclasses.replace(eugene, source=None)).data
    assert "source is not stated" in unsaid and "data/raw" not in unsaid
