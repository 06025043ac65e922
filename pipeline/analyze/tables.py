"""The aggregate tables the charts draw and the published CSVs hold (per day, per agency, per state,
immigration by type, how far back searches reached, every immigration-related search with its citation,
the searches of each reason category, the most common reasons as typed).
The figures themselves are computed in facts; these are the tables behind them. Row-level tables show
the redacted reason (enrich/pii.py), never a plate or a searcher."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.analyze.facts import connect_searches, processed_dir
from pipeline.config import Jurisdiction
from pipeline.io import publish
from pipeline.io.db import literal
from pipeline.analyze import ice287g

# The citation every row-level published CSV ends with: the file, its SHA-256, the sheet (or PDF page) and
# the row a person finds. One list, so adding a column (the line number) is one edit.
CITATION_COLUMNS = ["source_file", "source_sha256", "source_sheet", "source_row", "source_line"]
# Matched words are cut from the released reason; where the reason holds personal data they may hold
# it too (a plate typed as a "case number"), so they are withheld and the redacted reason stands alone.
_MATCHED = "CASE WHEN coalesce(len(s.reason_pii), 0) > 0 THEN '[withheld: the reason holds personal data]' ELSE {m} END"
TYPED_SHOWN = 20  # the most common reasons as typed


def _citation(alias: str = "s") -> str:
    return ", ".join(f"{alias}.{c}" for c in CITATION_COLUMNS)


def look_back(j: Jurisdiction, longest: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(searches by how far back their Time Frame reached, the `longest` reaches with their citation)."""
    tz = literal(j.timezone)
    reach = "date_diff('day', time_frame_start_utc, searched_at_utc)"
    buckets = _table(
        j,
        f"""
        WITH r AS (SELECT {reach} AS days FROM searches WHERE time_frame_start_utc IS NOT NULL)
        SELECT b.reached_back, count(r.days) AS searches
        FROM (VALUES (1, 'under 1 day', -1e9, 1), (2, '1 to 7 days', 1, 8), (3, '8 to 30 days', 8, 31),
                     (4, '31 to 90 days', 31, 91), (5, '91 to 365 days', 91, 366), (6, 'over 365 days', 366, 1e9))
             b(k, reached_back, lo, hi)
        LEFT JOIN r ON r.days >= b.lo AND r.days < b.hi GROUP BY b.k, b.reached_back ORDER BY b.k""",
    )
    top = _table(
        j,
        f"""
        SELECT {reach} AS days_reached_back,
               strftime(timezone({tz}, searched_at_utc), '%Y-%m-%d %H:%M') AS searched_local,
               strftime(timezone({tz}, time_frame_start_utc), '%Y-%m-%d %H:%M') AS time_frame_start_local,
               source_file, source_sheet, source_row
        FROM searches WHERE time_frame_start_utc IS NOT NULL
        ORDER BY searched_at_utc - time_frame_start_utc DESC, search_key LIMIT {int(longest)}""",
    )
    return buckets, top


def daily_searches(j: Jurisdiction) -> pd.DataFrame:
    """Searches per local day in the producer's time zone (days with none are shown as 0)."""
    con = connect_searches(processed_dir(j) / "searches.parquet")
    df = con.execute("""
        WITH d AS (SELECT searched_local_date AS local_date, count(*) AS searches FROM searches GROUP BY 1),
             span AS (SELECT CAST(unnest(generate_series(min(local_date), max(local_date), INTERVAL 1 DAY)) AS DATE)
                      AS local_date FROM d)
        SELECT span.local_date, coalesce(d.searches, 0) AS searches FROM span LEFT JOIN d USING (local_date)
        ORDER BY 1
    """).df()
    con.close()
    return df


def top_agencies(j: Jurisdiction, n: int = 20) -> pd.DataFrame:
    """The n agencies (Org Name as released, trimmed) that ran the most searches."""
    con = connect_searches(processed_dir(j) / "searches.parquet")
    df = con.execute(f"""
        SELECT org_name, count(*) AS searches FROM searches WHERE org_name IS NOT NULL
        GROUP BY 1 ORDER BY searches DESC, org_name LIMIT {int(n)}
    """).df()
    con.close()
    return df


def _table(j: Jurisdiction, sql: str) -> pd.DataFrame:
    con = connect_searches(processed_dir(j) / "searches.parquet")
    df = con.execute(sql).df()
    con.close()
    return df


def _reason_searches_sql(j: Jurisdiction, category: str) -> str:
    """Every search whose reason is in `category` (rules/reasons.yml), with the rules and words that put
    it there (redacted reason; matched words withheld where the reason holds personal data) and its citation;
    published in the order of _searched_at (the UTC time) and search_key."""
    tz = literal(j.timezone)
    matches = literal(processed_dir(j) / "matches.parquet")
    matched = _MATCHED.format(m="m.matched_text")
    return f"""
        WITH m AS (SELECT search_key, string_agg(DISTINCT rule_id, ', ' ORDER BY rule_id) AS rule_id,
                          string_agg(DISTINCT matched_text, ' | ' ORDER BY matched_text) AS matched_text
                   FROM read_parquet({matches}) WHERE category = {literal(category)} GROUP BY 1)
        SELECT s.search_key, s.org_name AS agency, s.agency_state,
               strftime(timezone({tz}, s.searched_at_utc), '%Y-%m-%d %H:%M:%S') AS local_time,
               s.reason_redacted AS reason, array_to_string(s.reason_pii, ', ') AS reason_flagged_personal_data,
               {matched} AS matched_text, m.rule_id, s.copies, {_citation()}, s.searched_at_utc AS _searched_at
        FROM searches s JOIN m USING (search_key)
        WHERE list_contains(s.reason_categories, {literal(category)})"""


# Reasons typed alike are one reason: the same words whatever their case, spacing or trailing punctuation
# ("Investigation", "investigation ", "INVESTIGATION." are one). The variants as typed are listed beside it.
_SPACED = "lower(regexp_replace(trim(reason_redacted), '\\s+', ' ', 'g'))"
_REASON_KEY = f"coalesce(nullif(rtrim({_SPACED}, '.,;:!?-–— '), ''), {_SPACED})"


def reasons_typed(j: Jurisdiction, n: int = TYPED_SHOWN) -> pd.DataFrame:
    """The n most common reasons as typed (redacted; a blank reason is empty), grouped ignoring case, spaces and
    trailing punctuation: the most common spelling as `reason`, with the searches, share of all searches,
    categories, and every variant as typed with its count (`variants`). Ties are ordered by the text so the
    table is the same on every run."""
    return _table(
        j,
        f"""
        WITH v AS (SELECT {_REASON_KEY} AS k, reason_redacted AS typed, count(*) AS n,
                          any_value(array_to_string(reason_categories, ', ')) AS categories
                   FROM searches GROUP BY 1, 2),
             g AS (SELECT k, sum(n)::BIGINT AS searches, count(*) AS spellings,
                          arg_max(typed, (n, typed)) AS reason, arg_max(categories, (n, typed)) AS categories,
                          string_agg(printf('%s (%,d)', coalesce(typed, ''), n), ' | ' ORDER BY n DESC, typed)
                              AS variants
                   FROM v GROUP BY 1)
        SELECT reason, searches, searches / (SELECT count(*) FROM searches) AS share, categories,
               CASE WHEN spellings > 1 THEN variants ELSE '' END AS variants
        FROM g ORDER BY searches DESC, k NULLS FIRST LIMIT {int(n)}""",
    )


def publish_reasons(j: Jurisdiction, out_dir: Path, categories: list[dict]) -> list[Path]:
    """reasons/<category>.csv for every category facts lists with a csv, and reasons_typed.csv. The lists
    can hold most of a release, so DuckDB writes them (the same bytes as write_csv)."""
    con = connect_searches(processed_dir(j) / "searches.parquet")
    try:
        written = []
        for c in categories:
            if c["csv"]:
                publish.write_query_csv(
                    con,
                    _reason_searches_sql(j, c["id"]),
                    out_dir / c["csv"],
                    order_by=("_searched_at", "search_key"),
                    synthetic=j.synthetic,
                )
                written.append(out_dir / c["csv"])
    finally:
        con.close()
    written.append(publish.write_csv(reasons_typed(j), out_dir / "reasons_typed.csv", synthetic=j.synthetic))
    return written


def immigration_by_agency(j: Jurisdiction) -> pd.DataFrame:
    """Immigration-related searches per agency and type (civil, criminal, unspecified)."""
    return _table(
        j,
        """SELECT coalesce(org_name, '') AS org_name, immigration_type, count(*) AS searches
                        FROM searches WHERE immigration GROUP BY 1, 2 ORDER BY 1, 2""",
    )


def immigration_by_state(j: Jurisdiction) -> pd.DataFrame:
    return _table(
        j,
        """SELECT agency_state, count(*) AS searches FROM searches WHERE immigration
                        GROUP BY 1 ORDER BY searches DESC, agency_state""",
    )


def immigration_types(j: Jurisdiction) -> pd.DataFrame:
    """Every type, including those with no search, so a zero is shown as zero."""
    return _table(
        j,
        """SELECT t.immigration_type, count(s.search_key) AS searches
                        FROM (VALUES ('civil'), ('criminal'), ('unspecified')) t(immigration_type)
                        LEFT JOIN searches s USING (immigration_type) GROUP BY 1 ORDER BY 1""",
    )


def searches_by_state(j: Jurisdiction) -> pd.DataFrame:
    return _table(
        j,
        """SELECT agency_state, count(*) AS searches FROM searches WHERE agency_state <> ''
                        GROUP BY 1 ORDER BY 1""",
    )


def agencies_table(j: Jurisdiction) -> pd.DataFrame:
    """Every searching agency with what the agency rules say about it (public agency names only), and
    whether it has a 287(g) agreement with ICE (analyze/ice287g.py)."""
    df = _table(
        j,
        """SELECT org_name, any_value(agency_state) AS agency_state, any_value(agency_type) AS agency_type,
                               bool_or(agency_federal) AS agency_federal, count(*) AS searches,
                               count(*) FILTER (WHERE immigration) AS immigration_searches
                        FROM searches WHERE org_name IS NOT NULL GROUP BY 1 ORDER BY searches DESC, org_name""",
    )
    return ice287g.annotate(df, j.synthetic)


def immigration_searches(j: Jurisdiction) -> pd.DataFrame:
    """Every immigration-related search with the words that made it count and where to find it."""
    tz = literal(j.timezone)
    matches = processed_dir(j) / "matches.parquet"
    return _table(
        j,
        f"""
        SELECT s.search_key, s.org_name AS agency, s.agency_state,
               strftime(timezone({tz}, s.searched_at_utc), '%Y-%m-%d %H:%M:%S') AS local_time,
               s.searched_at_utc, s.immigration_type, s.reason_redacted AS reason,
               array_to_string(s.reason_pii, ', ') AS reason_flagged_personal_data,
               {_MATCHED.format(m="m.matched_text")} AS matched_text, m.rule_id, s.copies, {_citation()}
        FROM searches s JOIN read_parquet({literal(matches)}) m ON m.search_key = s.search_key AND m.category = 'immigration'
        WHERE s.immigration ORDER BY s.searched_at_utc, s.search_key""",
    )


def release_coverage(j: Jurisdiction) -> pd.DataFrame:
    """Each released file's local days: file, first_local_date, last_local_date, searches, whole_months and
    partial. A file is partial when it is the first (last)
    file and starts after (ends before) the period the jurisdiction states in jurisdictions.yml; with no stated
    period, when it does not cover whole calendar months."""
    df = _table(
        j,
        """SELECT source_file AS file, min(searched_local_date) AS first_local_date,
                             max(searched_local_date) AS last_local_date, count(*) AS searches
                      FROM searches GROUP BY 1 ORDER BY 2, 3, 1""",
    )
    for col in ("first_local_date", "last_local_date"):
        df[col] = pd.to_datetime(df[col]).dt.date
    df["whole_months"] = [
        a.day == 1 and (pd.Timestamp(b) + pd.Timedelta(days=1)).day == 1
        for a, b in zip(df["first_local_date"], df["last_local_date"])
    ]
    early = df["first_local_date"] == df["first_local_date"].min() if len(df) else df["whole_months"]
    late = df["last_local_date"] == df["last_local_date"].max() if len(df) else df["whole_months"]
    starts_late = early & (df["first_local_date"] > j.period_start) if j.period_start else False
    ends_early = late & (df["last_local_date"] < j.period_end) if j.period_end else False
    # A stated period decides (a file of January 1-7 that ends on the stated last day is not partial);
    # without one, a file that does not cover whole months is.
    stated = j.period_start is not None or j.period_end is not None
    df["partial"] = (starts_late | ends_early) if stated else ~df["whole_months"]
    df["partial"] = df["partial"].astype(bool) & (stated or len(df) > 1)  # one file alone is the release
    return df
