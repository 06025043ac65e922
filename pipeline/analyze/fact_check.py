"""The fact-checkers' section of the analysis page: what an editor does not need to read first (paths, rule
ids, file hashes, where each figure is computed), folded by default in a <details> element, so the page
opens on the story and a fact-checker opens what they need. Pure: HTML strings from text already escaped
by the table formatter, or escaped here."""

from __future__ import annotations

import html


def folded(summary: str, body_html: str) -> str:
    """`body_html` under a closed <details> whose summary is `summary` (escaped)."""
    return f'<details class="fact-check"><summary>{html.escape(summary)}</summary>{body_html}</details>'


def notes_html(notes: list[str]) -> str:
    """Notes as a list, each escaped."""
    return "<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in notes) + "</ul>" if notes else ""


def plumbing_html(slug: str, provenance: str | None = None) -> str:
    """What the page reads and writes, and where its figures, reasons and caveats are defined; `provenance`:
    the release's notes on where it came from (the path its source text names), if any."""
    reads = [
        f"data/processed/{slug}/searches.parquet, matches.parquet and manifest.json",
        "the published claims in jurisdictions.yml",
        *(
            [f"{provenance} (where the release came from, its licence and the figures it must give)"]
            if provenance
            else []
        ),
    ]
    writes = [
        "facts.json (every figure on this page)",
        "claims.json (each published claim and whether it holds)",
        "changes.json and history/ (what changed since the last run)",
        "reasons/<category>.csv (every search of each reason category, with its file and row)",
        "reasons_typed.csv (the 20 most common reasons, each spelling as typed)",
        "immigration_searches.csv, agencies.csv",
        "charts/ (each chart as PNG, SVG, an offline HTML page and the CSV of its data)",
    ]
    where = [
        "Every figure is computed in pipeline/analyze/facts.py; this page only shows them.",
        "Reasons are classified by pipeline/rules/reasons.yml, agencies by pipeline/rules/agencies.yml.",
        "The caveats are pipeline/rules/caveats.yml; the charts' fixed words pipeline/rules/charts.yml.",
    ]
    return (
        "<p><strong>Reads:</strong></p>"
        + notes_html(reads)
        + f"<p><strong>Writes</strong> (in reports/{html.escape(slug)}/):</p>"
        + notes_html(writes)
        + notes_html(where)
    )
