"""The corpus step of a run: 04_corpus once per corpus, after its members, into reports/corpora/<name>/.

A corpus is cached like a jurisdiction's notebook: its content key covers the key of each member's
cleaned searches (the 01_clean key in reports/<slug>/run.json, which changes whenever searches.parquet
would), the corpus code and rules, the notebook and the corpus entry. A corpus whose member did not finish
(failed, RED, never run) is not run; it keeps its last outputs and says why.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

from pipeline.config import Corpus
from pipeline.contracts import RunStatus
from pipeline.io.atomic import write_json
from pipeline.io.keys import BASE_CODE, ICE_287G, digest, files_digest
from pipeline.project import corpus_dir, reports_dir
from pipeline.report.pages import CORPUS, refresh
from pipeline.run.stamps import Stamps, code_tree, same_outcome, tree

NOTEBOOK = "04_corpus"
# The corpus page draws its charts with analyze/charts.py and writes its words with analyze/words.py: all of analyze/.
CORPUS_CODE = (
    BASE_CODE + ["pipeline/analyze/*.py", "pipeline/rules/corpus/*.yml", f"notebooks/{NOTEBOOK}.ipynb"] + ICE_287G
)


def _record(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def corpus_key(corpus: Corpus, root: Path) -> str | None:
    """The content key of a corpus's outputs, or None when a member has no cleaned searches yet."""
    members = []
    for m in corpus.members:
        key = _record(reports_dir(root, m.slug) / "run.json").get("keys", {}).get("01_clean")
        if not key:
            return None
        members.append((m.slug, key))
    return digest(members, files_digest(CORPUS_CODE, root), corpus.as_params(), list(corpus.claims))


def run_corpora(
    corpora: list[Corpus],
    states: dict[str, dict],
    root: Path,
    config: str,
    echo=print,
    force: bool = False,
    stamps: Stamps | None = None,
    *,
    prepare=None,
) -> dict[str, dict]:
    """Run each corpus whose members all finished ok (states: the run's per-jurisdiction states); return
        {name: state}, also kept in reports/corpora/<name>/run.json (left as it is when the corpus did nothing
        and ended as recorded). Its pages are refreshed unless its folder, the code and templates are as
        they were when they last were (stamps; without them, always). `prepare()` is called before a corpus
    notebook runs (the run's kernel template starts then)."""
    stamps = stamps or Stamps(root)
    out = {}
    for c in corpora:
        t0 = time.perf_counter()
        folder = corpus_dir(root, c.name)
        record = _record(folder / "run.json")
        state = _corpus_state(c, root, states, record, config, folder, echo, force, prepare)
        state.update(seconds=round(time.perf_counter() - t0, 1))
        if same_outcome(record.get("last") or {}, state):
            state["finished_at"] = record["last"].get("finished_at")
        else:
            state["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            folder.mkdir(parents=True, exist_ok=True)
            record["last"] = state
            write_json(folder / "run.json", record)
        stamps.rewrite(
            f"corpus/{c.name}",
            lambda c=c, folder=folder: [c.display_name, c.synthetic, tree(folder), code_tree(root)],
            lambda c=c, folder=folder: refresh(
                folder, c.display_name, synthetic=c.synthetic, site=CORPUS, manifest=False
            ),
            force,
        )  # the files page last
        out[c.name] = state
    return out


def _corpus_state(
    c: Corpus, root: Path, states: dict, record: dict, config: str, folder: Path, echo, force: bool, prepare=None
) -> dict:
    """Not run (a member did not finish), unchanged, or run now; a run that succeeds records its key."""
    not_ok = [m.slug for m in c.members if states.get(m.slug, {}).get("status") != RunStatus.OK]
    key = corpus_key(c, root)
    if not_ok or key is None:
        why = f"member(s) not finished: {', '.join(not_ok or [m.slug for m in c.members])}"
        echo(f"corpus {c.name}: not run, {why}")
        return {"status": RunStatus.FAILED, "notebook": "members", "message": why}
    if not force and record.get("keys", {}).get(NOTEBOOK) == key and (folder / f"{NOTEBOOK}.html").exists():
        echo(f"corpus {c.name}: unchanged since the last run; nothing to do")
        return {"status": RunStatus.OK, "cached": [NOTEBOOK], "timings": {}}
    if prepare:
        prepare()
    state = _execute(c, root, config, folder, echo)
    if state["status"] == RunStatus.OK:
        record.setdefault("keys", {})[NOTEBOOK] = key
    return state


def _execute(c: Corpus, root: Path, config: str, folder: Path, echo) -> dict:
    """Run the corpus notebook (run/notebook.py, as a jurisdiction's); one corpus's failure never stops the run."""
    from pipeline.report.render import render_notebook
    from pipeline.run.notebook import project_relative, run_notebook

    echo(f"corpus {c.name}: running {NOTEBOOK} over {len(c.members)} members")
    folder.mkdir(parents=True, exist_ok=True)
    outcome = run_notebook(
        NOTEBOOK,
        f"corpora/{c.name}",
        folder,
        root,
        {"corpus": c.name, "config": project_relative(config, root), "root": "."},
        say=lambda msg: echo(f"corpus {c.name}: {msg}"),
        render=lambda target: render_notebook(
            target, folder, synthetic=c.synthetic, jurisdiction_name=c.display_name, site=CORPUS
        ),
    )
    if outcome.failure:
        echo(f"corpus {c.name}: FAILED in {NOTEBOOK}: {outcome.failure['message']}")
        return {k: outcome.failure[k] for k in ("status", "notebook", "message")}
    echo(f"corpus {c.name}: done in {outcome.seconds} s")
    return {"status": RunStatus.OK, "timings": {NOTEBOOK: outcome.seconds}, "cached": []}
