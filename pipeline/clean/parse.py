"""Type every staged row in one SQL statement (`parsed`): times in UTC, counts, the cleaned reason, the search
key and why a row is rejected, from the cell rules of pipeline/rules/cells.yml turned into SQL."""

from __future__ import annotations

import datetime as dt
import functools
import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.io import rules
from pipeline.config import Jurisdiction
from pipeline.io.db import literal, literal_list
from pipeline.contracts import Schema
from pipeline.ingest.stage import SourceInfo

UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

# Fields compared between copies of one search: (name in conflicts.csv, cleaned value, raw column whose
# presence says the copy's file exported it). Copies disagree when two copies from files that exported a
# field hold different values; a column one file did not export is not a disagreement. (`parsed` keeps
# the presences as the bits of `exported`, bit k for field k.)
CONTENT_FIELDS = [
    ("org_name", "org_name_t", "org_name"),
    ("searcher", "searcher", "searcher"),
    ("searched_at_utc", "searched_at_utc", "search_time"),
    ("time_frame_start_utc", "time_frame_start_utc", "coalesce(time_frame, time_frame_start)"),
    ("time_frame_end_utc", "time_frame_end_utc", "coalesce(time_frame, time_frame_end)"),
    ("total_networks", "total_networks_n", "total_networks"),
    ("camera_count", "camera_count_n", "camera_count"),
    ("total_devices", "total_devices_n", "total_devices"),
    ("license_plate", "license_plate", "license_plate"),
    ("reason_clean", "reason_clean", "reason"),
    ("offense_type", "offense_type_clean", "offense_type"),
    ("case_number", "case_number", "case_number"),
    ("filters", "filters", "filters"),
    ("search_type", "search_type", "search_type"),
    ("text_prompt", "text_prompt", "text_prompt"),
    ("moderation", "moderation", "moderation"),
]

# The search time as written: the Search Time cell, after the Search Date cell where a release splits them.
SEARCH_TEXT = (
    "CASE WHEN search_date IS NOT NULL AND trim(search_date) <> '' "
    "THEN trim(search_date) || ' ' || trim(search_time) ELSE trim(search_time) END"
)


@functools.cache
def cell_rules() -> dict:
    return rules.load("cells.yml")


def state_sql(col: str, mask: str) -> str:
    """not_exported / blank / masked / present: a column not in the release is not a blank cell."""
    return (
        f"CASE WHEN {col} IS NULL THEN 'not_exported' WHEN trim({col}) = '' THEN 'blank' "
        f"WHEN regexp_full_match(upper(trim({col})), {mask}) THEN 'masked' ELSE 'present' END"
    )


def number_sql(col: str, mask: str, nulls: str) -> tuple[str, str]:
    """(typed value, flag for a value that is there but is not a number) of a count column."""
    t = f"trim({col})"
    ok = f"regexp_full_match({t}, '[0-9]+(\\.0+)?')"
    empty = f"({col} IS NULL OR {t} = '' OR {t} IN {nulls} OR regexp_full_match(upper({t}), {mask}))"
    return (f"CASE WHEN {ok} THEN CAST(CAST({t} AS DOUBLE) AS BIGINT) END", f"(NOT {empty} AND NOT {ok})")


# The characters RE2's \\s stands for besides the space ([\\t\\n\\f\\r ]), as SQL.
_TAB, _LF, _FF, _CR = "chr(9)", "chr(10)", "chr(12)", "chr(13)"


def collapse_spaces(col: str) -> str:
    """regexp_replace(col, '\\s+', ' ', 'g'), with the regex run only where it can change something (two
    spaces in a row, or a tab, line break, form feed or CR)."""
    odd = " OR ".join(f"contains({col}, {c})" for c in ("'  '", _TAB, _LF, _FF, _CR))
    return f"CASE WHEN {odd} THEN regexp_replace({col}, '\\s+', ' ', 'g') ELSE {col} END"


def time_sql(expr: str, fmts: str) -> str:
    return f"CAST(try_strptime({expr}, {fmts}) AS TIMESTAMPTZ)"


@dataclass(frozen=True)
class CellSql:
    """The cell rules of rules/cells.yml as SQL literals: masks, time formats, null numbers, the time-frame
    split, and the producer's time zone."""

    mask: str
    fmts: str
    nulls: str
    split: str
    tz: str

    @classmethod
    def of(cls, j: Jurisdiction) -> "CellSql":
        rules = cell_rules()
        return cls(
            mask=literal("|".join(f"(?:{m})" for m in rules["masks"])),
            fmts=literal_list(rules["time_formats"]),
            nulls="(" + ", ".join(literal(v) for v in rules["null_numbers"]) + ")",
            split=literal(rules["time_frame_split"]),
            tz=literal(j.timezone),
        )


# Search times no audit can hold (issue 26): a row dated before Flock Safety existed (founded 2017; the
# earliest bundled search is of June 2025) or after the file that holds it was last written (its
# modification time, plus a day for a clock that runs fast) is rejected with its reason and citation, never
# published: one year 0001 or 9999 made the local day unrepresentable (02 stopped on "year 0 is out of
# range"), and one row in 1970 and one in 2099 stretched the daily chart to 47,000 days (Altair's
# MaxRowsError in 03).
FLOCK_EARLIEST_UTC = dt.datetime(2017, 1, 1, tzinfo=dt.timezone.utc)
CLOCK_MARGIN = dt.timedelta(days=1)


def impossible_time_sql(sources: list[SourceInfo], root: Path) -> str:
    """A CASE branch (on searched_at_utc and source_index) naming the impossible search times: before
    FLOCK_EARLIEST_UTC, or after the source's file was last written (per source, as a list of bounds)."""
    latest = []
    for s in sources:
        try:
            written = (Path(root) / s.file.split("!")[0]).stat().st_mtime
        except OSError:  # a file named otherwise (tests staging by hand): the run's own time bounds it
            written = time.time()
        latest.append(dt.datetime.fromtimestamp(min(written, time.time()), dt.timezone.utc) + CLOCK_MARGIN)
    bounds = "[" + ", ".join(f"TIMESTAMPTZ '{t.isoformat()}'" for t in latest) + "]"
    return (
        f"WHEN searched_at_utc < TIMESTAMPTZ '{FLOCK_EARLIEST_UTC.isoformat()}' THEN 'search_time_before_flock' "
        f"WHEN searched_at_utc > {bounds}[source_index + 1] THEN 'search_time_after_file_written'"
    )


# Long (~60 lines) on purpose: one SQL statement types every staged row in a single pass.
def parse(con, sources: list[SourceInfo], cells: CellSql, impossible: str = "") -> None:
    """`parsed`: every staged row typed (times, counts, the cleaned reason, the search key, why rejected).

    It holds what every later step needs of every staged row, and nothing more (the raw cells of the few
    rejected and duplicated rows are read back from the staging files). It is built from the staged rows
    alone (no join) with insertion order kept, so it lies in release order (source, row) and the ordered
    write is one scan of it."""
    mask, fmts, nulls, split = cells.mask, cells.fmts, cells.nulls, cells.split
    portal = "[" + ", ".join("true" if s.schema == Schema.PORTAL else "false" for s in sources) + "]"
    networks, networks_bad = number_sql("total_networks", mask, nulls)
    devices, devices_bad = number_sql("total_devices", mask, nulls)
    cameras, cameras_bad = number_sql("camera_count", mask, nulls)
    tf_parts = f"regexp_split_to_array(trim(time_frame), {split})"
    reason_clean = f"nullif(trim({collapse_spaces('reason_p')}), '')"
    con.execute("SET preserve_insertion_order = true")
    con.execute(f"""
        CREATE TEMP TABLE parsed AS
        WITH s AS (
            SELECT source_index, source_row, source_line, reject_reason, flock_id, org_name, searcher, search_time, license_plate, reason,
                   case_number, filters, search_type, text_prompt, moderation, time_frame, time_frame_start,
                   time_frame_end, total_networks, total_devices, camera_count, offense_type,
                   CASE WHEN {portal}[source_index + 1] THEN replace(reason, '+', ' ') ELSE reason END AS reason_p,
                   {SEARCH_TEXT} AS search_text,
                   {tf_parts} AS tf
            FROM staged
        ), t AS (
            SELECT s.*,
                {time_sql("search_text", fmts)} AS searched_at_utc,
                coalesce({time_sql("trim(time_frame_start)", fmts)}, {
        time_sql("trim(tf[1])", fmts)
    }) AS time_frame_start_utc,
                coalesce({time_sql("trim(time_frame_end)", fmts)},
                         CASE WHEN len(tf) = 2 THEN {time_sql("trim(tf[2])", fmts)} END) AS time_frame_end_utc,
                {networks} AS total_networks_n, {networks_bad} AS networks_bad,
                {devices} AS total_devices_n, {devices_bad} AS devices_bad,
                {cameras} AS camera_count_n, {cameras_bad} AS cameras_bad,
                nullif(trim({collapse_spaces("offense_type")}), '') AS offense_type_clean,
                {reason_clean} AS reason_clean,
                nullif(trim(org_name), '') AS org_name_t,
                lower(trim(flock_id)) AS fid
            FROM s
        )
        SELECT source_index, source_row, source_line,
            coalesce(reject_reason,
                     CASE WHEN search_text IS NULL OR search_text = '' THEN 'missing_search_time'
                          WHEN searched_at_utc IS NULL THEN 'unparseable_search_time' {impossible} END) AS reject,
            -- a Flock search ID when there is one; otherwise a hash of the whole search (prefix 'h:')
            CASE WHEN regexp_full_match(fid, '{UUID_RE}') THEN fid
                 ELSE 'h:' || sha256(concat_ws(chr(31), coalesce(org_name_t, ''), coalesce(searcher, ''),
                      coalesce(CAST(searched_at_utc AS VARCHAR), ''), coalesce(CAST(coalesce(total_networks_n, camera_count_n) AS VARCHAR), ''),
                      coalesce(CAST(total_devices_n AS VARCHAR), ''), coalesce(time_frame, ''),
                      coalesce(license_plate, ''), coalesce(reason_clean, ''), coalesce(case_number, ''),
                      coalesce(filters, ''), coalesce(search_type, ''), coalesce(text_prompt, ''),
                      coalesce(moderation, ''), offense_type_clean))
            END AS search_key,
            searched_at_utc, time_frame_start_utc, time_frame_end_utc, total_networks_n, networks_bad,
            total_devices_n, devices_bad, camera_count_n, cameras_bad,
            (time_frame IS NOT NULL AND trim(time_frame) <> ''
             AND (time_frame_start_utc IS NULL OR time_frame_end_utc IS NULL)) AS time_frame_bad,
            org_name_t, searcher, license_plate, reason, reason_clean, offense_type, offense_type_clean, case_number,
            filters, search_type, text_prompt, moderation,
            {
        " | ".join(
            f"CASE WHEN {raw} IS NOT NULL THEN {1 << k} ELSE 0 END" for k, (_, _, raw) in enumerate(CONTENT_FIELDS)
        )
    } AS exported
        FROM t
    """)
    con.execute("SET preserve_insertion_order = false")
