"""Classify: what each search's Reason says, by the reviewed rules in rules/reasons.yml.

This module only applies the registry; every word list, threshold and trade-off lives in the YAML, next
to the examples that pin it down. Two engines apply the same registry and must give the same answers
(tests/test_classify.py runs every example through both):

- classify_text(text)             Python `re`, one reason at a time (notebooks, the command line);
- classify_in_duckdb(con, sql)    DuckDB (RE2) over the distinct reasons of a release, for scale.

Every reported match carries its rule id, the matched words and their position in the reason, so every
flagged search shows which words made it count. Immigration is one exclusive group: the firing rule
with the lowest precedence wins and alone is reported, with its immigration_type.

    python -m pipeline classify "TEXT" ...      prints one JSON result per TEXT
"""

from __future__ import annotations

import functools
import json
import re
import sys
from pathlib import Path


from pipeline import RULES
from pipeline.enrich import offense
from pipeline.io.db import literal
from pipeline.io.rules import read_data_file

REGISTRY_PATH = RULES / "reasons.yml"
IMMIGRATION = "immigration"
IMMIGRATION_TYPES = ("civil", "criminal", "unspecified")
FLAGS = re.IGNORECASE | re.ASCII

_TOP_KEYS = {"rules"}
_RULE_KEYS = {"id", "category", "pattern", "precedence", "notes", "examples", "immigration_type"}
_REQUIRED_RULE_KEYS = {"id", "category", "pattern", "precedence", "notes", "examples"}
_EXAMPLE_KEYS = {"match", "no_match"}
# Constructs outside the common subset of RE2 and Python re (or that the two read differently).
_FORBIDDEN = [
    (re.compile(r"\(\?<?[=!]"), "lookaround"),
    (re.compile(r"\(\?>"), "atomic group"),
    (re.compile(r"\(\?P="), "named backreference"),
    (re.compile(r"(?<!\\)(?:\\\\)*\\[1-9]"), "backreference"),
    (re.compile(r"(?<!\\)(?:\\\\)*\\[zZ]"), r"\z / \Z (each exists in only one engine)"),
    (re.compile(r"(?<!\\)(?:\\\\)*\\[sS]"), r"\s (RE2 and Python disagree about \v; write a space)"),
    (re.compile(r"(?<!\\)(?:\\\\)*[*+?}]\+"), "possessive quantifier"),
]
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")

# Both engines match against a "view" of the reason with the same length (so spans are the same):
# newlines become spaces (Python's $ also matches before a final newline, RE2's does not), and the
# Kelvin sign and long s become U+FFFD (RE2's case-insensitive matching folds them into k and s,
# Python's ASCII mode does not). Matched text is always cut from the original reason.
_VIEW_FROM = "\n\u212a\u017f"
_VIEW_TO = " \ufffd\ufffd"
_VIEW = str.maketrans(_VIEW_FROM, _VIEW_TO)


class RegistryError(ValueError):
    """The reasons registry is malformed; the message names the rule."""


@functools.cache
def _load(path: str) -> dict:
    doc = read_data_file(Path(path), error=RegistryError)
    _validate(doc, path)
    # Flock's dropdown values live in one reviewed list, rules/dropdown.yml, shared with offense.py
    return {**doc, "dropdown_categories": offense.values()}


def load_registry(path=REGISTRY_PATH) -> dict:
    """The parsed, validated registry: {"rules": [...]} plus "dropdown_categories", the values of
    rules/dropdown.yml (cached per path)."""
    return _load(str(Path(path).resolve()))


# Long (~60 lines) on purpose: the registry's schema, checked top to bottom with a message naming each entry.
def _validate(doc, path) -> None:  # noqa: C901 - the registry's schema, one check and message per key
    def fail(msg):
        raise RegistryError(f"{path}: {msg}")

    if not isinstance(doc, dict):
        fail("expected a mapping with 'rules'")
    if set(doc) != _TOP_KEYS:
        fail(f"top-level keys must be {sorted(_TOP_KEYS)}, found {sorted(doc)} (dropdown values: dropdown.yml)")
    rules = doc["rules"]
    if not isinstance(rules, list) or not rules:
        fail("rules must be a non-empty list")
    seen: set[str] = set()
    imm_prec: dict[int, str] = {}
    for i, r in enumerate(rules):
        where = f"rule #{i + 1} ({r.get('id', '?') if isinstance(r, dict) else '?'})"
        if not isinstance(r, dict):
            fail(f"{where}: not a mapping")
        unknown, missing = set(r) - _RULE_KEYS, _REQUIRED_RULE_KEYS - set(r)
        if unknown or missing:
            fail(f"{where}: unknown keys {sorted(unknown)}, missing keys {sorted(missing)}")
        if not isinstance(r["id"], str) or not _ID_RE.match(r["id"]):
            fail(f"{where}: id must be lower_snake_case")
        if r["id"] in seen:
            fail(f"{where}: duplicate id")
        seen.add(r["id"])
        if not isinstance(r["category"], str) or not _ID_RE.match(r["category"]):
            fail(f"{where}: category must be lower_snake_case")
        if not isinstance(r["precedence"], int) or isinstance(r["precedence"], bool):
            fail(f"{where}: precedence must be an integer")
        if not isinstance(r["notes"], str) or not r["notes"].strip():
            fail(f"{where}: notes are required")
        if r["category"] == IMMIGRATION:
            if r.get("immigration_type") not in IMMIGRATION_TYPES:
                fail(f"{where}: an immigration rule needs immigration_type in {IMMIGRATION_TYPES}")
            if r["precedence"] in imm_prec:
                fail(
                    f"{where}: precedence {r['precedence']} already used by {imm_prec[r['precedence']]} "
                    "(immigration precedences must be unique)"
                )
            imm_prec[r["precedence"]] = r["id"]
        elif "immigration_type" in r:
            fail(f"{where}: immigration_type is only for category {IMMIGRATION}")
        p = r["pattern"]
        if not isinstance(p, str) or not p:
            fail(f"{where}: pattern must be a non-empty string")
        for rx, what in _FORBIDDEN:
            if rx.search(p):
                fail(f"{where}: pattern uses {what}, outside the common subset of RE2 and Python re")
        try:
            re.compile(p, FLAGS)
        except re.error as e:
            fail(f"{where}: pattern does not compile in Python re: {e}")
        ex = r["examples"]
        if not isinstance(ex, dict) or set(ex) - _EXAMPLE_KEYS:
            fail(f"{where}: examples must be a mapping with 'match' and 'no_match'")
        for k in _EXAMPLE_KEYS:
            v = ex.get(k)
            if not isinstance(v, list) or not v or not all(isinstance(s, str) for s in v):
                fail(f"{where}: examples.{k} must be a non-empty list of strings")


@functools.lru_cache(maxsize=None)
def _rx(pattern: str) -> re.Pattern:
    return re.compile(pattern, FLAGS)


def _ordered(registry: dict) -> tuple[list[dict], list[dict]]:
    """(immigration rules by precedence, then file order; other rules in file order)."""
    rules = registry["rules"]
    imm = [
        r for _, _, r in sorted((r["precedence"], i, r) for i, r in enumerate(rules) if r["category"] == IMMIGRATION)
    ]
    return imm, [r for r in rules if r["category"] != IMMIGRATION]


def reason_era(text: str | None, registry: dict | None = None) -> str:
    """'dropdown' when the reason, after leading spaces, starts with a dropdown category value
    (exact, case-sensitive); otherwise, blank included, 'free_text'."""
    registry = registry or load_registry()
    if text is not None and text.lstrip(" ").startswith(tuple(registry["dropdown_categories"])):
        return "dropdown"
    return "free_text"


def classify_text(text: str | None, registry: dict | None = None) -> dict:
    """Classify one cleaned reason (None or "" for a blank one) with Python re."""
    registry = registry or load_registry()
    subject = "" if text is None else text
    view = subject.translate(_VIEW)
    imm_rules, other_rules = _ordered(registry)
    matches, categories, imm_type = [], set(), None

    def found(rule, m):
        matches.append(
            {
                "rule_id": rule["id"],
                "category": rule["category"],
                "matched_text": subject[m.start() : m.end()],
                "span_start": m.start(),
                "span_end": m.end(),
            }
        )
        categories.add(rule["category"])

    for rule in imm_rules:
        m = _rx(rule["pattern"]).search(view)
        if m:
            found(rule, m)
            imm_type = rule["immigration_type"]
            break
    for rule in other_rules:
        m = _rx(rule["pattern"]).search(view)
        if m:
            found(rule, m)
    return {
        "text": text,
        "immigration": imm_type is not None,
        "immigration_type": imm_type,
        "reason_categories": sorted(categories),
        "reason_era": reason_era(text, registry),
        "matches": matches,
    }


# Long (~60 lines) on purpose: two SQL statements built from the registry, kept together so both engines read alike.
def classify_in_duckdb(con, reasons_sql: str, registry: dict | None = None) -> None:
    """Classify the distinct values of `reason_clean` yielded by reasons_sql, in DuckDB (RE2).

    Creates (or replaces) TEMP TABLE reason_classes, one row per distinct reason_clean (NULL once), and
    TEMP TABLE reason_matches, one row per reported match (immigration: the winning rule only)."""
    registry = registry or load_registry()
    imm_rules, other_rules = _ordered(registry)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _classify_distinct AS
        SELECT DISTINCT CAST(reason_clean AS VARCHAR) AS reason_clean FROM ({reasons_sql}) AS reasons_in
    """)
    view = f"translate(coalesce(reason_clean, ''), {literal(_VIEW_FROM)}, {literal(_VIEW_TO)})"
    selects = []
    for rank, rule in enumerate(imm_rules + other_rules):
        p = literal(rule["pattern"])
        wrapped = literal("^((?s:.*?))(" + rule["pattern"] + ")")
        imm = rule["category"] == IMMIGRATION
        selects.append(f"""
            SELECT reason_clean, {literal(rule["category"])} AS category, {literal(rule["id"])} AS rule_id,
                   {rank} AS rank, {literal(rule["immigration_type"]) if imm else "NULL"} AS immigration_type,
                   length(regexp_extract(v, {wrapped}, 1, 'i')) AS span_start,
                   length(regexp_extract(v, {wrapped}, 2, 'i')) AS match_len
            FROM viewed WHERE regexp_matches(v, {p}, 'i')""")
    # Immigration is exclusive: of the immigration rules that fire on a reason, only the winner (lowest
    # precedence, which is the lowest rank) is kept; every other rule that fires is kept.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _classify_fired AS
        WITH viewed AS (SELECT reason_clean, {view} AS v FROM _classify_distinct),
        fired AS ({" UNION ALL ".join(selects)})
        SELECT * FROM fired
        QUALIFY category <> 'immigration'
             OR rank = min(rank) FILTER (WHERE category = 'immigration') OVER (PARTITION BY reason_clean)
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE reason_matches AS
        SELECT reason_clean, category, rule_id,
               substring(coalesce(reason_clean, ''), span_start + 1, match_len) AS matched_text,
               CAST(span_start AS INTEGER) AS span_start, CAST(span_start + match_len AS INTEGER) AS span_end
        FROM _classify_fired
        ORDER BY reason_clean NULLS FIRST, rank
    """)
    dropdown = " OR ".join(f"starts_with(ltrim(d.reason_clean), {literal(v)})" for v in registry["dropdown_categories"])
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE reason_classes AS
        WITH agg AS (
            SELECT reason_clean,
                   min(m.immigration_type) FILTER (WHERE m.category = 'immigration') AS imm_type,
                   list_sort(list_distinct(list(m.category))) AS cats
            FROM _classify_fired m GROUP BY m.reason_clean
        )
        SELECT d.reason_clean,
               a.imm_type IS NOT NULL AS immigration,
               CAST(a.imm_type AS VARCHAR) AS immigration_type,
               CAST(coalesce(a.cats, []) AS VARCHAR[]) AS reason_categories,
               CASE WHEN d.reason_clean IS NOT NULL AND ({dropdown}) THEN 'dropdown' ELSE 'free_text' END
                   AS reason_era
        FROM _classify_distinct d LEFT JOIN agg a ON a.reason_clean IS NOT DISTINCT FROM d.reason_clean
        ORDER BY d.reason_clean NULLS FIRST
    """)
    con.execute("DROP TABLE _classify_fired")
    con.execute("DROP TABLE _classify_distinct")


def main(argv: list[str]) -> int:
    """`python -m pipeline classify "TEXT" ...`: one classify_text result per TEXT, as a JSON list."""
    registry = load_registry()
    print(json.dumps([classify_text(t, registry) for t in argv], indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
