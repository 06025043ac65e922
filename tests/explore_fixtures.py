"""A tiny project for the explore tests: a small synthetic network audit (huffman-isd at 10 %, with its
planted truth), the real Eugene portal log, an organization audit that left plates and searcher names
unmasked, and a corpus folder; each built (notebook 01's work) with its facts.json, no notebooks run."""

from __future__ import annotations

import json
import shutil
import time
import urllib.request
import zipfile
from pathlib import Path

import yaml

from conftest import HOSTILE_CSV, REAL
from pipeline.analyze import facts
from pipeline.clean.build import build
from pipeline.config import load
from pipeline.explore import build as explore_build
from pipeline.explore import serve


def make_project(root: Path) -> dict:
    """Build the project under root; return the synthetic truth."""
    from tools import synth

    truth = synth.generate("huffman-isd", root / "data/raw/huffman-isd", scale=0.1)
    eugene = root / "data/raw/eugene-or-pd"
    eugene.mkdir(parents=True)
    shutil.copyfile(REAL / "eugene-or-pd/EPDSearchAuditLogs.csv", eugene / "EPDSearchAuditLogs.csv")
    shutil.copyfile(REAL / "eugene-or-pd/SOURCE.md", eugene / "SOURCE.md")
    hostile = root / "data/raw/hostile-pd"
    hostile.mkdir(parents=True)
    with zipfile.ZipFile(hostile / "org-audit.zip", "w") as zf:
        zf.writestr("org-audit.csv", HOSTILE_CSV)
    entries = [
        {
            "slug": "huffman-isd",
            "name": "Huffman ISD (synthetic)",
            "producer": "Huffman ISD",
            "log_kind": "network",
            "timezone": truth["producer_timezone"],
            "producer_state": "TX",
            "synthetic": True,
            "inputs": [f["file"] for f in truth["files"]],
        },
        {
            "slug": "eugene-or-pd",
            "name": "Eugene PD",
            "producer": "Eugene Police Department",
            "log_kind": "portal",
            "timezone": "America/Los_Angeles",
            "producer_state": "OR",
            "inputs": ["EPDSearchAuditLogs.csv"],
        },
        {
            "slug": "hostile-pd",
            "name": "Hostile PD",
            "producer": "Hostile PD",
            "log_kind": "organization",
            "timezone": "America/Chicago",
            "producer_state": "TX",
            "inputs": ["org-audit.zip"],
        },
    ]
    (root / "jurisdictions.yml").write_text(yaml.safe_dump({"jurisdictions": entries}, sort_keys=False))
    for j in load(root / "jurisdictions.yml", root=root):
        build(j, progress=lambda msg: None)
        facts.write(j, facts.compute(j))
        run_record(root, j.slug, "ok")
    return truth


def run_record(root: Path, slug: str, status: str, notebook: str | None = None, message: str | None = None) -> None:
    """reports/<slug>/run.json as the runner leaves it when a run ends (its `last` state)."""
    last = {"status": status, "finished_at": "2026-12-07T00:00:00+00:00"}
    if notebook:
        last.update(notebook=notebook, message=message)
    (root / "reports" / slug).mkdir(parents=True, exist_ok=True)
    (root / "reports" / slug / "run.json").write_text(json.dumps({"keys": {}, "last": last}))


def add_corpus(root: Path) -> Path:
    """A published corpus folder as the corpus step writes it (io.publish.write_csv: a SYNTHETIC column)."""
    import pandas as pd

    from pipeline.io.publish import write_csv

    c = root / "reports/corpora/two-logs"
    c.mkdir(parents=True)
    (c / "facts.json").write_text(
        json.dumps(
            {"label": "SYNTHETIC", "corpus": "two-logs", "synthetic": True, "distinct_searches": 3, "producers": 2}
        )
    )
    write_csv(
        pd.DataFrame({"producers": [1, 2], "distinct_searches": [2, 1]}), c / "producers_per_search.csv", synthetic=True
    )
    return c


def start_server(root: Path, log: Path, timeout: float = 90):
    """Datasette on a free loopback port, as `python -m pipeline explore` starts it; returns (proc, url)
    once it answers."""
    folder = explore_build.explore_dir(root)
    out = open(log, "wb")
    proc, url = serve.start(
        explore_build.db_path(root), folder / "metadata.json", folder / "inspect.json", stdout=out, stderr=out
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"datasette stopped: {log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(url + "-/versions.json", timeout=2).read()
            return proc, url
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise TimeoutError(f"datasette did not answer in {timeout} s: {log.read_text()[-2000:]}")


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.loads(r.read())
