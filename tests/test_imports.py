"""Commands that run no notebook import no notebook library: `add`, the index, `explore`'s database and a
rerun with nothing changed never import Great Expectations, Altair or vl-convert (seconds of import each),
and the rerun not even pandas, papermill or the kernel machinery."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from conftest import REAL

NOTEBOOK_ONLY = ("great_expectations", "altair", "vl_convert")
KERNEL_ONLY = ("papermill", "nbconvert", "nbformat", "jupyter_client", "zmq", "pandas")


def _imported(code: str, cwd) -> list[str]:
    """The heavy modules a fresh interpreter holds after running `code`."""
    heavy = NOTEBOOK_ONLY + KERNEL_ONLY
    script = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {heavy!r} if m in sys.modules]))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=cwd, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.e2e
def test_a_rerun_with_nothing_changed_imports_no_notebook_library(e2e):
    root, _, _ = e2e
    # through the command line, as a reporter reruns it: its parser is built from every command's module
    code = (
        "import contextlib, io\nfrom pipeline.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main(['run', '-j', 'foster-city-ca-pd', '--root', {str(root)!r}]) == 0"
    )
    _imported(code, root)  # the first rerun may still rewrite what the e2e run's other jurisdictions left
    assert _imported(code, root) == []


@pytest.mark.e2e
def test_the_index_and_the_explorer_database_import_no_notebook_library(e2e):
    root, _, _ = e2e
    index = (
        "from pathlib import Path\nfrom pipeline.config import load\nfrom pipeline.report import index\n"
        f"root = Path({str(root)!r})\nindex.write(root, load(None, root=root, check_files=False), {{}})"
    )
    assert not set(_imported(index, root)) & set(NOTEBOOK_ONLY)
    explore = (
        "from pathlib import Path\nfrom pipeline.explore.build import build\n"
        f"build(Path({str(root)!r}), echo=lambda line: None)"
    )
    assert not set(_imported(explore, root)) & set(NOTEBOOK_ONLY)


def test_add_imports_no_notebook_library(tmp_path):
    (tmp_path / "jurisdictions.yml").write_text("jurisdictions: []\n")
    release = tmp_path / "incoming" / "audit.csv"
    release.parent.mkdir()
    shutil.copyfile(REAL / "foster-city-ca-pd/foster-city-ca-pd_search_audit.f5f2e2bb.csv", release)
    code = (
        "from pathlib import Path\nfrom pipeline.run.add import add\n"
        f"add([Path({str(release)!r})], 'new-pd', root=Path({str(tmp_path)!r}), name='New PD', producer='New PD', "
        "timezone='America/Chicago', log_kind='portal', echo=lambda line: None)"
    )
    assert not set(_imported(code, tmp_path)) & set(NOTEBOOK_ONLY)
