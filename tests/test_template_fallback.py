"""The ordinary kernel start and the forked one publish the same outputs: a jurisdiction of the e2e run
(kernels forked from the template) run again in a project of its own with FLOCK_KERNEL_TEMPLATE=0."""

from __future__ import annotations

import json
import re
import shutil

import nbformat
import pytest
import yaml

from pipeline.run import template
from pipeline.run.runner import run

SLUG = "foster-city-ca-pd"
# What differs between any two runs: when they ran and how long each step took (and the files that list
# them), and the random cell ids papermill gives the injected cells.
WHEN = {"run.json", "manifest.json", "files.html"}
TIMES = {"seconds", "run_at", "recorded_as"}
NOISE = [
    (re.compile(r'id="cell-id=[0-9a-f]+"'), 'id="cell-id"'),
    # A build cell's progress log (stdout) says how fast each step went, and a step that takes longer under
    # load says more: its text is the log's, not the notebook's result, so it is compared as present only.
    (re.compile(r"<pre>(?:(?!</pre>).)*? rows/s(?:(?!</pre>).)*</pre>", re.S), "<pre>LOG</pre>"),
    (re.compile(r"[\d,.]+ rows/s"), "N rows/s"),
    (re.compile(r"\b\d+(?:\.\d+)? s\b"), "N s"),
]


def _quiet(value):
    """A JSON value without its timings; a text without its timings and random ids."""
    if isinstance(value, dict):
        return {k: _quiet(v) for k, v in value.items() if k not in TIMES}
    if isinstance(value, list):
        return [_quiet(v) for v in value]
    if isinstance(value, str):
        for pattern, same in NOISE:
            value = pattern.sub(same, value)
    return value


def _outputs(folder):
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if not p.is_file() or rel in WHEN or rel.startswith("history/"):
            continue
        if p.suffix == ".ipynb":
            nb = nbformat.read(p, as_version=4)
            outputs = [[o for o in c.get("outputs", []) if o.get("output_type") != "stream"] for c in nb.cells]
            out[rel] = [(c.cell_type, c.source, _quiet(o)) for c, o in zip(nb.cells, outputs)]
        elif p.suffix == ".json":
            out[rel] = _quiet(json.loads(p.read_text(encoding="utf-8")))
        elif rel.endswith(".code.html"):
            # The code page is the executed notebook (compared above, less its progress log) rendered by the same
            # renderer; what else differs is how the kernel chunked that log into outputs, which follows timing.
            continue
        elif p.suffix == ".html":
            out[rel] = _quiet(p.read_text(encoding="utf-8"))
        else:
            out[rel] = p.read_bytes()
    return out


@pytest.mark.e2e
def test_the_ordinary_start_publishes_what_the_forked_one_does(e2e, tmp_path, monkeypatch):
    forked_root, _, lines = e2e
    assert not [line for line in lines if "kernels start the ordinary way" in line], lines  # it did fork
    root = tmp_path / "plain"
    shutil.copytree(forked_root / "notebooks", root / "notebooks")
    shutil.copytree(forked_root / "data/raw" / SLUG, root / "data/raw" / SLUG)
    entries = yaml.safe_load((forked_root / "jurisdictions.yml").read_text())["jurisdictions"]
    (root / "jurisdictions.yml").write_text(
        yaml.safe_dump({"jurisdictions": [e for e in entries if e["slug"] == SLUG]}, sort_keys=False)
    )
    monkeypatch.setenv(template.OFF_VARIABLE, "0")
    said: list[str] = []
    assert run(root=root, jobs=1, echo=said.append) == 0, said
    forked, plain = _outputs(forked_root / "reports" / SLUG), _outputs(root / "reports" / SLUG)
    assert sorted(forked) == sorted(plain)
    assert [name for name in forked if forked[name] != plain[name]] == []


@pytest.mark.e2e
def test_a_parallel_run_shares_one_template_and_leaves_no_process(e2e):
    """The e2e run (two workers) has ended: no template, worker or kernel of it is left."""
    import psutil

    _, _, lines = e2e
    assert not [line for line in lines if "kernels start the ordinary way" in line]
    left = []
    for child in psutil.Process().children(recursive=True):
        try:
            command = " ".join(child.cmdline())
        except psutil.Error:
            continue
        if "template_server" in command or "ipykernel" in command or "multiprocessing.spawn" in command:
            left.append(command)
    assert left == []
