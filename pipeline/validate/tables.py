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
    return HTML(f'<div style="border-left:12px solid {COLOURS.get(v, "#444")};padding:10px 16px;margin:8px 0">'
                f'<div style="font-size:2.4em;font-weight:bold;color:{COLOURS.get(v, "#444")}">{html.escape(v)}</div>'
                f'<div style="font-size:1.2em">{html.escape(result["why"])}</div></div>')


def suites_table(result: dict) -> pd.DataFrame:
    return pd.DataFrame([{"suite": s["suite"], "file": s["file"], "checks": s["applies_to"],
                          "searches": s["searches"], "source files": s["sources"],
                          "expectations": s["expectations"], "failed": s["failed"],
                          "note": s["skipped"] or ""} for s in result["suites"]])


def expectations_table(result: dict, suite: str) -> pd.DataFrame:
    rows = []
    for o in result["expectations"]:
        if o["suite"] != suite:
            continue
        outcome = ("skipped" if o["success"] is None else "passed" if o["success"] else
                   f"FAILED ({o['severity']})")
        rows.append({"expectation": o["expectation"].removeprefix("expect_"), "column": o["column"] or "",
                     "on": o["on"] + (f" where {', '.join(f'{k} = {v}' for k, v in o['rows_where'].items())}"
                                      if o.get("rows_where") else ""),
                     "severity": o["severity"], "outcome": outcome,
                     "unexpected": "" if o["unexpected_count"] is None else f"{o['unexpected_count']:,}",
                     "finding": (describe(o) if o["success"] is False else o["skipped"] or o["why"] or "")})
    return pd.DataFrame(rows, columns=["expectation", "column", "on", "severity", "outcome", "unexpected", "finding"])


def failing_rows(result: dict) -> pd.DataFrame:
    """Every citation of every failed expectation (values of plates and searcher names withheld)."""
    rows = []
    for o in result["expectations"]:
        if o["success"] is not False:
            continue
        for c in o["rows"]:
            rows.append({"suite": o["suite"], "severity": o["severity"],
                         "check": f"{o['expectation'].removeprefix('expect_')} ({o['column'] or 'table'})",
                         "file": c["source_file"], "sheet": c.get("source_sheet") or "", "row": c["source_row"],
                         "value": json.dumps(c["value"], ensure_ascii=False) if "value" in c else "(withheld)",
                         "of": f"{o['unexpected_count']:,}" if isinstance(o["unexpected_count"], int) else ""})
    return pd.DataFrame(rows, columns=["suite", "severity", "check", "file", "sheet", "row", "value", "of"])
