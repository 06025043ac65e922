"""The SYNTHETIC corpus six-districts: its figures, computed from the members' cleaned logs, equal the truth the
generator planted (tools/synth_corpus.py bookkeeping, data/raw/six-districts/truth.json)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

from pipeline import ROOT
from pipeline.analyze import corpus_report
from pipeline.clean.build import build
from pipeline.claims import evaluate
from pipeline.config import load_corpora
from pipeline.report import corpus_show
from pipeline.io.publish import SYNTHETIC_COLUMN, SYNTHETIC_LABEL
from tools.synth_corpus import CORPUS, generate_corpus


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    truth = generate_corpus(root / "data" / "raw")
    doc = yaml.safe_load((ROOT / "jurisdictions.yml").read_text(encoding="utf-8"))
    (c,) = [c for c in doc["corpora"] if c["name"] == CORPUS]
    doc = {"jurisdictions": [j for j in doc["jurisdictions"] if j["slug"] in c["members"]], "corpora": [c]}
    (root / "jurisdictions.yml").write_text(yaml.safe_dump(doc, sort_keys=False))
    (corpus,) = load_corpora(root / "jurisdictions.yml", root=root)
    for m in corpus.members:
        build(m, progress=lambda msg: None)
    return truth, corpus_report.compute(corpus), corpus


def test_rows_searches_and_links_equal_the_truth(result):
    truth, r, _ = result
    f = r["facts"]
    assert (f["rows"], f["distinct_searches"]) == (truth["rows"], truth["distinct_searches"])
    assert f["searches_by_link"] == {k: truth["links"].get(k, 0) for k in f["searches_by_link"]}
    assert f["id_less_copies_ambiguous"] == truth["id_less_copies_ambiguous"] > 0
    # the ambiguous copies are the only overcount: distinct searches minus them is the true number
    assert f["distinct_searches"] - f["id_less_copies_ambiguous"] == truth["searches_true"]


def test_distribution_and_overlap_equal_the_truth(result):
    truth, r, _ = result
    assert r["facts"]["producers_per_search"] == truth["producers_per_search"]
    overlap = r["tables"]["overlap"].set_index("producer")
    assert {a: {b: int(overlap.loc[a, b]) for b in overlap.columns} for a in overlap.index} == truth["overlap"]


def test_agencies_equal_the_truth(result):
    truth, r, _ = result
    t = r["tables"]["agencies"].set_index("agency")
    assert r["facts"]["agencies"] == truth["agencies"]
    assert {
        a: {"searches": int(row.distinct_searches), "producers": int(row.producers_searched)} for a, row in t.iterrows()
    } == truth["per_agency"]
    fed = r["tables"]["federal_agencies"].set_index("agency")
    assert {
        a: {"searches": int(x.distinct_searches), "producers": int(x.producers_searched)} for a, x in fed.iterrows()
    } == truth["federal"]


def test_immigration_equals_the_truth(result):
    truth, r, _ = result
    f, imm = r["facts"], truth["immigration"]
    assert (
        f["immigration_searches"],
        f["immigration_civil"],
        f["immigration_criminal"],
        f["immigration_unspecified"],
    ) == (imm["searches"], imm["civil"], imm["criminal"], imm["unspecified"])
    by_agency = r["tables"]["immigration_by_agency"]
    assert dict(zip(by_agency["agency"], by_agency["searches"].astype(int))) == imm["by_agency"]
    by_state = r["tables"]["immigration_by_state"]
    assert dict(zip(by_state["agency_state"], by_state["searches"].astype(int))) == imm["by_state"]
    cited = pd.read_csv(r["citations"]["immigration_searches"])
    assert cited["corpus_search"].nunique() == imm["searches"] and cited["source_row"].notna().all()


def test_conflicts_and_alias_review_equal_the_truth(result):
    truth, r, _ = result
    f = r["facts"]
    assert f["conflicting_searches"] == truth["conflicts"]["searches"]
    assert f["conflicts_by_field"] == truth["conflicts"]["by_field"]
    conflicts = pd.read_csv(r["citations"]["conflicts"])
    assert (conflicts.groupby("corpus_search")["producer_log"].nunique() >= 2).all()  # both citations
    review = r["tables"]["alias_review"]
    assert sorted(sorted(g["agency"]) for _, g in review.groupby("group")) == truth["alias_review"]
    assert not set(truth["aliases_applied"]) & set(r["tables"]["agencies"]["agency"])


def test_outputs_are_labelled_synthetic(result, tmp_path):
    _, r, corpus = result
    out = corpus_report.write(corpus, r, root=tmp_path)
    facts = json.loads((out / "facts.json").read_text())
    assert facts["label"] == "SYNTHETIC" and facts["synthetic"] is True
    for p in out.glob("*.csv"):  # every row of every published table says SYNTHETIC (publish.write_csv's column)
        t = pd.read_csv(p)
        assert list(t.columns)[0] == SYNTHETIC_COLUMN and (t[SYNTHETIC_COLUMN] == SYNTHETIC_LABEL).all(), p.name
    published = "".join(p.read_text() for p in out.glob("*.csv"))
    assert "Officer " not in published  # the searcher names of pecan-isd's copies are never published


def test_the_published_claims_hold_over_the_period_and_name_the_planted_figures(result):
    truth, r, corpus = result
    assert corpus.period_start.isoformat() == "2026-02-01" and corpus.claims
    planted = {
        "distinct_searches": truth["distinct_searches"],
        "max_producers_per_search": max(int(k) for k in truth["producers_per_search"]),
    }
    for claim in corpus.claims:  # each value in jurisdictions.yml is the generator's, not an output's
        assert claim["value"] == planted[claim["fact"]], claim["claim"]
    results = evaluate(list(corpus.claims), r["facts"])
    assert all(x["holds"] for x in results), results
    wrong = [{**corpus.claims[0], "value": corpus.claims[0]["value"] + 1}]
    assert not evaluate(wrong, r["facts"])[0]["holds"]
    table = corpus_show.claims_table(results, r["facts"])
    assert set(table["Over"]) == {"the corpus period, February 1, 2026 – February 28, 2026 (UTC days)"}
