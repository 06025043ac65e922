"""The new findings against independent truth: the generator's planted truth (synthetic releases) and the
published figures of the real files (/work/shared/data/real/SOURCES.md)."""

import datetime as dt

import pandas as pd
import pytest

from tools import synth
from pipeline.analyze import tables
from pipeline.analyze.facts import compute, reason_category_ids
from pipeline.analyze.words import share
from pipeline.claims import evaluate

from conftest import REAL, built

CITATION = ["source_file", "source_sha256", "source_sheet", "source_row"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = {}
    for slug in synth.SLUGS:
        root = tmp_path_factory.mktemp(slug)
        out[slug] = (root, synth.generate(slug, root / "data" / "raw" / slug, scale=0.02))
    return out


def _built(generated, project, slug, **kw):
    root, truth = generated[slug]
    files = {p.name: p for p in sorted((root / "data/raw" / slug).glob("SYNTHETIC_*"))}
    j = project(
        files,
        slug=slug,
        inputs=list(dict.fromkeys(f["file"] for f in truth["files"])),
        timezone="America/Chicago",
        synthetic=True,
        log_kind="network",
        producer_state="TX",
        **kw,
    )
    built(j)
    return j, truth


def _finding(f, id_):
    return next(x for x in f["findings"] if x["id"] == id_)


@pytest.mark.parametrize("slug", synth.SLUGS)
def test_out_of_state_and_federal_agencies_equal_the_planted_truth(generated, project, slug):
    j, truth = _built(generated, project, slug)
    f = compute(j)
    states = truth["state_by_agency"]
    outside = sum(1 for s in states.values() if s and s != "TX")
    assert f["out_of_state_agencies"] == outside
    assert f["agencies_state_not_identified"] == sum(1 for s in states.values() if not s)
    assert (
        _finding(f, "out_of_state_agencies")["display"]
        == f"{outside:,} of {truth['agencies']:,} agencies ({share(outside, truth['agencies'])})"
    )
    federal = {a["agency"]: a for a in f["federal_agencies"]}
    assert set(federal) == {name for name in states if name.startswith("[Federal]")}
    assert sum(a["searches"] for a in federal.values()) == truth["federal_searches"]
    for name, a in federal.items():
        assert a["immigration_searches"] == truth["immigration"]["by_agency"].get(name, 0)
        assert name in _finding(f, "federal_agencies")["display"]
    imm = next(c for c in f["reason_categories"] if c["id"] == "immigration")
    assert imm["searches"] == truth["immigration"]["searches"]
    a, b = (dt.date.fromisoformat(truth[k]) for k in ("first_local_date", "last_local_date"))
    assert f["period_words"] == f"{a:%B} {a.day}, {a.year} – {b:%B} {b.day}, {b.year}"


def test_border_patrol_is_named_with_its_searches(generated, project):
    j, truth = _built(generated, project, "huffman-isd")
    f = compute(j)
    bp = truth["border_patrol"]
    assert {"agency": bp["org_name"], "searches": bp["searches"], "immigration_searches": bp["immigration"]} in f[
        "federal_agencies"
    ]
    assert (
        f"{bp['org_name']}: {bp['searches']:,} searches ({bp['immigration']:,} immigration-related)"
        in _finding(f, "federal_agencies")["display"]
    )
    # Border Patrol has no state: its immigration-related searches are among those no state is known for
    assert bp["immigration"] <= f["immigration_state_not_identified"] <= f["immigration_searches"]


def test_a_window_is_the_same_figures_over_its_local_days(generated, project):
    december = {"start": dt.date(2025, 12, 1), "end": dt.date(2025, 12, 31)}
    claims = [{"claim": "in one month", "fact": "searches", "test": "equals", "value": 0, "window": december}]
    j, truth = _built(generated, project, "alvin-isd", claims=claims)
    f = compute(j)
    month = truth["searches_by_local_month"]["2025-12"]
    w = f["windows"]["2025-12-01/2025-12-31"]
    assert w["searches"] == month < f["searches"] == truth["searches"]
    assert w["last_local_date"] == "2025-12-31"
    one_day = compute(j, (dt.date(2025, 12, 24), dt.date(2025, 12, 24)))
    assert one_day["searches"] == truth["searches_by_local_date"]["2025-12-24"]
    held = evaluate([{**claims[0], "value": month}], f)[0]
    assert (
        held["holds"] and held["computed"] == month and held["window"] == {"start": "2025-12-01", "end": "2025-12-31"}
    )


def test_each_category_has_its_published_csv_with_citations_and_no_plate(generated, project):
    j, truth = _built(generated, project, "huffman-isd")
    f = compute(j)
    assert [c["id"] for c in f["reason_categories"]][:-1] == reason_category_ids()
    out = j.root / "reports" / j.slug
    tables.publish_reasons(j, out, f["reason_categories"])
    plates = set(
        pd.read_parquet(j.root / "data/processed/huffman-isd/searches.parquet", columns=["license_plate"])[
            "license_plate"
        ].dropna()
    ) - {"", "***"}
    for c in f["reason_categories"][:-1]:
        df = pd.read_csv(out / c["csv"], keep_default_na=False, dtype=str)
        assert len(df) == c["searches"], c["id"]
        assert set(CITATION) <= set(df.columns) and not {"license_plate", "searcher", "reason_clean"} & set(df.columns)
        assert not plates & set(df.to_numpy().ravel()), c["id"]
    assert len(pd.read_csv(out / "reasons_typed.csv")) == tables.TYPED_SHOWN


def _real(project, slug, name, **kw):
    j = project(
        {name: REAL / slug / name}, slug=slug, inputs=[name], timezone="America/Los_Angeles", log_kind="portal", **kw
    )
    built(j)
    return j


def test_belmont_reasons_as_typed_and_no_specific_purpose_match_the_published_counts(project):
    # SOURCES.md: 91 searches, reasons Investigation 74, BOL 10, Stolen 5, Missing Person / AMBER 2
    j = _real(project, "belmont-ca-pd", "belmont-ca-pd_search_audit.a871b2fc.csv", producer_state="CA")
    typed = tables.reasons_typed(j)
    assert list(zip(typed["reason"], typed["searches"])) == [
        ("Investigation", 74),
        ("BOL", 10),
        ("Stolen", 5),
        ("Missing Person / AMBER", 2),
    ]
    f = compute(j)
    assert _finding(f, "no_specific_purpose")["display"] == f"74 of 91 searches ({share(74, 91)})"
    assert _finding(f, "agencies")["value"] is None and _finding(f, "federal_agencies")["value"] is None
    welfare = next(c for c in f["reason_categories"] if c["id"] == "welfare_missing_person")
    assert welfare["searches"] == 2
    text = " ".join(c["text"] for c in f["caveats"])
    assert "only the producer's own searches" in " ".join(c["title"] for c in f["caveats"])
    assert "school district" not in text


def test_eugene_portal_findings_match_the_published_counts(project):
    # SOURCES.md: 4,294 searches, 147 distinct userId, 5 blank reasons, 182 "Daytime search for best result",
    # 0 immigration-related
    j = _real(project, "eugene-or-pd", "EPDSearchAuditLogs.csv", producer_state="OR")
    f = compute(j)
    assert _finding(f, "searches")["display"] == "4,294 searches"
    assert _finding(f, "immigration_searches")["display"] == "None of the 4,294 searches"
    assert _finding(f, "searchers_unmasked")["display"].startswith("147 distinct names or ids, on 4,294 of 4,294")
    nsp = next(c for c in f["reason_categories"] if c["id"] == "no_stated_purpose")
    assert nsp["searches"] >= 5 + 182
    assert f["period_words"] == "June 17, 2025 – December 2, 2025"  # first 2025-06-18 00:02 UTC is June 17 in Oregon
