"""Flock's dropdown reason (`offenseType`): which values of the reviewed list a cell selects.

The list is pipeline/rules/dropdown.yml (its header says how a cell is read). This module only applies
it: `read_cell` splits one cell into the values it selects and the pieces that are not on the list;
`classify_values` does it once per distinct cell of a release and returns a small lookup table. A piece
not on the list is never classed: it is returned as unknown, for the verdict to name.

    read_cell("Wanted Person (Arrest Warrant/Fugitive), Sex Offenses")
    -> OffenseCell(values=("Wanted Person (Arrest Warrant/Fugitive)", "Sex Offenses"), unknown=(), immigration_type=None)
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pyarrow as pa
from pipeline import RULES
from pipeline.io.rules import read_data_file

IMMIGRATION_TYPES = ("civil", "criminal")
_ENTRY_KEYS = {"value", "immigration", "seen"}
_SEEN = ("real", "synthetic")


class DropdownRulesError(ValueError):
    """dropdown.yml is malformed; the message names the entry."""


@functools.cache
def vocabulary() -> tuple[dict, ...]:
    """The entries of dropdown.yml, checked: each {value, seen, immigration?}."""
    doc = read_data_file(RULES / "dropdown.yml")
    entries = doc.get("values") if isinstance(doc, dict) else None
    if not isinstance(entries, list) or not entries:
        raise DropdownRulesError("dropdown.yml: 'values' must be a non-empty list")
    seen = set()
    for i, e in enumerate(entries, 1):
        if not isinstance(e, dict) or set(e) - _ENTRY_KEYS or "value" not in e:
            raise DropdownRulesError(f"dropdown.yml entry {i}: keys must be among {sorted(_ENTRY_KEYS)}, with value")
        v = e["value"]
        if not isinstance(v, str) or not v or v != v.strip():
            raise DropdownRulesError(f"dropdown.yml entry {i}: value must be a trimmed, non-empty string")
        if _key(v) in seen:
            raise DropdownRulesError(f"dropdown.yml entry {i}: {v!r} is listed twice")
        seen.add(_key(v))
        if e.get("immigration") not in (None, *IMMIGRATION_TYPES):
            raise DropdownRulesError(f"dropdown.yml entry {i}: immigration must be one of {IMMIGRATION_TYPES}")
        if e.get("seen") not in _SEEN:
            raise DropdownRulesError(f"dropdown.yml entry {i}: seen must be one of {_SEEN}")
    return tuple(entries)


def values() -> list[str]:
    """The dropdown values, in the file's order."""
    return [e["value"] for e in vocabulary()]


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


@functools.cache
def _by_key() -> dict[str, dict]:
    return {_key(e["value"]): e for e in vocabulary()}


@dataclass(frozen=True)
class OffenseCell:
    """What one dropdown cell selects: the list's values (in the cell's order, each once), the pieces not
    on the list, and the immigration type its values give (civil wins over criminal, as in reasons.yml)."""

    values: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    immigration_type: str | None = None
    immigration_value: str | None = None  # the value that gives the type


def split_top_level(text: str) -> list[str]:
    """Split at ", " outside parentheses: 'A (x, y), B' -> ['A (x, y)', 'B']."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _value_of(piece: str) -> tuple[dict | None, bool]:
    """(the list entry the piece names, whether it carries a ' - detail'); (None, _) when not on the list."""
    k = _key(piece)
    entry = _by_key().get(k)
    if entry is not None:
        return entry, False
    head, dash, _ = k.partition(" -")
    if dash and head.strip() in _by_key():
        return _by_key()[head.strip()], True
    if k.endswith("-") and k[:-1].strip() in _by_key():  # "Immigration (criminal) -" (detail left blank)
        return _by_key()[k[:-1].strip()], True
    return None, False


def read_cell(text: str | None) -> OffenseCell:
    """The values a dropdown cell selects (see dropdown.yml for how a cell is read)."""
    if text is None or not text.strip():
        return OffenseCell()
    found: list[str] = []
    unknown: list[str] = []
    in_detail = False
    for piece in split_top_level(text):
        if not piece:
            continue
        entry, detail = _value_of(piece)
        if entry is not None:
            if entry["value"] not in found:
                found.append(entry["value"])
            in_detail = detail
        elif not in_detail:  # (after a value with a detail, an unknown piece is the detail's rest)
            unknown.append(piece)
    types = {e["immigration"]: e["value"] for e in vocabulary() if e["value"] in found and e.get("immigration")}
    imm = next((t for t in IMMIGRATION_TYPES if t in types), None)
    return OffenseCell(tuple(found), tuple(unknown), imm, types.get(imm))


def classify_values(cells: list[str | None]) -> pa.Table:
    """One row per distinct cell: offense_type, offense_categories (list), offense_type_unknown (the pieces
    not on the list joined by ' | ', null when none), offense_immigration_type, and
    offense_immigration_value (the list's value that gives it: what matches.parquet shows as the match)."""
    distinct = list(dict.fromkeys(cells))
    read = [read_cell(c) for c in distinct]
    return pa.table(
        {
            "offense_type": pa.array(distinct, pa.string()),
            "offense_categories": pa.array(
                [list(r.values) if c is not None else None for c, r in zip(distinct, read)], pa.list_(pa.string())
            ),
            "offense_type_unknown": pa.array([" | ".join(r.unknown) or None for r in read], pa.string()),
            "offense_immigration_type": pa.array([r.immigration_type for r in read], pa.string()),
            "offense_immigration_value": pa.array([r.immigration_value for r in read], pa.string()),
        }
    )
