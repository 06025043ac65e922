"""What a run says at the end: each jurisdiction's outcome as it finishes, the closing table, and the
published claims the last run did not reproduce.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.config import Jurisdiction
from pipeline.contracts import RunStatus
from pipeline.project import reports_dir

# The report modules a rerun needs import no pandas, nbformat or papermill at module level: a rerun with
# nothing changed imports only what it reads (the notebooks' paths import the rest inside their functions).
from pipeline.report.index import describe_skipped, skipped_inputs, verdict_of_reports


def echo_outcome(slug: str, r: dict, root: Path, echo) -> None:
    if r["status"] == RunStatus.OK:
        ran = ", ".join(f"{k} {v} s" for k, v in r["timings"].items()) or "nothing to rerun"
        cached = f"; unchanged: {', '.join(r['cached'])}" if r["cached"] else ""
        echo(f"{slug}: done in {r['seconds']:.1f} s ({ran}{cached})")
    elif r["status"] == RunStatus.RED:
        echo(f"{slug}: RED, stopped before analysis: {r['message']}")
    else:
        echo(f"{slug}: FAILED in {r['notebook']}: {r['message']}")
    if "01_clean" in r["timings"]:  # said once, when the release was read
        for s in skipped_inputs(root, slug):
            echo(f"{slug}: not read: {describe_skipped(s)}")


def closing_table(
    chosen: list[Jurisdiction], results: dict[str, dict], claims_failed: list[tuple[str, dict]], root: Path
) -> list[str]:
    """The table a run ends with: per jurisdiction its status, verdict, claims, searches, seconds and
    notebooks run / unchanged. A jurisdiction whose published claim does not hold is not 'ok'."""
    failing = {}
    for slug, c in claims_failed:
        failing.setdefault(slug, []).append(c["claim"])
    rows = [("jurisdiction", "status", "verdict", "claims", "searches", "seconds", "notebooks run / unchanged")]
    for j in chosen:
        r = results[j.slug]
        status = {RunStatus.RED: "RED", RunStatus.FAILED: "FAILED"}.get(r["status"], "ok")
        if status == "ok" and j.slug in failing:
            status = "claim fails"
        verdict = verdict_of_reports(reports_dir(root, j.slug))[0] or "-"
        if r["status"] == RunStatus.FAILED and r.get("notebook") in ("inputs", "01_clean"):
            verdict = "RED"
        claims = _claims_cell(j, failing.get(j.slug, []), root) if r["status"] == RunStatus.OK else "-"
        facts_path = reports_dir(root, j.slug) / "facts.json"
        searches = "-"
        if r["status"] == RunStatus.OK and facts_path.exists():
            searches = f"{json.loads(facts_path.read_text(encoding='utf-8')).get('searches', 0):,}"
        rows.append(
            (
                j.slug,
                status,
                verdict,
                claims,
                searches,
                f"{r['seconds']:.1f}",
                f"{len(r['timings'])} / {len(r['cached'])}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    right = {4, 5}
    return [
        "  ".join(
            (cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])) if i < len(widths) else cell
            for i, cell in enumerate(row)
        ).rstrip()
        for row in rows
    ]


def _claims_cell(j: Jurisdiction, failing: list[str], root: Path) -> str:
    if not j.claims:
        return "none listed"
    held = len(j.claims) - len(failing)
    if not failing:
        return f"{held} held"
    return f"{held} held, {len(failing)} failed: " + "; ".join(f'"{c}"' for c in failing)


def failed_claims(jurisdictions: list[Jurisdiction], root: Path) -> list[tuple[str, dict]]:
    """(slug, claim) for every published claim that the last run of its jurisdiction did not reproduce."""
    out = []
    for j in jurisdictions:
        path = reports_dir(root, j.slug) / "claims.json"
        if j.claims and path.exists():
            out += [(j.slug, c) for c in json.loads(path.read_text(encoding="utf-8"))["claims"] if not c["holds"]]
        elif j.claims:
            out.append(
                (
                    j.slug,
                    {
                        "claim": "(claims were not checked)",
                        "fact": "-",
                        "computed": None,
                        "test": "-",
                        "target": "-",
                        "why_not": "claims.json is missing",
                    },
                )
            )
    return out
