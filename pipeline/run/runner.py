"""Run the notebooks of every jurisdiction with papermill and render them for editors.

Each jurisdiction runs in its own process (its notebooks in their own kernels); one jurisdiction's
failure never stops the others. The run ends with a table of every jurisdiction's status and writes
reports/index.html. Executed notebooks are written beside their target and renamed into place, so a
failed run leaves the last good outputs untouched.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sys
import time
import traceback
from pathlib import Path

from pipeline import ROOT
from pipeline.config import Jurisdiction, check_inputs, load, select
from pipeline.contracts import RunStatus
from pipeline.errors import PipelineError
from pipeline.io.atomic import write_json
from pipeline.project import build_dir, display_path, processed_dir, reports_dir, reports_root

# The report modules a rerun needs import no pandas, nbformat or papermill at module level: a rerun with
# nothing changed imports only what it reads (the notebooks' paths import the rest inside their functions).
from pipeline.report.index import describe_skipped, skipped_inputs, verdict_of_reports
from pipeline.run.stamps import Stamps, code_tree, same_outcome, stat_of, tree

NOTEBOOKS = ("01_clean", "02_validate", "03_analyze")


def _environment(root: Path) -> None:
    """Keep Jupyter, IPython and GX state inside the project (the kernels import the installed package)."""
    build = build_dir(root)
    (build / ".ipython").mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("IPYTHONDIR", str(build / ".ipython"))
    os.environ.setdefault("JUPYTER_CONFIG_DIR", str(build / ".jupyter"))
    os.environ.setdefault("JUPYTER_DATA_DIR", str(build / ".jupyter" / "data"))
    os.environ.setdefault("JUPYTER_RUNTIME_DIR", str(build / ".jupyter" / "runtime"))
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    # Kernels cannot tell whether a person watches (their standard error is not the terminal): decide here
    # whether long steps echo their progress there (pipeline/io/progress.py).
    try:
        watched = sys.stderr.isatty() and not os.environ.get("CI")
    except (AttributeError, ValueError):
        watched = False
    os.environ.setdefault("PIPELINE_PROGRESS", "1" if watched else "0")


def _pipeline_error_names() -> set[str]:
    """Class names of every input error: a notebook that stops on one shows its message, not a traceback."""
    from pipeline import errors
    from pipeline.clean import build  # noqa: F401  (build defines RawFileChanged)

    names, todo = set(), [errors.PipelineError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return names


def notebook_keys(j: Jurisdiction, config: str, accept_changed_raw: bool, code: dict | None = None) -> dict[str, str]:
    """The content key of each notebook: what its outputs depend on. Each key includes the one before it.
    `code`: the code hash of each notebook, when the caller already has it (the same for every jurisdiction
    of a run; computed here otherwise)."""
    from pipeline.io.keys import digest, files_digest, raw_hashes

    try:
        manifest = json.loads((processed_dir(j.root, j.slug) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    # project.display_path names a file as ingest does (the manifest's names), without importing the readers.
    raw = raw_hashes(j.files(), manifest.get("raw_files"), lambda p: display_path(p, j.root))
    nb = {name: files_digest([f"notebooks/{name}.ipynb"], j.root) for name in NOTEBOOKS}
    params = {**j.as_params(), "claims": list(j.claims), "config": config, "accept_changed_raw": accept_changed_raw}
    code = code or code_versions()
    keys, before = {}, [(r["file"], r["sha256"]) for r in raw]
    for name in NOTEBOOKS:  # each key: the one before it, this notebook's own code, the notebook itself
        keys[name] = digest(before, code[name], nb[name], *([params] if name == "01_clean" else []))
        before = keys[name]
    return keys


def code_versions() -> dict[str, str]:
    """The code hash of each notebook (pipeline.io.keys.code_version), once per run rather than per jurisdiction."""
    from pipeline.io.keys import code_version

    return {name: code_version(ROOT, name) for name in NOTEBOOKS}


def _run_record(out_dir: Path) -> dict:
    try:
        return json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _outputs_exist(out_dir: Path, name: str) -> bool:
    return all((out_dir / f"{name}{ext}").exists() for ext in (".ipynb", ".html", ".code.html"))


def run_jurisdiction(
    j: Jurisdiction,
    config: str,
    keys: dict[str, str],
    force: bool = False,
    accept_changed_raw: bool = False,
    debug: bool = False,
) -> dict:
    """Execute and render the notebooks of one jurisdiction whose content key changed; never raises.

    `j` and `keys` are the run's own (read and computed once, by the parent): every process of a run works
    from the same entry and the same keys."""
    root_path = j.root
    _environment(root_path)
    t0 = time.perf_counter()
    slug = j.slug
    result = {"slug": slug, "status": RunStatus.OK, "timings": {}, "cached": [], "seconds": 0.0}
    try:
        out_dir = reports_dir(root_path, slug)
        out_dir.mkdir(parents=True, exist_ok=True)
        record = _run_record(out_dir)
        for name in NOTEBOOKS:
            if name == "03_analyze":
                verdict, why = verdict_of_reports(out_dir)
                if verdict == "RED":
                    result.update(
                        status=RunStatus.RED,
                        notebook="02_validate",
                        message=f"validation is RED, so the analysis did not run: {why}",
                    )
                    break
            if not force and record.get("keys", {}).get(name) == keys[name] and _outputs_exist(out_dir, name):
                result["cached"].append(name)
                continue
            failure = _execute(j, name, config, root_path, out_dir, force, accept_changed_raw, result, debug)
            if failure:
                result.update(failure)
                break
            record.setdefault("keys", {})[name] = keys[name]
            write_json(out_dir / "run.json", record)
    except Exception as e:  # a full disk, a notebook that vanished: report, never crash the run
        result.update(
            status=RunStatus.FAILED,
            notebook=result.get("notebook", "?"),
            message=f"{type(e).__name__}: {e}",
            traceback=traceback.format_exc(),
        )
    result["seconds"] = time.perf_counter() - t0
    return result


def _execute(j, name, config, root_path, out_dir, force, accept_changed_raw, result, debug=False) -> dict | None:
    from pipeline.report.render import render_notebook
    from pipeline.run.notebook import project_relative, run_notebook

    print(f"{j.slug}: running {name} ({NOTEBOOKS.index(name) + 1}/{len(NOTEBOOKS)})", flush=True)
    # The notebook runs in the project folder, so the project is "." to it: a published notebook names no
    # folder of the machine that ran it.
    parameters = {"jurisdiction": j.slug, "config": project_relative(config, root_path), "root": "."}
    if name == "01_clean":
        parameters.update(force=force, accept_changed_raw=accept_changed_raw)

    def explain(e) -> str:
        message = e.evalue if e.ename in _pipeline_error_names() else f"{e.ename}: {e.evalue}"
        return message + ("\n" + "\n".join(e.traceback) if debug else "")

    outcome = run_notebook(
        name,
        j.slug,
        out_dir,
        root_path,
        parameters,
        say=lambda msg: print(f"{j.slug}: {name}: {msg}", flush=True),
        render=lambda target: render_notebook(target, out_dir, synthetic=j.synthetic, jurisdiction_name=j.name),
        explain=explain,
    )
    if outcome.failure:
        return outcome.failure
    result["timings"][name] = outcome.seconds
    return None


def _remember(root: Path, result: dict) -> dict:
    """Keep this run's outcome for a jurisdiction in its run record, so that a later run of other
    jurisdictions still shows it as it last was. Returns the state kept. A run that did nothing and ended
    as the record says leaves the record as it is (its time is that of the run that did something)."""
    out_dir = reports_dir(root, result["slug"])
    if not out_dir.is_dir():
        out_dir.mkdir(parents=True)
    record = _run_record(out_dir)
    state = {k: result[k] for k in ("status", "notebook", "message", "seconds", "timings", "cached") if k in result}
    if same_outcome(record.get("last") or {}, state):
        return {**state, "finished_at": record["last"].get("finished_at")}
    state["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    record["last"] = state
    write_json(out_dir / "run.json", record)
    return state


def _all_cached(j: Jurisdiction, keys: dict[str, str], root: Path) -> bool:
    """True when every notebook's key is unchanged and its outputs exist: nothing to do, not even a process."""
    out_dir = reports_dir(root, j.slug)
    record = _run_record(out_dir).get("keys", {})
    return (
        all(record.get(n) == keys[n] and _outputs_exist(out_dir, n) for n in NOTEBOOKS)
        and verdict_of_reports(out_dir)[0] != "RED"
    )


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

    _environment(root)
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
    clear_stale(root, [reports_root(root)] + [reports_dir(root, j.slug) for j in all_j])
    results, keys, runnable = _plan(chosen, cfg, root, echo, force, accept_changed_raw)
    if runnable:
        kernels.ensure()
        results.update(_run_in_processes(runnable, cfg, keys, root, jobs, echo, force, accept_changed_raw, debug))
    stamps = Stamps(root)
    states = _publish(all_j, results, root, stamps, force)
    corpora = _run_corpora(config, root, states, cfg, echo, force, stamps, kernels.ensure, {j.slug for j in chosen})
    index = _write_index(root, all_j, states, stamps, force)
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


def _publish(all_j: list[Jurisdiction], results: dict, root: Path, stamps: Stamps, force: bool) -> dict[str, dict]:
    """Every jurisdiction's state for the index. Those of this run: their outcome kept in the run record, then
    their trail (summaries, pages, manifest.json last), unless everything it is made from is as it was."""
    states = {}
    version = functools.cache(_pipeline_version)
    for j in all_j:
        if j.slug in results:
            status = results[j.slug]["status"]
            states[j.slug] = {**_remember(root, results[j.slug]), "this_run": True}
            stamps.rewrite(
                f"trail/{j.slug}",
                lambda j=j, status=status: _trail_inputs(j, status, version()),
                lambda j=j, status=status: _publish_trail(j, status),
                force,
            )
        elif "last" in _run_record(reports_dir(root, j.slug)):
            states[j.slug] = _run_record(reports_dir(root, j.slug))["last"]
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


def _write_index(root: Path, all_j: list[Jurisdiction], states: dict, stamps: Stamps, force: bool) -> Path:
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
        if not force and _all_cached(j, keys[j.slug], root):
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
            _echo_outcome(j.slug, r, root, echo)
    return results


def _echo_outcome(slug: str, r: dict, root: Path, echo) -> None:
    if r["status"] == RunStatus.OK:
        ran = ", ".join(f"{k} {v} s" for k, v in r["timings"].items()) or "nothing to rerun"
        cached = f"; unchanged: {', '.join(r['cached'])}" if r["cached"] else ""
        echo(f"{slug}: done in {r['seconds']:.1f} s ({ran}{cached})")
    elif r["status"] == RunStatus.RED:
        echo(f"{slug}: RED, stopped before analysis: {r['message']}")
    else:
        echo(f"{slug}: FAILED in {r['notebook']}: {r['message']}")
    if "01_clean" in r["timings"]:  # said once, when the release was read
        for s in skipped_inputs(root, slug):
            echo(f"{slug}: not read: {describe_skipped(s)}")


def closing_table(
    chosen: list[Jurisdiction], results: dict[str, dict], claims_failed: list[tuple[str, dict]], root: Path
) -> list[str]:
    """The table a run ends with: per jurisdiction its status, verdict, claims, searches, seconds and
    notebooks run / unchanged. A jurisdiction whose published claim does not hold is not 'ok'."""
    failing = {}
    for slug, c in claims_failed:
        failing.setdefault(slug, []).append(c["claim"])
    rows = [("jurisdiction", "status", "verdict", "claims", "searches", "seconds", "notebooks run / unchanged")]
    for j in chosen:
        r = results[j.slug]
        status = {RunStatus.RED: "RED", RunStatus.FAILED: "FAILED"}.get(r["status"], "ok")
        if status == "ok" and j.slug in failing:
            status = "claim fails"
        verdict = verdict_of_reports(reports_dir(root, j.slug))[0] or "-"
        if r["status"] == RunStatus.FAILED and r.get("notebook") in ("inputs", "01_clean"):
            verdict = "RED"
        claims = _claims_cell(j, failing.get(j.slug, []), root) if r["status"] == RunStatus.OK else "-"
        facts_path = reports_dir(root, j.slug) / "facts.json"
        searches = "-"
        if r["status"] == RunStatus.OK and facts_path.exists():
            searches = f"{json.loads(facts_path.read_text(encoding='utf-8')).get('searches', 0):,}"
        rows.append(
            (
                j.slug,
                status,
                verdict,
                claims,
                searches,
                f"{r['seconds']:.1f}",
                f"{len(r['timings'])} / {len(r['cached'])}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    right = {4, 5}
    return [
        "  ".join(
            (cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])) if i < len(widths) else cell
            for i, cell in enumerate(row)
        ).rstrip()
        for row in rows
    ]


def _claims_cell(j: Jurisdiction, failing: list[str], root: Path) -> str:
    if not j.claims:
        return "none listed"
    held = len(j.claims) - len(failing)
    if not failing:
        return f"{held} held"
    return f"{held} held, {len(failing)} failed: " + "; ".join(f'"{c}"' for c in failing)


def failed_claims(jurisdictions: list[Jurisdiction], root: Path) -> list[tuple[str, dict]]:
    """(slug, claim) for every published claim that the last run of its jurisdiction did not reproduce."""
    out = []
    for j in jurisdictions:
        path = reports_dir(root, j.slug) / "claims.json"
        if j.claims and path.exists():
            out += [(j.slug, c) for c in json.loads(path.read_text(encoding="utf-8"))["claims"] if not c["holds"]]
        elif j.claims:
            out.append(
                (
                    j.slug,
                    {
                        "claim": "(claims were not checked)",
                        "fact": "-",
                        "computed": None,
                        "test": "-",
                        "target": "-",
                        "why_not": "claims.json is missing",
                    },
                )
            )
    return out
