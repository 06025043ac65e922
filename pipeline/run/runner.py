"""Run the notebooks of every jurisdiction with papermill and render them for editors.

Each jurisdiction runs in its own process (its notebooks in their own kernels, forked from the run's warm
template: run/template.py); one jurisdiction's failure never stops the others. The run ends with a table of
every jurisdiction's status and writes reports/index.html. Executed notebooks are published whole, so a
failed run leaves the last good outputs untouched. The parts: run/jurisdiction.py (keys and notebooks),
run/publish.py (trail and index), run/closing.py (what the run says), run/corpora.py (the corpus step).
"""

from __future__ import annotations

import os
from pathlib import Path

from pipeline import ROOT
from pipeline.config import Jurisdiction, check_inputs, load, select
from pipeline.contracts import RunStatus
from pipeline.errors import PipelineError
from pipeline.project import reports_dir, reports_root

# The report modules a rerun needs import no pandas, nbformat or papermill at module level: a rerun with
# nothing changed imports only what it reads (the notebooks' paths import the rest inside their functions).
from pipeline.run import lastgood
from pipeline.run.closing import closing_table, echo_outcome, failed_claims
from pipeline.run.jurisdiction import NOTEBOOKS, all_cached, code_versions, environment, notebook_keys, run_jurisdiction
from pipeline.run.publish import publish, write_index
from pipeline.run.stamps import Stamps


def run(
    slugs: list[str] | None = None,
    config: str | None = None,
    jobs: int | None = None,
    root: Path = ROOT,
    echo=print,
    force: bool = False,
    accept_changed_raw: bool = False,
    debug: bool = False,
) -> int:
    """Run the selected jurisdictions (default: all); return the process exit code.

    A jurisdiction whose notebooks' content keys are all unchanged is not run at all (say so); the
    others run in separate processes, `jobs` at a time. Exit 1 if any failed, was RED, or has a
    published claim that does not hold; every jurisdiction is finished first. One run of a project at a
    time: a second one stops with RunInProgress (build/run.lock).
    """
    from pipeline.run.runlock import exclusive_run
    from pipeline.run.template import OnDemand, socket_dir

    environment(root)
    with exclusive_run(root) as lock:
        kernels = OnDemand(root, socket_dir, (lock.fileno(),), echo)
        try:
            return _run(slugs, config, jobs, root, echo, force, accept_changed_raw, debug, kernels)
        finally:
            kernels.close()  # no template or kernel outlives the run, nor the lock it holds


def _run(slugs, config, jobs, root: Path, echo, force, accept_changed_raw, debug, kernels) -> int:
    from pipeline.run.notebook import clear_stale

    all_j = load(config, root=root, check_files=False)
    chosen = select(all_j, slugs)
    cfg = str(config or "")
    corpus_folders = [p for p in (reports_root(root) / "corpora").glob("*") if p.is_dir()]
    clear_stale(root, [reports_root(root)] + [reports_dir(root, j.slug) for j in all_j] + corpus_folders)
    results, keys, runnable = _plan(chosen, cfg, root, echo, force, accept_changed_raw)
    if runnable:
        kernels.ensure(wait=False)  # the template warms up while the workers start
        results.update(_run_in_processes(runnable, cfg, keys, root, jobs, echo, force, accept_changed_raw, debug))
        kernels.settle()
    stamps = Stamps(root)
    try:
        states = publish(all_j, results, root, stamps, force)
        corpora = _run_corpora(config, root, states, cfg, echo, force, stamps, kernels.ensure, {j.slug for j in chosen})
        write_index(root, all_j, states, stamps, force)
    except OSError as e:
        if not lastgood.is_disk_full(e):
            raise
        echo(
            "the disk holding reports/ is full, so this run's index and summaries were not all written; free some space and run again"
        )
        corpora = ["(not published)"]
    index = reports_root(root) / "index.html"
    claims_failed = failed_claims([j for j in chosen if results[j.slug]["status"] == RunStatus.OK], root)
    echo("")
    for line in closing_table(chosen, results, claims_failed, root):
        echo(line)
    echo(f"index: {index.resolve().as_uri()}")
    failed = [s for s, r in results.items() if r["status"] != RunStatus.OK]
    for slug, claim in claims_failed:
        echo(
            f'{slug}: CLAIM DOES NOT HOLD: "{claim["claim"]}" ({claim["fact"]} = {claim["computed"]}, '
            f"needs {claim['test'].replace('_', ' ')} {claim['target']}){': ' + claim['why_not'] if claim['why_not'] else ''}"
        )
    if failed:
        echo(f"{len(failed)} jurisdiction(s) did not finish: {', '.join(failed)}")
    return 1 if failed or claims_failed or corpora else 0


def _run_corpora(
    config,
    root: Path,
    states: dict,
    cfg: str,
    echo,
    force: bool,
    stamps: Stamps | None = None,
    prepare=None,
    chosen: set[str] | None = None,
) -> list[str]:
    """The corpus step (pipeline/run/corpora.py), after every jurisdiction; the corpora whose own notebook failed.
    `force` reruns only the corpora that hold a jurisdiction of `chosen` (the run's selection): the others
    depend on nothing this run changed, and run only if their own keys changed."""
    from pipeline.config import load_corpora
    from pipeline.run.corpora import NOTEBOOK, run_corpora

    corpora = load_corpora(config, root=root, check_files=False)
    holds = [c for c in corpora if chosen is None or any(m.slug in chosen for m in c.members)]
    others = [c for c in corpora if c not in holds]
    done = run_corpora(holds, states, root, cfg, echo, force, stamps, prepare=prepare)
    done.update(run_corpora(others, states, root, cfg, echo, False, stamps, prepare=prepare))
    return [name for name, s in done.items() if s.get("notebook") == NOTEBOOK]


def _plan(chosen: list[Jurisdiction], cfg: str, root: Path, echo, force: bool, accept_changed_raw: bool):
    """(results so far, each jurisdiction's keys, the jurisdictions to run): inputs that cannot start fail
    here; jurisdictions whose keys are all unchanged are done without a process."""
    results: dict[str, dict] = {}
    keys: dict[str, dict[str, str]] = {}
    runnable = []
    code = code_versions()
    for j in chosen:
        try:
            check_inputs(j)
        except PipelineError as e:
            results[j.slug] = {
                "slug": j.slug,
                "status": RunStatus.FAILED,
                "notebook": "inputs",
                "message": str(e),
                "seconds": 0.0,
                "timings": {},
                "cached": [],
            }
            echo(f"{j.slug}: cannot start: {e}")
            continue
        for note in j.notes_skipped:
            echo(f"{j.slug}: {note}")
        try:
            keys[j.slug] = notebook_keys(j, cfg, accept_changed_raw, code)
        except (OSError, PipelineError) as e:  # a raw file that cannot be hashed: never cached; 01 says why
            keys[j.slug] = {name: f"not computed: {e}" for name in NOTEBOOKS}
        if not force and all_cached(j, keys[j.slug], root):
            results[j.slug] = {
                "slug": j.slug,
                "status": RunStatus.OK,
                "seconds": 0.0,
                "timings": {},
                "cached": list(NOTEBOOKS),
            }
            echo(f"{j.slug}: unchanged since the last run; nothing to do")
        else:
            runnable.append(j)
    return results, keys, runnable


def ice_list_in_use() -> str:
    """Which of ICE's 287(g) lists this run's analysis matches agencies against (the newest in the folder)."""
    from pipeline.analyze import ice287g_list

    try:
        path = ice287g_list.newest()
        _, day, _ = ice287g_list.list_date(path)
    except ice287g_list.ListError as e:
        return f"ICE's 287(g) list: {e}"
    return f"ICE's 287(g) list in use: {path.name} (list of {ice287g_list.date_words(day)})"


def _run_in_processes(
    runnable: list[Jurisdiction],
    cfg: str,
    keys: dict,
    root: Path,
    jobs: int | None,
    echo,
    force: bool,
    accept_changed_raw: bool,
    debug: bool,
) -> dict[str, dict]:
    """Each jurisdiction in a process of its own, `jobs` at a time; a worker that dies is a failed result."""
    import concurrent.futures as cf
    import multiprocessing

    results: dict[str, dict] = {}
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(runnable)))
    echo(f"running {len(runnable)} jurisdiction(s) with {jobs} process(es): {', '.join(j.slug for j in runnable)}")
    echo(ice_list_in_use())
    from pipeline.run.lifeline import die_with_parent

    ctx = multiprocessing.get_context("spawn")
    # Each worker ends when the run does, however the run ends (its kernels end with it or its template).
    with cf.ProcessPoolExecutor(
        max_workers=jobs, mp_context=ctx, initializer=die_with_parent, initargs=(os.getpid(),)
    ) as pool:
        futures = {
            pool.submit(run_jurisdiction, j, cfg, keys[j.slug], force, accept_changed_raw, debug): j for j in runnable
        }
        for fut in cf.as_completed(futures):
            j = futures[fut]
            try:
                r = fut.result()
            except Exception as e:  # the worker process itself died
                r = {
                    "slug": j.slug,
                    "status": RunStatus.FAILED,
                    "notebook": "?",
                    "message": f"{type(e).__name__}: {e}",
                    "seconds": 0.0,
                    "timings": {},
                    "cached": [],
                }
            results[j.slug] = r
            echo_outcome(j.slug, r, root, echo)
    return results
