"""Done when (issue 16): add a release to a new jurisdiction, run, add a second release, run, and find the
differences the synthetic generator planted in changes.json, on 03_analyze's page and on the index.

The two releases are two small huffman-like network audits generated with different seeds and scales
(different search ids, overlapping agency names), so what the second adds is known from the
generator's truth.json alone: its searches, immigration searches by type and federal searches, and
the agencies it brings that the first did not have.
"""

import html
import json
import shutil

import pytest

from pipeline import ROOT
from pipeline.analyze import changes
from tools import synth
from pipeline.cli import main
from pipeline.config import load, select
from pipeline.run.runner import run

SLUG = "release-isd"


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory):
    root = tmp_path_factory.mktemp("releases")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    shutil.copyfile(ROOT / "jurisdictions.yml", root / "jurisdictions.yml")  # with its comments
    gen = tmp_path_factory.mktemp("generated")
    parts = []
    for k, (scale, seed) in enumerate([(0.03, 20260228), (0.1, 7)], 1):
        truth = synth.generate("huffman-isd", gen / f"part{k}", scale=scale, seed=seed)
        (f,) = truth["files"]
        release = gen / f"SYNTHETIC_{SLUG}_network-audit_2026-02_part{k}.csv"
        shutil.copyfile(gen / f"part{k}" / f["file"], release)
        parts.append((release, truth))
    lines: list[str] = []
    runs = []
    (first, _), (second, _) = parts
    assert (
        main(
            [
                "add",
                str(first),
                "-j",
                SLUG,
                "--root",
                str(root),
                "--name",
                "Release ISD",
                "--producer",
                "Release Independent School District",
                "--timezone",
                "America/Chicago",
                "--producer-state",
                "TX",
                "--synthetic",
                "--received",
                "2026-02-15",
            ]
        )
        == 0
    )
    runs.append(run([SLUG], root=root, jobs=1, echo=lines.append))
    first_changes = json.loads((root / "reports" / SLUG / "changes.json").read_text())
    assert main(["add", str(second), "-j", SLUG, "--root", str(root), "--received", "2026-03-02"]) == 0
    runs.append(run([SLUG], root=root, jobs=1, echo=lines.append))
    return root, parts, runs, first_changes, lines


def test_both_runs_succeed_and_the_first_starts_the_history(two_releases):
    root, parts, runs, first_changes, lines = two_releases
    assert runs == [0, 0], lines
    assert first_changes["status"] == "first_run" and first_changes["synthetic"] is True
    assert len(changes.history(root / "reports" / SLUG / "history")) == 2
    assert "# Keys (anything else is an error):" in (root / "jurisdictions.yml").read_text()


def test_changes_json_holds_the_differences_the_generator_planted(two_releases):
    root, [(first, t1), (second, t2)], _, _, _ = two_releases
    ch = json.loads((root / "reports" / SLUG / "changes.json").read_text())
    assert ch["status"] == "changed" and ch["label"] == "SYNTHETIC"
    assert [f["file"] for f in ch["files"]["added"]] == [f"data/raw/{SLUG}/{second.name}"]
    assert ch["files"]["removed"] == [] and ch["files"]["changed"] == [] and ch["files"]["unchanged"] == 1
    fig = {x["fact"]: x for x in ch["figures"]}
    agencies_after = len(set(t1["state_by_agency"]) | set(t2["state_by_agency"]))
    assert agencies_after > t1["agencies"]  # the second release brings agencies of its own
    expected = {
        "searches": (t1["searches"], t1["searches"] + t2["searches"]),
        "agencies": (t1["agencies"], agencies_after),
        "immigration_searches": (
            t1["immigration"]["searches"],
            t1["immigration"]["searches"] + t2["immigration"]["searches"],
        ),
        "immigration_civil": (t1["immigration"]["civil"], t1["immigration"]["civil"] + t2["immigration"]["civil"]),
        "immigration_criminal": (
            t1["immigration"]["criminal"],
            t1["immigration"]["criminal"] + t2["immigration"]["criminal"],
        ),
        "immigration_unspecified": (
            t1["immigration"]["unspecified"],
            t1["immigration"]["unspecified"] + t2["immigration"]["unspecified"],
        ),
        "federal_searches": (t1["federal_searches"], t1["federal_searches"] + t2["federal_searches"]),
    }
    for fact, (before, after) in expected.items():
        assert (fig[fact]["before"], fig[fact]["after"], fig[fact]["difference"]) == (before, after, after - before), (
            fact
        )
    # the two parts differ, so a difference equal to the first part's figure would be caught
    assert t2["immigration"]["civil"] != t1["immigration"]["civil"] and t2["searches"] != t1["searches"]


def _sentence(t1, t2, second):
    return (
        f"[SYNTHETIC DATA] The release in {second.name} adds {t2['searches']:,} searches "
        f"({t1['searches']:,} → {t1['searches'] + t2['searches']:,})"
    )


def test_the_page_and_the_index_say_what_the_second_release_changed(two_releases):
    root, [(_, t1), (second, t2)], _, _, _ = two_releases
    i1, i2 = t1["immigration"], t2["immigration"]
    immigration = (
        f"Immigration-related searches rise from {i1['searches']:,} to {i1['searches'] + i2['searches']:,} "
        f"(+{i2['searches']:,}): civil/administrative {i1['civil']:,} → {i1['civil'] + i2['civil']:,} "
        f"(+{i2['civil']:,}), criminal {i1['criminal']:,} → {i1['criminal'] + i2['criminal']:,} "
        f"(+{i2['criminal']:,})"
    )
    page = html.unescape((root / "reports" / SLUG / "03_analyze.html").read_text())
    index = html.unescape((root / "reports" / "index.html").read_text())
    for text in (page, index):
        assert "What changed since the last run" in text
        assert _sentence(t1, t2, second) in text and immigration in text
    # near the top of 03: right after the findings, before what the data cannot tell and the claims
    assert (
        page.index("What does this release show?")
        < page.index("What changed since the last run")
        < page.index("What can this data not tell you?")
        < page.index("Does each published claim hold?")
    )
    # on the index: right after the table of jurisdictions (whose rows are found by name)
    assert (
        index.index("</table>") < index.index("What changed since the last run") < index.index("more than one producer")
    )


def test_a_rerun_with_nothing_new_says_so_and_keeps_the_history(two_releases):
    root = two_releases[0]
    history = root / "reports" / SLUG / "history"
    before = {p.name: p.read_bytes() for p in history.iterdir()}
    (j,) = select(load(root / "jurisdictions.yml", root=root, check_files=False), [SLUG])
    published = json.loads((root / "reports" / SLUG / "facts.json").read_text())
    ch = changes.record(j, published)  # what 03 does when its figures come out the same
    assert ch["status"] == "no_change" and ch["sentences"][0].startswith(
        "[SYNTHETIC DATA] No change since the last run"
    )
    assert {p.name: p.read_bytes() for p in history.iterdir()} == before


def test_a_rerun_that_has_nothing_to_redo_says_no_change_on_the_index(two_releases):
    root = two_releases[0]
    lines: list[str] = []
    assert run([SLUG], root=root, jobs=1, echo=lines.append) == 0
    assert f"{SLUG}: unchanged since the last run; nothing to do" in lines
    index = (root / "reports" / "index.html").read_text()
    start = index.index("What changed since the last run")
    section = index[start : index.index("</section>", start)]
    said = section.index("No change since the last run")
    assert "adds" not in section or said < section.index("adds")  # an older change comes after, if at all
