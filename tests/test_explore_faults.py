"""What `pipeline explore` does under the faults of issue 26: a jurisdiction whose last run failed or was
RED is left out of flock.db and named in build.json; a killed explore leaves no server running and no
temporary file in reports/ (a stale one in build/ is cleared by the next build); Datasette names no folder
of the machine."""

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from explore_fixtures import get, run_record
from pipeline.explore import build as explore_build
from test_explore import db, explore, server  # noqa: F401  (the session fixtures: one project, one server)

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(explore, tmp_path):  # noqa: F811
    """A copy of the explore fixture's project, free to break."""
    root = tmp_path / "project"
    shutil.copytree(explore[0], root, ignore=shutil.ignore_patterns("build"))
    return root


def test_jurisdictions_whose_last_run_failed_or_was_red_are_left_out_and_named(project):
    run_record(project, "hostile-pd", "failed", "02_validate", "ValueError: year 0 is out of range")
    run_record(project, "eugene-or-pd", "red", "02_validate", "validation is RED, so the analysis did not run")
    record = explore_build.build(project, echo=lambda m: None)
    with db(project) as con:
        shown = {j for (j,) in con.execute("SELECT DISTINCT jurisdiction FROM searches")}
        tables = {j for (j,) in con.execute("SELECT jurisdiction FROM jurisdictions")}
    assert shown == tables == {"huffman-isd"}
    saved = json.loads((project / "reports/explore/build.json").read_text())
    assert saved["left_out"] == record["left_out"]
    left = {x["jurisdiction"]: x for x in saved["left_out"]}
    assert left["hostile-pd"]["status"] == "failed" and "year 0 is out of range" in left["hostile-pd"]["why"]
    assert left["eugene-or-pd"]["status"] == "red" and "RED" in left["eugene-or-pd"]["why"]
    run_record(project, "hostile-pd", "ok")  # its next run ends ok: it comes back, the key changed
    again = explore_build.build(project, echo=lambda m: None)
    assert again["built"] and [x["jurisdiction"] for x in again["left_out"]] == ["eugene-or-pd"]


def test_a_jurisdiction_never_run_has_no_run_record_and_is_left_out(project):
    (project / "reports/hostile-pd/run.json").unlink()
    record = explore_build.build(project, echo=lambda m: None)
    assert [(x["jurisdiction"], x["status"]) for x in record["left_out"]] == [("hostile-pd", "no run record")]


def test_databases_json_names_no_folder_of_the_machine(explore, server):  # noqa: F811
    root = str(explore[0].resolve())
    assert [d["path"] for d in get(server + "-/databases.json")] == ["flock.db"]
    for page in ("-/databases.json", "-/metadata.json", "-/plugins.json", "-/settings.json", "-/config.json"):
        try:
            text = json.dumps(get(server + page))
        except OSError:  # a page this Datasette does not have
            continue
        assert root not in text and str(PROJECT_ROOT) not in text, page


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _gone(pid: int, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0]
        except OSError:
            return True
        if state == "Z":  # dead, waiting for its (new) parent to reap it
            return True
        time.sleep(0.1)
    return False


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux's /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killing_explore_stops_the_datasette_it_started(project, tmp_path, sig):
    explore_build.build(project, echo=lambda m: None)
    log = open(tmp_path / "explore.log", "wb")
    parent = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "explore", "--root", str(project)], stdout=log, stderr=log, cwd=PROJECT_ROOT
    )
    try:
        deadline = time.monotonic() + 90
        while b"serving" not in (tmp_path / "explore.log").read_bytes():
            assert parent.poll() is None and time.monotonic() < deadline, (tmp_path / "explore.log").read_text()
            time.sleep(0.2)
        (datasette,) = _children(parent.pid)
        assert b"datasette" in Path(f"/proc/{datasette}/cmdline").read_bytes()
        parent.send_signal(sig)
        parent.wait(timeout=30)
        assert _gone(datasette), f"datasette {datasette} outlived the explore process it was started by"
    finally:
        for pid in [parent.pid, *_children(parent.pid)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        parent.wait()


KILLED_MID_BUILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from pipeline.explore import build as b
    real = b._write_database
    def slow(path, *args):
        counts = real(path, *args)
        print("written", flush=True)
        time.sleep(600)
    b._write_database = slow
    b.build(Path(sys.argv[1]), force=True, echo=lambda m: None)
""")


def test_a_killed_build_leaves_its_temporary_file_in_build_and_the_next_build_clears_it(project, tmp_path):
    explore_build.build(project, echo=lambda m: None)
    published = (project / "reports/explore/flock.db").read_bytes()
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_MID_BUILD, str(project)], stdout=subprocess.PIPE, cwd=PROJECT_ROOT
    )
    try:
        assert proc.stdout.readline().strip() == b"written"
        proc.kill()
        proc.wait()
    finally:
        proc.kill()
    tmp = explore_build.temporary_path(project, proc.pid)
    assert tmp.is_file() and tmp.stat().st_size > 0  # in build/explore/, not in reports/
    assert not [p for p in (project / "reports").rglob("*.tmp")]
    assert (project / "reports/explore/flock.db").read_bytes() == published  # the last good database, whole
    legacy = project / "reports/explore/.flock.db.abc123.tmp"  # what a killed build of an older version left
    legacy.write_bytes(b"x" * 1000)
    explore_build.build(project, echo=lambda m: None)
    assert not tmp.exists() and not legacy.exists()
    assert not [p for p in (project / "reports").rglob("*.tmp")]
