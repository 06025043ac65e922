"""jurisdictions.yml: every mistake is a clear error naming the entry."""

import os

import pytest
import yaml

from pipeline import ROOT
from pipeline.config import load, select
from pipeline.errors import ConfigError

CSV = "id,userId,searchDate,networkCount,reason\nx,***,2026-03-10T04:31:52.901Z,2,Investigation\n"


def write(tmp_path, entries, files=("a.csv",), slug="ok-j"):
    raw = tmp_path / "data" / "raw" / slug
    raw.mkdir(parents=True, exist_ok=True)
    for f in files:
        (raw / f).write_text(CSV)
    p = tmp_path / "jurisdictions.yml"
    p.write_text(yaml.safe_dump({"jurisdictions": entries}))
    return p


def base(**kw):
    e = {
        "slug": "ok-j",
        "name": "OK",
        "producer": "OK PD",
        "log_kind": "portal",
        "timezone": "America/Denver",
        "inputs": ["*.csv"],
    }
    e.update(kw)
    return e


def test_the_projects_own_file_loads():
    slugs = [j.slug for j in load(ROOT / "jurisdictions.yml", check_files=False)]
    assert slugs == [
        "alvin-isd",
        "huffman-isd",
        "eugene-or-pd",
        "belmont-ca-pd",
        "foster-city-ca-pd",
        "okaloosa-fl-so",
        "pecan-isd",
        "mesa-usd",
        "aspen-sd",
        "bayou-psd",
        "harbor-usd",
        "peach-sd",
    ]


def test_a_good_entry_loads_with_its_files(tmp_path):
    (j,) = load(write(tmp_path, [base(period={"start": "2026-03-01", "end": "2026-03-31"})]), root=tmp_path)
    assert j.files() == [tmp_path / "data/raw/ok-j/a.csv"]
    assert str(j.period_start) == "2026-03-01" and j.root == tmp_path


@pytest.mark.parametrize(
    "change, words",
    [
        ({"colour": "red"}, "unknown key(s) colour"),
        ({"slug": "Bad_Slug"}, "slug must be lower-case"),
        ({"slug": "../etc"}, "slug must be lower-case"),
        ({"timezone": "Mars/Olympus"}, "time zone 'Mars/Olympus'"),
        ({"log_kind": "everything"}, "log_kind 'everything'"),
        ({"inputs": ["missing.csv"]}, "input 'missing.csv' matches no file"),
        ({"inputs": ["../other/a.csv"]}, "must be a path inside data/raw/ok-j/"),
        ({"inputs": ["/etc/passwd"]}, "must be a path inside data/raw/ok-j/"),
        ({"producer": None}, "missing producer"),
        ({"period": {"start": "2026-04-01", "end": "2026-03-01"}}, "period starts after it ends"),
        ({"period": {"start": "yesterday"}}, "is not a date"),
        ({"producer_state": "Texas"}, "producer_state must be a two-letter code"),
    ],
)
def test_mistakes_are_named(tmp_path, change, words):
    with pytest.raises(ConfigError) as e:
        load(write(tmp_path, [base(**change)]), root=tmp_path)
    assert words in str(e.value)
    assert "jurisdiction '" in str(e.value)


def test_two_entries_with_one_slug(tmp_path):
    with pytest.raises(ConfigError, match="listed twice"):
        load(write(tmp_path, [base(), base()]), root=tmp_path)


def test_a_link_out_of_the_raw_folder_is_refused(tmp_path):
    p = write(tmp_path, [base(inputs=["*.csv"])])
    outside = tmp_path / "secret.csv"
    outside.write_text(CSV)
    os.symlink(outside, tmp_path / "data/raw/ok-j/link.csv")
    with pytest.raises(ConfigError, match="resolves outside data/raw/ok-j/"):
        load(p, root=tmp_path)


def test_a_missing_synthetic_release_says_how_to_make_it(tmp_path):
    p = tmp_path / "jurisdictions.yml"
    p.write_text(yaml.safe_dump({"jurisdictions": [base(slug="fake-isd", synthetic=True)]}))
    with pytest.raises(ConfigError, match="python -m tools.synth fake-isd"):
        load(p, root=tmp_path)


def test_selecting_an_unknown_slug(tmp_path):
    js = load(write(tmp_path, [base()]), root=tmp_path)
    with pytest.raises(ConfigError, match="no jurisdiction named nope"):
        select(js, ["nope"])


def test_not_a_list(tmp_path):
    p = tmp_path / "jurisdictions.yml"
    p.write_text("jurisdictions: {slug: x}\n")
    with pytest.raises(ConfigError, match="top-level key 'jurisdictions'"):
        load(p, root=tmp_path)
