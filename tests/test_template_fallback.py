"""The ordinary kernel start and the forked one publish the same outputs: a jurisdiction of the e2e run
(kernels forked from the template) run again in a project of its own with FLOCK_KERNEL_TEMPLATE=0."""

from __future__ import annotations

import json
import shutil

import nbformat
import pytest
import yaml

from pipeline.run import template
from pipeline.run.runner import run

SLUG = "foster-city-ca-pd"
# What differs between any two runs: when they ran and how long each cell took, and the files that list them.
WHEN = {"run.json", "manifest.json", "files.html"}


def _outputs(folder):
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if not p.is_file() or rel in WHEN or rel.startswith("history/"):
            continue
        if p.suffix == ".ipynb":
            nb = nbformat.read(p, as_version=4)
            out[rel] = [(c.cell_type, c.source, json.dumps(c.get("outputs", []), sort_keys=True)) for c in nb.cells]
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
