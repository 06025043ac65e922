"""One jurisdiction's notebooks: their content keys, and running those whose key changed (in a worker process).

Each notebook's key covers the raw files, its code and the notebook itself, and includes the key before it,
so a change reruns that notebook and every one after it. A notebook runs through run/notebook.py (its own
kernel, published whole); the first that fails stops the jurisdiction, and the others of the run go on.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path

from pipeline import ROOT
from pipeline.config import Jurisdiction
from pipeline.contracts import RunStatus
from pipeline.io.atomic import write_json
from pipeline.project import build_dir, display_path, processed_dir, reports_dir

# The report modules a rerun needs import no pandas, nbformat or papermill at module level: a rerun with
# nothing changed imports only what it reads (the notebooks' paths import the rest inside their functions).
from pipeline.report.index import verdict_of_reports
from pipeline.run import lastgood

NOTEBOOKS = ("01_clean", "02_validate", "03_analyze")


def environment(root: Path) -> None:
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


def run_record(out_dir: Path) -> dict:
    try:
        return json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def outputs_exist(out_dir: Path, name: str) -> bool:
    return all((out_dir / f"{name}{ext}").exists() for ext in (".ipynb", ".html", ".code.html"))


def all_cached(j: Jurisdiction, keys: dict[str, str], root: Path) -> bool:
    """True when every notebook's key is unchanged and its outputs exist: nothing to do, not even a process."""
    out_dir = reports_dir(root, j.slug)
    record = run_record(out_dir).get("keys", {})
    return (
        all(record.get(n) == keys[n] and outputs_exist(out_dir, n) for n in NOTEBOOKS)
        and verdict_of_reports(out_dir)[0] != "RED"
    )


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
    environment(root_path)
    t0 = time.perf_counter()
    slug = j.slug
    result = {"slug": slug, "status": RunStatus.OK, "timings": {}, "cached": [], "seconds": 0.0}
    try:
        kept = lastgood.keep(root_path, slug)  # a full disk puts these back (run/lastgood.py)
    except OSError as e:
        lastgood.drop(root_path, slug)
        if lastgood.is_disk_full(e):  # nothing touched yet
            return {
                **result,
                "status": RunStatus.FAILED,
                "notebook": NOTEBOOKS[0],
                "kept_last_good": True,
                "message": lastgood.sentence(root_path, slug),
                "seconds": time.perf_counter() - t0,
            }
        kept = False  # (another filesystem: nothing to put back, as before)
    try:
        out_dir = reports_dir(root_path, slug)
        out_dir.mkdir(parents=True, exist_ok=True)
        record = run_record(out_dir)
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
            if not force and record.get("keys", {}).get(name) == keys[name] and outputs_exist(out_dir, name):
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
    _keep_last_good_if_disk_full(j, result, kept)
    result["seconds"] = time.perf_counter() - t0
    return result


def _keep_last_good_if_disk_full(j: Jurisdiction, result: dict, kept: bool) -> None:
    """A run the disk stopped: its last good outputs back in place, and one sentence instead of a traceback.
    Any other outcome: the kept copy is dropped."""
    failed = result["status"] == RunStatus.FAILED
    if kept and failed and lastgood.is_disk_full(None, f"{result.get('message', '')}\n{result.get('traceback', '')}"):
        lastgood.restore(j.root, j.slug)
        result.pop("traceback", None)
        result.update(message=lastgood.sentence(j.root, j.slug), kept_last_good=True)
    else:
        lastgood.drop(j.root, j.slug)


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
