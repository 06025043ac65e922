"""The documents: the README stays short, every link of README.md and docs/*.md resolves (files and #anchors),
and the data dictionary in docs/outputs.md is the one the explorer reads (pipeline/explore/dictionary.yml)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline import ROOT
from pipeline.explore.metadata import DICTIONARY
from pipeline.io.rules import read_data_file

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "bench" / "README.md"]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
# Documents other branches of issue 27 bring (their helpers write them); the lead merges them. Once one is here,
# this test fails until its name is taken out of the set, so the link is then checked like any other.
AWAITED_FROM_OTHER_BRANCHES: set[str] = set()


def anchors(path: Path) -> set[str]:
    """GitHub's anchors for a Markdown file's headings (lower case, punctuation dropped, spaces to hyphens)."""
    out, seen = set(), {}
    in_code = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        if in_code or not re.match(r"#{1,6} ", line):
            continue
        slug = re.sub(r"[^\w\- ]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


def links(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    return LINK.findall(text)


def test_the_readme_is_at_most_12_kb():
    assert (ROOT / "README.md").stat().st_size <= 12 * 1024


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_resolves(doc):
    broken = []
    for target in links(doc):
        if re.match(r"[a-z]+:", target):  # http(s), mailto: not followed (the pages work offline)
            continue
        file, _, anchor = target.partition("#")
        path = (doc.parent / file).resolve() if file else doc
        relative = path.relative_to(ROOT.resolve()).as_posix() if path.is_relative_to(ROOT.resolve()) else str(path)
        if relative in AWAITED_FROM_OTHER_BRANCHES and not path.exists():
            continue
        if not path.exists():
            broken.append(f"{target}: no such file")
        elif anchor and anchor not in anchors(path):
            broken.append(f"{target}: no heading with the anchor #{anchor} in {relative}")
    assert not broken, broken


def test_the_awaited_documents_are_still_awaited():
    # When a helper's document arrives, take it out of AWAITED_FROM_OTHER_BRANCHES: its links are then checked.
    here = sorted(d for d in AWAITED_FROM_OTHER_BRANCHES if (ROOT / d).exists())
    assert not here, f"remove {here} from AWAITED_FROM_OTHER_BRANCHES"


def test_a_broken_link_and_a_broken_anchor_are_caught(tmp_path):
    (tmp_path / "a.md").write_text("# Title here\n\n[x](b.md) [y](#nope) [z](#title-here)\n")
    assert links(tmp_path / "a.md") == ["b.md", "#nope", "#title-here"]
    assert anchors(tmp_path / "a.md") == {"title-here"}


def test_the_data_dictionary_in_the_docs_is_the_one_the_explorer_reads():
    text = (ROOT / "docs" / "outputs.md").read_text(encoding="utf-8")
    section = text.split("## `searches.parquet`: the data dictionary", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0].startswith("`"):
            rows.append((re.findall(r"`([a-z_0-9]+)`", cells[0]), " | ".join(cells[1:])))
    data = read_data_file(DICTIONARY)["columns"]
    assert rows == [(e["columns"], e["meaning"]) for e in data]


def test_no_code_reads_a_document():
    # The project's documents are for people; what code needs lives in data files (a release's SOURCE.md is data).
    code = [p for p in (ROOT / "pipeline").rglob("*.py")]
    readers = [p for p in code if re.search(r"README\.md[\"']|[\"']docs/", p.read_text(encoding="utf-8"))]
    assert not readers, readers
