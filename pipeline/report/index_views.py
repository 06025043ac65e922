"""What the index page shows of each jurisdiction, from its facts.json and run state: its row of the
comparison table (figures in words, or why there is none), its claims, its links, the lede's sentences and
the caveats grouped by log kind. Pure views, no writing: report/index.py renders them into index.html.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import urllib.parse
from pathlib import Path

from pipeline.analyze.words import period_words
from pipeline.report.outputs import labels

# What a figure that is not a number says instead, never a zero (index.py re-exports both).
NOT_IN_RELEASE = "not in release"
NOT_COMPUTED = "not computed"


def caveat_groups(entries: list[dict]) -> list[dict]:
    """'What this data cannot tell you', once per log kind, from the first facts.json of that kind that has it."""
    groups: dict[str, dict] = {}
    for e in entries:
        kind = (e.get("facts") or {}).get("log_kind") or e.get("log_kind") or "unknown"
        g = groups.setdefault(
            kind,
            {"heading": labels()["log_kinds"].get(kind, f"{kind.capitalize()} logs"), "names": [], "caveats": None},
        )
        g["names"].append(str(e.get("name", e["slug"])))
        if g["caveats"] is None and (e.get("facts") or {}).get("caveats"):
            g["caveats"] = e["facts"]["caveats"]
    return list(groups.values())


def _number(value) -> str | None:
    """A count with separators ("787,900"), or None when there is no number."""
    if value is None or isinstance(value, bool) or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        return f"{int(value):,}" if float(value) == int(value) else f"{float(value):,}"
    except (TypeError, ValueError):
        return str(value)


def _figure(facts: dict | None, key: str) -> dict:
    """{"text", "missing"} for one figure: a number with separators, or why there is none (a key facts.json
    lacks is "not computed", a None is "not in release"; neither is ever a zero)."""
    if facts is None or key not in facts:
        return {"text": NOT_COMPUTED, "missing": True}
    value = facts.get(key)
    if isinstance(value, bool):
        return {"text": str(value), "missing": False}
    text = _number(value)
    if text is None:
        return {"text": NOT_IN_RELEASE, "missing": True}
    return {"text": text, "missing": False}


def _days(facts: dict | None) -> int | None:
    try:
        first = dt.date.fromisoformat(str(facts["first_local_date"]))
        last = dt.date.fromisoformat(str(facts["last_local_date"]))
    except (TypeError, KeyError, ValueError):
        return None
    return (last - first).days + 1


def _period(facts: dict | None) -> dict:
    """The release's period in words with its length ("December 1, 2025 – January 7, 2026 (38 days)")."""
    if facts is None:
        return {"text": NOT_COMPUTED, "missing": True}
    days = _days(facts)
    length = f" ({days:,} day{'s' if days != 1 else ''})" if days else ""
    if facts.get("period_words"):
        return {"text": str(facts["period_words"]) + length, "missing": False}
    first, last = facts.get("first_local_date"), facts.get("last_local_date")
    if first is None and last is None:
        return {"text": NOT_IN_RELEASE, "missing": True}
    text = f"{first if first is not None else '?'} – {last if last is not None else '?'}"
    return {"text": text + length, "missing": False}


def _share(part, whole) -> str:
    """One rounding rule for shares: whole percent, "less than 1%" for a small non-zero share."""
    if not whole:
        return ""
    pct = 100 * part / whole
    return "less than 1%" if 0 < pct < 0.5 else f"{pct:.0f}%"


def _immigration(facts: dict | None) -> dict:
    """Immigration-related searches: in all, and civil / criminal / unspecified."""
    total = _figure(facts, "immigration_searches")
    parts = []
    if not total["missing"] and facts.get("immigration_searches"):
        parts = [
            {"value": _figure(facts, k), "label": label}
            for k, label in (
                ("immigration_civil", "civil"),
                ("immigration_criminal", "criminal"),
                ("immigration_unspecified", "unspecified"),
            )
        ]
    return {"total": total, "parts": parts}


def _out_of_state(facts: dict | None, kind: str) -> dict:
    """The share of searches run by agencies from another state: only a network log has outsiders."""
    if kind != "network":
        return {"text": "does not apply: the producer's own searches", "missing": True}
    if facts is None or "out_of_state_searches" not in facts:
        return {"text": NOT_COMPUTED, "missing": True}
    part, whole = facts.get("out_of_state_searches"), facts.get("searches")
    if part is None or not whole:
        return {"text": NOT_IN_RELEASE, "missing": True}
    return {"text": f"{_share(part, whole)} ({part:,} of {whole:,} searches)", "missing": False}


def _ice_287g(facts: dict | None) -> list[dict]:
    """One line on ICE's 287(g) list for the jurisdiction's row, from the ice_287g_* figures of facts.json: the
    searching agencies with an agreement, or the producer itself where the log names no agency, or why the
    check does not apply. Nothing when facts.json has no such figure (not computed, never 0)."""
    if not facts or not facts.get("ice_287g_list_date"):
        return []
    day = dt.date.fromisoformat(str(facts["ice_287g_list_date"]))
    on_list = f"ICE's 287(g) list of {day:%B} {day.day}, {day.year}"
    if facts.get("ice_287g_applies") is False:
        text = f"{on_list}: does not apply (the agency names are invented)"
    elif facts.get("ice_287g_agencies") is not None:
        n, searches, imm = (
            facts.get(k) or 0 for k in ("ice_287g_agencies", "ice_287g_searches", "ice_287g_immigration_searches")
        )
        text = f"{on_list}: {n:,} searching {'agency has' if n == 1 else 'agencies have'} an agreement" + (
            f" ({searches:,} searches, {imm:,} immigration-related)" if n else ""
        )
    elif facts.get("ice_287g_producer"):
        p = facts["ice_287g_producer"]
        has = f"has an agreement ({p.get('ice_287g_models')})" if p.get("ice_287g") else "is not on it"
        text = f"{on_list}: the producer, {p.get('name')}, {has}"
    else:
        return []
    return [{"value": {"text": text, "missing": False}, "label": ""}]


def _claim_view(c: dict, facts: dict | None, period: dict) -> dict:
    """One claim with its status, the period it speaks of, and where that is not the whole release, the same
    figure over the whole release beside it and why the two differ."""
    w = c.get("window")
    over = period_words(w["start"], w["end"]) if w else "the whole release"
    computed = c.get("computed")
    view = {
        "claim": str(c.get("claim", "")),
        "source": str(c.get("source") or ""),
        "holds": bool(c.get("holds")),
        "why_not": str(c.get("why_not") or ""),
        "over": over,
        "computed": ", ".join(map(str, computed)) if isinstance(computed, list) else (_number(computed) or "—"),
        "whole": None,
    }
    key = c.get("fact")
    if w and facts and key in facts and _number(facts.get(key)) and not isinstance(facts.get(key), bool):
        if facts.get(key) != computed:
            view["whole"] = {
                "text": _number(facts[key]),
                "over": period["text"],
                "why": f"the claim counts {over} only, the release runs longer",
            }
    return view


def _page_links(reports_dir: Path, slug: str, linkable: bool) -> dict:
    """The jurisdiction's findings page (or the furthest page its run reached) and its files page."""
    if not linkable:
        return {"page": None, "files": None}
    base = Path(reports_dir) / slug
    q = urllib.parse.quote(slug, safe="")
    page = next(
        (
            {"href": f"{q}/{stem}.html", "label": label}
            for stem, label in PAGE_ORDER
            if (base / f"{stem}.html").is_file()
        ),
        None,
    )
    return {"page": page, "files": f"{q}/files.html" if (base / "files.html").is_file() else None}


PAGE_ORDER = (("03_analyze", "findings"), ("02_validate", "validation"), ("01_clean", "what was read"))


def entry_view(reports_dir: Path, e: dict) -> dict:
    """What the index shows of one jurisdiction: its row of the comparison table and its claims."""
    facts = e.get("facts")
    slug = str(e["slug"])
    status = str(e.get("status") or "unknown")
    v = e.get("validation") or {}
    verdict = None
    if v.get("verdict"):
        verdict = {
            "verdict": str(v["verdict"]),
            "why": str(v.get("why") or ""),
            "css": {"GREEN": "ok", "YELLOW": "stale", "RED": "red"}.get(str(v["verdict"]), "unknown"),
        }
    claims = e.get("claims") or []
    kind = (facts or {}).get("log_kind") or e.get("log_kind") or ""
    # Only a slug that is one plain path segment can be linked to.
    linkable = bool(slug) and "/" not in slug and "\\" not in slug and slug not in (".", "..")
    period = _period(facts)
    return {
        "slug": slug,
        "anchor": "j-" + re.sub(r"[^A-Za-z0-9_-]", "-", slug),
        "name": str(e.get("name", slug)),
        "producer": str(e.get("producer") or ""),
        "synthetic": bool(e.get("synthetic")),
        "log_kind": kind,
        "log_kind_words": labels()["log_kinds_short"].get(kind, kind or "unknown"),
        "has_facts": facts is not None,
        "period": period,
        "searches": _figure(facts, "searches"),
        # a 2026 portal export's dropdown reason (offenseType), in one sentence, beside the searches
        "dropdown": str((facts or {}).get("offense_type_summary") or ""),
        "agencies": _figure(facts, "agencies"),
        "immigration": _immigration(facts),
        "out_of_state": _out_of_state(facts, kind),
        "ice_287g": _ice_287g(facts),
        "verdict": verdict,
        "claims": [_claim_view(c, facts, period) for c in claims],
        "claims_held": sum(1 for c in claims if c.get("holds")),
        "status": status,
        "status_note": e.get("status_note"),
        "skipped": e.get("skipped") or [],
        "status_class": {"never run": "never"}.get(
            status, status if status in ("ok", "failed", "stale", "red") else "unknown"
        ),
        "counts": [
            {"value": _figure(facts, k), "label": label}
            for k, label in (("rows_read", "rows read"), ("duplicates", "duplicates"), ("rejected", "rejected"))
        ],
        "links": _page_links(reports_dir, slug, linkable),
    }


def lede(entries: list[dict], members: set[str] = frozenset()) -> list[dict]:
    """The index's opening sentences, from the figures: one per network log (the story: who searched a
    producer's cameras, and how often for immigration), each with its period and whether it is synthetic.
    A log that is a member of a corpus is told by its corpus's row, not here."""
    out = []
    for e in entries:
        f = e.get("facts") or {}
        if f.get("log_kind") != "network" or not f.get("searches") or e["slug"] in members:
            continue
        period = _period(f)["text"]
        s = f"{e.get('name', e['slug'])}: {f['searches']:,} searches of its cameras"
        if f.get("agencies"):
            s += f" by {f['agencies']:,} agencies"
        s += f" over {period}"
        imm = f.get("immigration_searches")
        if imm:
            s += (
                f"; {imm:,} gave an immigration-related reason ({f.get('immigration_civil', 0):,} civil, "
                f"{f.get('immigration_criminal', 0):,} criminal, {f.get('immigration_unspecified', 0):,} unspecified)"
            )
            fed = f.get("federal_immigration_searches")
            if fed:
                s += f", {fed:,} of them ({_share(fed, imm)}) by federal agencies"
        out.append({"text": s + ".", "synthetic": bool(e.get("synthetic"))})
    return out


# ------------------------------------------------------------------------------- what the index shows
