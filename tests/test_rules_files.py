"""The rules files read through one checked loader: the bundled ones load; a typo names the file and entry."""

from __future__ import annotations

import shutil

import pytest
import yaml

from pipeline import RULES
from pipeline.errors import RulesError
from pipeline.io import rules


@pytest.mark.parametrize("name", sorted(rules.MODELS))
def test_the_bundled_rules_files_load(name):
    doc = rules.load(name)
    assert doc == yaml.safe_load((RULES / name).read_text(encoding="utf-8")) | doc  # nothing lost, defaults added


def _broken(tmp_path, name, edit):
    folder = tmp_path / "rules"
    folder.mkdir()
    shutil.copyfile(RULES / name, folder / name)
    doc = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
    edit(doc)
    (folder / name).write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    rules.load.cache_clear()
    with pytest.raises(RulesError) as e:
        rules.load(name, folder)
    return str(e.value)


@pytest.mark.parametrize(
    "name, edit, says",
    [
        ("cells.yml", lambda d: d.update(maskss=d.pop("masks")), ["masks: Field required", "maskss: Extra inputs"]),
        (
            "cells.yml",
            lambda d: d["masks"].append("^[unclosed$"),
            ["masks[5]: Value error, '^[unclosed$' is not a valid regular expression"],
        ),
        ("cells.yml", lambda d: d["time_formats"].append("month/day/year"), ["time_formats", "not a strptime format"]),
        ("columns.yml", lambda d: d["standard_order"].append("licence_plate"), ["not under canonical: licence_plate"]),
        ("columns.yml", lambda d: d["canonical"]["reason"].append("plate"), ["the alias 'plate' is listed for both"]),
        ("columns.yml", lambda d: d.update(min_known_columns=0), ["min_known_columns"]),
        ("pii.yml", lambda d: d["patterns"][0].update(kind="Name And DOB"), ["patterns[0].kind"]),
        (
            "pii.yml",
            lambda d: d["not_personal"][0].update(pattern="(cfs) \\d+"),
            ["not_personal[0].pattern", "capturing group"],
        ),
        ("pii.yml", lambda d: d["patterns"][1].pop("pattern"), ["patterns[1].pattern: Field required"]),
    ],
)
def test_a_typo_in_a_rules_file_names_the_file_and_entry(tmp_path, name, edit, says):
    try:
        message = _broken(tmp_path, name, edit)
    finally:
        rules.load.cache_clear()
    assert message.startswith(str(tmp_path / "rules" / name) + ", line "), message  # the file and the line
    for s in says:
        assert s in message, message
    assert "Traceback" not in message
