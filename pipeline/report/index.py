"""The index page, reports/index.html: every jurisdiction side by side, each in its last real state (this
run's outcome or the one its run record kept), with what was not read, the claims, the verdict, what
changed, the agencies seen in more than one producer's log, and links to every page. Free text is escaped;
the page opens offline (the same Content-Security-Policy as the notebook pages)."""
from __future__ import annotations

import datetime as dt
import html
import json
import math
import urllib.parse
from pathlib import Path

from pipeline.contracts import RunStatus
from pipeline.config import Jurisdiction
from pipeline.io.atomic import write_text
from pipeline.project import processed_dir, reports_dir, reports_root
from pipeline.analyze.changes import index_section as changes_section
from pipeline.report.render import CSP_META
from pipeline.validate.verdict import read_verdict


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


# Long (~65 lines) on purpose: the page is one HTML template here (to move to a Jinja2 template with issue 12).
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


# ------------------------------------------------------------------------------- what the index shows

def verdict_of_reports(out_dir: Path) -> tuple[str | None, str | None]:
    try:
        v = read_verdict(out_dir) or {}
    except ValueError:
        return None, None
    return v.get("verdict"), v.get("why")


def skipped_inputs(root: Path, slug: str) -> list[dict]:
    """What the last build of a jurisdiction did not read (sheets, archive members), from its manifest."""
    try:
        return json.loads((processed_dir(root, slug) / "manifest.json").read_text(encoding="utf-8"))["skipped"]
    except (OSError, ValueError, KeyError):
        return []


def describe_skipped(s: dict) -> str:
    """'data/raw/x/a.zip!cover.pdf: not a CSV or workbook' — one skipped sheet or member, for people."""
    where = s["file"] + (f"!{s['member']}" if s.get("member") else "") + (f", sheet '{s['sheet']}'" if s.get("sheet") else "")
    return f"{where}: {s['why']}"


def index_entries(jurisdictions: list[Jurisdiction], states: dict[str, dict], root: Path) -> list[dict]:
    """One entry per jurisdiction for the index, each from its last real state: this run's result, or the
    outcome its own run record kept from an earlier run."""
    entries = []
    for j in jurisdictions:
        facts_path = reports_dir(root, j.slug) / "facts.json"
        facts = json.loads(facts_path.read_text(encoding="utf-8")) if facts_path.exists() else None
        r = states.get(j.slug)
        earlier = f" (last run {r['finished_at']})" if r and r.get("finished_at") and not r.get("this_run") else ""
        if r is None:
            status, note = ("ok", "not run by this version of the pipeline yet") if facts else ("never run", None)
        elif r["status"] == RunStatus.OK:
            unchanged = r.get("cached") and not r.get("timings")
            status, note = "ok", ("unchanged since the last run" if unchanged else None)
            if earlier:
                note = f"not rerun in this run{earlier}"
        elif r["status"] == RunStatus.RED:
            status = "red"
            note = r["message"] + earlier + (" The figures shown are from the last good run." if facts else "")
        else:
            status = "stale" if facts else "failed"
            note = (f"{r['notebook']} failed{earlier}: {r['message']}" +
                    (" The figures shown are from the last good run." if facts else ""))
        claims_path = reports_dir(root, j.slug) / "claims.json"
        claims = json.loads(claims_path.read_text(encoding="utf-8"))["claims"] if claims_path.exists() else None
        verdict, why = verdict_of_reports(reports_dir(root, j.slug))
        if r is not None and r["status"] == RunStatus.FAILED and r.get("notebook") in ("inputs", "01_clean"):
            # A release that cannot be read is RED for the reporter, whatever an older validation said.
            verdict, why = "RED", f"The release could not be read, so nothing was validated: {r['message']}"
        entries.append({"slug": j.slug, "name": j.name, "producer": j.producer, "synthetic": j.synthetic,
                        "log_kind": (facts or {}).get("log_kind", j.log_kind), "status": status,
                        "status_note": note, "facts": facts, "claims": claims,
                        "skipped": [describe_skipped(x) for x in skipped_inputs(root, j.slug)],
                        "validation": {"verdict": verdict, "why": why} if verdict else None})
    return entries


def shared_agencies(jurisdictions: list[Jurisdiction], root: Path) -> list[dict]:
    """Agencies whose name (as released, trimmed) appears in more than one producer's log."""
    import pandas as pd

    seen: dict[str, dict] = {}
    for j in jurisdictions:
        path = reports_dir(root, j.slug) / "agencies.csv"
        if not path.exists():
            continue
        df = pd.read_csv(path, keep_default_na=False, dtype={"agency_state": str})
        for name, state, searches in zip(df["org_name"], df["agency_state"], df["searches"]):
            entry = seen.setdefault(name, {"org_name": name, "agency_state": state, "producers": []})
            entry["producers"].append({"name": j.name, "synthetic": j.synthetic, "searches": int(searches)})
    shared = [e for e in seen.values() if len(e["producers"]) > 1]
    return sorted(shared, key=lambda e: (-len(e["producers"]), -sum(p["searches"] for p in e["producers"]),
                                         e["org_name"]))


def write(root: Path, jurisdictions: list[Jurisdiction], states: dict[str, dict]) -> Path:
    """reports/index.html for every jurisdiction, from its state (see index_entries); returns its path."""
    return write_index(reports_root(root), index_entries(jurisdictions, states, root),
                       generated_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                       shared_agencies=shared_agencies(jurisdictions, root))
