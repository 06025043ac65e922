"""Validation in the engine (pipeline/validate/engine.py, sql.py): a table over VALIDATE_ROWS is checked by
DuckDB, and its validation.json must be exactly what one pass of Great Expectations over the whole table
gives. Failures are planted in a processed table of two files (nulls, malformed and duplicate IDs, values out
of range, a file the manifest lacks in the middle of the table, an ID with a final newline that Python's
`$` accepts and RE2's does not), and their counts are asserted from what was planted."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.validate import checks, slices

from conftest import built
from test_validate import DECEMBER, _make, csv_text, mutated, outcome, row

PLANTED = {"dup_rows": 3, "no_time": 2, "bad_uuid": 2, "negative": 2, "no_org": 25, "row_zero": 1, "copies_zero": 1}


@pytest.fixture(scope="module")
def two_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("engine")
    j = _make(
        root,
        {"a.csv": csv_text(row(i) for i in range(40)), "b.csv": csv_text(row(i) for i in range(40, 80))},
        "engine-isd",
        log_kind="network",
        **DECEMBER,
    )
    built(j)
    return j


def plant(df: pd.DataFrame) -> pd.DataFrame:
    df = df.reset_index(drop=True)
    a, b = df.index[df["source_file"].str.endswith("a.csv")], df.index[df["source_file"].str.endswith("b.csv")]
    df.loc[[a[3], b[5], b[30]], "search_key"] = df.loc[a[3], "search_key"]  # 3 rows, one key, 2 files
    df.loc[[a[8], b[2]], "searched_at_utc"] = pd.NaT
    df.loc[a[10], "flock_id"] = "not-a-uuid"
    df.loc[b[11], "flock_id"] = df.loc[b[11], "flock_id"].upper()
    df.loc[b[12], "flock_id"] = df.loc[b[12], "flock_id"] + "\n"  # passes: Python's $ matches before it
    df.loc[[a[1], b[39]], "total_devices"] = -5
    df.loc[a[2], "total_devices"] = None  # a null elsewhere: one read of the table types the column float
    df.loc[list(a[5:20]) + list(b[0:10]), "org_name"] = None  # 25 of 80: over both thresholds
    df.loc[b[20], "source_row"] = 0
    df.loc[a[25], "copies"] = 0
    df.loc[a[30], "source_file"] = "data/raw/engine-isd/not-in-manifest.csv"  # sorts last, sits in the middle
    df.loc[[a[31], b[31]], "searched_at_utc"] = pd.Timestamp("2026-03-01", tz="UTC")  # outside December
    return df


def _without_timings(r: dict) -> str:
    """validation.json's text without its timings (as text: -5 and -5.0 differ there, not as Python numbers)."""
    import json

    return json.dumps({k: v for k, v in r.items() if k != "seconds"}, sort_keys=True)


@pytest.mark.parametrize("limit, unique_part", [(7, 8_000_000), (0, 8_000_000), (0, 9)])
def test_the_engine_gives_exactly_the_one_pass_gx_result(two_files, tmp_path, monkeypatch, limit, unique_part):
    """unique_part 9: the uniqueness check groups the hashes in 9 slices (as a table of 72M rows would)."""
    from pipeline.validate import sql

    j = mutated(two_files, tmp_path, plant)
    whole = checks.run(j)  # 80 searches: one pass of GX
    monkeypatch.setattr(slices, "VALIDATE_ROWS", limit)
    monkeypatch.setattr(sql, "UNIQUE_PART_ROWS", unique_part)
    engine = checks.run(j)
    for a, b in zip(engine["expectations"], whole["expectations"]):
        assert a == b, (a["suite"], a["expectation"], a["column"], {k: (a[k], b.get(k)) for k in a if a[k] != b.get(k)})
    assert _without_timings(engine) == _without_timings(whole)
    # the figures planted, not the output's: an engine (or a GX) that miscounts fails here
    r = engine
    assert (
        outcome(r, "searches", "expect_column_values_to_be_unique", "search_key")["unexpected_count"]
        == PLANTED["dup_rows"]
    )
    assert outcome(r, "searches", "expect_column_values_to_not_be_null", "searched_at_utc")["unexpected_count"] == 2
    uuid = outcome(r, "searches", "expect_column_values_to_match_regex", "flock_id")
    assert uuid["unexpected_count"] == PLANTED["bad_uuid"] and [c["value"] for c in uuid["rows"]][0] == "not-a-uuid"
    neg = outcome(r, "flock_export", "expect_column_values_to_be_between", "total_devices")
    assert neg["unexpected_count"] == PLANTED["negative"] and [c["value"] for c in neg["rows"]] == [-5, -5]
    org = outcome(r, "flock_export", "expect_column_values_to_not_be_null", "org_name", "critical")
    assert org["success"] is False and len(org["rows"]) == 20
    assert org["unexpected_count"] == PLANTED["no_org"]
    assert outcome(r, "searches", "expect_column_values_to_be_between", "source_row")["unexpected_count"] == 1
    assert outcome(r, "searches", "expect_column_values_to_be_between", "copies")["unexpected_count"] == 1
    stray = outcome(r, "searches", "expect_column_values_to_not_be_null", "source_kind")
    assert [c["source_file"] for c in stray["rows"]] == ["data/raw/engine-isd/not-in-manifest.csv"]
    period = outcome(r, "searches", "expect_column_values_to_be_between", "searched_at_utc", "warning")
    assert period["unexpected_count"] == 2 and r["verdict"] == "RED"


def test_the_engine_on_a_clean_table_is_green_like_gx(two_files, monkeypatch):
    whole = checks.run(two_files)
    monkeypatch.setattr(slices, "VALIDATE_ROWS", 0)
    engine = checks.run(two_files)
    assert engine["verdict"] == whole["verdict"] == "GREEN"
    assert _without_timings(engine) == _without_timings(whole)


def test_the_engine_decides_a_regex_as_python_does():
    """GX on pandas uses str.contains (Python `re.search`); the engine's function must agree where RE2 does not."""
    import duckdb

    from pipeline.validate import sql

    con = duckdb.connect()
    f = sql._regex(con, "^ab$")
    got = con.execute(f"SELECT {f}(s) FROM (VALUES ('ab'), (E'ab\\n'), ('xab'), ('AB')) t(s)").fetchall()
    assert [g[0] for g in got] == [True, True, False, False]


@pytest.mark.parametrize("few", [True, False])
@pytest.mark.parametrize("etype", ["expect_column_values_to_match_regex", "expect_column_values_to_not_match_regex"])
def test_the_engine_sql_for_a_regex_agrees_with_python_on_every_kind_of_value(etype, few, monkeypatch):
    """RE2 decides ASCII values without a line break; GX's own call decides the others (a final newline,
    accents, the Kelvin sign that (?i) folds to k in Python); per row, or once per distinct value."""
    import re

    import duckdb

    from pipeline.validate import sql

    monkeypatch.setattr(sql, "_few_values", lambda con, c: few)
    con = duckdb.connect()
    values = ["ab", "ab\n", "xab", "AB", "áb", "\u212ab", "kb", "a\nb", "", "redacted by clerk", "---", "xxxx"]
    con.execute("CREATE TABLE s AS SELECT * FROM (SELECT unnest(?) AS c)", [values])
    for pattern in ("^ab$", "(?i)^kb$", "(?i)redact|withheld|^[^0-9a-z]+$|^x{3,}$", "^a.b$"):
        sp = sql.spec(con, etype, {"regex": pattern}, ["c"], {"c": "VARCHAR"})
        got = [r[0] for r in con.execute(f"SELECT {sp['unexpected']} FROM s").fetchall()]
        found = [re.search(pattern, v) is not None for v in values]
        assert got == ([not f for f in found] if etype == "expect_column_values_to_match_regex" else found), pattern


def test_an_expectation_the_engine_does_not_compute_runs_in_gx_with_the_same_result(two_files, tmp_path, monkeypatch):
    """A type (value lengths) and a value set (text and a number) the engine leaves to GX, in a suite
    of its own: the outcome is GX's, on the rows it applies to, exactly as in one pass."""
    import json

    from pipeline import ROOT

    folder = tmp_path / "expectations"
    folder.mkdir()
    base = json.loads((ROOT / "expectations" / "searches.json").read_text())
    extra = [
        {
            "type": "expect_column_value_lengths_to_equal",
            "kwargs": {"column": "flock_id", "value": 36},
            "meta": {"why": "w", "problem": "p"},
            "severity": "critical",
        },
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "search_type", "value_set": ["lookup", 3]},
            "meta": {"rows_where": {"name_state": "masked"}, "why": "w", "problem": "p"},
            "severity": "warning",
        },
    ]
    (folder / "searches.json").write_text(json.dumps({**base, "expectations": base["expectations"] + extra}))
    j = mutated(two_files, tmp_path / "t", plant)
    whole = checks.run(j, folder / "searches.json")
    monkeypatch.setattr(slices, "VALIDATE_ROWS", 0)
    engine = checks.run(j, folder / "searches.json")
    assert _without_timings(engine) == _without_timings(whole)
    lengths = outcome(engine, "searches", "expect_column_value_lengths_to_equal", "flock_id")
    assert lengths["success"] is False and lengths["unexpected_count"] == 2  # "not-a-uuid", the ID + "\n"
    types = outcome(engine, "searches", "expect_column_values_to_be_in_set", "search_type")
    assert types["unexpected_count"] == 80 and types["checked"] == 80 and types["rows_where"]  # every row: "search"
