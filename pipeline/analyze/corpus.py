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
FP = ("agency", "sec", "total_networks", "time_frame_start_utc", "time_frame_end_utc")
LINKS = ("id", "id_and_fingerprint", "fingerprint", "id_less_single", "ambiguous")
ATTRS = ("agency", "state", "agency_federal", "immigration", "immigration_type")   # a search's, from its first copy
ROWS_PER_CHUNK = 5_000_000    # copies per per-search pass: 12M ran out of the 2GB DuckDB budget at 40M (bench/README.md)
CID_BITS = 40            # first copy = min(m << CID_BITS | cid): the lowest member, then the lowest combo id


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


def prepare(con: duckdb.DuckDBPyConnection, corpus: Corpus, rules: CorpusRules) -> None:
    """Create view `copies` (every copy, its agency after the alias table) and table `resolved_idless`."""
    if len(corpus.members) > MAX_MEMBERS:
        raise ValueError(f"corpus '{corpus.name}': at most {MAX_MEMBERS} members")
    con.execute("CREATE TABLE alias (variant VARCHAR, canonical VARCHAR)")
    if rules.aliases:
        con.executemany("INSERT INTO alias VALUES (?, ?)", list(rules.aliases.items()))
    period = (corpus.period_start, corpus.period_end)
    union = "\nUNION ALL\n".join(_member_sql(i, m, period) for i, m in enumerate(corpus.members))
    con.execute(f"CREATE VIEW copies_raw AS {union}")
    con.execute("""CREATE VIEW copies AS SELECT c.*, coalesce(a.canonical, c.org) AS agency,
                   date_trunc('second', c.searched_at_utc) AS sec
                   FROM copies_raw c LEFT JOIN alias a ON a.variant = c.org""")
    _combos(con)
    _resolve_idless(con)


def _combos(con) -> None:
    """Table `combos`: each distinct (agency, state, federal, immigration, type) of any copy, its copies and a
    small id (cid; aid per agency). One pass that also gives every agency spelling (corpus_figures.spellings),
    and lets the per-search pass carry a copy's attributes as one integer instead of a struct of strings."""
    con.execute(f"""CREATE TABLE combos AS
        SELECT row_number() OVER ()::BIGINT AS cid, dense_rank() OVER (ORDER BY agency)::BIGINT AS aid, *
        FROM (SELECT {', '.join(ATTRS)}, count(*) AS copies, min(searched_at_utc) AS first_utc,
                     max(searched_at_utc) AS last_utc FROM copies GROUP BY ALL)""")


def _resolve_idless(con) -> None:
    """Each ID-less copy: the ID it links to, a fingerprint search, itself alone, or ambiguous (itself)."""
    fp = ", ".join(FP)
    con.execute(f"CREATE TABLE idless AS SELECT m, search_key, {fp}, hash({fp}) AS fph "
                "FROM copies WHERE flock_id IS NULL OR flock_id = ''")
    con.execute(f"""CREATE TABLE idless_groups AS SELECT fph, {fp}, count(*) AS n, count(DISTINCT m) AS nm
                    FROM idless GROUP BY ALL""")
    on = " AND ".join(f"c.{f} IS NOT DISTINCT FROM g.{f}" for f in FP)
    has_idless = con.execute("SELECT count(*) FROM idless").fetchone()[0] > 0
    with_id = "c.flock_id IS NOT NULL AND c.flock_id <> ''" if has_idless else "false"
    # Only when there are ID-less copies: one more pass over the ID copies for the fingerprints they share.
    # At most one ID has the fingerprint when its least and greatest IDs are equal (min/max: no per-group
    # set of IDs as count(DISTINCT) would keep, which ran out of memory at 40M rows).
    con.execute(f"""CREATE TABLE id_fp AS SELECT g.fph, {', '.join('g.' + f for f in FP)},
                        min(c.flock_id::UUID) AS fid, max(c.flock_id::UUID) AS fid_last
                    FROM copies c JOIN idless_groups g ON hash({', '.join('c.' + f for f in FP)}) = g.fph AND {on}
                    WHERE {with_id}
                    GROUP BY ALL""")
    con.execute(f"""CREATE TABLE resolved_idless AS
        SELECT i.m, i.search_key,
            CASE WHEN g.n = g.nm AND (f.fid IS NULL OR f.fid = f.fid_last)
                 THEN CASE WHEN f.fid IS NOT NULL THEN 'fp' WHEN g.n > 1 THEN 'fp' ELSE 'single' END
                 ELSE 'ambiguous' END AS link,
            CASE WHEN g.n = g.nm AND (f.fid IS NULL OR f.fid = f.fid_last)
                 THEN coalesce(f.fid, md5('fp:' || g.fph::VARCHAR || coalesce(i.agency, ''))::UUID)
                 ELSE md5('x:' || i.m::VARCHAR || ':' || i.search_key)::UUID END AS uid
        FROM idless i JOIN idless_groups g ON i.fph = g.fph AND {on.replace('c.', 'i.')}
        LEFT JOIN id_fp f ON f.fph = g.fph AND {on.replace('c.', 'f.')}""")


def _keyed_sql() -> str:
    """Every copy with its corpus search (uid) and how it was linked: the ID copies as they are (no join),
    the ID-less copies joined to their resolution."""
    return """SELECT c.*, c.flock_id::UUID AS uid, 'id' AS link FROM copies c
                WHERE c.flock_id IS NOT NULL AND c.flock_id <> ''
              UNION ALL
              SELECT c.*, r.uid, r.link FROM copies c JOIN resolved_idless r ON r.m = c.m AND r.search_key = c.search_key
                WHERE c.flock_id IS NULL OR c.flock_id = ''"""


def _differs(field: str) -> str:
    """'field' when the present values of the copies differ (min <> max; a missing column is never a
    difference). Agency through its id, other text through its hash, numbers and times as they are."""
    if field == "agency":
        v = "CASE WHEN x.agency IS NOT NULL THEN x.aid END"
    elif field in ("reason_clean", "search_type"):
        v = f"CASE WHEN k.{field} IS NOT NULL THEN hash(k.{field}) END"
    else:
        v = f"k.{field}"
    return f"CASE WHEN min({v}) <> max({v}) THEN '{field}' END"


def _chunks(con) -> list[tuple[str, str]]:
    """UUID ranges that split the searches into parts of about ROWS_PER_CHUNK copies: each part's per-search
    table fits DuckDB's memory budget (one pass over 40M copies at once ran out of it at 2GB)."""
    rows = con.execute("SELECT count(*) FROM copies_raw").fetchone()[0]   # from the Parquet footers
    n = max(1, -(-rows // ROWS_PER_CHUNK))
    bounds = [f"{(k << 128) // n:032x}" for k in range(n + 1)]
    uuid = [f"{b[:8]}-{b[8:12]}-{b[12:16]}-{b[16:20]}-{b[20:32]}" for b in bounds[:-1]]
    return [(uuid[k], uuid[k + 1] if k + 1 < n else "") for k in range(n)]


def build_searches(con, rules: CorpusRules) -> None:
    """Table `s`: one row per corpus search (the attributes of its first copy: lowest member, then lowest
    combo id), built a UUID range at a time (a search's copies share its uid, so each range is whole)."""
    on = " AND ".join(f"k.{a} IS NOT DISTINCT FROM x.{a}" for a in ATTRS)
    for t in ("idless", "idless_groups", "id_fp"):   # done with: free their memory for the aggregate
        con.execute(f"DROP TABLE IF EXISTS {t}")
    for k, (low, high) in enumerate(_chunks(con)):
        part = f"k.uid >= '{low}'::UUID" + (f" AND k.uid < '{high}'::UUID" if high else "")
        con.execute(f"""{'CREATE TABLE corpus_searches AS' if k == 0 else 'INSERT INTO corpus_searches'}
        SELECT uid, bit_or(1::UBIGINT << k.m) AS mask, count(*) AS copies,
            count(*) FILTER (WHERE link = 'id') AS n_id, count(*) FILTER (WHERE link = 'fp') AS n_fp,
            count(*) FILTER (WHERE link = 'single') AS n_single, count(*) FILTER (WHERE link = 'ambiguous') AS n_amb,
            min((k.m::BIGINT << {CID_BITS}) | x.cid) & {(1 << CID_BITS) - 1} AS first,
            list_filter([{', '.join(_differs(f) for f in rules.must_agree)}], lambda d: d IS NOT NULL) AS differs_in
        FROM ({_keyed_sql()}) k JOIN combos x ON {on} WHERE {part} GROUP BY uid""")
    con.execute("""CREATE TABLE s AS SELECT uid, mask, bit_count(mask) AS producers, s.copies, differs_in,
            x.agency, x.state, coalesce(x.agency_federal, false) AS federal,
            coalesce(x.immigration, false) AS immigration, x.immigration_type,
            CASE WHEN n_amb > 0 THEN 'ambiguous' WHEN n_single > 0 THEN 'id_less_single'
                 WHEN n_fp > 0 AND n_id > 0 THEN 'id_and_fingerprint' WHEN n_fp > 0 THEN 'fingerprint'
                 ELSE 'id' END AS link
        FROM corpus_searches s JOIN combos x ON x.cid = s.first""")
    con.execute("DROP TABLE corpus_searches")
