"""Corpora in jurisdictions.yml: every member must exist, none named twice; errors name the file and entry."""

from __future__ import annotations

import pytest
import yaml

from conftest import entry
from pipeline.config import load_corpora
from pipeline.errors import ConfigError


def _write(tmp_path, corpora, slugs=("a-pd", "b-pd", "c-pd")):
    for s in slugs:
        (tmp_path / "data/raw" / s).mkdir(parents=True)
        (tmp_path / "data/raw" / s / "log.csv").write_text("ID\n")
    doc = {"jurisdictions": [entry(s, ["log.csv"]) for s in slugs], "corpora": corpora}
    path = tmp_path / "jurisdictions.yml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def test_a_corpus_loads_with_its_members_in_order(tmp_path):
    path = _write(
        tmp_path,
        [
            {
                "name": "two",
                "display_name": "Two",
                "members": ["b-pd", "a-pd"],
                "notes": "n",
                "period": {"start": "2026-02-01", "end": "2026-02-28"},
                "claims": [{"claim": "x", "fact": "distinct_searches", "test": "at_least", "value": 1}],
            }
        ],
    )
    (c,) = load_corpora(path, root=tmp_path)
    assert [m.slug for m in c.members] == ["b-pd", "a-pd"] and c.period_end.day == 28 and len(c.claims) == 1


@pytest.mark.parametrize(
    "corpus, message",
    [
        (
            {"name": "x", "display_name": "X", "members": ["a-pd", "zz-pd"]},
            "corpus 'x': member(s) zz-pd are not jurisdictions",
        ),
        (
            {"name": "x", "display_name": "X", "members": ["a-pd", "b-pd", "a-pd"]},
            "corpus 'x': member(s) a-pd named twice",
        ),
        ({"name": "x", "display_name": "X", "members": ["a-pd"]}, "at least two members"),
        ({"name": "x", "members": ["a-pd", "b-pd"]}, "corpus 'x': missing display_name"),
        ({"name": "x", "display_name": "X", "members": ["a-pd", "b-pd"], "colour": 1}, "unknown key(s) colour"),
        ({"name": "X Y", "display_name": "X", "members": ["a-pd", "b-pd"]}, "lower-case letters"),
        ({"name": "a-pd", "display_name": "X", "members": ["a-pd", "b-pd"]}, "has the name of a jurisdiction"),
        (
            {"name": "x", "display_name": "X", "members": ["a-pd", "b-pd"], "period": {"start": "2026-13-01"}},
            "period.start",
        ),
        ({"name": "x", "display_name": "X", "members": ["a-pd", "b-pd"], "claims": [{"claim": "c"}]}, "missing fact"),
        (
            {
                "name": "x",
                "display_name": "X",
                "members": ["a-pd", "b-pd"],
                "claims": [
                    {
                        "claim": "c",
                        "fact": "distinct_searches",
                        "test": "at_least",
                        "value": 1,
                        "window": {"start": "2026-02-01", "end": "2026-02-07"},
                    }
                ],
            },
            "claim #1 names a window",
        ),
    ],
)
def test_corpus_errors_name_the_file_and_entry(tmp_path, corpus, message):
    path = _write(tmp_path, [corpus])
    with pytest.raises(ConfigError) as e:
        load_corpora(path, root=tmp_path)
    assert message in str(e.value) and "jurisdictions.yml" in str(e.value)


def test_a_corpus_named_twice_is_an_error(tmp_path):
    c = {"name": "x", "display_name": "X", "members": ["a-pd", "b-pd"]}
    with pytest.raises(ConfigError, match="corpus 'x' is listed twice"):
        load_corpora(_write(tmp_path, [c, dict(c, members=list(c["members"]))]), root=tmp_path)  # no YAML alias


def test_the_project_corpora_load():
    names = {c.name for c in load_corpora(check_files=False)}
    assert {"six-districts", "bundled-real"} <= names
