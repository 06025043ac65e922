"""Agencies: read a searching agency's `Org Name` into its state, its type and Flock's tags.

Every rule lives in ``pipeline/rules/agencies.yml`` (reviewed data, with the reason for each rule);
this module only applies them, in the order written there:

* tags: ``[Federal]`` and ``[Inactive]`` are detected and removed; administrative notes (``(DNU)``) removed;
* overrides: a short table of names the rules cannot settle (``MOCIC``, ``NCRIC``, ``Midwest HIDTA``);
* state: ``(ST)`` -> ``ST -`` / ``- ST`` -> the code right before (or, at the very end, right after) an
  agency-type suffix -> a full state name in a state-body form -> ``""``. A state is never guessed;
* type: the first type rule that matches, else ``unknown``.

``identify(name)`` reads one name; ``identify_many(names)`` gives one row per distinct name as a DataFrame
(join it to the searches on ``org_name``).
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline import RULES
from pipeline.io.rules import read_data_file

RULES_PATH = RULES / "agencies.yml"
COLUMNS = [
    "org_name",
    "agency_state",
    "agency_type",
    "agency_federal",
    "agency_federal_tag",
    "agency_inactive",
    "agency_rule",
]

_TRANSLATE = str.maketrans(
    {**{d: "-" for d in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"}, **{a: "'" for a in "\u2018\u2019\u02bc\u2032`"}}
)
_WORDS = re.compile(r"[A-Za-z0-9]+")  # a word: a run of letters and digits
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_WORD_EDGE = ("(?<![A-Za-z0-9])(?:", ")(?![A-Za-z0-9])")


# --------------------------------------------------------------------------------------------------
# Loading and compiling the rules
# --------------------------------------------------------------------------------------------------
@functools.cache
def load_rules(path=RULES_PATH) -> dict:
    """The rules file as a dict (cached per path), checked and with its patterns compiled under
    ``"_compiled"``. Raises ValueError naming the file and the entry when the file is wrong."""
    path = Path(path)
    doc = read_data_file(path, error=ValueError)
    doc["_compiled"] = _compile(doc, str(path))
    return doc


@dataclass
class _StateRule:
    id: str
    patterns: list[re.Pattern]
    lower: bool  # patterns are lower-cased and matched against the lower-cased name
    requires: re.Pattern | None = None
    reject: dict[str, re.Pattern] = field(default_factory=dict)
    not_if: list[re.Pattern] = field(default_factory=list)


@dataclass
class _TypeRule:
    id: str
    type: str
    tag: str | None
    acronyms: frozenset[str]  # whole words, as written
    acronym_rx: re.Pattern | None  # a whole word must match this (acronym entries that are patterns)
    regexes: list[re.Pattern]  # matched against the name as written
    lower_regexes: list[re.Pattern]  # matched against the lower-cased name (`words`)
    unless: list[re.Pattern]
    marks_federal: bool


@dataclass
class _Compiled:
    codes: frozenset[str]
    name_to_code: dict[str, str]
    tags: dict[str, re.Pattern]
    ignore: list[re.Pattern]
    state_rules: list[_StateRule]
    type_rules: list[_TypeRule]
    overrides: dict[str, dict]
    types: frozenset[str]
    federal_after: list[bool] = field(default_factory=list)  # a marks_federal rule comes after rule i
    acronym_index: dict[str, tuple[int, ...]] = field(default_factory=dict)  # plain acronym -> rule indexes


def _compiled(rules: dict | None) -> _Compiled:
    if rules is None:
        rules = load_rules()
    c = rules.get("_compiled")
    if c is None:  # a rules dict built by hand (tests): compile once and keep it with the dict
        c = rules["_compiled"] = _compile(rules, "<rules dict>")
    return c


class _Compiler:
    """What compiling one rules file needs at every step: its states and types, the placeholder lists,
    and a message that names the file."""

    def __init__(self, doc: dict, where: str):
        self.where = where
        for key in ("states", "types", "tags", "state_rules", "type_rules"):
            if key not in doc:
                self.fail(f"missing section {key!r}")
        self.states = {str(k): str(v) for k, v in doc["states"].items()}
        for code in self.states:
            if not re.fullmatch(r"[A-Z]{2}", code):
                self.fail(f"state code {code!r} is not two upper-case letters")
        self.types = frozenset(doc["types"])
        names = sorted(self.states.values(), key=lambda s: (-len(s), s))
        self.lists = {
            "state_code": "|".join(sorted(self.states)),
            "state_name": "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names),
            "suffix": "|".join(f"(?:{s})" for s in doc.get("type_suffixes") or []),
            "state_body": "|".join(f"(?:{s})" for s in doc.get("state_bodies") or []),
        }
        self.seen: set[str] = set()  # rule ids, unique across state and type rules

    def fail(self, msg: str):
        raise ValueError(f"{self.where}: {msg}")

    def rx(self, pattern: str, what: str, lower: bool = False) -> re.Pattern:
        expanded = _PLACEHOLDER.sub(lambda m: self.lists.get(m.group(1), m.group(0)), str(pattern))
        if lower:
            expanded = _lower_pattern(expanded)
        try:
            return re.compile(expanded)
        except re.error as e:
            self.fail(f"{what}: bad regular expression {pattern!r} ({e})")

    def unique_id(self, r: dict, kind: str) -> str:
        rid = r.get("id")
        if not rid or rid in self.seen:
            self.fail(f"{kind} rule without a unique id: {r!r}")
        self.seen.add(rid)
        return rid

    def state_rule(self, r: dict) -> _StateRule:
        rid = self.unique_id(r, "state")
        lower = bool(r.get("ignore_case"))
        pats = [self.rx(p, f"state rule {rid}", lower) for p in r.get("patterns") or []]
        for p in pats:
            if not ({"code", "name"} & set(p.groupindex)):
                self.fail(f"state rule {rid}: pattern {p.pattern[:60]!r} captures neither `code` nor `name`")
            if lower and "code" in p.groupindex:
                self.fail(f"state rule {rid}: an ignore_case rule must not capture a `code`")
        reject = {}
        for code, p in (r.get("reject") or {}).items():
            if code not in self.states:
                self.fail(f"state rule {rid}: reject of unknown code {code!r}")
            reject[code] = self.rx(p, f"state rule {rid} reject {code}")
        requires = self.rx(r["requires"], f"state rule {rid} requires") if r.get("requires") else None
        return _StateRule(
            rid,
            pats,
            lower,
            requires,
            reject,
            [self.rx(p, f"state rule {rid} not_if", lower) for p in r.get("not_if") or []],
        )

    def type_rule(self, r: dict, tags: dict) -> _TypeRule:
        rid, typ = self.unique_id(r, "type"), r.get("type")
        if typ not in self.types:
            self.fail(f"type rule {rid}: type {typ!r} is not one of `types`")
        acr = [str(a) for a in r.get("acronyms") or []]
        plain = frozenset(a for a in acr if _WORDS.fullmatch(a))
        acr_rx = [a for a in acr if a not in plain]
        acronym_rx = self.rx("|".join(f"(?:{a})" for a in acr_rx), f"type rule {rid} acronyms") if acr_rx else None
        regexes = [self.rx(p, f"type rule {rid}") for p in r.get("patterns") or []]
        lower_regexes = []
        if r.get("words"):
            lower_regexes.append(
                self.rx(
                    _WORD_EDGE[0] + "|".join(f"(?:{w})" for w in r["words"]) + _WORD_EDGE[1],
                    f"type rule {rid} words",
                    lower=True,
                )
            )
        tag = r.get("tag")
        if tag is not None and tag not in tags:
            self.fail(f"type rule {rid}: unknown tag {tag!r}")
        if not (plain or acr_rx or regexes or lower_regexes or tag):
            self.fail(f"type rule {rid} has nothing to match")
        return _TypeRule(
            rid,
            typ,
            tag,
            plain,
            acronym_rx,
            regexes,
            lower_regexes,
            [self.rx(p, f"type rule {rid} unless") for p in r.get("unless") or []],
            bool(r.get("marks_federal")),
        )

    def overrides(self, doc: dict, tags: dict, ignore: list) -> dict:
        overrides = {}
        for o in doc.get("overrides") or []:
            oid, name = o.get("id"), o.get("name")
            if not oid or not name or not str(o.get("why") or "").strip():
                self.fail(f"override needs id, name and why: {o!r}")
            if "state" in o and o["state"] not in ("", *self.states):
                self.fail(f'override {oid}: state {o["state"]!r} is not a code under `states` or ""')
            if "type" in o and o["type"] not in self.types:
                self.fail(f"override {oid}: type {o['type']!r} is not one of `types`")
            key = _key(_clean(str(name), tags, ignore)[0])
            if key in overrides:
                self.fail(f"override {oid}: name {name!r} is listed twice")
            overrides[key] = o
        return overrides


def _compile(doc: dict, where: str) -> _Compiled:
    c = _Compiler(doc, where)
    tags = {k: c.rx(v, f"tags.{k}") for k, v in doc["tags"].items()}
    for k in ("federal", "inactive"):
        if k not in tags:
            c.fail(f"tags.{k} is missing")
    ignore = [c.rx(p, "ignore") for p in doc.get("ignore") or []]
    state_rules = [c.state_rule(r) for r in doc["state_rules"]]
    type_rules = [c.type_rule(r, tags) for r in doc["type_rules"]]
    overrides = c.overrides(doc, tags, ignore)
    federal_after = [any(r.marks_federal for r in type_rules[i + 1 :]) for i in range(len(type_rules))]
    acronym_index: dict[str, tuple[int, ...]] = {}
    for i, r in enumerate(type_rules):
        for a in r.acronyms:
            acronym_index[a] = acronym_index.get(a, ()) + (i,)
    return _Compiled(
        frozenset(c.states),
        {n.casefold(): code for code, n in c.states.items()},
        tags,
        ignore,
        state_rules,
        type_rules,
        overrides,
        c.types,
        federal_after,
        acronym_index,
    )


# --------------------------------------------------------------------------------------------------
# Reading one name
# --------------------------------------------------------------------------------------------------
def _lower_pattern(pattern: str) -> str:
    """Lower-case the letters of a regular expression, leaving escapes (\\S, \\D, \\B ...) as written."""
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "\\":
            out.append(pattern[i : i + 2])
            i += 2
        elif pattern.startswith("(?P", i):  # (?P<name> and (?P=name) keep their spelling
            j = pattern.index(">" if pattern.startswith("(?P<", i) else ")", i)
            out.append(pattern[i : j + 1])
            i = j + 1
        else:
            out.append(pattern[i].lower())
            i += 1
    return "".join(out)


def _normalise(text: str) -> str:
    return " ".join(text.translate(_TRANSLATE).split())


def _clean(text: str, tags: dict[str, re.Pattern], ignore: list[re.Pattern]) -> tuple[str, dict[str, bool]]:
    """(name without tags and notes, {tag: present})."""
    text = _normalise(text)
    found = {}
    for k, p in tags.items():
        found[k] = bool(p.search(text))
        if found[k]:
            text = p.sub(" ", text)
    for p in ignore:
        text = p.sub(" ", text)
    return " ".join(text.split()), found


def _key(name: str) -> str:
    return name.casefold()


def _missing(x) -> bool:
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    return isinstance(x, float) and math.isnan(x)


def _state(name: str, lower: str, c: _Compiled) -> tuple[str, str]:
    """(state or "", id of the rule that set it | "ambiguous:<rule>" | "none")."""
    for rule in c.state_rules:
        if rule.requires is not None and rule.requires.search(name) is None:
            continue
        text = lower if rule.lower else name
        skip = False
        for p in rule.not_if:
            if p.search(text) is not None:
                skip = True
                break
        if skip:
            continue
        found: list[str] = []
        for p in rule.patterns:
            if p.search(text) is None:
                continue
            for m in p.finditer(text):
                g = m.groupdict()
                code = g.get("code") or c.name_to_code.get(" ".join((g.get("name") or "").split()).casefold(), "")
                if code not in c.codes:
                    continue
                if code in rule.reject and rule.reject[code].search(name):
                    continue
                if code not in found:
                    found.append(code)
        if len(found) == 1:
            return found[0], rule.id
        if len(found) > 1:
            return "", f"ambiguous:{rule.id}"
    return "", "none"


def _type(name: str, lower: str, tags: dict[str, bool], c: _Compiled) -> tuple[str, str, bool]:  # noqa: C901 - the type rules' kinds (words, acronyms, requires, not_if) in the file's order
    """(type, rule id, federal): the first type rule that matches; federal = any `marks_federal` rule
    matches (evaluated even when an earlier rule set the type)."""
    words = _WORDS.findall(name)
    acronym_hits: set[int] = set()
    for w in words:
        hits = c.acronym_index.get(w)
        if hits:
            acronym_hits.update(hits)
    typ, rid, federal = "unknown", "none", False
    for i, rule in enumerate(c.type_rules):
        decided = rid != "none"
        if decided and not rule.marks_federal:
            if not c.federal_after[i]:
                break
            continue
        if rule.tag is not None:
            hit = tags.get(rule.tag, False)
        else:
            hit = i in acronym_hits
            if not hit and rule.acronym_rx is not None:
                hit = any(rule.acronym_rx.fullmatch(w) is not None for w in words)
            if not hit:
                for p in rule.regexes:
                    if p.search(name) is not None:
                        hit = True
                        break
            if not hit:
                for p in rule.lower_regexes:
                    if p.search(lower) is not None:
                        hit = True
                        break
            if hit and rule.unless:
                hit = not any(p.search(name) is not None for p in rule.unless)
        if hit:
            federal = federal or rule.marks_federal
            if not decided:
                typ, rid = rule.type, rule.id
            if federal or not c.federal_after[i]:
                break
    return typ, rid, federal


def identify(org_name: str | None, rules: dict | None = None) -> dict:
    """Read one `Org Name`. Returns {org_name, agency_state ("TX" or ""), agency_type, agency_federal
    (Flock's [Federal] tag or a federal agency named), agency_federal_tag, agency_inactive,
    agency_rule ("<state rule or override>/<type rule or override>")}. A missing or blank name gives
    state "" and type "unknown"."""
    c = _compiled(rules)
    if _missing(org_name):
        return {
            "org_name": None,
            "agency_state": "",
            "agency_type": "unknown",
            "agency_federal": False,
            "agency_federal_tag": False,
            "agency_inactive": False,
            "agency_rule": "blank/blank",
        }
    name, tags = _clean(str(org_name), c.tags, c.ignore)
    if not name and not any(tags.values()):
        state, srule, typ, trule, federal = "", "blank", "unknown", "blank", False
    else:
        lower = name.lower()
        state, srule = _state(name, lower, c)
        typ, trule, federal = _type(name, lower, tags, c)
        o = c.overrides.get(_key(name))
        if o is not None:
            if "state" in o:
                state, srule = o["state"], f"override:{o['id']}"
            if "type" in o:
                typ, trule = o["type"], f"override:{o['id']}"
    return {
        "org_name": org_name,
        "agency_state": state,
        "agency_type": typ,
        "agency_federal": bool(federal or tags["federal"] or typ == "federal"),
        "agency_federal_tag": tags["federal"],
        "agency_inactive": tags["inactive"],
        "agency_rule": f"{srule}/{trule}",
    }


def identify_many(names, rules: dict | None = None) -> pd.DataFrame:
    """One row per distinct name (first-seen order; missing values become one row with org_name None),
    with the columns identify() returns."""
    c_rules = rules if rules is not None else load_rules()
    rows, seen = [], set()
    for n in names:
        n = None if _missing(n) else n
        if n in seen:
            continue
        seen.add(n)
        rows.append(identify(n, c_rules))
    df = pd.DataFrame(rows, columns=COLUMNS)
    for col in ("agency_federal", "agency_federal_tag", "agency_inactive"):
        df[col] = df[col].astype(bool)
    return df


__all__ = ["RULES_PATH", "COLUMNS", "load_rules", "identify", "identify_many"]
