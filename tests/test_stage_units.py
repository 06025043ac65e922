"""Unit tests of stage logic without a whole build: clean's cell SQL, its de-duplication and reconciliation
steps on hand-made tables, and facts on a hand-made processed table (every expected figure counted by hand
from the rows below)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from pipeline.analyze import facts
from pipeline.clean import parse, searches as clean
from pipeline.config import Jurisdiction
from pipeline.errors import ReconciliationError
from pipeline.project import processed_dir

MASK = clean.CellSql.of(
    Jurisdiction(
        slug="x", name="x", producer="x", log_kind="auto", timezone="UTC", inputs=("a",), raw_dir=Path("/p/data/raw/x")
    )
).mask


@pytest.mark.parametrize(
    "cell, state",
    [
        (None, "not_exported"),
        ("", "blank"),
        ("  ", "blank"),
        ("***", "masked"),
        ("[REDACTED]", "masked"),
        ("7923.600 GC", "masked"),
        ("Jane Roe", "present"),
        ("J*ne", "present"),
    ],
)
def test_a_cell_state_is_not_exported_blank_masked_or_present(cell, state):
    assert (
        duckdb.execute(f"SELECT {parse.state_sql('c', MASK)} FROM (SELECT ?::VARCHAR AS c)", [cell]).fetchone()[0]
        == state
    )


@pytest.mark.parametrize(
    "cell, value, bad",
    [
        ("12", 12, False),
        ("12.0", 12, False),
        (" 7 ", 7, False),
        ("——", None, False),
        ("N/A", None, False),
        ("***", None, False),
        (None, None, False),
        ("-3", None, True),
        ("2.5", None, True),
        ("many", None, True),
    ],
)
def test_a_count_is_a_whole_number_or_empty_and_anything_else_is_flagged(cell, value, bad):
    cells = clean.cell_rules()
    nulls = "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in cells["null_numbers"]) + ")"
    typed, flagged = parse.number_sql("c", MASK, nulls)
    assert duckdb.execute(f"SELECT {typed}, {flagged} FROM (SELECT ?::VARCHAR AS c)", [cell]).fetchone() == (value, bad)


def _tables(parsed_rows, sources):
    """`src` and `parsed` as clean's earlier steps would leave them (only the columns the steps read)."""
    con = duckdb.connect()
    con.execute(
        "CREATE TEMP TABLE src (source_index INTEGER, source_file VARCHAR, source_sheet VARCHAR, "
        "source_sha256 VARCHAR, rows_read BIGINT)"
    )
    con.executemany("INSERT INTO src VALUES (?, ?, ?, ?, ?)", sources)
    con.execute(
        "CREATE TEMP TABLE parsed (source_index INTEGER, source_row BIGINT, search_key VARCHAR, reject VARCHAR)"
    )
    con.executemany("INSERT INTO parsed VALUES (?, ?, ?, ?)", parsed_rows)
    return con


def test_copies_are_ranked_by_file_then_row_and_every_row_is_reconciled():
    # a.csv: k1, k2, k1 again, a repeated header; b.csv: k2 again, k3
    con = _tables(
        [
            (0, 2, "k1", None),
            (0, 3, "k2", None),
            (0, 4, "k1", None),
            (0, 5, None, "repeated_header"),
            (1, 2, "k2", None),
            (1, 3, "k3", None),
        ],
        [(0, "a.csv", None, "sa", 4), (1, "b.csv", None, "sb", 2)],
    )
    clean._rank_copies(con)
    firsts = con.sql("SELECT search_key, source_index, source_row, copies FROM firsts ORDER BY 1").fetchall()
    assert firsts == [("k1", 0, 2, 2), ("k2", 0, 3, 2), ("k3", 1, 3, 1)]  # the earliest copy is kept
    later = con.sql("SELECT search_key, source_index, source_row FROM copies WHERE copy_rank > 1 ORDER BY 1").fetchall()
    assert later == [("k1", 0, 4), ("k2", 1, 2)]
    recon = clean._reconcile(con)
    assert [
        (r["source_file"], r["rows_read"], r["searches_kept"], r["duplicates"], r["rejected"], r["balanced"])
        for r in recon
    ] == [("a.csv", 4, 2, 1, 1, True), ("b.csv", 2, 1, 1, 0, True)]
    assert recon[0]["rejected_repeated_header"] == 1 and recon[1]["rejected_repeated_header"] == 0


def test_a_source_whose_rows_do_not_add_up_stops_everything():
    con = _tables([(0, 2, "k1", None)], [(0, "a.csv", None, "sa", 2)])  # 2 rows read, 1 staged
    clean._rank_copies(con)
    with pytest.raises(ReconciliationError, match="rows read \\(2; staged 1\\)"):
        clean._reconcile(con)


def _processed(tmp_path, rows):
    j = Jurisdiction(
        slug="unit-pd",
        name="Unit PD",
        producer="Unit ISD",
        log_kind="network",
        timezone="America/Chicago",
        inputs=("a.csv",),
        raw_dir=tmp_path / "data" / "raw" / "unit-pd",
        producer_state="TX",
    )
    out = processed_dir(j.root, j.slug)
    out.mkdir(parents=True)
    con = duckdb.connect()
    con.execute("""CREATE TABLE s (searched_at_utc TIMESTAMPTZ, searched_local_date DATE, org_name VARCHAR,
        searcher VARCHAR, name_state VARCHAR, copies INTEGER, time_frame_start_utc TIMESTAMPTZ,
        immigration BOOLEAN, immigration_type VARCHAR, agency_state VARCHAR, agency_federal BOOLEAN,
        reason_categories VARCHAR[], reason_pii VARCHAR[])""")
    con.executemany("INSERT INTO s VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute(f"COPY s TO '{out / 'searches.parquet'}' (FORMAT parquet)")
    (out / "manifest.json").write_text(
        json.dumps(
            {
                "log_kind": "network",
                "totals": {"rows_read": len(rows) + 2, "duplicates": 1, "rejected": 1, "conflicting_searches": 0},
                "raw_files": [{"file": "data/raw/unit-pd/a.csv", "sha256": "s", "bytes": 1}],
                "pipeline": {"git_commit": None},
            }
        )
    )
    return j


def test_facts_on_a_hand_made_table(tmp_path):
    t = dt.datetime(2025, 12, 2, 18, tzinfo=dt.timezone.utc)
    day = dt.date(2025, 12, 2)
    long_ago = t - dt.timedelta(days=45)
    rows = [
        # when, local day, agency, searcher, its state, copies, window start, immigration, type, agency state,
        # federal, categories, personal data
        (t, day, "Houston TX PD", "Jane", "present", 1, t - dt.timedelta(days=1), False, None, "TX", False, [], []),
        (t, day, "Houston TX PD", None, "masked", 2, long_ago, True, "civil", "TX", False, ["immigration"], []),
        (t, day, "Macon GA PD", None, "blank", 1, t, True, "criminal", "GA", False, ["immigration"], ["plate"]),
        (
            t,
            day,
            "[Federal] U.S. Border Patrol",
            None,
            "not_exported",
            1,
            None,
            True,
            "civil",
            "",
            True,
            ["immigration"],
            [],
        ),
        (
            t + dt.timedelta(days=1),
            day + dt.timedelta(days=1),
            "Unnamed Task Force",
            "Jane",
            "present",
            1,
            long_ago,
            False,
            None,
            "",
            False,
            ["no_stated_purpose"],
            [],
        ),
    ]
    f = facts.compute(_processed(tmp_path, rows))
    assert (f["searches"], f["agencies"], f["searchers"]) == (5, 4, 1)
    assert (
        f["immigration_searches"],
        f["immigration_civil"],
        f["immigration_criminal"],
        f["immigration_unspecified"],
        f["immigration_agencies"],
    ) == (3, 2, 1, 0, 3)
    assert f["immigration_states"] == ["GA", "TX"] and f["searcher_states"] == 2
    assert f["searches_by_state"] == {"": 2, "GA": 1, "TX": 2} and f["searches_state_not_identified"] == 2
    assert f["out_of_state_searches"] == 1  # Macon GA; '' is not out of state
    assert (f["federal_searches"], f["federal_immigration_searches"]) == (1, 1)
    assert (f["no_stated_purpose_searches"], f["reasons_flagged_personal_data"]) == (1, 1)
    assert (
        f["searches_searcher_present"],
        f["searches_searcher_masked"],
        f["searches_searcher_blank"],
        f["searches_searcher_not_exported"],
    ) == (2, 1, 1, 1)
    assert (f["searches_looking_back_over_30_days"], f["longest_look_back_days"]) == (2, 46)  # 45 days + the day after
    assert (f["first_local_date"], f["last_local_date"]) == ("2025-12-02", "2025-12-03")
    assert (f["rows_read"], f["duplicates"], f["rejected"], f["searches_with_copies"]) == (7, 1, 1, 1)


def test_a_project_folder_with_an_apostrophe_in_its_name(tmp_path):
    """Paths reach DuckDB as SQL literals: a folder such as "O'Brien's laptop" must not break a statement."""
    import yaml

    from builders import EXPORT_HEADER, TIME_FRAME, csv_text, uid
    from conftest import built, entry
    from pipeline.config import load, select
    from pipeline.validate import checks

    root = tmp_path / "O'Brien's laptop"
    raw = root / "data" / "raw" / "quote-pd"
    raw.mkdir(parents=True)
    rows = [
        f'{uid(i)},***,Houston TX PD,3,120,{TIME_FRAME},***,"Investigation",***,,"12/01/2025, 05:3{i}:00 AM UTC",search,,'
        for i in range(3)
    ]
    (raw / "a.csv").write_text(csv_text(*rows, header=EXPORT_HEADER), encoding="utf-8")
    (root / "jurisdictions.yml").write_text(yaml.safe_dump({"jurisdictions": [entry("quote-pd", ["a.csv"])]}))
    (j,) = select(load(root / "jurisdictions.yml", root=root), ["quote-pd"])
    assert built(j)["totals"]["searches"] == 3
    assert facts.compute(j)["searches"] == 3
    assert checks.run(j)["rows_validated"] == 3
