"""A corpus of bundled real releases: portal logs of each producer's own users, so no search can be in two of
them: every row is its own search, each log's figures are its own (the counts ../shared/data/real/SOURCES.md
gives), and no figure across producers is computed or shown (not even as zero), nor a producer named as a
searching agency (a portal export has no agency column)."""

from __future__ import annotations

import shutil

import yaml

from pipeline import ROOT
from pipeline.analyze import corpus_report
from pipeline.clean.build import build
from pipeline.config import load_corpora

MEMBERS = ["eugene-or-pd", "belmont-ca-pd", "foster-city-ca-pd"]  # the small real CSVs (okaloosa's PDF: make all)
PUBLISHED_COUNTS = {"eugene-or-pd": 4294, "belmont-ca-pd": 91, "foster-city-ca-pd": 36}  # SOURCES.md


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
    f, t = r["facts"], r["tables"]
    assert f["own_logs_only"] is True and f["rows"] == f["distinct_searches"] == sum(PUBLISHED_COUNTS.values())
    assert dict(zip(t["producers"]["producer_log"], t["producers"]["searches"])) == PUBLISHED_COUNTS
    assert f["overlap_searches"] is None and f["producers_per_search"] is None and "overlap" not in t
    assert f["agencies"] is None and t["agencies"].empty  # no portal export names its searching agency
    assert f["searches_by_link"]["id"] == f["distinct_searches"]  # portal logs carry the Flock ID
    # Belmont's reasons as SOURCES.md counts them: Investigation 74 (a generic word), Missing Person / AMBER 2
    reasons = t["reasons_by_producer"].set_index("category")["belmont-ca-pd"]
    assert reasons[reasons.index.str.startswith("A generic word")].item() == 74
    assert reasons[reasons.index.str.startswith("Welfare check")].item() == 2
