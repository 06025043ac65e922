"""A corpus of bundled real releases: portal logs of each producer's own users, so no search can be in two of
them; the overlap is zero and every row is its own search."""

from __future__ import annotations

import shutil

import yaml

from pipeline import ROOT
from pipeline.analyze import corpus_report
from pipeline.clean.build import build
from pipeline.config import load_corpora

MEMBERS = ["eugene-or-pd", "belmont-ca-pd", "foster-city-ca-pd"]  # the small real CSVs (okaloosa's PDF: make all)


def test_real_portal_logs_share_no_search(tmp_path):
    doc = yaml.safe_load((ROOT / "jurisdictions.yml").read_text(encoding="utf-8"))
    for slug in MEMBERS:
        shutil.copytree(ROOT / "data/raw" / slug, tmp_path / "data/raw" / slug)
    doc = {
        "jurisdictions": [j for j in doc["jurisdictions"] if j["slug"] in MEMBERS],
        "corpora": [{"name": "real", "display_name": "Real", "members": MEMBERS}],
    }
    (tmp_path / "jurisdictions.yml").write_text(yaml.safe_dump(doc, sort_keys=False))
    (c,) = load_corpora(tmp_path / "jurisdictions.yml", root=tmp_path)
    for m in c.members:
        build(m, progress=lambda msg: None)
    r = corpus_report.compute(c)
    f, overlap = r["facts"], r["tables"]["overlap"].set_index("producer")
    assert f["producers_per_search"] == {"1": f["distinct_searches"]} and f["rows"] == f["distinct_searches"]
    assert f["overlap_searches"] == 0 and f["conflicting_searches"] == 0
    assert all(overlap.loc[a, b] == 0 for a in MEMBERS for b in MEMBERS if a != b)
    assert f["searches_by_link"]["id"] == f["distinct_searches"]  # portal logs carry the Flock ID
