"""The verdict: GREEN / YELLOW / RED and one sentence naming the worst problem and where to look."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pipeline.validate.suites import LAYOUT_REJECTS


def _count(n) -> str:
    return f"{n:,}" if isinstance(n, int) else "some"


def describe(o: dict) -> str:
    """A failed expectation in plain English, from its meta.problem ({n}, {pct}, {column}, {values}, [one|many])."""
    if o.get("exception") and o.get("unexpected_count") is None:
        return f"the check {o['expectation']} on {o.get('column') or 'the table'} could not run ({o['exception']})"
    pct = o.get("unexpected_percent")
    n = o.get("unexpected_count")
    text = o.get("problem") or f"{{n}} [row|rows] failed {o['expectation']} on {o.get('column') or 'the table'}"
    text = re.sub(r"\[([^|\]]*)\|([^\]]*)\]", lambda m: m.group(1) if n == 1 else m.group(2), text)
    return text.format(
        n=_count(o.get("unexpected_count")),
        pct=f"{pct:.1f} %" if isinstance(pct, (int, float)) else "?",
        column=o.get("column") or "the table",
        values=_values(o),
    )


def _values(o: dict) -> str:
    """The distinct values of the cited rows, quoted ({values} in meta.problem: names what to review; the
    values of withheld columns are never cited, so never named)."""
    seen = list(dict.fromkeys(str(c["value"]) for c in o.get("rows") or [] if c.get("value") is not None))
    more = (o.get("unexpected_count") or 0) > len(o.get("rows") or [])
    return ", ".join(f"'{v}'" for v in seen) + (", …" if more and seen else "") if seen else "(not cited)"


def cite(c: dict) -> str:
    sheet = f" [{c['source_sheet']}]" if c.get("source_sheet") else ""
    return f"{c['source_file']}{sheet} row {c['source_row']}"


def _worst(failed: list[dict]) -> dict:
    """A failure of the whole table first, then the one touching most rows; ties in suite order."""
    return min(
        enumerate(failed),
        key=lambda kv: (kv[1].get("unexpected_count") is not None, -(kv[1].get("unexpected_count") or 0), kv[0]),
    )[1]


def _where(o: dict) -> str:
    if not o.get("rows"):
        return ""
    return f" (first at {cite(o['rows'][0])}; rows listed under '{o['suite']}' in validation.json)"


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def verdict_of(outcomes: list[dict], manifest: dict) -> tuple[str, str]:
    """(GREEN | YELLOW | RED, one plain-English sentence naming the worst problem and where to look).

    RED: a critical expectation failed. YELLOW: only warnings failed, or rows were rejected on reading
    for a reason other than layout (repeated header rows, blank rows), or a sheet or archive member was
    not read as searches. GREEN otherwise. Skipped expectations (success None) count for nothing.
    """
    failed = [o for o in outcomes if o.get("success") is False]
    critical = [o for o in failed if o.get("severity", "critical") == "critical"]
    warnings = [o for o in failed if o.get("severity", "critical") != "critical"]
    lost = {k: v for k, v in (manifest.get("rejected_by_reason") or {}).items() if k not in LAYOUT_REJECTS and v}
    lost_text = (
        f"{sum(lost.values()):,} row(s) were rejected on reading "
        f"({', '.join(f'{k}: {v:,}' for k, v in sorted(lost.items()))}; see rejected.csv)"
    )
    # A sheet or archive member the readers did not take for a search audit (a cover letter, a pivot
    # table, a PDF beside the CSV): most are what they seem, but a person must confirm none holds searches.
    skipped = manifest.get("skipped") or []
    skipped_text = (
        f"{len(skipped):,} sheet(s) or file(s) were not read as searches ("
        + "; ".join(_skipped_item(x) for x in skipped[:5])
        + ("; …" if len(skipped) > 5 else "")
        + "): check that none of them holds searches"
    )
    if critical:
        o = _worst(critical)
        more = f"; {len(critical)} critical checks failed in all" if len(critical) > 1 else ""
        return "RED", _cap(
            f"{describe(o)}{_where(o)}: the table cannot be trusted and must not be analysed until this is fixed{more}."
        )
    if warnings:
        o = _worst(warnings)
        more = f" ({len(warnings)} warnings in all)" if len(warnings) > 1 else ""
        also = (f"; also, {lost_text}" if lost else "") + (f"; also, {skipped_text}" if skipped else "")
        return "YELLOW", _cap(
            f"{describe(o)}{_where(o)}: the table holds, but read these rows before publishing{more}{also}."
        )
    if lost:
        return "YELLOW", f"Every check passed, but {lost_text}" + (f"; also, {skipped_text}." if skipped else ".")
    if skipped:
        return "YELLOW", f"Every check passed, but {skipped_text}."
    # Cells that held something the pipeline could not read (a negative count, text in a number column)
    # were left empty in the table: the searches are kept, but a person should look.
    unread = {k: v for k, v in (manifest.get("cells_not_understood") or {}).items() if v}
    if unread:
        return "YELLOW", (
            "Every check passed, but some cells held values that could not be read and were left "
            f"empty ({', '.join(f'{k}: {v:,}' for k, v in sorted(unread.items()))}; see "
            "cells_not_understood in manifest.json)."
        )
    return "GREEN", "Every check passed and every row read was kept or recognised as a duplicate."


def conflicts_of(conflicts_csv: Path) -> dict | None:
    """What the index and 02 say of searches whose copies disagree (data/processed/<slug>/conflicts.csv):
    {searches, immigration_reason (of them, those where one copy's reason is immigration-related and
    another's is not), fields ({field: searches}), first (the first copy's citation)}; None when none."""
    import pandas as pd

    from pipeline.enrich.classify import classify_text, load_registry

    try:
        copies = pd.read_csv(conflicts_csv, dtype=str, keep_default_na=False)
    except (OSError, ValueError):
        return None
    if copies.empty:
        return None
    registry = load_registry()
    fields: dict[str, int] = {}
    immigration = 0
    for _, group in copies.groupby("search_key", sort=False):
        for f in group["fields_that_differ"].iloc[0].split(", "):
            fields[f] = fields.get(f, 0) + 1
        flags = {classify_text(r or None, registry)["immigration"] for r in group["reason_clean"]}
        immigration += flags == {True, False}
    first = copies.iloc[0]
    return {
        "searches": int(copies["search_key"].nunique()),
        "immigration_reason": immigration,
        "fields": dict(sorted(fields.items())),
        "first": cite(
            {
                "source_file": first["source_file"],
                "source_sheet": first["source_sheet"],
                "source_row": first["source_row"],
            }
        ),
    }


def with_conflicts(verdict: str, why: str, conflicts: dict | None) -> tuple[str, str]:
    """The verdict once copies of one search that disagree are counted: GREEN becomes YELLOW (which copy is
    kept decides what the search says, and a person must read both), a YELLOW names them too, RED stays."""
    if not conflicts or verdict == "RED":
        return verdict, why
    n = conflicts["searches"]
    imm = conflicts["immigration_reason"]
    text = (
        f"{n:,} search{'es' if n != 1 else ''} held in more than one copy disagree between copies ("
        + ", ".join(f"{f}: {k:,}" for f, k in conflicts["fields"].items())
        + (f"; in {imm:,}, one copy's reason is immigration-related and another's is not" if imm else "")
        + f"; first at {conflicts['first']}; every copy in conflicts.csv): the first copy is the one counted"
    )
    if verdict == "GREEN":
        return "YELLOW", f"Every check passed, but {text}."
    return verdict, f"{why.rstrip('.')}; also, {text}."


def _skipped_item(s: dict) -> str:
    where = s["file"].rsplit("/", 1)[-1] + (f"!{s['member']}" if s.get("member") else "")
    return f"{where}, sheet '{s['sheet']}' ({s['why']})" if s.get("sheet") else f"{where} ({s['why']})"


def read_verdict(reports: Path) -> dict | None:
    """{'verdict', 'why'} from reports/<slug>/validation.json, or None (for the runner and the index page;
    does not import Great Expectations)."""
    p = Path(reports) / "validation.json"
    if not p.exists():
        return None
    d = json.loads(p.read_text(encoding="utf-8"))
    return {"verdict": d.get("verdict"), "why": d.get("why")}
