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

How it scales: the copies are read ONCE, into a keyed Parquet file of the run's work folder (each copy's
uid, member, combo and the compared fields as numbers); the ID-less copies are resolved from it and written
beside it; then one GROUP BY over the two files gives the searches. Every aggregate state is a number, so
DuckDB can spill that GROUP BY to disk: the time grows linearly with the copies and the memory stays within
the DuckDB budget (bench/README.md, corpus section).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from pipeline import project
from pipeline.analyze.corpus_rules import CorpusRules, name_key
from pipeline.config import Corpus
from pipeline.io.db import literal

MAX_MEMBERS = 64   # producers are bits of one UBIGINT per search
COLUMNS = ("flock_id", "search_key", "searched_at_utc", "org_name", "total_networks", "total_devices",
           "time_frame_start_utc", "time_frame_end_utc", "reason_clean", "search_type", "immigration",
           "immigration_type", "agency_state", "agency_federal", "source_file", "source_sheet", "source_row")
FP = ("aid", "sec", "total_networks", "time_frame_start_utc", "time_frame_end_utc")   # aid: the agency's id
LINKS = ("id", "id_and_fingerprint", "fingerprint", "id_less_single", "ambiguous")
LINK_CODES = ("id", "fp", "single", "ambiguous")   # how one copy was linked (stored as its position)
ATTRS = ("agency", "state", "agency_federal", "immigration", "immigration_type")   # a search's, from its first copy
CID_BITS = 40            # first copy = min(m << CID_BITS | cid): the lowest member, then the lowest combo id
TEXT_FIELDS = ("reason_clean", "search_type")    # compared through their hash (min/max of 8 bytes, not text)
CITED = ("searched_at_utc", "source_file", "source_sheet", "source_row")


def searches_path(member) -> Path:
    return project.processed_dir(member.root, member.slug) / "searches.parquet"


def _member_sql(m: int, member, period: tuple[dt.date | None, dt.date | None]) -> str:
    """One member's copies: only the needed columns; a portal log's searcher is the producer itself."""
    producer = literal(member.producer)
    where = []
    if period[0]:
        where.append(f"searched_at_utc >= TIMESTAMPTZ '{period[0].isoformat()} 00:00:00+00'")
    if period[1]:
        where.append(f"searched_at_utc < TIMESTAMPTZ '{(period[1] + dt.timedelta(days=1)).isoformat()} 00:00:00+00'")
    state = literal(member.producer_state or "")
    return f"""SELECT {m}::UTINYINT AS m, {', '.join(c for c in COLUMNS if c not in ('org_name', 'agency_state'))},
        coalesce(nullif(org_name, ''), {producer}) AS org,
        CASE WHEN nullif(org_name, '') IS NULL THEN nullif({state}, '') ELSE nullif(agency_state, '') END AS state
        FROM read_parquet({literal(searches_path(member))}) {'WHERE ' + ' AND '.join(where) if where else ''}"""


def prepare(con: duckdb.DuckDBPyConnection, corpus: Corpus, rules: CorpusRules, folder: Path) -> None:
    """Views `copies` (every copy, its agency after the alias table) and `keyed` (every copy with its corpus
    search `uid` and link: folder/keyed.parquet and folder/idless.parquet), tables `combos` and
    `resolved_idless`."""
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
    _write_keyed(con, rules, folder)
    _resolve_idless(con, folder)
    con.execute(f"""CREATE VIEW keyed AS SELECT * FROM read_parquet(
        [{literal(str(folder / 'keyed.parquet'))}, {literal(str(folder / 'idless.parquet'))}])
        WHERE uid IS NOT NULL""")


def _combos(con) -> None:
    """Table `combos`: each distinct (agency, state, federal, immigration, type) of any copy, its copies and a
    small id (cid; aid per agency). One pass that also gives every agency spelling (corpus_figures.spellings),
    and lets the per-search pass carry a copy's attributes as one integer instead of a struct of strings."""
    con.execute(f"""CREATE TABLE combos AS
        SELECT row_number() OVER ()::BIGINT AS cid,
               CASE WHEN agency IS NOT NULL THEN dense_rank() OVER (ORDER BY agency) END::BIGINT AS aid, *
        FROM (SELECT {', '.join(ATTRS)}, count(*) AS copies, min(searched_at_utc) AS first_utc,
                     max(searched_at_utc) AS last_utc FROM copies GROUP BY ALL)""")


def _stored(rules: CorpusRules) -> list[str]:
    """The columns a keyed copy keeps besides uid, m, cid and link: the fingerprint's, the compared fields'
    (text as its hash) and the citation's."""
    fields = [f for f in dict.fromkeys((*FP[1:], *rules.must_agree, *CITED)) if f not in ("agency", "sec")]
    return [f"CASE WHEN c.{f} IS NOT NULL THEN hash(c.{f}) END AS {f}" if f in TEXT_FIELDS else f"c.{f}" for f in fields]


def _write_keyed(con, rules: CorpusRules, folder: Path) -> None:
    """The one pass over the copies: each with its combo (cid, aid) and the columns the later steps need,
    into folder/keyed.parquet (an ID-less copy with no uid yet: _resolve_idless gives it one)."""
    on = " AND ".join(f"c.{a} IS NOT DISTINCT FROM x.{a}" for a in ATTRS)
    has_id = "c.flock_id IS NOT NULL AND c.flock_id <> ''"
    con.execute(f"""COPY (SELECT CASE WHEN {has_id} THEN c.flock_id::UUID END AS uid, c.m, x.cid, x.aid,
            date_trunc('second', c.searched_at_utc) AS sec, 0::UTINYINT AS link,
            CASE WHEN {has_id} THEN NULL ELSE c.search_key END AS idless_key, {', '.join(_stored(rules))}
        FROM copies c JOIN combos x ON {on}) TO {literal(str(folder / 'keyed.parquet'))} (FORMAT parquet)""")


def _resolve_idless(con, folder: Path) -> None:
    """Each ID-less copy: the ID it links to, a fingerprint search, itself alone, or ambiguous (itself);
    table `resolved_idless`, and the resolved copies in folder/idless.parquet."""
    fp = ", ".join(FP)
    keyed = f"read_parquet({literal(str(folder / 'keyed.parquet'))})"
    con.execute(f"CREATE TABLE idless AS SELECT *, hash({fp}) AS fph FROM {keyed} WHERE uid IS NULL")
    con.execute(f"""CREATE TABLE idless_groups AS SELECT fph, {fp}, count(*) AS n, count(DISTINCT m) AS nm
                    FROM idless GROUP BY ALL""")
    on = " AND ".join(f"c.{f} IS NOT DISTINCT FROM g.{f}" for f in FP)
    has_idless = con.execute("SELECT count(*) FROM idless").fetchone()[0] > 0
    # Only when there are ID-less copies: one more pass over the ID copies for the fingerprints they share.
    # At most one ID has the fingerprint when its least and greatest IDs are equal (min/max: no per-group
    # set of IDs as count(DISTINCT) would keep, which ran out of memory at 40M rows).
    con.execute(f"""CREATE TABLE id_fp AS SELECT g.fph, {', '.join('g.' + f for f in FP)},
                        min(c.uid) AS fid, max(c.uid) AS fid_last
                    FROM {keyed} c JOIN idless_groups g ON hash({', '.join('c.' + f for f in FP)}) = g.fph AND {on}
                    WHERE c.uid IS NOT NULL AND {'true' if has_idless else 'false'}
                    GROUP BY ALL""")
    ok = "g.n = g.nm AND (f.fid IS NULL OR f.fid = f.fid_last)"
    con.execute(f"""CREATE TABLE resolved_idless AS
        SELECT i.m, i.idless_key AS search_key,
            CASE WHEN {ok} THEN CASE WHEN f.fid IS NOT NULL THEN 'fp' WHEN g.n > 1 THEN 'fp' ELSE 'single' END
                 ELSE 'ambiguous' END AS link,
            CASE WHEN {ok} THEN coalesce(f.fid, md5('fp:' || g.fph::VARCHAR || coalesce(x.agency, ''))::UUID)
                 ELSE md5('x:' || i.m::VARCHAR || ':' || i.idless_key)::UUID END AS uid
        FROM idless i JOIN idless_groups g ON i.fph = g.fph AND {on.replace('c.', 'i.')}
        JOIN (SELECT DISTINCT aid, agency FROM combos) x ON x.aid IS NOT DISTINCT FROM i.aid
        LEFT JOIN id_fp f ON f.fph = g.fph AND {on.replace('c.', 'f.')}""")
    codes = ", ".join(f"'{c}'" for c in LINK_CODES)
    con.execute(f"""COPY (SELECT i.* EXCLUDE (fph) REPLACE (r.uid AS uid,
                              (list_position([{codes}], r.link) - 1)::UTINYINT AS link)
                          FROM idless i JOIN resolved_idless r ON r.m = i.m AND r.search_key = i.idless_key)
                    TO {literal(str(folder / 'idless.parquet'))} (FORMAT parquet)""")
    for t in ("idless", "idless_groups", "id_fp"):   # done with: free their memory for the aggregate
        con.execute(f"DROP TABLE {t}")


def _differs(field: str) -> str:
    """'field' when the present values of the copies differ (min <> max; a missing column is never a
    difference). Agency through its id, text through its hash (both stored so), numbers and times as they are."""
    v = "aid" if field == "agency" else field
    return f"CASE WHEN min(k.{v}) <> max(k.{v}) THEN '{field}' END"


def build_searches(con, rules: CorpusRules) -> None:
    """Table `s`: one row per corpus search (the attributes of its first copy: lowest member, then lowest
    combo id). Every aggregate state is a fixed-size number, so DuckDB spills this GROUP BY to disk when the
    searches outgrow its budget (a GROUP BY holding text did not: it ran out of memory at 40M copies)."""
    n = {c: k for k, c in enumerate(LINK_CODES)}
    con.execute(f"""CREATE TABLE corpus_searches AS
        SELECT uid, bit_or(1::UBIGINT << k.m) AS mask, count(*) AS copies,
            count(*) FILTER (WHERE link = {n['id']}) AS n_id, count(*) FILTER (WHERE link = {n['fp']}) AS n_fp,
            count(*) FILTER (WHERE link = {n['single']}) AS n_single,
            count(*) FILTER (WHERE link = {n['ambiguous']}) AS n_amb,
            min((k.m::BIGINT << {CID_BITS}) | k.cid) & {(1 << CID_BITS) - 1} AS first,
            list_filter([{', '.join(_differs(f) for f in rules.must_agree)}], lambda d: d IS NOT NULL) AS differs_in
        FROM keyed k GROUP BY uid""")
    con.execute("""CREATE TABLE s AS SELECT uid, mask, bit_count(mask) AS producers, s.copies, differs_in,
            x.agency, x.state, coalesce(x.agency_federal, false) AS federal,
            coalesce(x.immigration, false) AS immigration, x.immigration_type,
            CASE WHEN n_amb > 0 THEN 'ambiguous' WHEN n_single > 0 THEN 'id_less_single'
                 WHEN n_fp > 0 AND n_id > 0 THEN 'id_and_fingerprint' WHEN n_fp > 0 THEN 'fingerprint'
                 ELSE 'id' END AS link
        FROM corpus_searches s JOIN combos x ON x.cid = s.first""")
    con.execute("DROP TABLE corpus_searches")
