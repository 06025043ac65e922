"""What a run publishes after its notebooks: each jurisdiction's outcome in its run record and its trail
(summaries, pages, manifest.json last), then reports/index.html: each rewritten only when what it is made
from changed (run/stamps.py).
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

from pipeline import ROOT
from pipeline.config import Jurisdiction
from pipeline.io.atomic import write_json
from pipeline.project import processed_dir, reports_dir, reports_root

# The report modules a rerun needs import no pandas, nbformat or papermill at module level: a rerun with
# nothing changed imports only what it reads (the notebooks' paths import the rest inside their functions).
from pipeline.run.jurisdiction import run_record
from pipeline.run.stamps import Stamps, code_tree, same_outcome, stat_of, tree


def _remember(root: Path, result: dict) -> dict:
    """Keep this run's outcome for a jurisdiction in its run record, so that a later run of other
    jurisdictions still shows it as it last was. Returns the state kept. A run that did nothing and ended
    as the record says leaves the record as it is (its time is that of the run that did something)."""
    out_dir = reports_dir(root, result["slug"])
    if not out_dir.is_dir():
        out_dir.mkdir(parents=True)
    record = run_record(out_dir)
    state = {k: result[k] for k in ("status", "notebook", "message", "seconds", "timings", "cached") if k in result}
    if same_outcome(record.get("last") or {}, state):
        return {**state, "finished_at": record["last"].get("finished_at")}
    state["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    record["last"] = state
    write_json(out_dir / "run.json", record)
    return state


def publish(all_j: list[Jurisdiction], results: dict, root: Path, stamps: Stamps, force: bool) -> dict[str, dict]:
    """Every jurisdiction's state for the index. Those of this run: their outcome kept in the run record, then
    their trail (summaries, pages, manifest.json last), unless everything it is made from is as it was."""
    states = {}
    version = functools.cache(_pipeline_version)
    for j in all_j:
        if results.get(j.slug, {}).get("kept_last_good"):  # the disk is full: its record and trail untouched
            states[j.slug] = {**run_record(reports_dir(root, j.slug)).get("last", {}), "this_run": True}
        elif j.slug in results:
            status = results[j.slug]["status"]
            states[j.slug] = {**_remember(root, results[j.slug]), "this_run": True}
            stamps.rewrite(
                f"trail/{j.slug}",
                lambda j=j, status=status: _trail_inputs(j, status, version()),
                lambda j=j, status=status: _publish_trail(j, status),
                force,
            )
        elif "last" in run_record(reports_dir(root, j.slug)):
            states[j.slug] = run_record(reports_dir(root, j.slug))["last"]
    return states


def _publish_trail(j: Jurisdiction, status: str) -> None:
    from pipeline.report.trail import publish_trail

    publish_trail(j, status)


def _pipeline_version() -> dict:
    """The commit manifest.json names (a commit with no file changed still rewrites it, as it always did)."""
    from pipeline.clean.provenance import pipeline_version

    return pipeline_version(ROOT)


def _trail_inputs(j: Jurisdiction, status: str, version: dict) -> list:
    """What a jurisdiction's trail is made from: its entry, the run's status, every file of its reports and
    processed folders (the trail's own outputs among them), the code and templates, the commit."""
    return [
        str(status),
        repr(j),
        tree(reports_dir(j.root, j.slug)),
        tree(processed_dir(j.root, j.slug)),
        code_tree(j.root),
        version,
    ]


def write_index(root: Path, all_j: list[Jurisdiction], states: dict, stamps: Stamps, force: bool) -> Path:
    """reports/index.html, unless every jurisdiction's entry and state, every file it reads and the index's
    own files are as they were when it was last written; shared_agencies.csv apart (it needs pandas), when
    an agencies.csv, an entry or the code changed."""
    from pipeline.report import index

    shared = reports_root(root) / "shared_agencies.csv"
    stamps.rewrite(
        "shared_agencies",
        lambda: [
            [(repr(j), stat_of(reports_dir(root, j.slug) / "agencies.csv")) for j in all_j],
            stat_of(shared),
            code_tree(root),
        ],
        lambda: index.write_shared_agencies(root, all_j),
        force,
    )
    stamps.rewrite(
        "index",
        lambda: _index_inputs(root, all_j, states),
        lambda: index.write(root, all_j, states, shared_csv=False),
        force,
    )
    return reports_root(root) / "index.html"


def _index_inputs(root: Path, all_j: list[Jurisdiction], states: dict) -> list:
    reports = reports_root(root)
    return [
        states,
        [repr(j) for j in all_j],
        [(tree(reports_dir(root, j.slug)), stat_of(processed_dir(root, j.slug) / "manifest.json")) for j in all_j],
        tree(reports / "corpora"),
        stat_of(reports / "explore" / "flock.db"),
        stat_of(reports / "index.html"),
        stat_of(reports / "shared_agencies.csv"),
        code_tree(root),
    ]
