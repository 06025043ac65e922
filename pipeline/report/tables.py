"""The one table formatter of every notebook page: `table(df, ...)` and the cell and header words it uses.

Numbers with separators, dates and times in words, headers in words, no index, nothing cut, no NaN or None.
Split out of report/show.py (issue 27): show re-exports these names, so notebooks call `show.table`.
"""

from __future__ import annotations

import datetime as dt
import html
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from IPython.display import HTML

from pipeline.analyze.words import count, date_words, share, time_words
from pipeline.io.text import strip_bidi

# Show SHA-256 hashes and file paths whole: a fact-checker copies them.
pd.set_option("display.max_colwidth", 120)

CSS_CLASS = "pipeline-table"  # the page CSS (report/render.py) makes these tables wrap and fit
MISSING = "—"
# Headers in words for the column names the pipeline's tables use; any other name is its words
# ("days_reached_back" -> "Days reached back").
HEADERS = {
    "org_name": "Agency",
    "agency": "Agency",
    "agency_state": "Agency's state",
    "agency_type": "Agency type",
    "agency_federal": "Federal",
    "searches": "Searches",
    "immigration_searches": "Immigration-related searches",
    "share": "Share of all searches",
    "local_time": "Local time",
    "local_date": "Local day",
    "searched_at_utc": "Time (UTC)",
    "immigration_type": "Type",
    "reason": "Reason (redacted)",
    "reason_flagged_personal_data": "Personal data redacted",
    "matched_text": "Words that made it count",
    "rule_id": "Rule",
    "search_key": "Search ID",
    "copies": "Copies in the release",
    "categories": "Categories",
    "source_file": "Source file",
    "source_sha256": "File SHA-256",
    "source_sheet": "Sheet or page",
    "source_row": "Row",
    "source_line": "Line",
    "sha256": "SHA-256",
    "bytes": "Bytes",
    "file": "File",
    "label": "Category",
    "reject_reason": "Why rejected",
    "searched_local": "Searched (local time)",
    "time_frame_start_local": "Time frame searched starts (local time)",
    "reached_back": "Reached back",
}


def header_words(column: str) -> str:
    name = HEADERS.get(column, str(column).replace("_", " "))
    return name[:1].upper() + name[1:]


def _missing(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, str) and not v.strip()):
        return True
    return isinstance(v, (float, np.floating)) and np.isnan(v)


def _local(ts, timezone: str | None) -> pd.Timestamp:
    ts = pd.Timestamp(ts)
    if not timezone:
        return ts
    return ts.tz_convert(ZoneInfo(timezone)) if ts.tzinfo else ts.tz_localize(ZoneInfo(timezone))


def cell(v, *, kind: str = "", timezone: str | None = None, missing: str = MISSING) -> str:
    """One value as a reader sees it. `kind`: "percent" (a share 0-1), "date", "time" (a naive time is
    local to `timezone`), or "" (by the value's type)."""
    if isinstance(v, (list, tuple, np.ndarray)):
        items = [cell(x, kind=kind, timezone=timezone, missing=missing) for x in v]
        return ", ".join(items) if items else missing
    if isinstance(v, dict):
        return "; ".join(f"{header_words(k)}: {cell(x, kind=kind, timezone=timezone)}" for k, x in v.items()) or missing
    if _missing(v):
        return missing
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if kind == "percent":
        return share(round(float(v) * 1_000_000), 1_000_000)
    if kind == "date":
        return date_words(v, short=True)
    if kind == "time" or isinstance(v, (pd.Timestamp, dt.datetime)):
        return time_words(_local(v, timezone))
    if isinstance(v, dt.date):
        return date_words(v, short=True)
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    if isinstance(v, (float, np.floating)):
        return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"
    return str(v)


def table(
    df: pd.DataFrame,
    *,
    columns: list[str] | None = None,
    headers: dict[str, str] | None = None,
    percent: tuple[str, ...] = ("share",),
    dates: tuple[str, ...] = (),
    times: tuple[str, ...] = (),
    timezone: str | None = None,
    missing: str | dict[str, str] = MISSING,
    max_rows: int | None = None,
    rest: str = "",
    caption: str = "",
    empty: str = "No rows.",
    links: tuple[str, ...] = (),
    css_class: str = CSS_CLASS,
) -> HTML:
    """The one formatter of every table on every page, as an HTML <table class="pipeline-table">.

    - columns: which columns to show, in order (default: all); headers: words for some of them
      (default: HEADERS, else the name in words). The index is never shown.
    - percent: columns holding a share between 0 and 1 ("89%"); dates: columns of days ("Dec. 1, 2025");
      times: columns of times ("Dec. 1, 2025, 3:04 p.m. CST"), naive ones local to `timezone`, aware ones
      converted to it. Timestamp values are times wherever they are; integers get thousands separators.
    - missing: what an empty cell means, one text or one per column (default an em dash); never NaN or None.
    - links: columns holding a relative path (a published file): shown as a link to it.
    - max_rows: show the first rows only, with `rest` said after them (e.g. "all 640 are in
      immigration_searches.csv"); caption: a line above the table; empty: what to say when there is no row.
    Text is escaped and wrapped by the page's CSS, never cut.
    """
    cols = list(columns or df.columns)
    if df.empty:
        return HTML(f'<p class="{css_class}-empty">{html.escape(empty)}</p>')
    shown = df if max_rows is None else df.head(max_rows)
    if "matched_text" in cols and "reason" in shown.columns:  # the words as the officer typed them, never cut
        shown = shown.assign(matched_text=[whole_match(m, r) for m, r in zip(shown["matched_text"], shown["reason"])])
    kinds = {c: "percent" if c in percent else "date" if c in dates else "time" if c in times else "" for c in cols}
    gone = {c: missing.get(c, MISSING) if isinstance(missing, dict) else missing for c in cols}
    said = [(headers or {}).get(c) or header_words(c) for c in cols]
    head = "".join(f"<th>{html.escape(h)}</th>" for h in said)
    body = []
    # A linked table of a row that counts no search has no row either: it is said to be empty, not linked.
    counts = list(shown["searches"]) if links and "searches" in shown.columns else [None] * len(shown)
    for row, n in zip(shown[cols].itertuples(index=False, name=None), counts):
        tds = []
        for c, v in zip(cols, row):
            num = (
                isinstance(v, (int, float, np.integer, np.floating))
                and not isinstance(v, (bool, np.bool_))
                and not _missing(v)
            )
            text = html.escape(strip_bidi(cell(v, kind=kinds[c], timezone=timezone, missing=gone[c])))
            if c in links and not _missing(v) and n == 0:
                text = "none (no search)"
            elif c in links and not _missing(v):
                text = f'<a href="{html.escape(str(v), quote=True)}">{text}</a>'
            label = f' data-label="{html.escape(said[cols.index(c)], quote=True)}"'  # for a phone's card view
            tds.append(f'<td class="num"{label}>{text}</td>' if num else f"<td{label}>{text}</td>")
        body.append("<tr>" + "".join(tds) + "</tr>")
    note = ""
    if max_rows is not None and len(df) > max_rows:
        note = (
            f'<p class="{css_class}-note">The first {max_rows:,} of {count(len(df), "row")}'
            + (f"; {html.escape(rest)}" if rest else "")
            + ".</p>"
        )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    explain = [text for word, text in CITATION_WORDS if word in said]
    if explain:
        note += f'<p class="{css_class}-note">' + html.escape(" ".join(explain)) + "</p>"
    return HTML(
        f'<table class="{css_class}">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>{note}'
    )


# What Row and Line mean, said under every table that shows them (FORMATS.md, the citation columns).
CITATION_WORDS = (
    (
        "Row",
        "Row: the row a person finds in the file: a spreadsheet's row number; in a CSV, the record's number "
        "with the header as row 1; in a PDF, the row counted on that page from the first search under the "
        "header (row 1).",
    ),
    (
        "Line",
        "Line: the line of a CSV file where the record starts, as a text editor numbers lines (the header is "
        "line 1); it is larger than Row once a cell above holds line breaks. Spreadsheets and PDFs have no lines.",
    ),
)


def whole_match(matched, reason) -> str:
    """The words that made a search count, widened to whole words as the reason has them: a rule that
    matched "Immigration (civ" shows "Immigration (civil)". Unchanged when the reason does not hold it."""
    if _missing(matched) or _missing(reason):
        return matched
    m, r = str(matched), str(reason)
    at = r.lower().find(m.lower())
    if at < 0:
        return m
    start, end = at, at + len(m)
    while start > 0 and r[start - 1].isalnum():
        start -= 1
    while end < len(r) and (r[end].isalnum() or r[end] in "/-'"):
        end += 1
    text = r[start:end]
    if text.count("(") > text.count(")"):
        close = r.find(")", end)
        text = r[start : close + 1] if close >= 0 else text
    return text


def file_name(path: str) -> str:
    """A release file as a reader names it: its name, and the archive member after '!' if any."""
    return str(path).replace("\\", "/").rsplit("/", 1)[-1]
