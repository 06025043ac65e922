"""`run -j SLUG --force` reruns the corpora that hold SLUG, and no other corpus: the others depend on nothing
the run changed."""

from __future__ import annotations

from types import SimpleNamespace

from pipeline import config
from pipeline.run import corpora, runner


def _corpus(name: str, *slugs: str):
    return SimpleNamespace(name=name, members=[SimpleNamespace(slug=s) for s in slugs])


def test_force_reruns_only_the_corpora_that_hold_the_chosen_jurisdiction(monkeypatch, tmp_path):
    forced: dict[str, bool] = {}

    def fake_run(chosen, states, root, cfg, echo, force, stamps, prepare=None):
        forced.update({c.name: force for c in chosen})
        return {c.name: {"status": "ok"} for c in chosen}

    both = [
        _corpus("six-districts", "pecan-isd", "mesa-usd"),
        _corpus("bundled-real", "foster-city-ca-pd", "eugene-or-pd"),
    ]
    monkeypatch.setattr(config, "load_corpora", lambda *a, **k: both)
    monkeypatch.setattr(corpora, "run_corpora", fake_run)
    runner._run_corpora(None, tmp_path, {}, "", print, True, None, None, {"foster-city-ca-pd"})
    assert forced == {"bundled-real": True, "six-districts": False}
    forced.clear()
    runner._run_corpora(None, tmp_path, {}, "", print, True, None, None, None)  # every jurisdiction: every corpus
    assert forced == {"bundled-real": True, "six-districts": True}
