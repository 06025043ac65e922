"""The pipeline finds in the synthetic releases exactly what the generator says it planted."""

import pandas as pd
import pytest

from tools import synth
from pipeline.analyze.facts import compute

from conftest import built, read_searches

TZ = {"alvin-isd": "America/Chicago", "huffman-isd": "America/Chicago"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = {}
    for slug in synth.SLUGS:
        root = tmp_path_factory.mktemp(slug)
        truth = synth.generate(slug, root / "data" / "raw" / slug, scale=0.02)
        out[slug] = (root, truth)
    return out


@pytest.mark.parametrize("slug", synth.SLUGS)
def test_figures_equal_the_planted_truth(generated, slug, project):
    root, truth = generated[slug]
    files = {p.name: p for p in sorted((root / "data/raw" / slug).glob("SYNTHETIC_*"))}
    # inputs in the order the generator lists its files (the order that decides which copy is kept)
    j = project(
        files,
        slug=slug,
        inputs=list(dict.fromkeys(f["file"] for f in truth["files"])),
        timezone=TZ[slug],
        synthetic=True,
        log_kind="network",
    )
    m = built(j)
    f = compute(j)
    assert f["synthetic"] is True and f["label"] == "SYNTHETIC"
    assert f["searches"] == truth["searches"]
    assert f["rows_read"] == truth["rows"]
    assert f["agencies"] == truth["agencies"]
    assert f["duplicates"] == truth["duplicate_rows"]
    assert f["conflicting_searches"] == truth["conflicting_searches"]
    assert f["first_search_utc"].replace(".000000", "") == truth["first_search_utc"]
    assert f["last_search_utc"].replace(".000000", "") == truth["last_search_utc"]
    assert (f["first_local_date"], f["last_local_date"]) == (truth["first_local_date"], truth["last_local_date"])
    assert (f["searchers"] or 0) == truth["searchers_present"]
    recon = pd.read_csv(j.root / "data/processed" / slug / "reconciliation.csv", keep_default_na=False)
    assert len(recon) == len(truth["files"])
    for row, planted in zip(recon.to_dict("records"), truth["files"]):
        assert row["source_file"].endswith(planted["file"])
        assert (row["source_sheet"] or None) == planted["sheet"]
        assert (row["rows_read"], row["searches_kept"], row["duplicates"], row["rejected"]) == (
            planted["data_rows"],
            planted["kept"],
            planted["duplicates"],
            planted["rejected"],
        )
        assert row["balanced"] in (True, "True")
    skipped = {(s["file"].split("/")[-1], s["sheet"]) for s in m["skipped"]}
    assert skipped == {(s["file"], s["sheet"]) for s in truth["skipped_sheets"]}


@pytest.mark.parametrize("slug", synth.SLUGS)
def test_immigration_agencies_and_states_equal_the_planted_truth(generated, slug, project):
    root, truth = generated[slug]
    files = {p.name: p for p in sorted((root / "data/raw" / slug).glob("SYNTHETIC_*"))}
    j = project(
        files,
        slug=slug,
        inputs=list(dict.fromkeys(f["file"] for f in truth["files"])),
        timezone=TZ[slug],
        synthetic=True,
        log_kind="network",
        producer_state="TX",
    )
    built(j)
    f = compute(j)
    imm = truth["immigration"]
    assert (
        f["immigration_searches"],
        f["immigration_civil"],
        f["immigration_criminal"],
        f["immigration_unspecified"],
    ) == (imm["searches"], imm["civil"], imm["criminal"], imm["unspecified"])
    assert f["immigration_agencies"] == imm["agencies"]
    assert f["immigration_states"] == imm["agency_states"]
    assert f["federal_searches"] == truth["federal_searches"]
    assert f["searches_by_state"] == truth["searches_by_state"]
    # none of the planted traps is counted: every trap search is classified as not immigration
    df = read_searches(j)
    for trap_text in truth["traps"]:
        hits = df[df["reason_clean"].fillna("").str.contains(trap_text, regex=False)]
        assert len(hits) and not hits["immigration"].any(), trap_text
    # every immigration search has its matched words in matches.parquet
    matches = pd.read_parquet(j.root / "data/processed" / slug / "matches.parquet")
    imm_keys = set(df.loc[df["immigration"], "search_key"])
    assert imm_keys == set(matches.loc[matches["category"] == "immigration", "search_key"])


def test_border_patrol_as_a_searcher_is_counted_apart_from_immigration_reasons(generated, project):
    root, truth = generated["huffman-isd"]
    files = {p.name: p for p in sorted((root / "data/raw/huffman-isd").glob("SYNTHETIC_*"))}
    j = project(files, slug="huffman-isd", timezone="America/Chicago", synthetic=True, log_kind="network")
    built(j)
    df = read_searches(j)
    bp = df[df["org_name"] == truth["border_patrol"]["org_name"]]
    assert len(bp) == truth["border_patrol"]["searches"]
    assert bp["agency_federal"].all() and bp["agency_federal_tag"].all() and (bp["agency_type"] == "federal").all()
    assert bp["immigration"].sum() == truth["border_patrol"]["immigration"]
    f = compute(j)
    assert f["federal_searches"] == truth["federal_searches"]
    # where federal searchers and immigration reasons meet, from the generator's per-agency plantings
    planted = sum(n for name, n in truth["immigration"]["by_agency"].items() if name.startswith("[Federal]"))
    assert f["federal_immigration_searches"] == planted >= truth["border_patrol"]["immigration"]
