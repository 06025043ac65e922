"""History of published figures and what changed between two runs (pipeline/analyze/changes.py), on hand-made facts."""

import json
from types import SimpleNamespace

from pipeline.analyze import changes

A = {"file": "data/raw/x-pd/jan.csv", "sha256": "a" * 64, "bytes": 10}
B = {"file": "data/raw/x-pd/feb.csv", "sha256": "b" * 64, "bytes": 20}


def facts(sources, **kw):
    f = {
        "jurisdiction": "x-pd",
        "synthetic": False,
        "searches": 1000,
        "agencies": 40,
        "immigration_searches": 590,
        "immigration_civil": 400,
        "immigration_criminal": 150,
        "immigration_unspecified": 40,
        "immigration_agencies": 12,
        "federal_searches": 30,
        "federal_immigration_searches": 5,
        "out_of_state_searches": 200,
        "first_local_date": "2026-01-01",
        "last_local_date": "2026-01-31",
        "rejected": 0,
        "sources": sources,
        "pipeline_commit": "1111111111",
    }
    f.update(kw)
    return f


def jurisdiction(tmp_path, claims=()):
    return SimpleNamespace(root=tmp_path, slug="x-pd", claims=tuple(claims))


def history(tmp_path):
    return [p.name for p in changes.history(tmp_path / "reports/x-pd/history")]


def test_the_first_run_starts_the_history(tmp_path):
    ch = changes.record(jurisdiction(tmp_path), facts([A]), now="2026-02-01T10:00:00Z")
    assert ch["status"] == "first_run" and "first run recorded" in ch["sentences"][0]
    assert history(tmp_path) == ["0001-20260201T100000Z.json"]
    kept = json.loads((tmp_path / "reports/x-pd/history/0001-20260201T100000Z.json").read_text())
    assert kept["inputs"] == [A] and kept["facts"]["searches"] == 1000
    assert json.loads((tmp_path / "reports/x-pd/changes.json").read_text()) == ch


def test_a_rerun_with_nothing_new_says_so_and_keeps_the_history(tmp_path):
    j = jurisdiction(tmp_path)
    changes.record(j, facts([A]), now="2026-02-01T10:00:00Z")
    before = {p.name: p.read_bytes() for p in (tmp_path / "reports/x-pd/history").iterdir()}
    # a new commit of the pipeline that gives the same figures is no change either
    ch = changes.record(j, facts([A], pipeline_commit="2222222222"), now="2026-02-02T10:00:00Z")
    assert ch["status"] == "no_change"
    assert ch["sentences"] == [
        "No change since the last run (2026-02-01 10:00:00 UTC): the same 1 input file with "
        "the same SHA-256 and the same figures."
    ]
    assert {p.name: p.read_bytes() for p in (tmp_path / "reports/x-pd/history").iterdir()} == before


def test_a_new_release_is_described_figure_by_figure(tmp_path):
    j = jurisdiction(tmp_path)
    changes.record(j, facts([A]), now="2026-02-01T10:00:00Z")
    new = facts(
        [A, B],
        searches=53000,
        agencies=452,
        immigration_searches=640,
        immigration_civil=430,
        immigration_criminal=160,
        immigration_unspecified=50,
        last_local_date="2026-02-28",
    )
    ch = changes.record(j, new, now="2026-03-01T10:00:00Z")
    assert ch["status"] == "changed" and history(tmp_path) == [
        "0001-20260201T100000Z.json",
        "0002-20260301T100000Z.json",
    ]
    assert ch["compared_with"] == {
        "published_at": "2026-02-01T10:00:00Z",
        "history": "history/0001-20260201T100000Z.json",
    }
    assert ch["files"]["added"] == [B] and ch["files"]["removed"] == [] and ch["files"]["unchanged"] == 1
    fig = {x["fact"]: x for x in ch["figures"]}
    assert (fig["searches"]["before"], fig["searches"]["after"], fig["searches"]["difference"]) == (1000, 53000, 52000)
    assert fig["immigration_criminal"]["difference"] == 10 and fig["federal_searches"]["difference"] == 0
    assert ch["period"]["changed"] and ch["period"]["after"]["last_local_date"] == "2026-02-28"
    s = ch["sentences"]
    assert "Since the last run (2026-02-01 10:00:00 UTC), 1 file was added: feb.csv." in s
    assert "The release in feb.csv adds 52,000 searches (1,000 → 53,000) and 412 agencies (40 → 452)." in s
    assert (
        "Immigration-related searches rise from 590 to 640 (+50): civil/administrative 400 → 430 (+30), "
        "criminal 150 → 160 (+10), unspecified (free text) 40 → 50 (+10)."
    ) in s
    assert (
        "The period now runs from 2026-01-01 to 2026-02-28 (local days); at the last run it ran from "
        "2026-01-01 to 2026-01-31."
    ) in s
    assert s[-1].startswith("Unchanged: ") and "searches by federal agencies (30)" in s[-1]


def test_a_removed_file_and_a_file_changed_in_place_are_named(tmp_path):
    j = jurisdiction(tmp_path)
    changes.record(j, facts([A, B]), now="2026-02-01T10:00:00Z")
    a_changed = dict(A, sha256="c" * 64)
    ch = changes.record(j, facts([a_changed], searches=900, agencies=38), now="2026-02-02T10:00:00Z")
    assert ch["files"]["removed"] == [B]
    assert ch["files"]["changed"] == [{"file": A["file"], "sha256_before": "a" * 64, "sha256_after": "c" * 64}]
    s = ch["sentences"]
    assert "1 file is no longer in the inputs, so the figures no longer include it: feb.csv." in s
    assert (
        f"The raw file {A['file']} changed in place since the last run (same name, other bytes: SHA-256 "
        f"{'a' * 12}… is now {'c' * 12}…)."
    ) in s
    assert "Searches fall from 1,000 to 900 (−100)." in s and "Agencies fall from 40 to 38 (−2)." in s


def test_a_claim_whose_status_changed_is_named(tmp_path):
    claim = {"claim": "more than 50,000 searches", "fact": "searches", "test": "greater_than", "value": 50000}
    j = jurisdiction(tmp_path, [claim])
    changes.record(j, facts([A]), now="2026-02-01T10:00:00Z")
    ch = changes.record(j, facts([A, B], searches=53000), now="2026-03-01T10:00:00Z")
    assert ch["claims_changed"] == [{"claim": "more than 50,000 searches", "before": False, "after": True}]
    assert 'The published claim "more than 50,000 searches" now holds (it did not at the last run).' in ch["sentences"]


def test_a_figure_the_release_cannot_give_is_not_a_zero(tmp_path):
    j = jurisdiction(tmp_path)
    gone = dict(agencies=None, federal_searches=None, federal_immigration_searches=None)
    changes.record(j, facts([A], **gone), now="2026-02-01T10:00:00Z")
    ch = changes.record(j, facts([B], searches=1500, **gone), now="2026-03-01T10:00:00Z")
    fig = {x["fact"]: x for x in ch["figures"]}
    assert fig["agencies"]["difference"] is None
    assert "This run adds 500 searches (1,000 → 1,500)." in ch["sentences"]  # a file replaced: not "the release"
    assert not any("federal agencies (" in s or "Agencies stay" in s for s in ch["sentences"])
    assert "agencies (not measurable in the release)" in ch["sentences"][-1]


def test_synthetic_changes_say_so_everywhere_and_the_index_escapes_them(tmp_path):
    j = jurisdiction(tmp_path)
    changes.record(j, facts([A], synthetic=True), now="2026-02-01T10:00:00Z")
    ch = changes.record(
        j,
        facts([A, dict(B, file="data/raw/x-pd/feb<script>.csv")], synthetic=True, searches=2000),
        now="2026-03-01T10:00:00Z",
    )
    assert ch["label"] == "SYNTHETIC" and all(s.startswith("[SYNTHETIC DATA] ") for s in ch["sentences"])
    block = changes.index_section(tmp_path / "reports", [{"slug": "x-pd", "name": "X <i>PD</i>", "synthetic": True}])
    assert "What changed since the last run" in block and 'class="label synthetic">SYNTHETIC' in block
    assert "<script>" not in block and "feb&lt;script&gt;.csv" in block and "X &lt;i&gt;PD&lt;/i&gt;" in block
    assert "[SYNTHETIC DATA] The release in feb&lt;script&gt;.csv adds 1,000 searches (1,000 → 2,000)." in block
    assert 'href="x-pd/changes.json"' in block
    assert changes.index_section(tmp_path / "reports", [{"slug": "never-run", "name": "N"}]) == ""


def test_the_same_inputs_with_other_figures_say_why(tmp_path):
    j = jurisdiction(tmp_path)
    changes.record(j, facts([A]), now="2026-02-01T10:00:00Z")
    ch = changes.record(
        j,
        facts([A], immigration_searches=600, immigration_unspecified=50, pipeline_commit="22222222229"),
        now="2026-02-02T10:00:00Z",
    )
    assert ch["status"] == "changed" and ch["files"]["added"] == [] and ch["files"]["unchanged"] == 1
    assert (
        "The inputs are the same as at the last run (2026-02-01 10:00:00 UTC); the figures differ because the "
        "pipeline's code or rules changed (1111111111 → 2222222222)."
    ) in ch["sentences"]
    assert (
        "Immigration-related searches rise from 590 to 600 (+10): civil/administrative 400 → 400, criminal "
        "150 → 150, unspecified (free text) 40 → 50 (+10)."
    ) in ch["sentences"]
