"""Which searching agencies have a 287(g) agreement with ICE: the columns, figures, finding and table.

Each searching agency (Org Name as released, its state and federal flag from agencies.yml) is matched to
ICE's newest list in data/reference/ice-287g/ by pipeline/analyze/ice287g_match.py. This module adds the
columns to an agencies table (agencies.csv, the explorer, the corpus pages), computes the facts.json figures
(`ice_287g_*`), words the finding with its caveat, and gives the table 03 shows. A portal log names no agency:
its searches are the producer's own, so the producer's name is checked instead. A synthetic release's agency
names are invented: the check does not apply, and the figures say so instead of showing zeros.

docs/ice-287g.md says how agencies are matched and what the finding does and does not show.
"""

from __future__ import annotations

import functools
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.analyze import ice287g_list as ice_list
from pipeline.analyze.ice287g_match import AMBIGUOUS, NO_STATE, NOT_APPLICABLE, Match, Matcher
from pipeline.analyze.words import count
from pipeline.io.db import literal

COLUMNS = ["ice_287g", "ice_287g_models", "ice_287g_signed", "ice_287g_match", "ice_287g_agency"]
FINDING = "ice_287g"
NAMED = 3  # agencies named in the finding; the rest are in the table and agencies.csv
SYNTHETIC_WHY = "the agency names of a SYNTHETIC release are invented, so they are not looked up on ICE's list"


@functools.cache
def matcher() -> Matcher:
    """The matcher over the newest list, built once per process."""
    return Matcher(ice_list.current())


def _cells(m: Match) -> dict:
    return {
        "ice_287g": m.on_list,
        "ice_287g_models": "; ".join(m.models),
        "ice_287g_signed": m.signed.isoformat() if m.signed else None,
        "ice_287g_match": m.method,
        "ice_287g_agency": "; ".join(m.agencies or m.candidates),
    }


def annotate(
    df: pd.DataFrame, synthetic: bool, name: str = "org_name", state: str = "agency_state", federal="agency_federal"
) -> pd.DataFrame:
    """The table with the five ICE columns added, one match per row (each distinct name is matched once).
    ice_287g is True / False, or empty when the name could not be checked (ambiguous, no state, synthetic);
    ice_287g_agency is ICE's name as listed (for an ambiguous name, the agencies it fits)."""
    out = df.copy()
    if synthetic:
        cells = _cells(Match(NOT_APPLICABLE))
        rows = [cells] * len(out)
    else:
        m = matcher()
        rows = [_cells(m.match(n, s, bool(f))) for n, s, f in zip(out[name], out[state], out[federal])]
    extra = pd.DataFrame(rows, columns=COLUMNS, index=out.index)
    extra["ice_287g"] = extra["ice_287g"].astype("boolean")
    return pd.concat([out, extra], axis=1)


def _agencies(searches: Path) -> pd.DataFrame:
    con = duckdb.connect()
    try:
        return con.execute(f"""
            SELECT org_name, any_value(agency_state) AS agency_state, bool_or(agency_federal) AS agency_federal,
                   count(*) AS searches, count(*) FILTER (WHERE immigration) AS immigration_searches
            FROM read_parquet({literal(searches)}) WHERE org_name IS NOT NULL
            GROUP BY 1 ORDER BY immigration_searches DESC, searches DESC, org_name""").df()
    finally:
        con.close()


def figures(j, searches: Path, f: dict) -> dict:
    """The facts.json figures (`ice_287g_*`) of one jurisdiction, from its searches and the newest list."""
    ice = ice_list.current()
    out = {
        "ice_287g_list": {
            "file": ice.file,
            "date": ice.date.isoformat(),
            "sha256": ice.sha256,
            "rows": len(ice.rows),
            "agencies": len(ice.agencies),
        },
        "ice_287g_list_date": ice.date.isoformat(),
        "ice_287g_applies": not j.synthetic,
    }
    empty = dict.fromkeys(
        (
            "ice_287g_agencies",
            "ice_287g_searches",
            "ice_287g_immigration_searches",
            "ice_287g_immigration_agencies",
            "ice_287g_by_model",
            "ice_287g_not_checked",
            "ice_287g_matched",
            "ice_287g_review",
        )
    )
    if j.synthetic:
        return {**out, **empty, "ice_287g_producer": None, "ice_287g_not_applicable": SYNTHETIC_WHY}
    out["ice_287g_producer"] = _producer(j)
    if f.get("agencies") is None:  # a portal log: no agency column (the producer is checked instead)
        return {**out, **empty}
    table = annotate(_agencies(searches), synthetic=False)
    return {**out, **_counts(table)}


def _counts(t: pd.DataFrame) -> dict:
    hit = t[t["ice_287g"].fillna(False).astype(bool)]
    by_model = {}
    for model in ice_list.models():
        sub = hit.loc[
            pd.Series([model in ms.split("; ") for ms in hit["ice_287g_models"]], index=hit.index, dtype=bool)
        ]
        by_model[model] = {
            "agencies": len(sub),
            "searches": int(sub["searches"].sum()),
            "immigration_searches": int(sub["immigration_searches"].sum()),
        }
    return {
        "ice_287g_agencies": len(hit),
        "ice_287g_searches": int(hit["searches"].sum()),
        "ice_287g_immigration_searches": int(hit["immigration_searches"].sum()),
        "ice_287g_immigration_agencies": int((hit["immigration_searches"] > 0).sum()),
        "ice_287g_by_model": by_model,
        "ice_287g_not_checked": {
            "ambiguous": int((t["ice_287g_match"] == AMBIGUOUS).sum()),
            "no_state": int((t["ice_287g_match"] == NO_STATE).sum()),
        },
        "ice_287g_matched": [_agency_record(r) for r in hit.to_dict("records")],
        "ice_287g_review": [
            {"agency": r["org_name"], "agency_state": r["agency_state"], "fits": r["ice_287g_agency"].split("; ")}
            for r in t[t["ice_287g_match"] == AMBIGUOUS].to_dict("records")
        ],
    }


def _agency_record(r: dict) -> dict:
    return {
        "agency": r["org_name"],
        "agency_state": r["agency_state"],
        "ice_agency": r["ice_287g_agency"],
        "models": r["ice_287g_models"],
        "signed": r["ice_287g_signed"],
        "match": r["ice_287g_match"],
        "searches": int(r["searches"]),
        "immigration_searches": int(r["immigration_searches"]),
    }


def _producer(j) -> dict | None:
    """The producer's own name in its state: in an organization or portal log, the agency whose searches these
    are. With the county bodies ICE lists beside it (a corrections office's agreement is not the sheriff's)."""
    if not j.producer_state:
        return None
    m = matcher().match(j.producer, j.producer_state)
    out = {"name": j.producer, "state": j.producer_state, **_cells(m)}
    out["same_county"] = _same_county(j.producer_state, m) if m.on_list else []
    return out


def _same_county(state: str, m: Match) -> list[dict]:
    """Other county bodies ICE lists in the matched agency's county: separate agreements, not this agency's."""
    a = ice_list.current().agencies
    if not m.county:
        return []
    near = a[(a["state"] == state) & (a["county"].str.casefold() == m.county.casefold()) & (a["type"] == "County")]
    near = near[~near["agency"].isin(m.agencies)]
    return [{"ice_agency": r["agency"], "models": "; ".join(r["models"])} for r in near.to_dict("records")]


# --------------------------------------------------------------------------------------------------
# In words: the finding (facts.json `findings`, the 03 page and the index), and the table 03 shows


def caveat(f: dict) -> str:
    day = _day(f)
    return (
        "An agreement does not say that a search was made for ICE or under the agreement. The list changes as "
        f"agencies join and leave: this is ICE's list of {day}, not the list in force on the day of each search. "
        "Federal agencies are never on it (287(g) agreements are with state and local agencies). Agencies are "
        "matched by name within their state, by reviewed rules (the project's method notes on 287(g) say how): a "
        "name the rules do not know is not found, and "
        "a name that fits two agencies on the list is left for review."
    )


def _day(f: dict) -> str:
    return ice_list.date_words(pd.Timestamp(f["ice_287g_list_date"]).date())


def finding(f: dict) -> dict:
    """The headline finding: {id, label, value, display, caveat}."""
    label = "Searching agencies with a 287(g) agreement with ICE"
    day = _day(f)
    if not f["ice_287g_applies"]:
        display = f"Does not apply: {f['ice_287g_not_applicable']} (ICE's list of {day})"
        return {"id": FINDING, "label": label, "value": None, "display": display, "caveat": caveat(f)}
    if f["ice_287g_agencies"] is None:
        return {"id": FINDING, "label": label, "value": None, "display": _producer_words(f, day), "caveat": caveat(f)}
    n, imm_n, imm_total, total = (
        f["ice_287g_agencies"],
        f["ice_287g_immigration_agencies"],
        f["immigration_agencies"],
        f["agencies"],
    )
    if imm_total:
        parts = [
            (
                f"{imm_n:,} of the {count(imm_total, 'agency', 'agencies')} that ran immigration-related searches "
                f"{_has(imm_n)} a 287(g) agreement with ICE (ICE's list of {day})"
            ),
            f"{n:,} of all {count(total, 'searching agency', 'searching agencies')} {'does' if n == 1 else 'do'}",
        ]
    elif total == 1:
        parts = [
            (
                f"The one searching agency in this release {'has' if n else 'does not have'} a 287(g) agreement with ICE "
                f"(ICE's list of {day}), and no search gave an immigration-related reason"
            )
        ]
    else:
        parts = [
            (
                f"{n:,} of the {total:,} searching agencies {_has(n)} a 287(g) agreement with ICE (ICE's list of {day}), "
                "and no search gave an immigration-related reason"
            )
        ]
    matched = f["ice_287g_matched"]
    if 0 < len(matched) <= NAMED:
        parts.append("; ".join(_named(r) for r in matched))
    text = ". ".join(parts) + "."
    text += _same_county_words(f) + _not_checked_words(f)
    return {"id": FINDING, "label": label, "value": imm_n if imm_total else n, "display": text, "caveat": caveat(f)}


def _has(n: int) -> str:
    return "has" if n == 1 else "have"


def _named(r: dict) -> str:
    """`Okaloosa County FL SO (ICE: Okaloosa County Sheriff's Office, Task Force Model, signed ...): 7,273
    searches, 0 immigration-related`."""
    signed = pd.Timestamp(r["signed"]).date() if r.get("signed") else None
    when = f", signed {ice_list.date_words(signed)}" if signed else ""
    return (
        f"{r['agency']} (ICE: {r['ice_agency']}, {r['models']}{when}): "
        f"{count(r['searches'], 'search', 'searches')}, {r['immigration_searches']:,} immigration-related"
    )


def _producer_words(f: dict, day: str) -> str:
    p = f.get("ice_287g_producer")
    if p is None:
        return "Not measurable: the release names no agency and the producer's state is not recorded"
    who = f"{p['name']} ({p['state']}), whose own searches this log lists,"
    if p["ice_287g"]:
        signed = pd.Timestamp(p["ice_287g_signed"]).date() if p["ice_287g_signed"] else None
        when = f", signed {ice_list.date_words(signed)}" if signed else ""
        return f"{who} has a 287(g) agreement with ICE: {p['ice_287g_models']}{when} (ICE's list of {day})."
    if p["ice_287g"] is False:
        return f"{who} is not on ICE's 287(g) list of {day}."
    return f"{who} could not be checked against ICE's 287(g) list of {day} ({p['ice_287g_match']})."


def _same_county_words(f: dict) -> str:
    p = f.get("ice_287g_producer") or {}
    near = p.get("same_county") or []
    if not near:
        return ""
    listed = "; ".join(f"{r['ice_agency']} ({r['models']})" for r in near)
    return (
        f" ICE also lists, in the same county, {listed}: "
        f"{'a separate agreement' if len(near) == 1 else 'separate agreements'}, not counted for {p['name']}."
    )


def _not_checked_words(f: dict) -> str:
    nc = f["ice_287g_not_checked"] or {}
    parts = []
    if nc.get("ambiguous"):
        parts.append(f"{count(nc['ambiguous'], 'name fits', 'names fit')} two agencies on the list (left for review)")
    if nc.get("no_state"):
        parts.append(f"{count(nc['no_state'], 'name tells', 'names tell')} no state")
    return f" Not checked: {'; '.join(parts)}." if parts else ""


def table(f: dict) -> pd.DataFrame:
    """The searching agencies with an agreement: those that ran immigration-related searches first."""
    cols = ["agency", "agency_state", "models", "signed", "match", "searches", "immigration_searches"]
    rows = f.get("ice_287g_matched") or []
    return pd.DataFrame(rows, columns=["ice_agency", *cols])[cols + ["ice_agency"]]


def no_rows(f: dict) -> str:
    """What the table says when it has no row: why, in the release's own terms."""
    if not f["ice_287g_applies"]:
        return f"Not checked: {f['ice_287g_not_applicable']}."
    if f["ice_287g_agencies"] is None:
        return "The release names no searching agency (see the producer's check above)."
    return "No searching agency of this release is matched to an agency on the list."


def review(f: dict) -> pd.DataFrame:
    """Names that fit two agencies on the list: for a person to review (pipeline/rules/ice287g/matching.yml)."""
    rows = [{**r, "fits": "; ".join(r["fits"])} for r in f.get("ice_287g_review") or []]
    return pd.DataFrame(rows, columns=["agency", "agency_state", "fits"])


def page(f: dict) -> dict:
    """The 03 section's opening: the finding with its caveat, as show.findings takes it ({"findings": [...]})."""
    item = next((x for x in f.get("findings") or [] if x.get("id") == FINDING), None) or finding(f)
    return {"findings": [item]}


def list_used(f: dict) -> str:
    """Which list this run used, in one line (Markdown): its file, date, size and SHA-256."""
    lst = f["ice_287g_list"]
    return (
        f"ICE's list used: `{lst['file']}` ({_day(f)}: {lst['agencies']:,} agencies, {lst['rows']:,} agreements; "
        f"SHA-256 `{lst['sha256'][:12]}…`). A newer list from ice.gov, kept under ICE's file name in "
        "`data/reference/ice-287g/`, replaces it at the next run."
    )


def add_finding(f: dict) -> None:
    """Put the finding in facts' `findings`, after the agencies behind the immigration-related searches."""
    items = f.setdefault("findings", [])
    at = next((i + 1 for i, x in enumerate(items) if x.get("id") == "immigration_agencies"), len(items))
    items.insert(at, finding(f))
