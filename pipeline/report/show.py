"""Tables and words for the notebook pages: what the processed data says, shaped for reading.

`table(df, ...)` is the one formatter of every table on every page: numbers with separators, dates and
times in words, headers in words, no index, nothing cut, no NaN or None. Nothing here decides a figure
(that is `facts`) or what a search is (that is `clean`); these functions only select and label. None of
them returns a licence plate or a searcher name: rejected and conflicting rows are shown by citation
and reason only.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown

from pipeline import ROOT
from pipeline.analyze.words import count, date_words, period_words, plural, share, time_words, were  # noqa: F401
from pipeline.project import processed_dir
from pipeline.io.text import strip_bidi
from pipeline.config import Jurisdiction, check_inputs, load, select

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


def jurisdiction(slug: str, config: str = "", root: str = "") -> Jurisdiction:
    root_path = Path(root).resolve() if root else ROOT  # the runner passes "." (the notebook's folder)
    if config and not Path(config).is_absolute():
        config = str(root_path / config)
    (j,) = select(load(config or None, root=root_path, check_files=False), [slug])
    check_inputs(j)
    return j


def md_escape(text: str) -> str:
    """Free text shown through Markdown is escaped, so a name holding HTML shows as text."""
    return html.escape(str(text), quote=False).replace("*", "\\*").replace("_", "\\_")


LOG_KINDS = {
    "network": "network audit (searches of the producer's cameras by any agency on the network)",
    "organization": "organization audit (the producer's own searches)",
    "portal": "transparency-portal export (the producer's own searches)",
    "auto": "detected from the files",
}


def heading(j: Jurisdiction):
    zone = zone_name({"timezone": j.timezone})
    return Markdown(
        f"**{md_escape(j.name)}**, released by {md_escape(j.producer)}: "
        f"{LOG_KINDS.get(j.log_kind, j.log_kind)}. Local days are counted in {zone} "
        f"({md_escape(j.timezone)})."
    )


def build_summary(m: dict):
    """01's build in one line for editors (the progress log stays on the code page)."""
    t = m["totals"]
    files = len(m["sources"])
    return Markdown(
        f"**{count(t['rows_read'], 'row')} read** from {count(files, 'file or sheet', 'files or sheets')}: "
        f"{count(t['searches'], 'distinct search', 'distinct searches')}, "
        f"{count(t['duplicates'], 'further copy', 'further copies')} of a search already counted, "
        f"{t['rejected']:,} {were(t['rejected'])} rejected; "
        f"{count(t['conflicting_searches'], 'search has', 'searches have')} copies that disagree."
    )


def cells_not_understood(m: dict):
    """Cells present but not understood (left empty in the table), per column, in words."""
    bad = {k: v for k, v in m["cells_not_understood"].items() if v}
    if not bad:
        return Markdown("Every cell was understood: no value was left empty because it could not be read.")
    return Markdown("\n".join(f"- {header_words(k)}: {count(v, 'cell')} left empty" for k, v in bad.items()))


def bullets(lines: list[str]):
    return Markdown("\n".join(f"- {md_escape(line)}" for line in lines))


def banner(j: Jurisdiction):
    if j.synthetic:
        return HTML(
            '<div style="background:#b00020;color:#fff;padding:10px;font-weight:bold;font-size:1.1em">'
            "SYNTHETIC DATA: generated by the pipeline's own generator for testing and demonstration. "
            "Not a real public-records release; no figure here describes real searches.</div>"
        )
    return Markdown(f"**Real release.** Source: {md_escape(j.source or 'see data/raw/' + j.slug + '/')}")


KINDS = {
    "flock_export csv": "Flock audit (CSV)",
    "flock_export xlsx": "Flock audit (workbook)",
    "flock_export pdf": "Flock audit (PDF)",
    "portal csv": "transparency-portal export (CSV)",
}


def folded(title: str, *parts) -> HTML:
    """A section for fact-checkers, folded by default: paths, hashes, readers, rule and check names."""
    body = "".join(p.data if hasattr(p, "data") else html.escape(str(p)) for p in parts)
    return HTML(f'<details class="fact-checkers"><summary>{html.escape(title)}</summary>{body}</details>')


def _file_name(path: str) -> str:
    """A release file as a reader names it: its name, and the archive member after '!' if any."""
    return str(path).replace("\\", "/").rsplit("/", 1)[-1]


def _by_file(m: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for s in m["sources"]:
        out.setdefault(s["file"], []).append(s)
    return out


def _parts(parts: list[dict]) -> str:
    """ "809 pages", "3 sheets", or "" for a file read whole (a CSV)."""
    sheets = [p.get("sheet") for p in parts if p.get("sheet")]
    if not sheets:
        return ""
    pages = sum(1 for x in sheets if str(x).startswith("page "))
    if pages == len(sheets):
        return count(pages, "page")
    return count(len(sheets), "sheet")


def sources_table(m: dict) -> pd.DataFrame:
    """One row per file of the release (a PDF once, with its page count; a workbook once, with its sheets)."""
    rows = []
    for file, parts in _by_file(m).items():
        kinds = dict.fromkeys(KINDS.get(p["detected_kind"], p["detected_kind"]) for p in parts)
        extra = dict.fromkeys(c for p in parts for c in p["extra_columns"])
        rows.append(
            {
                "File": _file_name(file),
                "Kind": ", ".join(kinds),
                "Pages or sheets": _parts(parts),
                "Rows read": sum(p["rows_read"] for p in parts),
                "Columns not used": ", ".join(extra),
            }
        )
    return pd.DataFrame(rows)


def sources_detail(m: dict) -> pd.DataFrame:
    """For fact-checkers: each file's path in the project, SHA-256, encoding and reader, once per file."""
    return pd.DataFrame(
        [
            {
                "File": file,
                "SHA-256": parts[0]["sha256"],
                "Encoding": ", ".join(dict.fromkeys(str(p["encoding"]) for p in parts if p["encoding"])),
                "Reader": ", ".join(dict.fromkeys(str(p["reader"]) for p in parts if p.get("reader"))),
            }
            for file, parts in _by_file(m).items()
        ]
    )


def reconciliation_by_file(recon: pd.DataFrame) -> pd.DataFrame:
    """The reconciliation once per file (a PDF's pages and a workbook's sheets added up)."""
    counts = ["rows_read", "searches_kept", "duplicates", "rejected"]
    df = recon.copy()
    for c in counts:
        df[c] = pd.to_numeric(df[c])
    df["balanced"] = df["balanced"].astype(str).eq("True")
    out = df.groupby("source_file", sort=False).agg(
        **{c: (c, "sum") for c in counts}, balanced=("balanced", "all"), parts=("source_sheet", "size")
    )
    out = out.reset_index()
    out["source_file"] = out["source_file"].map(_file_name)
    out["balanced"] = out["balanced"].map({True: "yes", False: "NO"})
    return out.drop(columns="parts").rename(columns={"source_file": "file"})


def skipped_table(m: dict) -> pd.DataFrame:
    cols = ["file", "sheet", "why"] + (["member"] if any("member" in s for s in m["skipped"]) else [])
    return pd.DataFrame(m["skipped"], columns=cols).rename(columns={"why": "Why skipped"})


def reconciliation(j: Jurisdiction) -> pd.DataFrame:
    return pd.read_csv(processed_dir(j.root, j.slug) / "reconciliation.csv", keep_default_na=False)


def rejected_summary(j: Jurisdiction) -> pd.DataFrame:
    """Rejected rows by reason, with the first few citations of each (file and row only)."""
    df = pd.read_csv(
        processed_dir(j.root, j.slug) / "rejected.csv",
        keep_default_na=False,
        dtype=str,
        usecols=["source_file", "source_sheet", "source_row", "reject_reason"],
    )
    if df.empty:
        return pd.DataFrame(columns=["reject_reason", "rows", "first rows"])
    df["cite"] = (
        df["source_file"] + df["source_sheet"].map(lambda s: f" [{s}]" if s else "") + " row " + df["source_row"]
    )
    return (
        df.groupby("reject_reason")
        .agg(rows=("cite", "size"), first_rows=("cite", lambda c: "; ".join(c.head(3))))
        .reset_index()
        .rename(columns={"first_rows": "first rows"})
    )


def conflicts_summary(j: Jurisdiction) -> pd.DataFrame:
    """For each search whose copies disagree: how many copies, which fields differ, where the copies are."""
    df = pd.read_csv(processed_dir(j.root, j.slug) / "conflicts.csv", keep_default_na=False, dtype=str)
    if df.empty:
        return pd.DataFrame(columns=["search_key", "copies", "fields that differ", "copies at"])
    rows = []
    for key, g in df.groupby("search_key", sort=True):
        rows.append(
            {
                "search_key": key,
                "copies": len(g),
                "fields that differ": g["fields_that_differ"].iloc[0],
                "copies at": "; ".join(
                    g["source_file"]
                    + g["source_sheet"].map(lambda s: f" [{s}]" if s else "")
                    + " row "
                    + g["source_row"]
                ),
            }
        )
    return pd.DataFrame(rows)


def _claim_value(v) -> str:
    if isinstance(v, list):
        return ", ".join(map(str, v)) or MISSING
    return cell(v)


def claims_table(results: list[dict], facts: dict | None = None) -> pd.DataFrame:
    """Each published claim beside the figure computed here, over the period it speaks of."""
    whole = (
        f"the whole release ({facts['period_words']})" if facts and facts.get("period_words") else "the whole release"
    )
    rows = []
    for r in results:
        w = r.get("window")
        target = r["target"]
        if isinstance(target, (int, float)) or str(target).lstrip("-").isdigit():
            target = f"{int(target):,}"
        rows.append(
            {
                "Published claim": r["claim"],
                "Source": r["source"],
                "Over": period_words(w["start"], w["end"]) if w else whole,
                "Figure": r["fact"].replace("_", " "),
                "Computed here": _claim_value(r["computed"]),
                "Test": f"{r['test'].replace('_', ' ')} {target}",
                "Holds": "yes" if r["holds"] else "NO",
                "Why not": r["why_not"] or "",
            }
        )
    return pd.DataFrame(rows)


def findings(f: dict):
    """The headline findings, each with its caveat beside it (facts.json "findings")."""
    items = []
    for x in f["findings"]:
        caveat = f'<br><span class="caveat">{html.escape(x["caveat"])}</span>' if x.get("caveat") else ""
        # the period beside each figure, and the figure over a claim's own window (findings.describe)
        over = f' <span class="period">(over {html.escape(x["period"])})</span>' if x.get("period") else ""
        also = "".join(f'<br><span class="window">{html.escape(w)}</span>' for w in x.get("windows") or [])
        items.append(
            f"<li><strong>{html.escape(x['label'])}:</strong> {html.escape(x['display'])}{over}{also}{caveat}</li>"
        )
    period = (
        f"<p><strong>Period:</strong> {html.escape(f['period_words'])} (local days, {html.escape(zone_name(f))}).</p>"
        if f.get("period_words")
        else ""
    )
    return HTML(f'{period}<ul class="findings">{"".join(items)}</ul>')


def zone_name(f: dict) -> str:
    """The time zone as a reader knows it ("Central Time, CST/CDT"), not its IANA name."""
    zone = ZoneInfo(f["timezone"])
    names = dict.fromkeys(dt.datetime(2026, m, 1, tzinfo=zone).strftime("%Z") for m in (1, 7))
    return "/".join(names)


def caveats(f: dict):
    """What this data cannot tell you, for the release's log kind (facts.json "caveats")."""
    return Markdown("\n".join(f"- **{md_escape(c['title'])}.** {md_escape(c['text'])}" for c in f["caveats"]))


def reason_categories(f: dict) -> pd.DataFrame:
    """facts.json "reason_categories" as the table (and chart data) of why officers said they searched."""
    df = pd.DataFrame(f["reason_categories"], columns=["id", "label", "searches", "share", "csv"])
    return df.assign(csv=df["csv"].fillna(""))


def typed_reasons(typed: pd.DataFrame, f: dict) -> pd.DataFrame:
    """tables.reasons_typed with each category named in words (the CSV keeps the ids)."""
    words = {c["id"]: c["label"] for c in f["reason_categories"]}
    names = typed["categories"].fillna("").map(lambda ids: "; ".join(words.get(i, i) for i in ids.split(", ") if i))
    return typed.assign(categories=names)


def sources_frame(facts: dict) -> pd.DataFrame:
    return pd.DataFrame(facts["sources"])


def chart(c, data: pd.DataFrame, chart_dir: Path, name: str) -> None:
    """Publish a chart four ways (charts.save_chart: PNG, SVG, an offline interactive page, its data as CSV),
    show it (the published SVG, pointed at, not embedded) with its written description as alt text, and
    link each of the four files under it."""
    from IPython.display import display

    from pipeline.analyze import charts

    from pipeline.analyze.chart_page import show as show_chart

    drawn = charts.draw(c)  # once, for the four files and the notebook
    charts.save_chart(drawn, data, chart_dir, name)
    rel = f"{Path(chart_dir).name}/{name}"
    display(show_chart(drawn, src=f"{rel}.svg"))  # the published SVG beside the page, not a copy inline
    from pipeline.report.outputs import CHART_KINDS  # the index's words for the four files

    links = " · ".join(f'<a href="{html.escape(rel)}.{ext}">{what}</a>' for ext, what in CHART_KINDS)
    display(HTML(f'<p class="chart-files">This chart: {links}</p>'))


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
    return f"{_file_name(c['source_file'])}{sheet}, row {c['source_row']}"


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
