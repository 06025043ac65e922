"""Match a searching agency's Flock `Org Name` to an agency on ICE's 287(g) list, within its state only.

The rules are pipeline/rules/ice287g/matching.yml (reviewed data, with examples that must and must not
match). In order: a federal agency is never matched; a name whose state agencies.yml cannot read is not
matched; then `exact` (equal ignoring case, spacing and apostrophes), `alias` (a reviewed entry), and
`normalised` (equal after the USPS code is taken out and SO / PD / constable precincts are written one way).
A name that fits two ICE agencies of its state is `ambiguous`: listed for review, never guessed. Nothing is
fuzzy. Every result says how it was made.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from pipeline.analyze.ice287g_list import IceList, clean_cell, rules
from pipeline.errors import RulesError

# How a name was matched, or why it was not (ice_287g_match in agencies.csv).
EXACT, ALIAS, NORMALISED = "exact", "alias", "normalised"
NONE, AMBIGUOUS, FEDERAL, NO_STATE, NOT_APPLICABLE = "none", "ambiguous", "federal", "no_state", "not_applicable"
MATCHED = (EXACT, ALIAS, NORMALISED)


@dataclass(frozen=True)
class Match:
    """What the list says of one searching agency."""

    method: str
    agencies: tuple[str, ...] = ()  # ICE's name(s) as listed (one, or those of a reviewed alias)
    models: tuple[str, ...] = ()  # ICE's wording, in the order of matching.yml
    signed: dt.date | None = None  # the earliest signed date
    county: str = ""  # ICE's COUNTY cell (a hint, not checked)
    candidates: tuple[str, ...] = field(default=())  # the ICE agencies an ambiguous name fits

    @property
    def on_list(self) -> bool | None:
        """True / False; None when the name could not be checked (ambiguous, no state, synthetic)."""
        if self.method in MATCHED:
            return True
        return False if self.method in (NONE, FEDERAL) else None


def _words_rx(words) -> re.Pattern:
    return re.compile(r"(?<![A-Za-z0-9])(" + "|".join(re.escape(w) for w in words) + r")(?![A-Za-z0-9])")


class Normaliser:
    """The normalised key of a name (matching.yml `normalise`), the same for Flock's and ICE's names."""

    def __init__(self, spec: dict):
        try:
            self.abbreviations = {str(k): str(v) for k, v in spec["abbreviations"].items()}
            phrases = {str(k): str(v) for k, v in spec["phrases"].items()}
        except (KeyError, AttributeError, TypeError):
            raise RulesError("ice287g/matching.yml: `normalise` needs `abbreviations` and `phrases`.") from None
        self.abbr_rx = _words_rx(self.abbreviations)
        # longest first, so `sheriffs office` is replaced before `sheriffs` alone
        self.phrases = sorted(((k.split(), v.split()) for k, v in phrases.items()), key=lambda p: -len(p[0]))

    def key(self, name: str, state: str = "") -> str:
        text = clean_cell(name)
        if state:  # Flock writes the agency's USPS code inside the name: `Victoria County TX SO`, `... (TX)`
            text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(state)}(?![A-Za-z0-9])", " ", text)
        text = self.abbr_rx.sub(lambda m: f" {self.abbreviations[m.group(1)]} ", text)
        text = text.lower().replace("'", "")
        text = re.sub(r"[^a-z0-9]+", " ", text)
        text = re.sub(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])", " ", text)
        words = [w.lstrip("0") or "0" if w.isdigit() else w for w in text.split()]
        return " ".join(self._phrases(words))

    def _phrases(self, words: list[str]) -> list[str]:
        out, i = [], 0
        while i < len(words):
            for src, dst in self.phrases:
                if words[i : i + len(src)] == src:
                    out += dst
                    i += len(src)
                    break
            else:
                out.append(words[i])
                i += 1
        return out


def exact_key(name: str) -> str:
    return clean_cell(name).casefold()


class Matcher:
    """The list indexed by state: exact names, normalised keys, and the reviewed aliases."""

    def __init__(self, ice: IceList, spec: dict | None = None):
        spec = spec or rules()
        self.list = ice
        self.norm = Normaliser(spec.get("normalise") or {})
        self.by_exact: dict[tuple[str, str], dict] = {}
        self.by_key: dict[tuple[str, str], list[dict]] = {}
        for a in ice.agencies.to_dict("records"):
            self.by_exact[(a["state"], exact_key(a["agency"]))] = a
            self.by_key.setdefault((a["state"], self.norm.key(a["agency"], a["state"])), []).append(a)
        self.aliases = _aliases(spec.get("aliases") or [])

    def match(self, name: str | None, state: str | None, federal: bool = False) -> Match:
        """What the list says of one searching agency (its name as released, its state from agencies.yml)."""
        if federal:
            return Match(FEDERAL)
        if not isinstance(name, str) or not clean_cell(name):
            return Match(NO_STATE)
        state = state if isinstance(state, str) else ""  # a table's missing cell may be None or NaN
        alias = self.aliases.get(exact_key(name))
        if alias is not None and state in ("", alias["state"]):
            return self._alias(alias)
        if not state:
            return Match(NO_STATE)
        hit = self.by_exact.get((state, exact_key(name)))
        if hit is not None:
            return _found(EXACT, [hit])
        found = self.by_key.get((state, self.norm.key(name, state)), [])
        if len(found) > 1:
            return Match(AMBIGUOUS, candidates=tuple(a["agency"] for a in found))
        return _found(NORMALISED, found) if found else Match(NONE)

    def _alias(self, alias: dict) -> Match:
        found = [self.by_exact.get((alias["state"], exact_key(n))) for n in alias["ice"]]
        found = [a for a in found if a is not None]
        return _found(ALIAS, found) if found else Match(NONE)  # the agency left the list: not on it now


def _found(method: str, agencies: list[dict]) -> Match:
    order = {m: i for i, m in enumerate(rules()["models"])}
    models = sorted({m for a in agencies for m in a["models"]}, key=order.__getitem__)
    signed = [a["signed"] for a in agencies if a["signed"] is not None]
    return Match(
        method,
        agencies=tuple(a["agency"] for a in agencies),
        models=tuple(models),
        signed=min(signed) if signed else None,
        county=next((a["county"] for a in agencies if a["county"]), ""),
    )


def _aliases(entries: list) -> dict[str, dict]:
    """{exact key of the Flock name: {state, ice: [names]}}, checked: each entry says why."""
    out = {}
    for k, e in enumerate(entries, start=1):
        where = f"ice287g/matching.yml, alias {k}"
        if not isinstance(e, dict) or not e.get("flock") or not e.get("state") or not e.get("ice") or not e.get("why"):
            raise RulesError(f"{where}: an alias is {{flock, state, ice, why}}.")
        key = exact_key(e["flock"])
        if key in out:
            raise RulesError(f"{where}: {e['flock']!r} is listed twice.")
        ice = e["ice"] if isinstance(e["ice"], list) else [e["ice"]]
        out[key] = {"state": str(e["state"]), "ice": [str(n) for n in ice]}
    return out
