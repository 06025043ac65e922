"""One search counted once across producers: the figures of a corpus (several jurisdictions' logs).

A nationwide search appears in the network audit of every producer whose cameras it covered, so adding up
per-jurisdiction figures counts it once per log. Here every copy of the members' searches.parquet (only the
columns needed) is read by DuckDB and resolved to one corpus search:

* a copy with a Flock ID is the search with that ID (an ID is the search's own identity);
* a copy without an ID (older exports, some workbooks) is linked only by its FINGERPRINT: agency (after the
  reviewed alias table), search time to the second, networks searched, time frame start and end. Linked
  only when the fingerprint is unambiguous: at most one ID search has it, and no log holds it twice.
  Otherwise each such copy stays a search of its own ('ambiguous'), counted apart and never merged;
* the number of searches resolved each way is reported (`searches_by_link`).

Limits of the fingerprint: two searches by one agency in the same second over the same networks and time
frame cannot be told apart (left unlinked, so counted twice); a copy whose agency is spelled in a way the
alias table does not list, or whose networks or time frame differ between exports, is not linked (counted
twice). In the largest public build such a key matched the same search with 99.37 % precision (99.81 %
with the time frame: /work/shared/FORMATS.md §5), so it links most searches, never all.

How it scales (bench/README.md, corpus section): the copies are read in full ONCE, into a narrow keyed
Parquet file of the run's work folder (a copy's uid, member, combo id, link and one hash of the fields that
must agree); the ID-less copies are resolved from it and written beside it; one GROUP BY over the two files
gives the searches. Its states are a few fixed-size numbers, so DuckDB spills it to disk beyond its budget:
time grows linearly with the copies and memory stays within the budget. Only the searches whose copies'
hashes differ (possible conflicts) and the immigration-related ones (cited) are read again, in full.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from pipeline import project
from pipeline.analyze.corpus_rules import CorpusRules
from pipeline.config import Corpus
from pipeline.io.db import literal

MAX_MEMBERS = 64  # producers are bits of one UBIGINT per search
COLUMNS = (
    "flock_id",
    "search_key",
    "searched_at_utc",
    "org_name",
    "total_networks",
    "total_devices",
    "time_frame_start_utc",
    "time_frame_end_utc",
    "reason_clean",
    "search_type",
    "immigration",
    "immigration_type",
    "agency_state",
    "agency_federal",
    "log_kind",
    "reason_categories",
    "source_file",
    "source_sheet",
    "source_row",
)
FP = ("aid", "sec", "total_networks", "time_frame_start_utc", "time_frame_end_utc")  # aid: the agency's id
LINKS = ("id", "id_and_fingerprint", "fingerprint", "id_less_single", "ambiguous")
LINK_CODES = ("id", "fp", "single", "ambiguous")  # how one copy was linked (stored as its position)
# A search's attributes, from its first copy. `named`: the copy's log names the searching agency (a portal
# export does not: its searcher is the producer's own officer, so the producer stands in as `agency` for the
# fingerprint only and is never published as a searching agency).
ATTRS = ("agency", "named", "state", "agency_federal", "immigration", "immigration_type")
CID_BITS = 40  # first copy = min(unnamed << 62 | m << CID_BITS | cid): a copy naming the agency, the lowest member,
UNNAMED_CID = 1 << (CID_BITS - 1)  # then the lowest combo id; a combo without a named agency has this bit set
HAS_ID = "c.flock_id IS NOT NULL AND c.flock_id <> ''"
SEC = "date_trunc('second', c.searched_at_utc)"
CITED = ("source_file", "source_sheet", "source_row")  # a copy's citation


def searches_path(member) -> Path:
    return project.processed_dir(member.root, member.slug) / "searches.parquet"


def _member_sql(m: int, member, period: tuple[dt.date | None, dt.date | None]) -> str:
    """One member's copies: only the needed columns (DuckDB reads only those a query uses). A log without an
    agency column (a portal export) has the producer as `org` (linking only: `named` is false)."""
    producer = literal(member.producer)
    where = []
    if period[0]:
        where.append(f"searched_at_utc >= TIMESTAMPTZ '{period[0].isoformat()} 00:00:00+00'")
    if period[1]:
        where.append(f"searched_at_utc < TIMESTAMPTZ '{(period[1] + dt.timedelta(days=1)).isoformat()} 00:00:00+00'")
    state = literal(member.producer_state or "")
    return f"""SELECT {m}::UTINYINT AS m, {", ".join(c for c in COLUMNS if c not in ("org_name", "agency_state"))},
        coalesce(nullif(org_name, ''), {producer}) AS org, nullif(org_name, '') IS NOT NULL AS named,
        CASE WHEN nullif(org_name, '') IS NULL THEN nullif({state}, '') ELSE nullif(agency_state, '') END AS state
        FROM read_parquet({literal(searches_path(member))}) {"WHERE " + " AND ".join(where) if where else ""}"""


def prepare(con: duckdb.DuckDBPyConnection, corpus: Corpus, rules: CorpusRules, folder: Path) -> None:
    """Views `copies` (every copy, its agency after the alias table) and `keyed` (every copy's corpus search
    `uid`, link and hash `h` of the fields that must agree: folder/keyed.parquet and folder/idless.parquet),
    tables `combos` and `resolved_idless`."""
    if len(corpus.members) > MAX_MEMBERS:
        raise ValueError(f"corpus '{corpus.name}': at most {MAX_MEMBERS} members")
    con.execute("CREATE TABLE alias (variant VARCHAR, canonical VARCHAR)")
    if rules.aliases:
        con.executemany("INSERT INTO alias VALUES (?, ?)", list(rules.aliases.items()))
    period = (corpus.period_start, corpus.period_end)
    union = "\nUNION ALL\n".join(_member_sql(i, m, period) for i, m in enumerate(corpus.members))
    con.execute(f"CREATE VIEW copies_raw AS {union}")
    con.execute("""CREATE VIEW copies AS SELECT c.*, coalesce(a.canonical, c.org) AS agency
                   FROM copies_raw c LEFT JOIN alias a ON a.variant = c.org""")
    _combos(con)
    con.execute(f"""CREATE VIEW copies_x AS SELECT c.*, x.cid, x.aid, {SEC} AS sec
                    FROM copies c JOIN combos x ON {" AND ".join(f"c.{a} IS NOT DISTINCT FROM x.{a}" for a in ATTRS)}""")
    _idless_groups(con)
    _write_keyed(con, rules, folder)
    _resolve_idless(con, folder)
    con.execute(f"""CREATE VIEW keyed AS SELECT * FROM read_parquet(
        [{literal(str(folder / "keyed.parquet"))}, {literal(str(folder / "idless.parquet"))}]) WHERE uid IS NOT NULL""")


def _combos(con) -> None:
    """Table `combos`: each distinct (agency, state, federal, immigration, type) of any copy, its copies and a
    small id (cid; aid per agency). One pass that also gives every agency spelling (corpus_figures.spellings),
    and lets the per-search pass carry a copy's attributes as one integer instead of a struct of strings
    (whose UNNAMED_CID bit says the copy's log names no agency)."""
    con.execute(f"""CREATE TABLE combos AS
        SELECT (row_number() OVER () + CASE WHEN named THEN 0 ELSE {UNNAMED_CID} END)::BIGINT AS cid,
               CASE WHEN agency IS NOT NULL THEN dense_rank() OVER (ORDER BY agency) END::BIGINT AS aid, *
        FROM (SELECT {", ".join(ATTRS)}, count(*) AS copies, min(searched_at_utc) AS first_utc,
                     max(searched_at_utc) AS last_utc FROM copies GROUP BY ALL)""")


def _idless_groups(con) -> None:
    """Table `idless_groups`: each fingerprint an ID-less copy has (gid: its own number; fph: its hash), with
    its ID-less copies (n) and the logs holding them (nm). Reads only the ID-less copies' rows."""
    fp = ", ".join(FP)
    con.execute(f"""CREATE TABLE idless_groups AS SELECT row_number() OVER () AS gid, * FROM (
                        SELECT hash({fp}) AS fph, {fp}, count(*) AS n, count(DISTINCT m) AS nm
                        FROM copies_x c WHERE NOT ({HAS_ID}) GROUP BY ALL)""")


def _compared(rules: CorpusRules) -> str:
    """One 64-bit hash of a copy's fields that must agree (agency as its id): copies whose hashes are equal
    agree (two that differ hash alike with a chance of one in 2^64)."""
    return f"hash({', '.join('c.aid' if f == 'agency' else f'c.{f}' for f in rules.must_agree)})"


def _write_keyed(con, rules: CorpusRules, folder: Path) -> None:
    """The one full pass over the copies, into folder/keyed.parquet: each copy's uid (none yet for an ID-less
    copy), member, combo id, link, compared-fields hash, and fp_group: the gid of the ID-less fingerprint it
    shares (exactly: hash and every field), if any."""
    has_idless = con.execute("SELECT count(*) FROM idless_groups").fetchone()[0] > 0
    group = "g.gid" if has_idless else "NULL::BIGINT"
    join = (
        (
            f"LEFT JOIN idless_groups g ON hash({', '.join('c.' + f for f in FP)}) = g.fph AND "
            + " AND ".join(f"c.{f} IS NOT DISTINCT FROM g.{f}" for f in FP)
        )
        if has_idless
        else ""
    )
    con.execute(f"""COPY (SELECT CASE WHEN {HAS_ID} THEN c.flock_id::UUID END AS uid, c.m, c.cid, 0::UTINYINT AS link,
            {_compared(rules)} AS h, {group} AS fp_group, CASE WHEN {HAS_ID} THEN NULL ELSE c.search_key END AS idless_key
        FROM copies_x c {join}) TO {literal(str(folder / "keyed.parquet"))} (FORMAT parquet)""")


def _resolve_idless(con, folder: Path) -> None:
    """Each ID-less copy: the ID it links to, a fingerprint search, itself alone, or ambiguous (itself);
    table `resolved_idless`, and the resolved copies in folder/idless.parquet."""
    keyed = f"read_parquet({literal(str(folder / 'keyed.parquet'))})"
    # At most one ID has the fingerprint when its least and greatest IDs are equal (min/max: no per-group
    # set of IDs as count(DISTINCT) would keep, which ran out of memory at 40M rows).
    con.execute(f"""CREATE TABLE id_fp AS SELECT fp_group AS gid, min(uid) AS fid, max(uid) AS fid_last
                    FROM {keyed} WHERE uid IS NOT NULL AND fp_group IS NOT NULL GROUP BY 1""")
    ok = "g.n = g.nm AND (f.fid IS NULL OR f.fid = f.fid_last)"
    con.execute(f"""CREATE TABLE resolved_idless AS
        SELECT i.m, i.idless_key AS search_key,
            CASE WHEN {ok} THEN CASE WHEN f.fid IS NOT NULL THEN 'fp' WHEN g.n > 1 THEN 'fp' ELSE 'single' END
                 ELSE 'ambiguous' END AS link,
            CASE WHEN {ok} THEN coalesce(f.fid, md5('fp:' || g.fph::VARCHAR || coalesce(x.agency, ''))::UUID)
                 ELSE md5('x:' || i.m::VARCHAR || ':' || i.idless_key)::UUID END AS uid
        FROM {keyed} i JOIN idless_groups g ON g.gid = i.fp_group JOIN combos x ON x.cid = i.cid
        LEFT JOIN id_fp f ON f.gid = g.gid
        WHERE i.uid IS NULL""")
    codes = ", ".join(f"'{c}'" for c in LINK_CODES)
    con.execute(f"""COPY (SELECT i.* REPLACE (r.uid AS uid, (list_position([{codes}], r.link) - 1)::UTINYINT AS link)
                          FROM {keyed} i JOIN resolved_idless r ON r.m = i.m AND r.search_key = i.idless_key
                          WHERE i.uid IS NULL)
                    TO {literal(str(folder / "idless.parquet"))} (FORMAT parquet)""")
    con.execute("DROP TABLE id_fp")


def build_searches(con, rules: CorpusRules) -> None:
    """Table `s`: one row per corpus search (the attributes of its first copy: one whose log names the
    agency, then the lowest member, then the lowest combo id; `agency` is NULL when no copy's log names it). Its aggregate states are fixed-size numbers, so DuckDB spills this GROUP BY to disk when the
    searches outgrow its budget (one holding text, or a min and max per compared field, ran out of memory
    or spilled far more at 40M copies). Then the fields in which copies differ (_conflicts)."""
    link_bit = {c: 1 << k for k, c in enumerate(LINK_CODES)}
    con.execute(f"""CREATE TABLE corpus_searches AS
        SELECT uid, bit_or(1::UBIGINT << k.m) AS mask, count(*) AS copies, bit_or(1::UTINYINT << k.link) AS links,
            min(((k.cid >> {CID_BITS - 1}) << 62) | (k.m::BIGINT << {CID_BITS}) | k.cid) & {(1 << CID_BITS) - 1} AS first,
            min(h) <> max(h) AS may_differ
        FROM keyed k GROUP BY uid""")
    bit = lambda c: f"links & {link_bit[c]} <> 0"  # noqa: E731
    con.execute(f"""CREATE TABLE s AS SELECT uid, mask, bit_count(mask) AS producers, s.copies, []::VARCHAR[] AS differs_in,
            may_differ, CASE WHEN x.named THEN x.agency END AS agency, x.named, x.state, coalesce(x.agency_federal, false) AS federal,
            coalesce(x.immigration, false) AS immigration, x.immigration_type,
            CASE WHEN {bit("ambiguous")} THEN 'ambiguous' WHEN {bit("single")} THEN 'id_less_single'
                 WHEN {bit("fp")} AND {bit("id")} THEN 'id_and_fingerprint' WHEN {bit("fp")} THEN 'fingerprint'
                 ELSE 'id' END AS link
        FROM corpus_searches s JOIN combos x ON x.cid = s.first""")
    con.execute("DROP TABLE corpus_searches")
    _picked(con, rules)
    _conflicts(con, rules)


def _picked(con, rules: CorpusRules) -> None:
    """Table `picked`: every copy, in full, of the searches that may differ or are immigration-related: the
    second read of the copies, for the exact comparison and the citations (corpus_figures.citations_sql)."""
    compared = [f for f in dict.fromkeys(rules.must_agree) if f not in ("agency", "searched_at_utc")]
    cols = ", ".join(f"c.{f}" for f in ("m", "agency", "searched_at_utc", *compared, *CITED))
    con.execute(f"""CREATE TABLE picked AS
        WITH pick AS (SELECT uid FROM s WHERE may_differ OR immigration)
        SELECT * FROM (
            SELECT c.flock_id::UUID AS uid, 'id' AS link, {cols} FROM copies c WHERE {HAS_ID}
            UNION ALL
            SELECT r.uid, r.link, {cols} FROM copies c JOIN resolved_idless r ON r.m = c.m AND r.search_key = c.search_key
            WHERE NOT ({HAS_ID})) k
        WHERE uid IN (SELECT uid FROM pick)""")


def _conflicts(con, rules: CorpusRules) -> None:
    """For each search whose copies' hashes differ: the fields whose present values differ (min <> max; a
    column one export did not carry is never a difference), into s.differs_in."""
    diff = ", ".join(f"CASE WHEN min({f}) <> max({f}) THEN '{f}' END" for f in rules.must_agree)
    con.execute(f"""UPDATE s SET differs_in = d.differs_in FROM (
        SELECT uid, list_filter([{diff}], lambda d: d IS NOT NULL) AS differs_in
        FROM picked WHERE uid IN (SELECT uid FROM s WHERE may_differ) GROUP BY uid) d
        WHERE s.uid = d.uid""")
