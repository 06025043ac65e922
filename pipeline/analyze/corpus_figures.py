"""The published figures and tables of a corpus, from the resolved searches of pipeline/analyze/corpus.py.

Every figure is computed here, in DuckDB over table `s` (one row per corpus search) and table `picked`
(every copy of the searches cited);
the notebook 04_corpus only shows what `compute` returns and writes.
"""

from __future__ import annotations

import pandas as pd

from pipeline.analyze.corpus import LINKS
from pipeline.analyze.words import period_words
from pipeline.analyze.corpus_rules import CorpusRules, name_key
from pipeline.config import Corpus
from pipeline.io.db import literal

UNNAMED = "(not named: the log has no agency column)"  # a portal export's searches, in a table by agency
OWN_LOG_KINDS = ("organization", "portal")  # logs of the producer's own users' searches only


def headline(con, corpus: Corpus) -> dict:
    n, rows, agencies, max_p = con.execute(
        "SELECT count(*), coalesce(sum(copies), 0)::BIGINT, count(DISTINCT agency), max(producers) FROM s"
    ).fetchone()
    first, last = con.execute("SELECT min(first_utc)::DATE, max(last_utc)::DATE FROM combos").fetchone()
    links = dict(con.execute("SELECT link, count(*) FROM s GROUP BY 1").fetchall())
    amb = con.execute("SELECT count(*) FROM resolved_idless WHERE link = 'ambiguous'").fetchone()[0]
    dist = {str(k): v for k, v in con.execute("SELECT producers, count(*) FROM s GROUP BY 1 ORDER BY 1").fetchall()}
    imm = dict(con.execute("SELECT immigration_type, count(*) FROM s WHERE immigration GROUP BY 1").fetchall())
    imm_n, imm_ag = con.execute("SELECT count(*), count(DISTINCT agency) FROM s WHERE immigration").fetchone()
    fed = con.execute("SELECT count(DISTINCT agency), count(*) FROM s WHERE federal").fetchone()
    conflicting = con.execute("SELECT count(*) FROM s WHERE len(differs_in) > 0").fetchone()[0]
    by_field = dict(
        con.execute("SELECT f, count(*) FROM (SELECT unnest(differs_in) AS f FROM s) GROUP BY 1 ORDER BY 1").fetchall()
    )
    return {
        "corpus": corpus.name,
        "display_name": corpus.display_name,
        "synthetic": corpus.synthetic,
        "members": [m.slug for m in corpus.members],
        "producers": len({m.producer for m in corpus.members}),
        "rows": rows,
        "distinct_searches": n,
        "rows_per_search": round(rows / n, 2) if n else None,
        "searches_by_link": {k: links.get(k, 0) for k in LINKS},
        "id_less_copies_ambiguous": amb,
        "producers_per_search": dist,
        "max_producers_per_search": max_p,
        "agencies": agencies,
        "immigration_searches": imm_n,
        "immigration_civil": imm.get("civil", 0),
        "immigration_criminal": imm.get("criminal", 0),
        "immigration_unspecified": imm.get("unspecified", 0),
        "immigration_agencies": imm_ag,
        "federal_agencies": fed[0],
        "federal_searches": fed[1],
        "conflicting_searches": conflicting,
        "conflicts_by_field": by_field,
        "period_start_utc": corpus.period_start.isoformat() if corpus.period_start else None,
        "period_end_utc": corpus.period_end.isoformat() if corpus.period_end else None,
        "first_day_utc": first.isoformat() if first else None,
        "last_day_utc": last.isoformat() if last else None,
        "period_words": _period_words(corpus, first, last),
    }


def _period_words(corpus: Corpus, first, last) -> str | None:
    """The UTC days the figures cover: the corpus's period where it sets one, else the searches' own span."""
    start, end = corpus.period_start or first, corpus.period_end or last
    span = period_words(start, end)
    return f"{span} (UTC days)" if span else None


def producers(con, corpus: Corpus) -> pd.DataFrame:
    """Per member log, over the corpus period: its kind, whether it names the searching agency, its rows
    (searches in that log), the immigration-related among them, its first and last UTC day. What every
    corpus can tell, the only figures a corpus of own-users logs has (own_logs_only)."""
    got = (
        con.execute("""
        SELECT m, any_value(log_kind) AS log_kind, bool_or(named) AS names_agency, count(*) AS searches,
               count(*) FILTER (WHERE immigration) AS immigration_searches,
               count(*) FILTER (WHERE immigration AND immigration_type = 'civil') AS civil,
               count(*) FILTER (WHERE immigration AND immigration_type = 'criminal') AS criminal,
               count(*) FILTER (WHERE immigration AND immigration_type = 'unspecified') AS unspecified,
               min(searched_at_utc)::DATE AS first_day_utc, max(searched_at_utc)::DATE AS last_day_utc
        FROM copies GROUP BY m""")
        .df()
        .set_index("m")
    )
    rows = []
    for i, m in enumerate(corpus.members):
        r = got.loc[i].to_dict() if i in got.index else {"searches": 0, "names_agency": False}
        rows.append(
            {
                "producer_log": m.slug,
                "producer": m.producer,
                "log_kind": r.get("log_kind") or m.log_kind,
                **{k: v for k, v in r.items() if k != "log_kind"},
            }
        )
    cols = [
        "producer_log",
        "producer",
        "log_kind",
        "names_agency",
        "searches",
        "immigration_searches",
        "civil",
        "criminal",
        "unspecified",
        "first_day_utc",
        "last_day_utc",
    ]
    return pd.DataFrame(rows).reindex(columns=cols)


def own_logs_only(producer_table: pd.DataFrame) -> bool:
    """Every member's log holds only its own users' searches (organization audits, portal exports): no search
    can be in two of them, so no figure across producers (overlap, agencies searching several producers'
    cameras, copies that disagree) exists, and none is shown."""
    return bool(len(producer_table)) and bool(producer_table["log_kind"].isin(OWN_LOG_KINDS).all())


def reasons_by_producer(con, corpus: Corpus, categories: list[tuple[str, str]]) -> pd.DataFrame:
    """Searches in each member's log by category of reason (rules/reasons.yml; a search can be in several),
    one column per member, as each member's own page counts them; the last row: in no category."""
    got = con.execute("""
        SELECT m, cat, count(*) FROM (
            SELECT m, unnest(CASE WHEN coalesce(len(reason_categories), 0) = 0 THEN [NULL] ELSE reason_categories END)
                   AS cat FROM copies) GROUP BY ALL""").fetchall()
    counts = {(int(m), cat): int(n) for m, cat, n in got}
    rows = [
        {"category": label, **{m.slug: counts.get((i, cid), 0) for i, m in enumerate(corpus.members)}}
        for cid, label in categories
    ]
    return pd.DataFrame(rows, columns=["category", *[m.slug for m in corpus.members]])


def overlap(con, corpus: Corpus) -> pd.DataFrame:
    """Producer x producer: distinct searches in both logs (the diagonal: in that log). Grouped by the set of
    producers first, so the work grows with the distinct sets, not with the searches."""
    slugs = [m.slug for m in corpus.members]
    pairs = con.execute(f"""
        WITH sets AS (SELECT mask, count(*) AS n FROM s GROUP BY mask),
             bits AS (SELECT mask, n, b FROM sets, range({len(slugs)}) t(b) WHERE (mask >> b) & 1 = 1)
        SELECT a.b, c.b, sum(a.n) FROM bits a JOIN bits c ON a.mask = c.mask GROUP BY 1, 2""").fetchall()
    table = pd.DataFrame(0, index=slugs, columns=slugs, dtype="int64")
    for a, b, n in pairs:
        table.iloc[int(a), int(b)] = int(n)
    table.index.name = "producer"
    return table


def agencies(con, corpus: Corpus) -> pd.DataFrame:
    """Per agency named in a log: distinct searches across the corpus, producers whose cameras it searched,
    immigration. A search no copy of which names its agency (a portal export's) is no agency's row here."""
    return con.execute("""
        SELECT agency, any_value(state) AS agency_state, bool_or(federal) AS federal,
               count(*) AS distinct_searches, bit_count(bit_or(mask)) AS producers_searched,
               count(*) FILTER (WHERE immigration) AS immigration_searches
        FROM s WHERE named GROUP BY agency ORDER BY producers_searched DESC, distinct_searches DESC, agency""").df()


def immigration(con) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Immigration-related distinct searches by agency and by state (civil / criminal / unspecified)."""
    q = """SELECT {expr} AS {name}, count(*) AS searches,
               count(*) FILTER (WHERE immigration_type = 'civil') AS civil,
               count(*) FILTER (WHERE immigration_type = 'criminal') AS criminal,
               count(*) FILTER (WHERE immigration_type = 'unspecified') AS unspecified
           FROM s WHERE immigration GROUP BY 1 ORDER BY searches DESC, 1"""
    by_agency = con.execute(q.format(expr=f"coalesce(agency, {literal(UNNAMED)})", name="agency")).df()
    by_state = con.execute(q.format(expr="coalesce(state, '')", name="agency_state")).df()
    return by_agency, by_state


def citations_sql(corpus: Corpus, where: str) -> str:
    """One line per copy of the searches `where` selects (on table s): producer and file, sheet, row.
    Ordered by ORDER_CITATIONS (corpus search, member, row); written by publish.write_query_csv."""
    slugs = ", ".join(f"({i}, '{m.slug}')" for i, m in enumerate(corpus.members))
    return f"""
        WITH pick AS (SELECT uid, agency, state, immigration_type, differs_in FROM s WHERE {where}),
             names (m, member) AS (VALUES {slugs})
        SELECT dense_rank() OVER (ORDER BY p.uid) AS corpus_search, p.agency, p.state AS agency_state,
               p.immigration_type, array_to_string(p.differs_in, ', ') AS fields_that_differ,
               n.member AS producer_log, k.link, k.searched_at_utc, k.source_file,
               k.source_sheet, k.source_row, k.m AS _m
        FROM picked k JOIN pick p USING (uid) JOIN names n ON n.m = k.m"""


ORDER_CITATIONS = ("corpus_search", "_m", "source_row")


def citations(con, corpus: Corpus, where: str) -> pd.DataFrame:
    """citations_sql as a table (for the tests and a page's first lines; the CSVs are written by COPY)."""
    return con.execute(
        f"SELECT * EXCLUDE (_m) FROM ({citations_sql(corpus, where)}) ORDER BY {', '.join(ORDER_CITATIONS)}"
    ).df()


def spellings(con) -> pd.DataFrame:
    """Every agency spelling in any copy (after the alias table), with its state and copies: a spelling seen
    only in a second producer's copy of a search is still a spelling to review. From table combos (the
    pass that found them), not another pass over the copies."""
    return con.execute("""SELECT agency, coalesce(any_value(state), '') AS agency_state, sum(copies)::BIGINT AS copies
                          FROM combos WHERE named GROUP BY agency ORDER BY agency""").df()


def variants_to_review(spelled: pd.DataFrame, rules: CorpusRules) -> pd.DataFrame:
    """Spellings (after the alias table) whose normalised words and agency state are equal: likely one
    agency, proposed for a person to review (pipeline/rules/corpus/agency_aliases.yml), never merged."""
    t = spelled[["agency", "agency_state", "copies"]].copy()
    t["key"] = [name_key(a or "", rules.synonyms) for a in t["agency"]]
    groups = t.groupby(["key", "agency_state"])["agency"].transform("nunique")
    out = t[groups > 1].sort_values(["key", "agency_state", "agency"]).reset_index(drop=True)
    out["group"] = out.groupby(["key", "agency_state"]).ngroup() + 1
    return out[["group", "agency", "agency_state", "copies"]]
