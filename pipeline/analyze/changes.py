"""What changed since the last run: the history of published figures and the differences, in sentences.

Every run that publishes figures different from the last run's keeps them in reports/<slug>/history/
(NNNN-<time>.json: the facts exactly as published, the inputs they rest on with their SHA-256, and
whether each published claim held). reports/<slug>/changes.json compares this run with the last
entry: files added, removed or changed in place, the period, each headline figure before and after,
claims whose status changed, and sentences an editor can paste. A run with the same inputs and the
same figures says "no change since the last run" and adds nothing to the history.

Figures are never computed here: they are the dict pipeline.analyze.facts computed (what facts.json holds).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import urllib.parse
from pathlib import Path

from pipeline import project
from pipeline.io.atomic import write_json
from pipeline.claims import evaluate

# Headline figures compared run to run: (fact in facts.json, how a sentence names it).
HEADLINE = [
    ("searches", "searches"),
    ("agencies", "agencies"),
    ("immigration_searches", "immigration-related searches"),
    ("immigration_civil", "civil/administrative immigration searches"),
    ("immigration_criminal", "criminal immigration searches"),
    ("immigration_unspecified", "immigration searches of unspecified type (free text)"),
    ("immigration_agencies", "agencies with an immigration-related search"),
    ("federal_searches", "searches by federal agencies"),
    ("federal_immigration_searches", "immigration-related searches by federal agencies"),
    ("out_of_state_searches", "searches by agencies outside the producer's state"),
    ("ice_287g_agencies", "searching agencies with a 287(g) agreement with ICE"),
    ("ice_287g_immigration_searches", "immigration-related searches by agencies with a 287(g) agreement"),
]
ICE_FIGURES = ("ice_287g_agencies", "ice_287g_immigration_searches")
# Facts that say which code ran, not what the release holds: a new commit alone is no change.
NOT_A_FIGURE = ("pipeline_commit",)
SHOWN_FILES = 4


def reports_dir(j) -> Path:
    return project.reports_dir(j.root, j.slug)


def history_dir(j) -> Path:
    return reports_dir(j) / "history"


def history(folder: Path) -> list[Path]:
    """The history entries of one jurisdiction, oldest first."""
    return sorted(Path(folder).glob("[0-9][0-9][0-9][0-9]-*.json"))


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def snapshot(facts: dict, claims: list[dict], published_at: str) -> dict:
    """One history entry: the published facts, the inputs they rest on, and each claim's status."""
    return {
        "jurisdiction": facts.get("jurisdiction"),
        "synthetic": bool(facts.get("synthetic")),
        "label": "SYNTHETIC" if facts.get("synthetic") else "REAL",
        "published_at": published_at,
        "inputs": [
            {"file": s["file"], "sha256": s["sha256"], "bytes": s.get("bytes")} for s in facts.get("sources", [])
        ],
        "claims": [
            {"claim": c["claim"], "fact": c["fact"], "computed": c.get("computed"), "holds": c["holds"]} for c in claims
        ],
        "facts": facts,
    }


def _same(a: dict, b: dict) -> bool:
    def key(s):
        return (
            {k: v for k, v in s["facts"].items() if k not in NOT_A_FIGURE},
            s["inputs"],
            [(c["claim"], c["holds"]) for c in s["claims"]],
        )

    return json.loads(json.dumps(key(a), default=str)) == json.loads(json.dumps(key(b), default=str))


def record(j, facts: dict, *, now: str | None = None) -> dict:
    """Compare this run's figures with the last run's; keep them in history/ if they differ; write changes.json.

    Returns the changes (as written). Call with the dict facts.compute returned, before or after it is
    written to facts.json: the comparison is with the history, never with facts.json.
    """
    now = now or _now()
    current = snapshot(facts, evaluate(list(j.claims), facts), now)
    folder = history_dir(j)
    entries = history(folder)
    previous = json.loads(entries[-1].read_text(encoding="utf-8")) if entries else None
    if previous is not None and _same(previous, current):
        changes = compare(previous, current, status="no_change")
        changes["compared_with"]["history"] = f"history/{entries[-1].name}"
    else:
        changes = compare(previous, current, status="first_run" if previous is None else "changed")
        if previous is not None:
            changes["compared_with"]["history"] = f"history/{entries[-1].name}"
        name = f"{len(entries) + 1:04d}-{now.replace(':', '').replace('-', '')}.json"
        write_json(folder / name, current)
        changes["recorded_as"] = f"history/{name}"
    changes["run_at"] = now
    write_json(reports_dir(j) / "changes.json", changes)
    return changes


# --------------------------------------------------------------------------------------------------
# The comparison (pure: two snapshots in, the changes out)


def _n(v) -> str:
    return "not measurable in the release" if v is None else f"{v:,}" if isinstance(v, int) else str(v)


def _diff(before, after):
    return after - before if isinstance(before, int) and isinstance(after, int) else None


def _signed(d: int) -> str:
    return f"+{d:,}" if d > 0 else f"−{-d:,}"


def _move(label: str, before, after) -> str:
    """'Immigration-related searches rise from 590 to 640 (+50).' and the like."""
    cap = label[0].upper() + label[1:]
    if before is None and after is None:
        return f"{cap}: not measurable in the release."
    if before is None:
        return f"{cap}: {after:,} (not measurable at the last run)."
    if after is None:
        return f"{cap}: {before:,} at the last run, not measurable now."
    if after == before:
        return f"{cap} stay at {after:,}."
    verb = "rise" if after > before else "fall"
    return f"{cap} {verb} from {before:,} to {after:,} ({_signed(after - before)})."


def _arrow(before, after) -> str:
    d = _diff(before, after)
    return f"{_n(before)} → {_n(after)}" + (f" ({_signed(d)})" if d else "")


def _names(files: list[dict]) -> str:
    names = [f["file"].rsplit("/", 1)[-1] for f in files]
    shown = ", ".join(names[:SHOWN_FILES])
    return shown + (f" and {len(names) - SHOWN_FILES} more" if len(names) > SHOWN_FILES else "")


def _files(before: list[dict], after: list[dict]) -> dict:
    b = {f["file"]: f for f in before}
    a = {f["file"]: f for f in after}
    return {
        "added": [a[k] for k in a if k not in b],
        "removed": [b[k] for k in b if k not in a],
        "changed": [
            {"file": k, "sha256_before": b[k]["sha256"], "sha256_after": a[k]["sha256"]}
            for k in a
            if k in b and a[k]["sha256"] != b[k]["sha256"]
        ],
        "unchanged": sum(1 for k in a if k in b and a[k]["sha256"] == b[k]["sha256"]),
    }


def compare(previous: dict | None, current: dict, status: str) -> dict:
    """The changes from snapshot `previous` (None: the first run) to `current`, with their sentences."""
    f = current["facts"]
    out = {
        "jurisdiction": current["jurisdiction"],
        "synthetic": current["synthetic"],
        "label": current["label"],
        "status": status,
        "compared_with": ({"published_at": previous["published_at"], "history": None} if previous else None),
    }
    label = "[SYNTHETIC DATA] " if current["synthetic"] else ""
    if previous is None:
        out.update(
            files={"added": current["inputs"], "removed": [], "changed": [], "unchanged": 0},
            period={"before": None, "after": _period(f), "changed": True},
            figures=[
                {"fact": k, "label": lab, "before": None, "after": f.get(k), "difference": None} for k, lab in HEADLINE
            ],
            claims_changed=[],
            sentences=[
                f"{label}This is the first run recorded for this jurisdiction: there is no earlier "
                f"run to compare with. Its figures start the history ({len(current['inputs'])} "
                f"file{'s' if len(current['inputs']) != 1 else ''})."
            ],
        )
        return out
    p = previous["facts"]
    files = _files(previous["inputs"], current["inputs"])
    period = {"before": _period(p), "after": _period(f)}
    period["changed"] = period["before"] != period["after"]
    figures = [
        {"fact": k, "label": lab, "before": p.get(k), "after": f.get(k), "difference": _diff(p.get(k), f.get(k))}
        for k, lab in HEADLINE
    ]
    before_claims = {c["claim"]: c["holds"] for c in previous["claims"]}
    claims_changed = [
        {"claim": c["claim"], "before": before_claims[c["claim"]], "after": c["holds"]}
        for c in current["claims"]
        if c["claim"] in before_claims and before_claims[c["claim"]] != c["holds"]
    ]
    out.update(files=files, period=period, figures=figures, claims_changed=claims_changed)
    when = _day(previous["published_at"])
    if status == "no_change":
        n = len(current["inputs"])
        out["sentences"] = [
            f"{label}No change since the last run ({when}): the same {n} input file{'s' if n != 1 else ''} "
            "with the same SHA-256 and the same figures."
        ]
        return out
    out["sentences"] = [
        label + s for s in _sentences(files, period, {x["fact"]: x for x in figures}, claims_changed, p, f, when)
    ]
    return out


def _period(f: dict) -> dict:
    return {"first_local_date": f.get("first_local_date"), "last_local_date": f.get("last_local_date")}


def _day(iso: str | None) -> str:
    return (iso or "?").replace("T", " ").replace("Z", " UTC")


# Long (~65 lines) on purpose: one sentence per kind of change, in the order an editor reads them.
def _sentences(files, period, fig, claims_changed, p, f, when) -> list[str]:  # noqa: C901 - one branch per kind of change, read top to bottom
    out = []
    added, removed, changed = files["added"], files["removed"], files["changed"]
    if added:
        out.append(
            f"Since the last run ({when}), {len(added)} file{'s were' if len(added) != 1 else ' was'} added: "
            f"{_names(added)}."
        )
    if removed:
        out.append(
            f"{len(removed)} file{'s are' if len(removed) != 1 else ' is'} no longer in the inputs, so the "
            f"figures no longer include {'them' if len(removed) != 1 else 'it'}: {_names(removed)}."
        )
    for c in changed:
        out.append(
            f"The raw file {c['file']} changed in place since the last run (same name, other bytes: SHA-256 "
            f"{c['sha256_before'][:12]}… is now {c['sha256_after'][:12]}…)."
        )
    if not (added or removed or changed):
        figures_differ = any(p.get(k) != v for k, v in f.items() if k not in NOT_A_FIGURE)
        why = (
            "ICE's 287(g) list changed"
            if _ice_list(p) is not None and _ice_list(p) != _ice_list(f)
            else "the pipeline's code or rules changed "
            f"({str(p.get('pipeline_commit'))[:10]} → {str(f.get('pipeline_commit'))[:10]})"
            if p.get("pipeline_commit") != f.get("pipeline_commit")
            else "the jurisdiction's entry or rules changed"
        )
        out.append(
            f"The inputs are the same as at the last run ({when}); "
            + (
                f"the figures differ because {why}."
                if figures_differ
                else "the figures are the same, but the published claims listed for it changed."
            )
        )
    b, a = period["before"], period["after"]
    if period["changed"]:
        out.append(
            f"The period now runs from {a['first_local_date']} to {a['last_local_date']} (local days); "
            f"at the last run it ran from {b['first_local_date']} to {b['last_local_date']}."
        )
    else:
        out.append(f"The period is unchanged: {a['first_local_date']} to {a['last_local_date']} (local days).")
    s, ag = fig["searches"], fig["agencies"]
    lead = f"The release in {_names(added)}" if added and not (removed or changed) else "This run"
    unchanged = []
    rest = [s, ag]
    if (s["difference"] or 0) > 0:
        text = f"{lead} adds {s['difference']:,} searches ({s['before']:,} → {s['after']:,})"
        rest.remove(s)
        if (ag["difference"] or 0) > 0:
            text += f" and {ag['difference']:,} agencies ({ag['before']:,} → {ag['after']:,})"
            rest.remove(ag)
        out.append(text + ".")
    for x in rest:
        if x["before"] == x["after"]:
            unchanged.append(x)
        else:
            out.append(_move(x["label"], x["before"], x["after"]))
    imm = [
        fig[k] for k in ("immigration_searches", "immigration_civil", "immigration_criminal", "immigration_unspecified")
    ]
    if any(x["before"] != x["after"] for x in imm):
        total, civil, criminal, unspecified = imm
        out.append(
            _move(total["label"], total["before"], total["after"]).rstrip(".")
            + f": civil/administrative {_arrow(civil['before'], civil['after'])}, criminal "
            f"{_arrow(criminal['before'], criminal['after'])}, unspecified (free text) "
            f"{_arrow(unspecified['before'], unspecified['after'])}."
        )
    else:
        unchanged.append(imm[0])
    for k in ("immigration_agencies", "federal_searches", "federal_immigration_searches", "out_of_state_searches"):
        x = fig[k]
        if x["before"] == x["after"]:
            if x["after"] is not None:
                unchanged.append(x)
        else:
            out.append(_move(x["label"], x["before"], x["after"]))
    out += _ice_sentences(fig, p, f, unchanged)
    for c in claims_changed:
        out.append(
            f'The published claim "{c["claim"]}" '
            + ("now holds (it did not at the last run)." if c["after"] else "no longer holds (it did at the last run).")
        )
    if unchanged:
        out.append("Unchanged: " + "; ".join(f"{x['label']} ({_n(x['after'])})" for x in unchanged) + ".")
    return out


def _ice_list(f: dict):
    """The ICE 287(g) list a run used (its date and SHA-256), or None before the check existed."""
    lst = f.get("ice_287g_list") or {}
    return (lst.get("date"), lst.get("sha256")) if lst else None


def _ice_sentences(fig: dict, p: dict, f: dict, unchanged: list) -> list[str]:
    """A new ICE list, and the figures of agencies with an agreement that it (or the release) changed."""
    out = []
    before, after = _ice_list(p), _ice_list(f)
    if before != after and after is not None:
        was = f" (the last run used ICE's list of {before[0]})" if before else " (the last run did not check the list)"
        same_day = before is not None and before[0] == after[0]
        out.append(
            f"ICE's 287(g) list is now the one of {after[0]}{was}" + (": same date, other bytes." if same_day else ".")
        )
    for k in ICE_FIGURES:
        x = fig[k]
        if x["before"] != x["after"]:
            out.append(_move(x["label"], x["before"], x["after"]))
        elif x["after"] is not None:
            unchanged.append(x)
    return out


# --------------------------------------------------------------------------------------------------
# The index page's section


def read(folder: Path) -> dict | None:
    try:
        return json.loads((Path(folder) / "changes.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def index_section(reports_dir: Path, entries: list[dict]) -> str:
    """'What changed since the last run' for the index: each jurisdiction's sentences (empty if none has any)."""
    items = []
    for e in entries:
        slug = str(e.get("slug", ""))
        if not slug or "/" in slug or slug in (".", ".."):
            continue
        ch = read(Path(reports_dir) / slug)
        if not ch or not ch.get("sentences"):
            continue
        tag = ' <span class="label synthetic">SYNTHETIC</span>' if ch.get("synthetic") or e.get("synthetic") else ""
        sentences = ch["sentences"]
        if e.get("status_note") == "unchanged since the last run" and ch.get("status") != "no_change":
            # this run had nothing to redo, so changes.json still speaks of the run before: say so first
            sentences = [
                "No change since the last run: nothing new to read or compute. What the run before it changed:"
            ] + sentences
        lines = "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
        link = f' (<a href="{html.escape(urllib.parse.quote(slug, safe=""))}/changes.json">changes.json</a>)'
        items.append(
            f'<li class="changes"><strong>{html.escape(str(e.get("name", slug)))}</strong>{tag}{link}'
            f"<ul>{lines}</ul></li>"
        )
    if not items:
        return ""
    return (
        '<section id="changes"><h2>What changed since the last run</h2><ul class="changes">'
        + "".join(items)
        + "</ul></section>"
    )
