"""The tables notebook 02 shows: the verdict banner, the suites, each expectation, the failing rows."""

from __future__ import annotations

import html
import json

import pandas as pd

from pipeline.validate.suites import COLOURS
from pipeline.validate.verdict import describe


def verdict_banner(result: dict):
    """The verdict, big and coloured, with its sentence."""
    from IPython.display import HTML

    v = result["verdict"]
    return HTML(
        f'<div style="border-left:12px solid {COLOURS.get(v, "#444")};padding:10px 16px;margin:8px 0">'
        f'<div style="font-size:2.4em;font-weight:bold;color:{COLOURS.get(v, "#444")}">{html.escape(v)}</div>'
        f'<div style="font-size:1.2em">{html.escape(result["why"])}</div></div>'
    )


def _words(expectation: str) -> str:
    """'expect_column_values_to_be_in_set' -> 'values to be in set' (Great Expectations' name, in words)."""
    return expectation.removeprefix("expect_").removeprefix("column_").replace("_", " ")


def suites_table(result: dict) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Suite": s["suite"],
                "File": s["file"],
                "Checks": s["applies_to"],
                "Searches": s["searches"],
                "Source files": s["sources"],
                "Expectations": s["expectations"],
                "Failed": s["failed"],
                "Note": s["skipped"] or "",
            }
            for s in result["suites"]
        ]
    )


def expectations_table(result: dict, suite: str) -> pd.DataFrame:
    rows = []
    for o in result["expectations"]:
        if o["suite"] != suite:
            continue
        outcome = "skipped" if o["success"] is None else "passed" if o["success"] else f"FAILED ({o['severity']})"
        rows.append(
            {
                "What is checked": (describe(o) if o["success"] is False else o["skipped"] or o["why"] or ""),
                "Expectation": _words(o["expectation"]),
                "Column": o["column"] or "(the table)",
                "On": o["on"]
                + (
                    f" where {', '.join(f'{k} = {v}' for k, v in o['rows_where'].items())}"
                    if o.get("rows_where")
                    else ""
                ),
                "Severity": o["severity"],
                "Outcome": outcome,
                "Rows not as expected": "" if o["unexpected_count"] is None else f"{o['unexpected_count']:,}",
            }
        )
    return pd.DataFrame(
        rows, columns=["What is checked", "Expectation", "Column", "On", "Severity", "Outcome", "Rows not as expected"]
    )


def failing_rows(result: dict) -> pd.DataFrame:
    """Every citation of every failed expectation (values of plates and searcher names withheld)."""
    rows = []
    for o in result["expectations"]:
        if o["success"] is not False:
            continue
        for c in o["rows"]:
            rows.append(
                {
                    "Suite": o["suite"],
                    "Severity": o["severity"],
                    "Check": f"{_words(o['expectation'])} ({o['column'] or 'the table'})",
                    "File": c["source_file"],
                    "Sheet": c.get("source_sheet") or "",
                    "Row": c["source_row"],
                    "Value": json.dumps(c["value"], ensure_ascii=False) if "value" in c else "(withheld)",
                    "Rows failing this check": f"{o['unexpected_count']:,}"
                    if isinstance(o["unexpected_count"], int)
                    else "",
                }
            )
    return pd.DataFrame(
        rows, columns=["Suite", "Severity", "Check", "File", "Sheet", "Row", "Value", "Rows failing this check"]
    )
