"""The corpus step's cache: its key follows the members' cleaning keys; a member not run means no key."""

from __future__ import annotations

import json

from pipeline.config import Corpus, Jurisdiction
from pipeline.run.corpora import corpus_key, run_corpora


def _corpus(root):
    ms = tuple(
        Jurisdiction(
            slug=s, name=s, producer=s, log_kind="network", timezone="UTC", inputs=("x",), raw_dir=root / "data/raw" / s
        )
        for s in ("a", "b")
    )
    return Corpus(name="c", display_name="C", members=ms)


def _key(root, slug, key):
    (root / "reports" / slug).mkdir(parents=True, exist_ok=True)
    (root / "reports" / slug / "run.json").write_text(json.dumps({"keys": {"01_clean": key}}))


def test_the_key_follows_the_members_cleaning_keys(tmp_path):
    c = _corpus(tmp_path)
    _key(tmp_path, "a", "k1")
    assert corpus_key(c, tmp_path) is None
    _key(tmp_path, "b", "k2")
    first = corpus_key(c, tmp_path)
    assert first and corpus_key(c, tmp_path) == first
    _key(tmp_path, "b", "k3")
    assert corpus_key(c, tmp_path) != first


def test_a_corpus_whose_member_failed_is_not_run(tmp_path):
    c = _corpus(tmp_path)
    _key(tmp_path, "a", "k1")
    _key(tmp_path, "b", "k2")
    said = []
    out = run_corpora([c], {"a": {"status": "ok"}, "b": {"status": "failed"}}, tmp_path, "", echo=said.append)
    assert out["c"]["status"] == "failed" and "b" in out["c"]["message"] and "not run" in said[0]
    assert json.loads((tmp_path / "reports/corpora/c/run.json").read_text())["last"]["notebook"] == "members"
