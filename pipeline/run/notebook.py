"""Run one notebook: execute it in a kernel of its own, publish the executed notebook, render its two pages.

One function for a jurisdiction's notebooks and a corpus's. The notebook executes into build/running/
(never reports/, which holds only what is published: a killed run's half-executed notebook names the
machine's folders), then is published whole under reports/ with the project-relative paths papermill
records. A notebook whose cell raised is kept as far as it ran in build/failed/<who>/, for diagnosis; any
other failure (a kernel that died twice, a missing notebook) keeps nothing. A run clears what a killed run
left in build/running/ when it starts (clear_stale).
"""

from __future__ import annotations

import os
import shutil
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.contracts import RunStatus
from pipeline.io.atomic import write_text
from pipeline.project import build_dir, failed_notebook


def running_dir(root: Path) -> Path:
    """Where notebooks execute before they are published."""
    return build_dir(root) / "running"


@dataclass
class Outcome:
    """A notebook's outcome: None failure when it ran and was published; seconds it took."""

    failure: dict | None = None
    seconds: float = 0.0


def run_notebook(
    name: str,
    who: str,
    out_dir: Path,
    root: Path,
    parameters: dict,
    say: Callable[[str], None],
    render: Callable[[Path], object],
    explain: Callable[[object], str] | None = None,
) -> Outcome:
    """Execute notebooks/<name>.ipynb for `who` (a slug, or corpora/<name>) with `parameters`, publish it
    as out_dir/<name>.ipynb and call render(published). A cell that raised gives a failure whose message
    is explain(error) (default "Name: value") and names the kept notebook; never raises for a notebook's
    own failure or a kernel's."""
    from papermill.exceptions import PapermillExecutionError

    from pipeline.report.render import warm_up
    from pipeline.run.kernels import execute_notebook

    warm_up()  # this process's first rendering loads nbconvert's templates while the kernel runs

    t = time.perf_counter()
    tmp = running_dir(root) / who.replace("/", "__") / f"{name}.{os.getpid()}.ipynb"
    tmp.parent.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{name}.ipynb"
    try:
        execute_notebook(root / "notebooks" / f"{name}.ipynb", tmp, parameters=parameters, cwd=root, say=say)
        publish_executed(tmp, root, target)
    except PapermillExecutionError as e:
        failed = failed_notebook(root, who, name)
        failed.parent.mkdir(parents=True, exist_ok=True)
        if tmp.exists():
            os.replace(tmp, failed)
        message = explain(e) if explain else f"{e.ename}: {e.evalue}"
        message += f" (the notebook as far as it ran: {failed.relative_to(root)})"
        return Outcome({"status": RunStatus.FAILED, "notebook": name, "message": message})
    except Exception as e:  # noqa: BLE001  (a kernel that died twice, a missing notebook, a full disk)
        return Outcome(
            {
                "status": RunStatus.FAILED,
                "notebook": name,
                "message": f"{type(e).__name__}: {e}",
                "traceback": traceback.format_exc(),
            }
        )
    finally:
        if tmp.exists():
            tmp.unlink()
    render(target)
    return Outcome(None, round(time.perf_counter() - t, 1))  # rendering counted, as the run always did


def project_relative(path: str, root: Path) -> str:
    """A path inside the project as seen from the project folder; anything else as given."""
    if not path:
        return path
    try:
        return str(Path(path).resolve().relative_to(Path(root).resolve()))
    except ValueError:
        return path


def publish_executed(executed: Path, root: Path, target: Path) -> None:
    """Publish an executed notebook whole at `target`. Papermill records the absolute input and output paths
    in its metadata: they are kept relative to the project (the output under its published name)."""
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    meta = nb.metadata.get("papermill", {})
    meta["input_path"] = project_relative(meta.get("input_path", ""), root)
    meta["output_path"] = project_relative(str(target), root)
    text = nbformat.writes(nb)
    write_text(target, text if text.endswith("\n") else text + "\n")  # as nbformat.write ends a file


def clear_stale(root: Path, folders: list[Path]) -> list[Path]:
    """Remove what a killed run left: build/running/ whole, and the temporary files of a write or a
    notebook (.<name>.*.tmp, .<notebook>.<pid>.ipynb) in `folders` and the folders below them (a kill
    during a write leaves one in reasons/ or charts/ too). Call it holding the run lock: no other run is
    writing. Returns what was removed."""
    removed = []
    running = running_dir(root)
    if running.exists():
        shutil.rmtree(running, ignore_errors=True)
        removed.append(running)
    for folder in folders:
        if not folder.is_dir():
            continue
        for p in folder.rglob(".*"):
            if p.is_file() and (p.name.endswith(".tmp") or p.name.endswith(".ipynb")) and p not in removed:
                p.unlink(missing_ok=True)
                removed.append(p)
    return removed
