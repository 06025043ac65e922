"""Published claims: each story sentence beside the figure that must reproduce it.

A claim in jurisdictions.yml is data, never code: the sentence as printed, the fact it rests on, one
comparison from a fixed list, and a value (a number, a list, or another fact times a factor). Nothing
is evaluated as an expression.

    claims:
      - claim: "more than 733,000 searches"
        source: The 74
        fact: searches
        test: greater_than
        value: 733000
      - claim: "civil/administrative more than twice as often as criminal"
        fact: immigration_civil
        test: greater_than
        value: {fact: immigration_criminal, times: 2}
      - claim: "agencies in Florida, Georgia, Indiana and Tennessee"
        fact: immigration_states
        test: contains_all
        value: [FL, GA, IN, TN]
      - claim: "more than 733,000 searches in one month"
        fact: searches
        test: greater_than
        value: 733000
        window: {start: 2025-12-01, end: 2025-12-31}

A claim with a `window` (local days, both included) is checked against the figures of those days only:
facts.compute runs the same code over the searches of the window and keeps them in facts["windows"]
under window_key(window); evaluate reads them from there.
"""

from __future__ import annotations

import datetime as dt
import operator

from pipeline.errors import ConfigError

TESTS = {
    "greater_than": (operator.gt, "more than"),
    "at_least": (operator.ge, "at least"),
    "equals": (operator.eq, "exactly"),
    "at_most": (operator.le, "at most"),
    "less_than": (operator.lt, "less than"),
    "contains_all": (None, "includes all of"),
}
KEYS = {"claim", "fact", "test", "value", "source", "notes", "window"}


def _day(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def window_of(claim: dict) -> tuple[dt.date, dt.date] | None:
    """The local days a claim speaks of, (start, end), or None for the whole release."""
    w = claim.get("window")
    return None if w is None else (_day(w["start"]), _day(w["end"]))


def window_key(window: tuple[dt.date, dt.date]) -> str:
    """How facts["windows"] names a window: "2025-12-01/2025-12-31"."""
    return f"{window[0].isoformat()}/{window[1].isoformat()}"


def claim_windows(claims) -> list[tuple[dt.date, dt.date]]:
    """Each distinct window the claims name, in the order they first name it."""
    return list(dict.fromkeys(w for w in (window_of(c) for c in claims) if w is not None))


def _check_window(window, where: str) -> None:
    if not isinstance(window, dict) or set(window) != {"start", "end"}:
        raise ConfigError(f"{where}: window must be {{start: YYYY-MM-DD, end: YYYY-MM-DD}} (local days).")
    start, end = _day(window["start"]), _day(window["end"])
    for name, day in (("start", start), ("end", end)):
        if day is None:
            raise ConfigError(f"{where}: window {name} '{window[name]}' is not a date YYYY-MM-DD.")
    if start > end:
        raise ConfigError(f"{where}: window starts ({start}) after it ends ({end}).")


def check_spec(claim: dict, slug: str, index: int) -> None:
    """Called when jurisdictions.yml is loaded: a malformed claim is a config error naming it."""
    where = f"jurisdiction '{slug}', claim {index + 1}"
    if not isinstance(claim, dict):
        raise ConfigError(f"{where}: a claim is a mapping with claim, fact, test and value.")
    unknown = set(claim) - KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}.")
    missing = [k for k in ("claim", "fact", "test", "value") if k not in claim]
    if missing:
        raise ConfigError(f"{where}: missing {', '.join(missing)}.")
    if claim["test"] not in TESTS:
        raise ConfigError(f"{where}: test '{claim['test']}' is not one of {', '.join(TESTS)}.")
    value = claim["value"]
    if claim["test"] == "contains_all":
        if not isinstance(value, list):
            raise ConfigError(f"{where}: contains_all needs a list value.")
    elif isinstance(value, dict):
        if set(value) - {"fact", "times"} or "fact" not in value:
            raise ConfigError(f"{where}: a value that refers to a fact is {{fact: NAME, times: NUMBER}}.")
    elif not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ConfigError(f"{where}: value must be a number, a list, or {{fact: NAME, times: NUMBER}}.")
    if "window" in claim:
        _check_window(claim["window"], where)


def _facts_of(claim: dict, facts: dict) -> tuple[dict | None, dict | None]:
    """(the figures the claim is checked against, its window as ISO dates) — the window's own figures
    when it names one (None when they were not computed)."""
    w = window_of(claim)
    if w is None:
        return facts, None
    return (facts.get("windows") or {}).get(window_key(w)), {"start": w[0].isoformat(), "end": w[1].isoformat()}


def _number(v) -> str:
    return f"{v:,}" if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)


def evaluate(claims: list[dict], facts: dict) -> list[dict]:
    """One result per claim: the computed figure, the target, and whether the claim holds."""
    results = []
    for c in claims:
        fact, test = c["fact"], c["test"]
        scope, window = _facts_of(c, facts)
        if scope is None:
            results.append(
                {
                    "claim": c["claim"],
                    "source": c.get("source"),
                    "fact": fact,
                    "test": test,
                    "target": str(c["value"]),
                    "computed": None,
                    "holds": False,
                    "window": window,
                    "why_not": f"the figures of {window['start']} to {window['end']} were not computed",
                }
            )
            continue
        computed = scope.get(fact)
        target = c["value"]
        why = None
        if isinstance(target, dict):
            other = scope.get(target["fact"])
            times = target.get("times", 1)
            target_value = other * times if isinstance(other, (int, float)) else None
            target_text = f"{times} × {target['fact']} = {target_value}"
            if target_value is None:
                why = f"fact '{target['fact']}' is not available for this jurisdiction"
        else:
            target_value = target
            target_text = ", ".join(map(str, target)) if isinstance(target, list) else str(target)
        if fact not in scope:
            holds, why = False, f"fact '{fact}' is not computed for this jurisdiction"
        elif computed is None:
            holds, why = False, f"fact '{fact}' cannot be measured from this release"
        elif why:
            holds = False
        elif test == "contains_all":
            missing = [v for v in target_value if v not in (computed or [])]
            holds = not missing
            if missing:
                why = f"missing {', '.join(map(str, missing))}"
        else:
            holds = bool(TESTS[test][0](computed, target_value))
            if not holds:
                why = f"{_number(computed)} is not {TESTS[test][1]} {_number(target_value)}"
        results.append(
            {
                "claim": c["claim"],
                "source": c.get("source"),
                "fact": fact,
                "test": test,
                "target": target_text,
                "computed": computed,
                "holds": holds,
                "window": window,
                "why_not": None if holds else why,
            }
        )
    return results
