"""The headline findings in the order pages show them, each with its words and its caveat.

Pure: the figures come from `facts` (which calls `describe` last), the caveats from
pipeline/rules/caveats.yml. Nothing here counts; it words what was counted, so facts.json, the 03 page
and the index say the same thing.
"""

from __future__ import annotations

import datetime as dt
import functools


from pipeline import RULES
from pipeline.analyze.words import count, period_words, series, share
from pipeline.errors import ConfigError
from pipeline.io.rules import read_data_file

CAVEATS_PATH = RULES / "caveats.yml"
STATES_PATH = RULES / "geo" / "states.yml"
LOG_KINDS = ("network", "organization", "portal")
OTHER_REASONS = "other_reasons"  # the row of searches whose reason is in no category
FEDERAL_SHOWN = 10  # federal agencies named in the finding; the rest are counted


@functools.lru_cache(maxsize=1)
def caveats_rules() -> dict:
    """caveats.yml, checked: every log kind has its entries, each entry a title and a text."""
    doc = read_data_file(CAVEATS_PATH)
    kinds = doc.get("log_kinds") or {}
    for kind in LOG_KINDS + ("all",):
        entries = kinds.get(kind)
        if not entries or any(set(e) != {"title", "text"} for e in entries):
            raise ConfigError(f"{CAVEATS_PATH}: log_kinds.{kind} must list entries of title and text.")
    for key in ("findings", "reason_categories", OTHER_REASONS, "no_specific_purpose"):
        if not isinstance(doc.get(key), dict):
            raise ConfigError(f"{CAVEATS_PATH}: '{key}' is missing.")
    return doc


def category_labels() -> dict:
    """{category id: {label, caveat}} for every reason category and the row of other reasons."""
    doc = caveats_rules()
    return {**doc["reason_categories"], OTHER_REASONS: doc[OTHER_REASONS]}


def no_specific_purpose_categories() -> list[str]:
    """The reason categories that together mean "no specific purpose stated" (caveats.yml)."""
    return list(caveats_rules()["no_specific_purpose"]["categories"])


def caveats_for(log_kind: str) -> list[dict]:
    """ "What this data cannot tell you" for a log kind: its own entries, then those of every kind."""
    kinds = caveats_rules()["log_kinds"]
    return [dict(e) for e in kinds.get(log_kind, []) + kinds["all"]]


def _caveat(finding: str, log_kind: str, measurable: bool) -> str | None:
    """The caveat beside a finding; beside one the release cannot give, only the kind's own (why not)."""
    spec = caveats_rules()["findings"].get(finding) or {}
    own = (spec.get("by_kind") or {}).get(log_kind)
    return own if own or not measurable else spec.get("text")


@functools.lru_cache(maxsize=1)
def state_names() -> dict:
    rows = read_data_file(STATES_PATH)["states"]
    return {r["code"]: r["name"] for r in rows}


def describe(f: dict, producer_state: str | None) -> dict:
    """period_words, findings and caveats for facts.json, from the figures of `facts.compute`.

    Each finding carries its period ("period": the days it counts, with how many) and, where a published
    claim speaks of another window, the same figure over that window and why the two differ ("windows").
    A log of the producer's own searches (organization or portal) says the agency findings do not apply:
    one agency, the producer, is not a network of searchers, and "0 of 1 agency (0%)" would read as one."""
    kind = f["log_kind"]
    items = [
        _searches(f),
        _agencies(f),
        _out_of_state(f, producer_state),
        _immigration(f),
        _immigration_agencies(f),
        _federal(f),
        _no_purpose(f),
        _searchers(f),
    ]
    if own_searches_only(f):
        items = [_not_applicable(item, f) if item["id"] in AGENCY_FINDINGS else item for item in items]
    period = period_of(f)
    return {
        "period_words": period_words(f["first_local_date"], f["last_local_date"]),
        "findings": [
            {
                **item,
                "caveat": _caveat(item["id"], kind, item["display"] not in (NOT_IN_RELEASE, NOT_APPLICABLE)),
                "period": period if item["display"] not in (NOT_IN_RELEASE, NOT_APPLICABLE) else None,
                "windows": _windows(item["id"], f),
            }
            for item in items
        ],
        "caveats": caveats_for(kind),
    }


# The findings about who searched: they apply to a network audit, where many agencies search one producer's
# cameras, not to a log of the producer's own searches.
AGENCY_FINDINGS = ("agencies", "out_of_state_agencies", "immigration_agencies", "federal_agencies")
NOT_APPLICABLE = "Does not apply: this log lists only the producer's own searches"


def own_searches_only(f: dict) -> bool:
    """True for a log of the producer's own searches (organization audit or portal export) that names at most
    one agency: the producer. Its page does not ask who searched these cameras."""
    return f["log_kind"] in ("organization", "portal") and (f.get("agencies") or 0) <= 1


def _not_applicable(item: dict, f: dict) -> dict:
    if item["display"] == NOT_IN_RELEASE:
        return item
    return {**item, "value": None, "display": NOT_APPLICABLE}


def period_of(f: dict) -> str | None:
    """ "December 1, 2025 – January 7, 2026 (38 days)": the local days every headline figure counts."""
    words = period_words(f["first_local_date"], f["last_local_date"])
    if words is None:
        return None
    days = (_date(f["last_local_date"]) - _date(f["first_local_date"])).days + 1
    return f"{words} ({count(days, 'day')})"


def _date(value) -> dt.date:
    return dt.date.fromisoformat(str(value)[:10])


# The finding -> the figure of a claim window that matches it (facts["windows"][key][figure]).
WINDOW_FIGURES = {
    "searches": ("searches", "search", "searches"),
    "agencies": ("agencies", "agency", "agencies"),
    "immigration_searches": ("immigration_searches", "search", "searches"),
    "immigration_agencies": ("immigration_agencies", "agency", "agencies"),
}


def _windows(finding: str, f: dict) -> list[str]:
    """The figure over each window a published claim speaks of, when that window is not the whole release:
    "December 1, 2025 – December 31, 2025, the window of the published claims: 735,900 searches. The whole
    release is larger: it runs 7 more days, to January 7, 2026." """
    spec = WINDOW_FIGURES.get(finding)
    if spec is None:
        return []
    key, one, many = spec
    out = []
    for w in (f.get("windows") or {}).values():
        start, end = w["window"]["start"], w["window"]["end"]
        if (start, end) == (f["first_local_date"], f["last_local_date"]) or w.get(key) is None:
            continue
        same = w[key] == f.get(key)
        out.append(
            f"{period_words(start, end)}, the period of the published claims: {count(w[key], one, many)}"
            + (", the same as over the whole release." if same else ". " + _why(f, start, end))
        )
    return out


def _why(f: dict, start: str, end: str) -> str:
    """Why the whole release's figure differs from a window's: the days the release has beyond it."""
    before = (_date(start) - _date(f["first_local_date"])).days
    after = (_date(f["last_local_date"]) - _date(end)).days
    parts = []
    if before > 0:
        first = period_words(f["first_local_date"], f["first_local_date"])
        parts.append(f"starts {count(before, 'day')} earlier, on {first}")
    if after > 0:
        last = period_words(f["last_local_date"], f["last_local_date"])
        parts.append(f"ends {count(after, 'day')} later, on {last}")
    if not parts:
        return "The release covers fewer days than that period."
    return "The figure above counts the whole release, which " + series(parts) + "."


NOT_IN_RELEASE = "Not in this release (it has no agency column)"


def _item(id_: str, label: str, value, display: str) -> dict:
    return {"id": id_, "label": label, "value": value, "display": display}


def _possessive(name: str) -> str:
    return name + ("'" if name.endswith("s") else "'s")


def _searches(f: dict) -> dict:
    who = _possessive(f["producer"])
    label = {
        "network": f"Searches of {who} cameras",
        "organization": f"Searches run by {who} users",
        "portal": f"Searches by {who} officers",
    }.get(f["log_kind"], "Searches")
    return _item("searches", label, f["searches"], count(f["searches"], "search", "searches"))


def _agencies(f: dict) -> dict:
    n = f["agencies"]
    return _item(
        "agencies", "Agencies that searched", n, NOT_IN_RELEASE if n is None else count(n, "agency", "agencies")
    )


def _out_of_state(f: dict, producer_state: str | None) -> dict:
    n, total = f["out_of_state_agencies"], f["agencies"]
    where = state_names().get(producer_state or "", producer_state or "the producer's state")
    label = f"Agencies from outside {where}"
    if total is None:
        return _item("out_of_state_agencies", label, None, NOT_IN_RELEASE)
    if n is None:
        return _item("out_of_state_agencies", label, None, "Not measurable: the producer's state is not recorded")
    return _item(
        "out_of_state_agencies", label, n, f"{n:,} of {count(total, 'agency', 'agencies')} ({share(n, total)})"
    )


def _immigration(f: dict) -> dict:
    n, total = f["immigration_searches"], f["searches"]
    label = "Searches with an immigration-related reason"
    if not n:
        return _item("immigration_searches", label, n, f"None of the {count(total, 'search', 'searches')}")
    parts = [
        f"{f['immigration_civil']:,} civil/administrative ({share(f['immigration_civil'], n)})",
        f"{f['immigration_criminal']:,} criminal ({share(f['immigration_criminal'], n)})",
        f"{f['immigration_unspecified']:,} unspecified, in free text ({share(f['immigration_unspecified'], n)})",
    ]
    return _item(
        "immigration_searches",
        label,
        n,
        f"{n:,} of {count(total, 'search', 'searches')} ({share(n, total)}): {series(parts)}",
    )


def _immigration_agencies(f: dict) -> dict:
    n, states = f["immigration_agencies"], f["immigration_states"]
    label = "Agencies behind them, and their states"
    if n is None:
        return _item("immigration_agencies", label, None, NOT_IN_RELEASE)
    if not f["immigration_searches"]:
        return _item("immigration_agencies", label, 0, "None")
    names = [state_names().get(s, s) for s in states]
    where = f" in {count(len(names), 'state')}: {series(names)}" if names else " (no state in their names)"
    imm, unknown = f["immigration_searches"], f.get("immigration_state_not_identified") or 0
    if names and 2 * unknown > imm:  # most came from agencies with no state: that leads, not the states
        return _item(
            "immigration_agencies",
            label,
            n,
            f"{count(n, 'agency', 'agencies')}; those with no identified state (federal agencies, most often) ran "
            f"{unknown:,} of the {imm:,} ({share(unknown, imm)}); the others are{where}",
        )
    return _item("immigration_agencies", label, n, count(n, "agency", "agencies") + where)


def _federal(f: dict) -> dict:
    agencies = f["federal_agencies"]
    label = "Federal agencies, by name"
    if agencies is None:
        return _item("federal_agencies", label, None, NOT_IN_RELEASE)
    if not agencies:
        return _item("federal_agencies", label, 0, "No federal agency searched")
    shown = [
        f"{a['agency']}: {count(a['searches'], 'search', 'searches')}"
        + (f" ({a['immigration_searches']:,} immigration-related)" if a["immigration_searches"] else "")
        for a in agencies[:FEDERAL_SHOWN]
    ]
    rest = agencies[FEDERAL_SHOWN:]
    if rest:
        shown.append(
            f"{count(len(rest), 'other federal agency', 'other federal agencies')}: "
            f"{count(sum(a['searches'] for a in rest), 'search', 'searches')}"
        )
    return _item("federal_agencies", label, f["federal_searches"], "; ".join(shown))


def _no_purpose(f: dict) -> dict:
    n, total = f["no_specific_purpose_searches"], f["searches"]
    return _item(
        "no_specific_purpose",
        "Searches whose reason states no specific purpose",
        n,
        f"{n:,} of {count(total, 'search', 'searches')} ({share(n, total)})" if total else "No search",
    )


def _searchers(f: dict) -> dict:
    """Unmasked names or ids, said for what they are: not the number of people who searched."""
    n, on, total = f["searchers"], f["searches_searcher_present"], f["searches"]
    hidden = [
        f"{f['searches_searcher_masked']:,} masked" if f["searches_searcher_masked"] else "",
        f"{f['searches_searcher_blank']:,} blank" if f["searches_searcher_blank"] else "",
        (
            f"{f['searches_searcher_not_exported']:,} from files without that column"
            if f["searches_searcher_not_exported"]
            else ""
        ),
    ]
    hidden_text = series([h for h in hidden if h])
    label = "Searcher names or ids left unmasked"
    if not n:
        value = 0 if f["searches_searcher_masked"] or f["searches_searcher_blank"] else None
        return _item("searchers_unmasked", label, value, f"None: {hidden_text or 'the release has no searcher column'}")
    display = (
        f"{count(n, 'distinct name or id', 'distinct names or ids')}, on {on:,} of "
        f"{count(total, 'search', 'searches')} ({share(on, total)})"
    )
    return _item("searchers_unmasked", label, n, display + (f"; the others: {hidden_text}" if hidden_text else ""))
