"""Rendering: executed notebooks -> HTML for editors and fact-checkers, and the index page of all jurisdictions.

Every page written here opens offline and makes no network request. nbconvert's template loads require.js,
MathJax and mermaid from cdnjs; those <script> elements are removed (the notebooks' charts are static
SVG/PNG outputs and need no JavaScript), and a Content-Security-Policy forbids scripts and remote
resources in case anything slips through. Pages made from synthetic data carry a red banner at the top.
"""
from __future__ import annotations

import copy
import html
import math
import re
import urllib.parse
from pathlib import Path

import nbformat

from pipeline.io.atomic import write_text
from pipeline.analyze.changes import index_section as changes_section

SYNTHETIC_BANNER_TEXT = ("SYNTHETIC DATA — generated for testing and demonstration; "
                         "not a real public-records release.")
PARAMETER_TAGS = ("parameters", "injected-parameters")

# No scripts, no remote anything: styles inline, images inline (data:) or beside the page.
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data: 'self'; font-src data:; "
       "base-uri 'none'; form-action 'none'")
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'

BANNER_HTML = (
    '<div class="synthetic-banner" role="alert" style="position:sticky;top:0;z-index:10000;margin:0;'
    'padding:10px 16px;background:#b00020;color:#fff;font:bold 16px/1.35 Helvetica,Arial,sans-serif;'
    'text-align:center;border-bottom:3px solid #6d0014;">'
    f"{html.escape(SYNTHETIC_BANNER_TEXT)}</div>"
)

_SCRIPT_RE = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.IGNORECASE | re.DOTALL)
_BODY_RE = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_HEAD_RE = re.compile(r"<head\b[^>]*>", re.IGNORECASE)
_TITLE_RE = re.compile(r"<title>.*?</title>", re.IGNORECASE | re.DOTALL)
_EXTERNAL_LINK_RE = re.compile(r"<link\b[^>]*\bhref=[\"']?(?:https?:)?//[^>]*>", re.IGNORECASE)


# --------------------------------------------------------------------------------------------------
# Notebooks


def render_notebook(executed: Path, out_dir: Path, *, synthetic: bool) -> dict[str, Path]:
    """Write out_dir/<stem>.html (editors: no code, no parameter cells) and out_dir/<stem>.code.html
    (fact-checkers: everything) from one executed notebook. Returns {"editor": path, "code": path}.

    The page title is the notebook's metadata "title" if set, else its file stem; synthetic pages get the
    SYNTHETIC prefix in the title and a red banner right after <body>.
    """
    from nbconvert import HTMLExporter  # imported here: it is slow to import and only rendering needs it

    executed, out_dir = Path(executed), Path(out_dir)
    nb = nbformat.read(executed, as_version=4)
    stem = executed.stem
    title = str(nb.metadata.get("title") or stem)

    editor_nb = copy.deepcopy(nb)  # the code view keeps every cell
    editor_nb.cells = [c for c in editor_nb.cells
                       if not set(c.get("metadata", {}).get("tags", [])) & set(PARAMETER_TAGS)]
    editor_body, _ = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True) \
        .from_notebook_node(editor_nb, resources={"metadata": {"name": title}})
    code_body, _ = HTMLExporter().from_notebook_node(nb, resources={"metadata": {"name": title}})

    paths = {"editor": out_dir / f"{stem}.html", "code": out_dir / f"{stem}.code.html"}
    write_text(paths["editor"], make_offline(editor_body, synthetic=synthetic, title=title))
    write_text(paths["code"], make_offline(code_body, synthetic=synthetic, title=f"{title} (with code)"))
    return paths


def make_offline(page: str, *, synthetic: bool, title: str | None = None) -> str:
    """Remove every <script> element and remote stylesheet link, add the CSP, set the <title>, and, for
    synthetic data, prefix the title and insert the banner right after <body ...>."""
    page = _SCRIPT_RE.sub("", page)
    page = _EXTERNAL_LINK_RE.sub("", page)
    if title is not None:
        full = ("SYNTHETIC DATA — " if synthetic else "") + title
        new_title = f"<title>{html.escape(full)}</title>"
        if _TITLE_RE.search(page):
            page = _TITLE_RE.sub(lambda _m: new_title, page, count=1)
        else:
            page = _HEAD_RE.sub(lambda m: m.group(0) + new_title, page, count=1)
    page = _HEAD_RE.sub(lambda m: m.group(0) + "\n" + CSP_META, page, count=1)
    if synthetic:
        if not _BODY_RE.search(page):
            raise ValueError("page has no <body> element to put the SYNTHETIC banner after")
        page = _BODY_RE.sub(lambda m: m.group(0) + "\n" + BANNER_HTML, page, count=1)
    return page


# --------------------------------------------------------------------------------------------------
# Index page

NOTEBOOKS = (("01_clean", "Clean"), ("02_validate", "Validate"), ("03_analyze", "Analyze"))
NOT_IN_RELEASE = "not in release"
NOT_COMPUTED = "not computed"

INDEX_CSS = """
body { font: 15px/1.45 Helvetica, Arial, sans-serif; color: #111; margin: 16px; background: #fff; }
h1 { font-size: 24px; margin: 0 0 8px; }
p.lede { max-width: 60em; margin: 0 0 6px; }
p.meta { color: #555; margin: 0 0 18px; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 6px 7px; vertical-align: top; text-align: left; }
th { background: #f3f3f3; font-size: 13px; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.period { white-space: nowrap; }
.count { display: block; white-space: nowrap; }
.producer { display: block; color: #555; font-size: 13px; }
.missing { color: #777; font-style: italic; }
.label { display: inline-block; padding: 2px 7px; border-radius: 3px; font-size: 12px; font-weight: bold;
         letter-spacing: .04em; white-space: nowrap; }
.label.real { background: #e6f2ea; color: #145a2c; border: 1px solid #8cc19d; }
.label.synthetic { background: #b00020; color: #fff; border: 1px solid #6d0014; }
tr.synthetic td { background: #fff4f5; }
.status { font-weight: bold; }
.status.ok { color: #145a2c; }
.status.failed, .status.red { color: #b00020; }
.status.stale { color: #8a5a00; }
.note { display: block; font-size: 13px; color: #333; max-width: 28em; }
ul.links { list-style: none; margin: 0; padding: 0; font-size: 13px; }
ul.links li { white-space: nowrap; }
ul.links .code { color: #555; }
.none { color: #777; }
"""


def write_index(reports_dir: Path, entries: list[dict], *, generated_at: str,
                shared_agencies: list[dict] | None = None) -> Path:
    """Write reports_dir/index.html: one row per entry, in the order given; returns its path.

    Each entry: slug, name, producer, synthetic, log_kind, status ("ok" | "red" | "failed" | "stale" |
    "never run"), status_note, skipped (what was not read as searches, one line each),
    facts (None, or a dict with rows_read, searches, duplicates, rejected, agencies, searchers,
    first_local_date, last_local_date). A None figure is shown as "not in release"; facts None as
    "not computed". Links point only at files that exist under reports_dir/<slug>/ when this runs.
    """
    reports_dir = Path(reports_dir)
    n_real = sum(1 for e in entries if not e.get("synthetic"))
    n_synth = len(entries) - n_real
    n_failed = sum(1 for e in entries if e.get("status") == "failed")
    rows = "\n".join(_index_row(reports_dir, e) for e in entries)
    if not entries:
        rows = '<tr><td colspan="13" class="missing">No jurisdictions configured.</td></tr>'
    summary = (f"{len(entries):,} jurisdiction{'s' if len(entries) != 1 else ''}: {n_real:,} real, "
               f"{n_synth:,} synthetic" + (f"; {n_failed:,} failed" if n_failed else "") + ".")
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
{CSP_META}
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Flock search audits: all jurisdictions</title>
<style>{INDEX_CSS}</style>
</head>
<body>
<h1>Flock search audits: all jurisdictions</h1>
<p class="lede">One row per jurisdiction whose Flock Safety search audit log this pipeline analyses: what was
read, what was counted and links to the reports (the plain version for editors, the version with code for
fact-checkers) and to the figures file. Rows labelled <span class="label synthetic">SYNTHETIC</span> are
generated test data, not a real public-records release: do not report from them.
A figure shown as <span class="missing">{NOT_IN_RELEASE}</span> cannot be measured from that release; it is
not zero.</p>
<p class="meta">Generated {html.escape(str(generated_at))}. {html.escape(summary)}</p>
<table>
<thead><tr>
<th scope="col">Jurisdiction</th><th scope="col">Data</th><th scope="col">Log kind</th>
<th scope="col">Searches</th><th scope="col">Agencies</th><th scope="col">Searchers</th>
<th scope="col">Period (local dates)</th><th scope="col">Immigration-related searches</th>
<th scope="col">Published claims</th><th scope="col">Validation</th>
<th scope="col">Rows read, duplicates, rejected</th>
<th scope="col">Status</th><th scope="col">Reports</th>
</tr></thead>
<tbody>
{rows}
</tbody>
</table>
{changes_section(reports_dir, entries)}
{_shared_agencies_section(shared_agencies or [])}
</body>
</html>
"""
    if shared_agencies:
        from pipeline.io.publish import write_csv
        import pandas as pd
        write_csv(pd.DataFrame([{"org_name": r["org_name"], "agency_state": r.get("agency_state") or "",
                                 "producers": len(r["producers"]),
                                 "searches_by_producer": "; ".join(
                                     f"{p['name']}{' (SYNTHETIC)' if p['synthetic'] else ''}: {p['searches']}"
                                     for p in r["producers"])} for r in shared_agencies]),
                  reports_dir / "shared_agencies.csv")
    path = reports_dir / "index.html"
    write_text(path, page)
    return path


def _esc(value) -> str:
    return html.escape(str(value), quote=True)


def _number(facts: dict | None, key: str) -> str:
    if facts is None:
        return f'<span class="missing">{NOT_COMPUTED}</span>'
    value = facts.get(key)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return f'<span class="missing">{NOT_IN_RELEASE}</span>'
    if isinstance(value, bool):
        return _esc(value)
    try:
        return _esc(f"{int(value):,}") if float(value) == int(value) else _esc(f"{float(value):,}")
    except (TypeError, ValueError):
        return _esc(value)


def _period(facts: dict | None) -> str:
    if facts is None:
        return f'<span class="missing">{NOT_COMPUTED}</span>'
    first, last = facts.get("first_local_date"), facts.get("last_local_date")
    if first is None and last is None:
        return f'<span class="missing">{NOT_IN_RELEASE}</span>'
    first = _esc(first) if first is not None else "?"
    last = _esc(last) if last is not None else "?"
    return f"{first} – {last}"


def _immigration(facts: dict | None) -> str:
    if facts is None or "immigration_searches" not in facts:
        return f'<span class="missing">{NOT_COMPUTED}</span>'
    parts = [f'<span class="count">{_number(facts, "immigration_searches")} in all</span>']
    if facts.get("immigration_searches"):
        parts += [f'<span class="count">{_number(facts, k)} {label}</span>' for k, label in
                  (("immigration_civil", "civil"), ("immigration_criminal", "criminal"),
                   ("immigration_unspecified", "unspecified"), ("immigration_agencies", "agencies"))]
    return "".join(parts)


def _validation(v: dict | None) -> str:
    if not v or not v.get("verdict"):
        return '<span class="none">not validated</span>'
    verdict = str(v["verdict"])
    css = {"GREEN": "ok", "YELLOW": "stale", "RED": "red"}.get(verdict, "unknown")
    return f'<span class="status {css}">{_esc(verdict)}</span><span class="note">{_esc(v.get("why") or "")}</span>'


def _claims(claims: list[dict] | None) -> str:
    if not claims:
        return '<span class="none">none listed</span>'
    failed = [c for c in claims if not c.get("holds")]
    if not failed:
        return f'<span class="status ok">all {len(claims)} hold</span>'
    items = "".join(f"<li>{_esc(c.get('claim'))}</li>" for c in failed)
    return (f'<span class="status failed">{len(failed)} of {len(claims)} do not hold</span>'
            f'<ul class="links">{items}</ul>')


SHARED_AGENCIES_SHOWN = 50


def _shared_agencies_section(rows: list[dict]) -> str:
    """Agencies (Org Name as released) found in the logs of more than one producer."""
    head = ("<h2>Agencies that searched more than one producer's cameras</h2>"
            '<p class="meta">Matched on the agency name exactly as released (trimmed); the same agency spelled '
            "differently by two producers is not matched. Producers marked SYNTHETIC are generated test data.</p>")
    if not rows:
        return head + '<p class="none">No agency name appears in more than one producer\'s log.</p>'
    if len(rows) > SHARED_AGENCIES_SHOWN:
        head += (f'<p class="meta">{len(rows):,} agencies; the {SHARED_AGENCIES_SHOWN} with the most producers and '
                 'searches are shown. All are in <a href="shared_agencies.csv">shared_agencies.csv</a>.</p>')
        rows = rows[:SHARED_AGENCIES_SHOWN]
    def producer(p: dict) -> str:
        label = " (SYNTHETIC)" if p["synthetic"] else ""
        return f"<li>{_esc(p['name'])}{label}: {p['searches']:,} searches</li>"

    body = "".join(
        f"<tr><td>{_esc(r['org_name'])}</td><td>{_esc(r.get('agency_state') or '')}</td>"
        f'<td class="num">{len(r["producers"])}</td>'
        f'<td><ul class="links">{"".join(producer(p) for p in r["producers"])}</ul></td></tr>'
        for r in rows)
    return (head + '<table><thead><tr><th scope="col">Agency</th><th scope="col">State</th>'
            '<th scope="col">Producers</th><th scope="col">Searches in each log</th></tr></thead>'
            f"<tbody>{body}</tbody></table>")


def _links(reports_dir: Path, slug: str) -> str:
    base = reports_dir / slug
    href_slug = urllib.parse.quote(slug, safe="")
    items = []
    for stem, label in NOTEBOOKS:
        plain, code = base / f"{stem}.html", base / f"{stem}.code.html"
        parts = []
        if plain.is_file():
            parts.append(f'<a href="{_esc(f"{href_slug}/{stem}.html")}">{label}</a>')
        if code.is_file():
            parts.append(f'<a class="code" href="{_esc(f"{href_slug}/{stem}.code.html")}">'
                         f'{label + " " if not parts else ""}with code</a>')
        if parts:
            items.append("<li>" + " · ".join(parts) + "</li>")
    if (base / "facts.json").is_file():
        items.append(f'<li><a href="{_esc(f"{href_slug}/facts.json")}">facts.json</a></li>')
    if not items:
        return '<span class="none">no reports yet</span>'
    return '<ul class="links">' + "".join(items) + "</ul>"


def _index_row(reports_dir: Path, e: dict) -> str:
    synthetic = bool(e.get("synthetic"))
    facts = e.get("facts")
    slug = str(e["slug"])
    label = ('<span class="label synthetic">SYNTHETIC</span>' if synthetic
             else '<span class="label real">REAL</span>')
    status = str(e.get("status") or "unknown")
    status_class = {"never run": "never"}.get(status, status if status in ("ok", "failed", "stale", "red") else "unknown")
    note = e.get("status_note")
    status_html = f'<span class="status {status_class}">{_esc(status)}</span>'
    if note:
        status_html += f'<span class="note">{_esc(note)}</span>'
    if e.get("skipped"):
        status_html += ('<span class="note skipped">Not read as searches: '
                        + "; ".join(_esc(x) for x in e["skipped"]) + "</span>")
    # Only a slug that is one plain path segment can be linked to.
    links = (_links(reports_dir, slug) if slug and "/" not in slug and "\\" not in slug and slug not in (".", "..")
             else '<span class="none">no reports</span>')
    if facts is None:
        counts = _number(None, "rows_read")
    else:
        counts = "".join(f'<span class="count">{_number(facts, k)} {label}</span>'
                         for k, label in (("rows_read", "read"), ("duplicates", "duplicates"), ("rejected", "rejected")))
    return (
        f'<tr class="{"synthetic" if synthetic else "real"}">'
        f'<td><strong>{_esc(e.get("name", slug))}</strong>'
        f'<span class="producer">{_esc(e.get("producer") or "")}</span></td>'
        f"<td>{label}</td>"
        f'<td>{_esc(e.get("log_kind") or "")}</td>'
        f'<td class="num">{_number(facts, "searches")}</td>'
        f'<td class="num">{_number(facts, "agencies")}</td>'
        f'<td class="num">{_number(facts, "searchers")}</td>'
        f'<td class="period">{_period(facts)}</td>'
        f'<td class="num">{_immigration(facts)}</td>'
        f"<td>{_claims(e.get('claims'))}</td>"
        f"<td>{_validation(e.get('validation'))}</td>"
        f'<td class="num">{counts}</td>'
        f"<td>{status_html}</td>"
        f"<td>{links}</td>"
        "</tr>"
    )
