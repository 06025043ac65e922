"""The index page, reports/index.html, opens with the story: a lede from the figures, one table comparing
the jurisdictions (kind of log, period, searches, agencies, immigration-related searches, out-of-state share,
claims held, verdict, a link to each one's page), the story's claims with their status (and, where a claim
speaks of another window than the release, both figures), then the corpora. What an editor needs less often
is folded below: what the data cannot tell you, each run's state, what changed, agencies shared between
producers. Every file of a jurisdiction is listed on its own files page (reports/<slug>/files.html).
Rendered from templates/index.html (Jinja2, autoescaped: free text is escaped); no script, fits an 800 px
window, opens offline (the same Content-Security-Policy as the notebook pages). What a jurisdiction's row
and claims show is built in report/index_views.py; this module gathers the state and writes the page."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import urllib.parse
from pathlib import Path

from pipeline.contracts import RunStatus
from pipeline.config import Jurisdiction
from pipeline.io.atomic import write_text
from pipeline.project import processed_dir, reports_dir, reports_root
from pipeline.analyze.changes import index_section as changes_section
from pipeline.report.outputs import TEMPLATES
from pipeline.report.pages import CSP_META
from pipeline.validate.verdict import read_verdict
from pipeline.report.index_views import NOT_COMPUTED, NOT_IN_RELEASE, caveat_groups, entry_view, lede


SHARED_AGENCIES_SHOWN = 50


@functools.cache
def _env():
    import jinja2  # here, not at the top: the runner imports this module on every run, written or not

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def write_index(
    reports_dir: Path,
    entries: list[dict],
    *,
    generated_at: str,
    shared_agencies: list[dict] | None = None,
    corpora: list[dict] | None = None,
    shared_csv: bool = True,
) -> Path:
    """Write reports_dir/index.html: findings first (one card per entry, in the order given), what the data
    cannot tell you by log kind, every output of each jurisdiction, a table of the runs; returns its path.

    Each entry: slug, name, producer, synthetic, log_kind, status ("ok" | "red" | "failed" | "stale" |
    "never run"), status_note, skipped (what was not read as searches, one line each), claims, validation,
    facts (None, or facts.json: period_words, findings, caveats and the flat figures). A None figure is
    shown as "not in release"; a key an older facts.json lacks, or facts None, as "not computed". Links
    point only at files that exist under reports_dir/<slug>/ when this runs. shared_csv: also write
    shared_agencies.csv (the runner writes it apart, only when an agencies.csv changed: it needs pandas).
    """
    from markupsafe import Markup

    reports_dir = Path(reports_dir)
    views = [entry_view(reports_dir, e) for e in entries]
    n_real = sum(1 for e in entries if not e.get("synthetic"))
    n_failed = sum(1 for e in entries if e.get("status") == "failed")
    summary = (
        f"{len(entries):,} jurisdiction{'s' if len(entries) != 1 else ''}: {n_real:,} real, "
        f"{len(entries) - n_real:,} synthetic" + (f"; {n_failed:,} failed" if n_failed else "") + "."
    )
    rows = shared_agencies or []
    shared = {
        "rows": rows[:SHARED_AGENCIES_SHOWN],
        "total": len(rows),
        "synthetic": sorted({p["name"] for r in rows for p in r["producers"] if p["synthetic"]}),
    }
    page = (
        _env()
        .get_template("index.html")
        .render(
            csp=Markup(CSP_META),
            generated_at=str(generated_at),
            summary=summary,
            lede=lede(entries, members={m for c in corpora or [] for m in c.get("members") or []}),
            entries=views,
            claims=[v for v in views if v["claims"]],
            caveat_groups=caveat_groups(entries),
            changes=Markup(changes_section(reports_dir, entries)),
            shared=shared,
            not_in_release=NOT_IN_RELEASE,
            not_computed=NOT_COMPUTED,
            corpora=corpora or [],
            corpus_columns=[words for _, words in CORPUS_COLUMNS],
            explore=(reports_dir / "explore" / "flock.db").is_file(),
        )
    )
    if rows and shared_csv:
        _write_shared_csv(reports_dir, rows)
    path = reports_dir / "index.html"
    write_text(path, page)
    return path


def _write_shared_csv(reports_dir: Path, rows: list[dict]) -> None:
    from pipeline.io.publish import write_csv
    import pandas as pd

    write_csv(
        pd.DataFrame(
            [
                {
                    "org_name": r["org_name"],
                    "agency_state": r.get("agency_state") or "",
                    "producers": len(r["producers"]),
                    "searches_by_producer": "; ".join(
                        f"{p['name']}{' (SYNTHETIC)' if p['synthetic'] else ''}: {p['searches']}"
                        for p in r["producers"]
                    ),
                }
                for r in rows
            ]
        ),
        reports_dir / "shared_agencies.csv",
        synthetic=any(p["synthetic"] for r in rows for p in r["producers"]),
    )


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
    where = (
        s["file"]
        + (f"!{s['member']}" if s.get("member") else "")
        + (f", sheet '{s['sheet']}'" if s.get("sheet") else "")
    )
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
            note = f"{r['notebook']} failed{earlier}: {r['message']}" + (
                " The figures shown are from the last good run." if facts else ""
            )
        claims_path = reports_dir(root, j.slug) / "claims.json"
        claims = json.loads(claims_path.read_text(encoding="utf-8"))["claims"] if claims_path.exists() else None
        verdict, why = verdict_of_reports(reports_dir(root, j.slug))
        if r is not None and r["status"] == RunStatus.FAILED and r.get("notebook") in ("inputs", "01_clean"):
            # A release that cannot be read is RED for the reporter, whatever an older validation said.
            verdict, why = "RED", f"The release could not be read, so nothing was validated: {r['message']}"
        entries.append(
            {
                "slug": j.slug,
                "name": j.name,
                "producer": j.producer,
                "synthetic": j.synthetic,
                "log_kind": (facts or {}).get("log_kind", j.log_kind),
                "status": status,
                "status_note": note,
                "facts": facts,
                "claims": claims,
                "skipped": [describe_skipped(x) for x in skipped_inputs(root, j.slug)],
                "validation": {"verdict": verdict, "why": why} if verdict else None,
            }
        )
    return entries


def shared_agencies(jurisdictions: list[Jurisdiction], root: Path) -> list[dict]:
    """Agencies whose name (as released, trimmed) appears in more than one producer's log. Read with the
    csv module (every cell as text, as written), not pandas: the index is rewritten on reruns too."""
    seen: dict[str, dict] = {}
    for j in jurisdictions:
        path = reports_dir(root, j.slug) / "agencies.csv"
        if not path.exists():
            continue
        with path.open(encoding="utf-8", newline="") as f:
            rows = [(r["org_name"], r["agency_state"], r["searches"]) for r in csv.DictReader(f)]
        for name, state, searches in rows:
            entry = seen.setdefault(name, {"org_name": name, "agency_state": state, "producers": []})
            entry["producers"].append({"name": j.name, "synthetic": j.synthetic, "searches": int(searches)})
    shared = [e for e in seen.values() if len(e["producers"]) > 1]
    return sorted(
        shared, key=lambda e: (-len(e["producers"]), -sum(p["searches"] for p in e["producers"]), e["org_name"])
    )


def write(root: Path, jurisdictions: list[Jurisdiction], states: dict[str, dict], shared_csv: bool = True) -> Path:
    """reports/index.html for every jurisdiction, from its state (see index_entries), and every corpus
    reports/corpora/ holds (and reports/shared_agencies.csv unless shared_csv is False); returns its path."""
    return write_index(
        reports_root(root),
        index_entries(jurisdictions, states, root),
        generated_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        shared_agencies=shared_agencies(jurisdictions, root),
        corpora=corpus_entries(root),
        shared_csv=shared_csv,
    )


def write_shared_agencies(root: Path, jurisdictions: list[Jurisdiction]) -> None:
    """reports/shared_agencies.csv alone (when any agency is in more than one producer's log)."""
    rows = shared_agencies(jurisdictions, root)
    if rows:
        _write_shared_csv(reports_root(root), rows)


# The corpus figures the index shows, in order: (facts.json key, words).
CORPUS_FIGURES = (
    ("rows", "rows in the members' logs"),
    ("distinct_searches", "distinct searches, each counted once"),
    ("rows_per_search", "rows per search"),
    ("overlap_searches", "searches in more than one log"),
    ("max_producers_per_search", "most logs one search appears in"),
    ("agencies", "agencies"),
    ("immigration_searches", "immigration-related distinct searches"),
    ("federal_searches", "distinct searches by federal agencies"),
    ("conflicting_searches", "searches whose copies disagree between logs"),
    ("alias_variants_to_review", "agency spellings left to review"),
)


# The columns of the index's corpus table: (facts.json key, header).
CORPUS_COLUMNS = (
    ("period_words", "Period (UTC days)"),
    ("distinct_searches", "Distinct searches"),
    ("overlap_searches", "In more than one log"),
    ("agencies", "Agencies"),
    ("immigration_searches", "Immigration-related"),
)


def corpus_entries(root: Path) -> list[dict]:
    """Each corpus under reports/corpora/ with its figures (facts.json), last run state and every output."""
    base = reports_root(root) / "corpora"
    out = []
    for folder in sorted(p for p in base.glob("*") if p.is_dir()) if base.is_dir() else []:
        facts = _read_json(folder / "facts.json") or {}
        last = (_read_json(folder / "run.json") or {}).get("last", {})
        # A corpus of own-users logs has no figure across producers: said, not shown as "not in release".
        empty = OWN_LOGS_ONLY if facts.get("own_logs_only") else None
        figures = [
            {"label": words, "text": _corpus_figure(facts.get(key), empty)}
            for key, words in CORPUS_FIGURES
            if key in facts
        ]
        out.append(
            {
                "columns": [
                    {"label": words, "text": _corpus_figure(facts[key], empty) if key in facts else None}
                    for key, words in CORPUS_COLUMNS
                ],
                "name": facts.get("display_name") or folder.name,
                "anchor": f"corpus-{folder.name}",
                "synthetic": bool(facts.get("synthetic")),
                "members": facts.get("members") or [],
                "figures": figures,
                "status": last.get("status", "never run"),
                "message": last.get("message"),
                "page": _corpus_href(folder, "04_corpus.html"),
                "files": _corpus_href(folder, "files.html"),
            }
        )
    return out


def _corpus_href(folder: Path, name: str) -> str | None:
    if not (folder / name).is_file():
        return None
    return f"corpora/{urllib.parse.quote(folder.name, safe='')}/{name}"


OWN_LOGS_ONLY = "does not apply (each log holds only its own users' searches)"


def _corpus_figure(v, empty: str | None = None) -> str:
    if v is None:
        return empty or NOT_IN_RELEASE
    return f"{v:,}" if isinstance(v, int) else f"{v:,.2f}" if isinstance(v, float) else str(v)


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
