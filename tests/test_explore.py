"""The explore database (python -m pipeline explore): only published columns, no leak, rebuilt only when
its inputs change, and served by a real Datasette whose JSON answers equal facts.json and the planted truth."""

import json
import re
import shutil
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from explore_fixtures import add_corpus, get, make_project, start_server
from pipeline.explore import build as explore_build
from pipeline.explore import columns, metadata, scan


@pytest.fixture(scope="session")
def explore(tmp_path_factory):
    """(root, truth, build record) of the tiny project with its database built."""
    root = tmp_path_factory.mktemp("explore")
    truth = make_project(root)
    add_corpus(root)
    record = explore_build.build(root, echo=lambda m: None)
    return root, truth, record


@pytest.fixture(scope="session")
def server(explore, tmp_path_factory):
    root = explore[0]
    proc, url = start_server(root, tmp_path_factory.mktemp("datasette") / "datasette.log")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def db(root):
    return sqlite3.connect(f"file:{explore_build.db_path(root)}?mode=ro", uri=True)


def facts(root, slug):
    return json.loads((root / "reports" / slug / "facts.json").read_text())


def test_columns_rules_refuse_a_column_that_may_never_be_published(tmp_path):
    cols, never = columns.load()
    assert {"license_plate", "searcher", "case_number", "filters", "text_prompt", "reason"} <= never
    assert not any(set(c.reads) & never for c in cols)
    bad = columns.COLUMNS_PATH.read_text().replace("reads: [reason_redacted]", "reads: [reason]")
    (tmp_path / "columns.yml").write_text(bad)
    with pytest.raises(ValueError, match="may never be published"):
        columns.load(tmp_path / "columns.yml")


def test_searches_table_holds_exactly_the_published_columns(explore):
    root, _, record = explore
    with db(root) as con:
        have = [r[1] for r in con.execute("PRAGMA table_info(searches)")]
        n = {slug: k for slug, k in con.execute("SELECT jurisdiction, count(*) FROM searches GROUP BY 1")}
    assert have == [c.name for c in columns.load()[0]] + ["reason_id"]
    assert not set(have) & (columns.load()[1] - {"reason"})  # `reason` here is the published, redacted one
    with db(root) as con:
        hostile = [r for (r,) in con.execute("SELECT reason FROM searches WHERE jurisdiction = 'hostile-pd'")]
    detainer = next(r for r in hostile if r.startswith("ICE detainer"))
    assert "[REDACTED name_and_dob]" in detainer and "Juan Testcase" not in detainer
    for slug in ("huffman-isd", "eugene-or-pd", "hostile-pd"):
        assert n[slug] == facts(root, slug)["searches"]
    assert n["huffman-isd"] == explore[1]["searches"]
    assert n["eugene-or-pd"] == 4294  # SOURCES.md: Eugene's published row count
    assert record["tables"]["searches"] == sum(n.values())


def test_leak_scan_of_the_database_finds_nothing_and_would_find_a_plate(explore, tmp_path):
    root = explore[0]
    parquets = sorted(root.glob("data/processed/*/searches.parquet"))
    found = scan.secrets(parquets)
    assert {"Jane Quimby", "Robert Fakename"} <= found["searcher"] and "QZX4821" in found["license_plate"]
    assert len(found["searcher"]) > 100 and len(found["case_number"]) > 50 and found["text_prompt"]
    result = scan.scan(explore_build.db_path(root), parquets)
    assert result["leaks"] == [] and result["checked"] == sum(len(v) for v in found.values())
    # the same scan over a copy with one plate and one case number slipped in finds both
    leaky = tmp_path / "leaky.db"
    shutil.copyfile(explore_build.db_path(root), leaky)
    typed = "\x00".join(scan._published_reasons(leaky))
    case = sorted(v for v in found["case_number"] if v.casefold() not in typed)[0]
    with sqlite3.connect(leaky) as con:
        con.execute("UPDATE agencies SET agency = ? WHERE rowid = 1", ("KLM7734",))
        con.execute("UPDATE jurisdictions SET name = ? WHERE rowid = 1", (f"see {case}",))
    assert {("license_plate", "KLM7734"), ("case_number", case)} <= set(scan.scan(leaky, parquets)["leaks"])


def test_synthetic_rows_and_descriptions_say_synthetic(explore):
    root = explore[0]
    with db(root) as con:
        marks = dict(
            con.execute("SELECT jurisdiction, group_concat(DISTINCT coalesce(synthetic, '-')) FROM searches GROUP BY 1")
        )
        corpus = con.execute("SELECT DISTINCT corpus, synthetic FROM corpus_producers_per_search").fetchall()
        rows = con.execute("SELECT producers, distinct_searches FROM corpus_producers_per_search ORDER BY 1").fetchall()
        corpus_columns = [r[1] for r in con.execute("PRAGMA table_info(corpus_producers_per_search)")]
    assert marks == {"huffman-isd": "SYNTHETIC", "eugene-or-pd": "-", "hostile-pd": "-"}
    assert corpus == [("two-logs", "SYNTHETIC")]
    assert rows == [(1, 2), (2, 1)] and "data" not in corpus_columns  # the label column became `synthetic`
    meta = json.loads((explore_build.explore_dir(root) / "metadata.json").read_text())
    tables = meta["databases"]["flock"]["tables"]
    assert "SYNTHETIC: huffman-isd" in meta["description"] and "SYNTHETIC" in tables["searches"]["description"]
    assert "CC0 1.0" in meta["license"] and "huffman-isd (SYNTHETIC)" in meta["license"]


def test_column_descriptions_come_from_the_readme_data_dictionary(explore):
    root = explore[0]
    readme = metadata.data_dictionary()
    cols = json.loads((explore_build.explore_dir(root) / "metadata.json").read_text())["databases"]["flock"]["tables"][
        "searches"
    ]["columns"]
    assert cols["agency"] == readme["org_name"] and "Org Name" not in readme["source_sha256"]
    assert cols["source_sha256"] == readme["source_sha256"] and "SHA-256" in cols["source_sha256"]
    assert all(cols[c.name] for c in columns.load()[0])


def test_rebuilt_only_when_an_input_changes(explore):
    root = explore[0]
    again = explore_build.build(root, echo=lambda m: None)
    assert again["built"] is False and again["key"] == explore[2]["key"]
    f = root / "reports/eugene-or-pd/facts.json"
    original = f.read_text()
    try:
        f.write_text(original.replace('"timezone"', '"note_added": 1, "timezone"', 1))
        changed = explore_build.build(root, echo=lambda m: None)
        assert changed["built"] is True and changed["key"] != explore[2]["key"]
    finally:
        f.write_text(original)
        explore_build.build(root, echo=lambda m: None)


def test_immigration_counts_per_jurisdiction_equal_facts_and_truth(explore, server):
    root, truth = explore[:2]
    rows = get(server + "flock/immigration_by_agency.json?_shape=array&_size=max")
    for slug in ("huffman-isd", "eugene-or-pd", "hostile-pd"):
        mine = [r for r in rows if r["jurisdiction"] == slug]
        f = facts(root, slug)
        assert sum(r["immigration_searches"] for r in mine) == f["immigration_searches"]
        for t in ("civil", "criminal", "unspecified"):
            assert sum(r[t] for r in mine) == f[f"immigration_{t}"]
    huffman = {r["agency"]: r["immigration_searches"] for r in rows if r["jurisdiction"] == "huffman-isd"}
    assert huffman == truth["immigration"]["by_agency"]
    assert sum(huffman.values()) == truth["immigration"]["searches"]
    table = get(
        server + "flock/agencies.json?_shape=array&jurisdiction=huffman-isd&immigration_searches__gt=0&_size=max"
    )
    assert {r["agency"]: r["immigration_searches"] for r in table} == truth["immigration"]["by_agency"]


def test_full_text_search_finds_ice_and_not_police(explore, server):
    truth = explore[1]
    found = get(server + "flock/reasons.json?_search=ice&_shape=array&_size=max")
    reasons = {r["reason"] for r in found}
    assert {"ICE investigation", "ICE detainer"} <= reasons
    traps = set(truth["traps"])  # "police report", "Niceville burglary", "vice unit", ...
    with db(explore[0]) as con:
        published = {r for (r,) in con.execute("SELECT reason FROM reasons")}
    assert {"police report", "call for service", "Niceville burglary"} <= published & traps
    assert not reasons & {"police report", "call for service", "Niceville burglary", "warrant service"}
    assert all(re.search(r"(?<![a-z0-9])ice(?![a-z0-9])", r.casefold()) for r in reasons)  # the word, never a part
    # the searches table is searched through the same index: every row found has a reason with the word
    rows = get(server + "flock/searches.json?_search=ice&_shape=array&_size=max")
    assert rows and {r["reason"] for r in rows} <= reasons


def test_canned_query_returns_the_planted_border_patrol_searches(explore, server):
    bp = explore[1]["border_patrol"]
    q = urllib.parse.urlencode({"agency": bp["org_name"], "_shape": "array", "_size": "max"})
    days = get(server + f"flock/agency_per_day.json?{q}")
    assert sum(d["searches"] for d in days) == bp["searches"]
    assert sum(d["immigration_searches"] for d in days) == bp["immigration"]
    assert {d["jurisdiction"] for d in days} == {"huffman-isd"} and len(
        {d["searched_local_date"] for d in days}
    ) == len(days)
    most = get(server + "flock/agencies_most_producers.json?_shape=array")
    assert most and all(r["producers"] >= 1 for r in most)


def test_default_facets_are_served(server):
    page = get(server + "flock/searches.json?_size=0")
    assert {
        "jurisdiction",
        "agency",
        "agency_state",
        "reason_categories",
        "immigration_type",
        "searched_local_date",
    } <= set(page["facet_results"])


def test_a_write_is_refused_and_nothing_changes(explore, server):
    before = get(server + "flock.json?sql=select+count(*)+as+n+from+searches&_shape=array")[0]["n"]
    assert [d["is_mutable"] for d in get(server + "-/databases.json") if d["name"] == "flock"] == [False]
    for path in ("flock/searches/-/insert", "flock/searches", "flock", "flock/agency_per_day"):
        req = urllib.request.Request(
            server + path,
            method="POST",
            headers={"Content-Type": "application/json"},
            data=json.dumps({"row": {"jurisdiction": "x"}}).encode(),
        )
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=10)
        assert e.value.code == 405, path
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(server + "flock.json?sql=" + urllib.parse.quote("delete from searches"), timeout=10)
    assert e.value.code == 400
    assert get(server + "flock.json?sql=select+count(*)+as+n+from+searches&_shape=array")[0]["n"] == before


def test_served_on_loopback_only_by_default():
    from pipeline.explore import command, serve

    args = command.parser().parse_args([])
    assert args.host == serve.LOOPBACK == "127.0.0.1" and args.port is None
    cmd = serve.command(Path("flock.db"), Path("metadata.json"), None, args.host, 8001)
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1" and "-i" in cmd


def test_cli_builds_without_serving(explore, capsys):
    from pipeline.cli import main

    assert main(["explore", "--no-serve", "--root", str(explore[0])]) == 0
    assert "up to date" in capsys.readouterr().out


def test_bench_section_of_results_md_is_replaced_not_repeated(tmp_path):
    from bench import bench_explore as be

    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\nthe pipeline's table\n")
    be.write_section(f"{be.BEGIN}\nfirst\n{be.END}\n", results)
    be.write_section(f"{be.BEGIN}\nsecond\n{be.END}\n", results)
    text = results.read_text()
    assert "the pipeline's table" in text and "second" in text and "first" not in text
    assert text.count(be.BEGIN) == 1
