"""Corpus charts: titles and descriptions computed from the data (they change when it does), SYNTHETIC on
synthetic corpora, the four files saved."""

from __future__ import annotations

import pandas as pd

from pipeline.analyze import charts, corpus_charts as cc


def _title(chart) -> str:
    return chart.to_dict()["usermeta"]["title"]


def test_producers_per_search_title_states_the_shared_share_and_the_most_shared():
    dist = pd.DataFrame({"producers": ["1", "2", "6"], "distinct_searches": [50, 30, 20]})
    chart = cc.producers_per_search(
        dist, corpus_name="Corpus", synthetic=False, producers=6, period="May 1, 2026 (UTC days)"
    )
    assert _title(chart) == "50% of the 100 searches appear in more than one producer's log, the most-shared in six"
    assert "1 log: 50; 2 logs: 30; 6 logs: 20" in chart.to_dict()["description"]
    alone = cc.producers_per_search(dist.iloc[:1], corpus_name="Corpus", synthetic=False, producers=6)
    assert _title(alone) == "None of the 50 searches appears in more than one producer's log"


def test_overlap_title_names_the_pair_that_shares_the_most():
    t = pd.DataFrame({"producer": ["a", "b", "c"], "a": [10, 3, 7], "b": [3, 9, 1], "c": [7, 1, 8]})
    assert _title(cc.overlap(t, corpus_name="C", synthetic=False)) == "a and c share the most searches: 7"
    t2 = t.assign(b=[3, 9, 12], c=[7, 12, 8])
    t2.loc[1, "c"] = 12
    assert _title(cc.overlap(t2, corpus_name="C", synthetic=False)) == "b and c share the most searches: 12"
    zero = pd.DataFrame({"producer": ["a", "b"], "a": [4, 0], "b": [0, 5]})
    assert _title(cc.overlap(zero, corpus_name="C", synthetic=False)) == "No search appears in two producers' logs"


def test_agencies_most_producers_title_counts_ties_over_every_agency():
    ag = pd.DataFrame(
        {"agency": ["X PD", "Y SO", "Z PD"], "producers_searched": [5, 3, 5], "distinct_searches": [9, 50, 4]}
    )
    chart = cc.agencies_most_producers(ag, corpus_name="C", synthetic=False, producers=6, n=1)
    assert _title(chart) == "Two agencies searched the cameras of five of the six producers"
    one = cc.agencies_most_producers(ag.iloc[:2], corpus_name="C", synthetic=False, producers=6)
    assert _title(one) == "X PD searched the cameras of five of the six producers"


def test_immigration_types_from_the_facts_and_synthetic_label(tmp_path):
    f = {"immigration_civil": 40, "immigration_criminal": 20, "immigration_unspecified": 3}
    chart = cc.immigration_types(f, corpus_name="Six (SYNTHETIC)", synthetic=True, producers=6)
    spec = chart.to_dict()
    assert _title(chart) == "Civil immigration reasons outnumbered criminal ones, 40 to 20: twice as many"
    assert spec["title"]["text"][0].startswith(charts.SYNTHETIC_PREFIX.strip()[:9])
    assert "63 immigration-related distinct searches" in spec["description"]
    paths = charts.save_chart(chart, cc.type_table(f), tmp_path, "immigration_types")
    assert sorted(paths) == ["csv", "html", "png", "svg"]
    assert pd.read_csv(paths["csv"])["searches"].tolist() == [40, 20, 3]


def test_the_corpus_page_shows_the_287g_flag_and_models_only_and_none_for_invented_names():
    import pandas as pd

    from pipeline.report.corpus_show import agencies_shown

    looked_up = pd.DataFrame(
        {
            "agency": ["Okaloosa County FL SO"],
            "ice_287g": [True],
            "ice_287g_models": ["Task Force Model"],
            "ice_287g_signed": ["2025-02-26"],
            "ice_287g_match": ["normalised"],
            "ice_287g_agency": ["Okaloosa County Sheriff's Office"],
        }
    )
    assert list(agencies_shown(looked_up).columns) == ["agency", "ice_287g", "ice_287g_models"]
    invented = looked_up.assign(ice_287g=[None], ice_287g_models=[None], ice_287g_match=["not_applicable"])
    assert list(agencies_shown(invented).columns) == ["agency"]
