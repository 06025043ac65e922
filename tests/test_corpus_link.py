"""Corpus linking on small hand-made processed tables: by Flock ID, by fingerprint (and its refusals),
conflicts between producers' copies, and the agency alias review. Every expected figure is stated here."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from pipeline.analyze import corpus_figures, corpus_report
from pipeline.analyze.findings import category_labels
from pipeline.analyze.corpus_rules import load as load_rules
from pipeline.config import Corpus, Jurisdiction

T = pd.Timestamp("2026-02-10 15:04:05", tz="UTC")
TF = (pd.Timestamp("2026-02-03 15:00:00", tz="UTC"), pd.Timestamp("2026-02-10 15:00:00", tz="UTC"))
ID1, ID2, ID3 = (
    "11111111-1111-4111-8111-111111111111",
    "22222222-2222-4222-8222-222222222222",
    "33333333-3333-4333-8333-333333333333",
)


def row(fid=None, org="Houston TX PD", t=T, nets=12, devs=300, reason="Robbery", state="TX", **kw):
    r = {
        "flock_id": fid,
        "search_key": fid or f"h:{org}{t}{nets}{reason}",
        "searched_at_utc": t,
        "org_name": org,
        "total_networks": nets,
        "total_devices": devs,
        "time_frame_start_utc": TF[0],
        "time_frame_end_utc": TF[1],
        "reason_clean": reason,
        "search_type": "search",
        "immigration": False,
        "immigration_type": None,
        "agency_state": state,
        "agency_federal": False,
        "source_file": "x.csv",
        "source_sheet": None,
        "source_row": 2,
        "searcher": "Officer A",
        "license_plate": "ABC1234",
        "log_kind": "network",
        "reason_categories": ["generic_purpose"],
    }
    r.update(kw)
    return r


@pytest.fixture
def corpus(tmp_path):
    def make(logs: dict[str, list[dict]]) -> Corpus:
        members = []
        for slug, rows in logs.items():
            out = tmp_path / "data/processed" / slug
            out.mkdir(parents=True)
            df = pd.DataFrame(
                [dict(r, source_file=f"data/raw/{slug}/log.csv", source_row=i + 2) for i, r in enumerate(rows)]
            )
            df = df.astype({"total_networks": "Int64", "total_devices": "Int64"})
            df.to_parquet(out / "searches.parquet")
            members.append(
                Jurisdiction(
                    slug=slug,
                    name=slug,
                    producer=f"{slug} producer",
                    log_kind="network",
                    timezone="America/Chicago",
                    inputs=("log.csv",),
                    raw_dir=tmp_path / "data/raw" / slug,
                )
            )
        return Corpus(name="c", display_name="C", members=tuple(members))

    return make


def figures(c: Corpus, **aliases):
    rules = dataclasses.replace(load_rules(), aliases=dict(aliases))
    return corpus_report.compute(c, rules=rules)


def test_one_flock_id_in_three_logs_is_one_search(corpus):
    c = corpus({"a": [row(ID1), row(ID2)], "b": [row(ID1)], "c": [row(ID1, searcher="***", license_plate="***")]})
    r = figures(c)
    f = r["facts"]
    assert (f["rows"], f["distinct_searches"], f["producers_per_search"]) == (4, 2, {"1": 1, "3": 1})
    ov = r["tables"]["overlap"].set_index("producer")
    assert ov.loc["a", "b"] == 1 and ov.loc["b", "c"] == 1 and ov.loc["a", "a"] == 2
    assert f["conflicting_searches"] == 0  # masked searcher and plate are the export, not the search


def test_an_id_less_copy_links_by_its_fingerprint_only_when_it_matches(corpus):
    c = corpus(
        {
            "a": [row(ID1), row(ID2, t=T + pd.Timedelta(minutes=5))],
            "b": [
                row(None, t=T + pd.Timedelta(milliseconds=400)),  # same second: linked to ID1
                row(None, t=T + pd.Timedelta(minutes=5), nets=13),
            ],  # other networks: not linked
            "c": [
                row(None, org="Dallas TX PD"),
            ],
        }
    )
    f = figures(c)["facts"]
    assert f["searches_by_link"] == {
        "id": 1,
        "id_and_fingerprint": 1,
        "fingerprint": 0,
        "id_less_single": 2,
        "ambiguous": 0,
    }
    assert f["distinct_searches"] == 4 and f["id_less_copies_ambiguous"] == 0


def test_id_less_copies_in_two_logs_link_to_each_other(corpus):
    f = figures(corpus({"a": [row(None)], "b": [row(None, searcher="***")], "c": [row(ID1, org="Dallas TX PD")]}))[
        "facts"
    ]
    assert f["searches_by_link"]["fingerprint"] == 1 and f["distinct_searches"] == 2


def test_an_ambiguous_fingerprint_is_never_merged(corpus):
    # two searches with one fingerprint (same agency, second, networks, time frame): their ID-less copy in b
    # cannot be told apart, so it stays a search of its own; a log holding one fingerprint twice, likewise
    c = corpus(
        {
            "a": [row(ID1), row(ID2, reason="Burglary")],
            "b": [row(None)],
            "c": [row(None, org="Dallas TX PD"), row(None, org="Dallas TX PD", reason="Fraud")],
        }
    )
    f = figures(c)["facts"]
    assert f["id_less_copies_ambiguous"] == 3 and f["searches_by_link"]["ambiguous"] == 3
    assert f["distinct_searches"] == 5 and f["producers_per_search"] == {"1": 5}


def test_copies_that_disagree_are_listed_with_both_citations(corpus):
    c = corpus(
        {
            "a": [row(ID1), row(ID2), row(ID3)],
            "b": [row(ID1, reason="Robbery - per dispatch"), row(ID2, devs=None), row(ID3, nets=99, case_number="***")],
        }
    )
    r = figures(c)
    f, conflicts = r["facts"], pd.read_csv(r["citations"]["conflicts"], keep_default_na=False)
    assert f["conflicting_searches"] == 2 and f["conflicts_by_field"] == {"reason_clean": 1, "total_networks": 1}
    assert len(conflicts) == 4 and set(conflicts["producer_log"]) == {"a", "b"}
    assert set(conflicts["source_file"]) == {"data/raw/a/log.csv", "data/raw/b/log.csv"}
    assert "searcher" not in conflicts.columns and "license_plate" not in conflicts.columns


def test_spellings_are_one_agency_only_through_the_alias_table(corpus):
    c = corpus(
        {
            "a": [
                row(ID1, org="Harris County TX SO"),
                row(ID2, org="Austin TX PD"),
                row(ID3, org="Springfield IL PD", state="IL"),
            ],
            "b": [
                row(ID1, org="Harris County SO (TX)"),
                row(None, org="Austin PD (TX)", t=T + pd.Timedelta(hours=1)),
                row(None, org="Springfield MO PD", state="MO", t=T + pd.Timedelta(hours=2)),
            ],
        }
    )
    r = figures(c, **{"Harris County SO (TX)": "Harris County TX SO"})
    f, review = r["facts"], r["tables"]["alias_review"]
    assert f["conflicting_searches"] == 0  # the aliased spelling is the same agency
    assert f["agencies"] == 5  # Austin's two spellings stay apart until reviewed
    assert sorted(review["agency"]) == ["Austin PD (TX)", "Austin TX PD"] and f["alias_variants_to_review"] == 1
    without = figures(c)["facts"]
    assert without["conflicts_by_field"] == {"agency": 1} and without["alias_variants_to_review"] == 2


def test_a_corpus_whose_member_has_no_searches_says_which(corpus, tmp_path):
    c = corpus({"a": [row(ID1)], "b": [row(ID1)]})
    (tmp_path / "data/processed/b/searches.parquet").unlink()
    with pytest.raises(FileNotFoundError, match="run the member"):
        figures(c)


def portal(fid, reason="Robbery", **kw):
    """A copy in a portal export: the producer's own officers' search, no agency column (org_name empty)."""
    return row(fid, org=None, state=None, log_kind="portal", reason=reason, **kw)


def test_a_producer_is_never_listed_as_a_searching_agency_when_its_log_names_none(corpus):
    # a: a portal export (no agency column), listed first; b: a network audit naming the searcher of ID1.
    c = corpus({"a": [portal(ID1), portal(ID2, immigration=True, immigration_type="civil")], "b": [row(ID1)]})
    r = figures(c)
    f, agencies = r["facts"], r["tables"]["agencies"]
    assert f["distinct_searches"] == 2 and f["own_logs_only"] is False
    # ID1's agency comes from the copy that names it, though the portal log is the lower member
    assert agencies["agency"].tolist() == ["Houston TX PD"] and agencies["distinct_searches"].tolist() == [1]
    assert f["agencies"] == 1 and "a producer" not in set(r["tables"]["immigration_by_agency"]["agency"])
    assert r["tables"]["immigration_by_agency"]["agency"].tolist() == [corpus_figures.UNNAMED]


def test_a_corpus_of_own_users_logs_shows_no_figure_across_producers(corpus):
    c = corpus(
        {
            "a": [portal(ID1, reason_categories=["case_number_only"]), portal(ID2, reason_categories=[])],
            "b": [row(ID3, org="Okaloosa County FL SO", state="FL", log_kind="organization")],
        }
    )
    r = figures(c)
    f, t = r["facts"], r["tables"]
    assert f["own_logs_only"] is True and f["distinct_searches"] == 3
    for across in corpus_report.ACROSS_PRODUCERS:  # left out (None), never shown as zero
        assert f[across] is None, across
    assert not {"overlap", "producers_per_search", "immigration_by_agency", "federal_agencies"} & set(t)
    per_log = t["producers"].set_index("producer_log")
    assert per_log.loc["a", "searches"] == 2 and per_log.loc["b", "searches"] == 1
    assert per_log["names_agency"].tolist() == [False, True]
    assert t["agencies"]["agency"].tolist() == ["Okaloosa County FL SO"]  # named in its own log; 'a producer' is not
    reasons = t["reasons_by_producer"].set_index("category")
    labels = {c: v["label"] for c, v in category_labels().items()}
    assert reasons.loc[labels["case_number_only"], "a"] == 1 and reasons.loc[labels["generic_purpose"], "b"] == 1
    assert reasons.loc[labels["other_reasons"], "a"] == 1  # the search in no category
    assert int(reasons["a"].sum()) == 2 and int(reasons["b"].sum()) == 1  # each search in one category here
