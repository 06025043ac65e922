"""The suites under expectations/ as data: where they are, the constants they speak in, the stated
period and the placeholders filled from it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from pipeline.contracts import Schema
from pipeline import ROOT
from pipeline.config import Jurisdiction


SUITE = ROOT / "expectations" / "searches.json"  # the processed-table suite; the others sit beside it
CITE_CAP = 20
# Values of these columns never leave data/processed/: a failure on them is cited by file and row only.
# Plates and searcher names by rule (README); case numbers, filters and text prompts to be safe, since
# they can describe a person or a vehicle.
WITHHELD = frozenset({"searcher", "license_plate", "case_number", "filters", "text_prompt"})
# Rejected rows that are layout, not lost searches.
LAYOUT_REJECTS = frozenset({"repeated_header", "blank_row"})
SEVERITIES = ("critical", "warning")
TARGETS = ("rows", "schema", "sources")
DERIVED = ("source_kind", "reason_blank")  # plus exported_<canonical column>
CITATION = ["source_file", "source_sheet", "source_row", "source_line"]
# GX 1.24: naming the frame's index and asking for the index only keeps the cost of a failure with many
# unexpected rows linear and small (asking for index *columns* walks every unexpected row in Python, which
# a month's release turns into minutes); no query string of every index either.
RESULT_FORMAT = {
    "result_format": "SUMMARY",
    "unexpected_index_column_names": ["_row"],
    "exclude_unexpected_values": True,
    "return_unexpected_index_query": False,
    "partial_unexpected_count": CITE_CAP,
}
SCHEMA_LABELS = {Schema.FLOCK_EXPORT: "Flock network or organization export", Schema.PORTAL: "transparency-portal CSV"}
COLOURS = {"GREEN": "#1b7f3b", "YELLOW": "#9a6700", "RED": "#b00020"}


def load_suite(path: Path = SUITE) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def suite_paths(suite_path: Path = SUITE) -> list[Path]:
    """The processed-table suite first, then every other suite in its folder (by name)."""
    suite_path = Path(suite_path)
    return [suite_path] + sorted(p for p in suite_path.parent.glob("*.json") if p != suite_path)


def period_bounds(j: Jurisdiction) -> tuple[dt.datetime | None, dt.datetime | None]:
    """[start, end) in UTC of the stated period, wide enough for both local-day and UTC-day edges.

    The period is stated in local days. A release cut at UTC midnight holds the local evening before
    the first day (05:30 UTC on 1 December is 30 November in Chicago); one cut at local midnight holds
    the UTC morning after the last day. A search is inside when its local day or its UTC day is.
    """
    utc = dt.timezone.utc
    tz = ZoneInfo(j.timezone)
    start = end = None
    if j.period_start:
        start = min(
            dt.datetime.combine(j.period_start, dt.time(), tz).astimezone(utc),
            dt.datetime.combine(j.period_start, dt.time(), utc),
        )
    if j.period_end:
        after = j.period_end + dt.timedelta(days=1)
        end = max(dt.datetime.combine(after, dt.time(), tz).astimezone(utc), dt.datetime.combine(after, dt.time(), utc))
    return start, end


def fill_placeholders(kwargs: dict, period: dict) -> tuple[dict, str | None]:
    """Replace $period.* values; return (kwargs, why skipped)."""
    out = dict(kwargs)
    used = False
    for k, v in kwargs.items():
        if isinstance(v, str) and v.startswith("$"):
            if v not in period:
                return out, f"unknown placeholder {v}"
            used = True
            if period[v] is None:
                del out[k]
            else:
                out[k] = period[v]
    if used and out.get("min_value") is None and out.get("max_value") is None:
        return out, "jurisdictions.yml states no period for this release"
    return out, None


def columns_of(kwargs: dict) -> list[str]:
    return [kwargs[k] for k in ("column", "column_A", "column_B") if kwargs.get(k)] + list(
        kwargs.get("column_list") or []
    )
