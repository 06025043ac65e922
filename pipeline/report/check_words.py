"""The checks of 02_validate in words: each suite and check as an editor reads it, and where failures are.

Split out of report/show.py (issue 27): show re-exports these names, so notebooks call `show.checks_table`.
"""

from __future__ import annotations

import re

import pandas as pd

from pipeline.analyze.words import share
from pipeline.report.tables import file_name


def _no_files(text: str) -> str:
    """A check's reason without the configuration files it names (those are for fact-checkers)."""
    text = re.sub(r"\s*\([^()]*\.(?:yml|json)\)", "", text)
    text = re.sub(r"(?:pipeline/)?rules/[\w/]+\.yml", "the reviewed rules", text)
    return text.replace("jurisdictions.yml", "the list of jurisdictions")


SEVERITY_WORDS = {"critical": "critical: a failure stops the analysis", "warning": "warning: read before publishing"}


def threshold_words(o: dict) -> str:
    """How many rows failed a check, of how many, and the share its threshold allows ("mostly": a check
    passes while at least that share of rows meets it)."""
    n, checked = o.get("unexpected_count"), o.get("checked")
    if n is None:
        return ""
    text = f"{n:,}" + (f" of {checked:,} ({share(n, checked)})" if checked else "")
    if o.get("on") == "sources":  # a check of each file read: a PDF's pages are read one by one
        text += " files, sheets or PDF pages"
    mostly = (o.get("kwargs") or {}).get("mostly")
    if mostly is not None and mostly < 1:
        allowed = round(100 * (1 - float(mostly)))
        text += f"; up to {allowed}% may fail, so this {'passes' if o.get('success') else 'fails'}"
    return text


def checks_table(result: dict, suite: str) -> pd.DataFrame:
    """Each check of one suite in words: what it means, how serious a failure is, the outcome, and the rows
    not as expected with the threshold that lets some of them pass (the expectation names are folded apart)."""
    rows = []
    for o in result["expectations"]:
        if o["suite"] != suite:
            continue
        outcome = "not run" if o["success"] is None else "passed" if o["success"] else "FAILED"
        what = _no_files(o.get("why") or "")
        rows.append(
            {
                "What it checks, and why": what[:1].upper() + what[1:],
                "If it fails": SEVERITY_WORDS.get(o["severity"], o["severity"]),
                "Outcome": outcome
                + (f": {_no_files(o['skipped'])}" if o["success"] is None and o.get("skipped") else ""),
                "Rows not as expected": threshold_words(o),
            }
        )
    return pd.DataFrame(rows, columns=["What it checks, and why", "If it fails", "Outcome", "Rows not as expected"])


SUITE_WORDS = {
    "searches": "Every search in the cleaned table",
    "flock_export": "Searches read from Flock's network or organization audits",
    "portal_csv": "Searches read from a transparency-portal export",
}


def suite_words(suite: str) -> str:
    return SUITE_WORDS.get(suite, in_words_plain(suite))


def in_words_plain(name: str) -> str:
    words = str(name).replace("_", " ")
    return words[:1].upper() + words[1:]


def suites_words_table(result: dict) -> pd.DataFrame:
    """Which groups of checks ran, in words, on how many searches, and how many of their checks failed."""
    return pd.DataFrame(
        [
            {
                "Checks on": suite_words(s["suite"]),
                "Searches checked": s["searches"],
                "Checks": s["expectations"],
                "Failed": s["failed"],
                "Note": s["skipped"] or "",
            }
            for s in result["suites"]
        ]
    )


def _cite_words(c: dict) -> str:
    """'audit.pdf, page 3, row 1': a citation as a reader looks it up."""
    sheet = f", {c['source_sheet']}" if c.get("source_sheet") else ""
    return f"{file_name(c['source_file'])}{sheet}, row {c['source_row']}"


def failures_words(result: dict, first: int = 3) -> pd.DataFrame:
    """Each failed check once, in words: what failed, how many rows, and where the first ones are (every
    citation is in the folded table for fact-checkers and in validation.json)."""
    from pipeline.validate.verdict import describe

    rows = []
    for o in result["expectations"]:
        if o["success"] is not False:
            continue
        cites = o.get("rows") or []
        rows.append(
            {
                "What failed": describe(o)[:1].upper() + describe(o)[1:],
                "If it fails": SEVERITY_WORDS.get(o["severity"], o["severity"]),
                "Where the first are": "; ".join(_cite_words(c) for c in cites[:first]) or "the table as a whole",
            }
        )
    return pd.DataFrame(rows, columns=["What failed", "If it fails", "Where the first are"])
