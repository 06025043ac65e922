"""One alias table for every release shape: map released headers to canonical column names.

The table lives in pipeline/rules/columns.yml. Matching is by trimmed, case-insensitive name, never by
position, except for header-less files, which get the standard order of docs/formats.md §2.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass


from pipeline.contracts import Schema
from pipeline.io import rules as rules_file

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@functools.cache
def rules() -> dict:
    return rules_file.load("columns.yml")


CANONICAL: tuple[str, ...] = tuple(rules()["canonical"])


def normalize(header: object) -> str:
    """' Org_Name ' -> 'org name'."""
    return re.sub(r"[\s_]+", " ", str(header if header is not None else "")).strip().lower()


@functools.cache
def _alias_to_canonical() -> dict[str, str]:
    out = {}
    for canon, aliases in rules()["canonical"].items():
        for a in aliases:
            out[normalize(a)] = canon
    return out


def canonical_name(header: object) -> str | None:
    return _alias_to_canonical().get(normalize(header))


@dataclass
class HeaderMap:
    """How one file's columns map to canonical names."""

    released: list[str]  # the header as released (empty for header-less files)
    columns: list[str | None]  # canonical name per position (None: unknown extra column)
    has_header: bool
    schema: Schema

    @property
    def present(self) -> set[str]:
        return {c for c in self.columns if c}

    @property
    def extra(self) -> list[str]:
        return [
            self.released[i] if i < len(self.released) else f"column {i + 1}"
            for i, c in enumerate(self.columns)
            if c is None
        ]


def is_event_log(cells: list) -> bool:
    names = {normalize(c) for c in cells}
    return len(names & set(rules()["event_log_headers"])) >= 2


def map_header(cells: list) -> HeaderMap | None:
    """Map a candidate header row; None when it does not look like a search-audit header."""
    columns: list[str | None] = []
    used: set[str] = set()
    for c in cells:
        canon = canonical_name(c)
        if canon in used:  # a second column of the same meaning is kept as an extra column
            canon = None
        if canon:
            used.add(canon)
        columns.append(canon)
    if len(used) < rules()["min_known_columns"] or "search_time" not in used:
        return None
    portal = {normalize(c) for c in cells} & set(rules()["portal_headers"])
    return HeaderMap(
        released=[str(c) if c is not None else "" for c in cells],
        columns=columns,
        has_header=True,
        schema=Schema.PORTAL if portal else Schema.FLOCK_EXPORT,
    )


def headerless_map(first_row: list) -> HeaderMap | None:
    """Header-less release: the standard order, with an optional leading ID column."""
    order = list(rules()["standard_order"])
    cells = [str(c) if c is not None else "" for c in first_row]
    if cells and UUID_RE.match(cells[0].strip()):
        order = ["flock_id"] + order
    if len(cells) != len(order):
        return None
    time_cell = cells[order.index("search_time")].strip()
    if not re.match(r"^(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2})", time_cell):
        return None
    return HeaderMap(released=[], columns=order, has_header=False, schema=Schema.FLOCK_EXPORT)
