"""The corpus step's fast path: CSVs written by DuckDB COPY equal publish.write_csv's, and the figures of a
small benchmark corpus equal what its generator planted (bench/bench_corpus.py: every copy of search s is
placed by formula, so the truth is computed from range(N), never from the files)."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from bench import bench_corpus as bench
from pipeline.analyze import corpus_report
from pipeline.config import Corpus, Jurisdiction
from pipeline.io.db import connect
from pipeline.io.publish import write_csv, write_query_csv

TABLE = """SELECT * FROM (VALUES
    (1, 'x,y', '', NULL, TIMESTAMPTZ '2024-01-01 00:00:01+00', NULL::BIGINT, true, ' lead', 'a"q'),
    (2, '=1+1', 'z', '@SUM(A1)', TIMESTAMPTZ '2024-03-10 08:00:00+00', 3, NULL, '-5', 'line
break'),
    (3, '+x', 'tab', '	t', NULL, 4, false, 'plain', 'SYNTHETIC: no')
) t(n, a, b, c, ts, i, flag, d, e)"""


@pytest.mark.parametrize("synthetic", [True, False])
def test_write_query_csv_writes_what_write_csv_writes(tmp_path, synthetic):
    con = connect(tmp_path)
    write_query_csv(con, TABLE, tmp_path / "copy.csv", synthetic=synthetic, order_by=("n",))
    write_csv(con.execute(TABLE + " ORDER BY n").df(), tmp_path / "pandas.csv", synthetic=synthetic)
    assert (tmp_path / "copy.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()


def test_write_query_csv_refuses_a_type_it_would_spell_differently(tmp_path):
    with pytest.raises(ValueError, match="DOUBLE"):
        write_query_csv(connect(tmp_path), "SELECT 1.5::DOUBLE AS x", tmp_path / "x.csv", synthetic=False)


ROWS = 30_000


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    root = tmp_path_factory.mktemp("bench")
    bench.generate(ROWS, root)
    members = tuple(
        Jurisdiction(
            slug=f"bench-p{p:02d}",
            name=f"bench {p}",
            producer=f"Bench producer {p}",
            log_kind="network",
            timezone="America/Chicago",
            inputs=("audit.csv",),
            raw_dir=root / "data" / "raw" / f"bench-p{p:02d}",
            synthetic=True,
        )
        for p in range(bench.PRODUCERS)
    )
    c = Corpus(name="bench", display_name="Bench", members=members)
    return root, c, corpus_report.compute(c, work=root / "work")


def _planted(searches: int) -> dict:
    """From the generator's own formulas: k(s) copies at producers (7s + 13j) mod 44, j < k."""
    con = duckdb.connect()
    idless = ", ".join(map(str, bench.ID_LESS))
    con.execute(f"""CREATE TABLE k AS SELECT s, {bench._copies_sql(searches)} AS k,
                    hash(s, 8) % 1000 < {bench.IMM_PER_MILLE} AS imm, hash(s, 5) % 6000 AS agency FROM range({searches}) t(s)""")
    con.execute(f"""CREATE TABLE placed AS SELECT s, k, ((s * 7) % {bench.PRODUCERS} + j * {bench.STEP}) % {bench.PRODUCERS} IN ({idless}) AS idless
                    FROM (SELECT s, k, unnest(range(k)) AS j FROM k)""")
    per = con.execute(
        "SELECT s, any_value(k) AS k, bool_or(idless) AS some, bool_and(idless) AS every FROM placed GROUP BY s"
    ).df()
    link = per.apply(
        lambda r: (
            "id"
            if not r.some
            else ("id_less_single" if r.k == 1 else "fingerprint")
            if r.every
            else "id_and_fingerprint"
        ),
        axis=1,
    )
    return {
        "rows": int(con.execute("SELECT sum(k) FROM k").fetchone()[0]),
        "distinct_searches": searches,
        "producers_per_search": {
            str(k): int(n) for k, n in con.execute("SELECT k, count(*) FROM k GROUP BY 1 ORDER BY 1").fetchall()
        },
        "links": link.value_counts().to_dict(),
        "immigration_searches": int(con.execute("SELECT count(*) FROM k WHERE imm").fetchone()[0]),
        "agencies": int(con.execute("SELECT count(DISTINCT agency) FROM k").fetchone()[0]),
    }


def test_the_figures_of_a_generated_corpus_equal_what_was_planted(small):
    _, _, r = small
    f, truth = r["facts"], _planted(bench.searches_for(ROWS))
    assert (f["rows"], f["distinct_searches"]) == (truth["rows"], truth["distinct_searches"])
    assert f["producers_per_search"] == truth["producers_per_search"]
    assert f["searches_by_link"] == {k: truth["links"].get(k, 0) for k in f["searches_by_link"]}
    assert (f["immigration_searches"], f["agencies"]) == (truth["immigration_searches"], truth["agencies"])
    assert f["conflicting_searches"] == 0 and f["id_less_copies_ambiguous"] == 0


def test_the_citation_csvs_cite_every_copy_of_the_searches_they_list(small):
    root, c, r = small
    out = corpus_report.write(c, r, root=root)
    cited = pd.read_csv(out / "immigration_searches.csv")
    assert cited["corpus_search"].nunique() == r["facts"]["immigration_searches"]
    assert len(cited) == r["facts"]["citation_lines"]["immigration_searches"]
    assert cited.groupby("corpus_search")["producer_log"].nunique().sum() == len(cited)  # one line per copy


def test_a_corpus_computed_out_of_core_gives_the_same_figures(small, monkeypatch):
    """At 140M copies the per-search GROUP BY spills to disk (the benchmark checks its distinct searches
    against the generator's); here DuckDB's debug_force_external makes its operators take their
    larger-than-memory path on the small corpus, and the figures must not change."""
    root, c, whole = small
    plain = corpus_report.connect

    def external(tmp_dir):
        con = plain(tmp_dir)
        con.execute("SET debug_force_external = true")
        return con

    monkeypatch.setattr(corpus_report, "connect", external)
    parts = corpus_report.compute(c, work=root / "work-parts")
    skip = {"citation_lines"}
    assert {k: v for k, v in parts["facts"].items() if k not in skip} == {
        k: v for k, v in whole["facts"].items() if k not in skip
    }
    pd.testing.assert_frame_equal(parts["tables"]["agencies"], whole["tables"]["agencies"])
