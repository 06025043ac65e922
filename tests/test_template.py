"""Kernels forked from the run's warm template: each notebook still in a process of its own that sees
nothing of the one before; the ordinary start when the template is off or refuses, said once."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import nbformat
import pytest

from pipeline import ROOT
from pipeline.run import kernels, template, template_server

FIRST = """import os, statistics, sys
import pandas as pd
print("pid", os.getpid(), "parent", os.getppid(), "warm before", 'pipeline.clean.build' in sys.modules)
x = 41
pd.set_option("display.max_rows", 7)
os.environ["FLOCK_PROBE"] = "set by 01"
statistics.mean = lambda *a: "patched"
print("own", "x" in globals(), pd.get_option("display.max_rows"), os.environ.get("FLOCK_PROBE"), statistics.mean([1]))"""
SECOND = """import os, statistics, sys
import pandas as pd
print("pid", os.getpid(), "parent", os.getppid(), "warm before", 'pipeline.clean.build' in sys.modules)
print("own", "x" in globals(), pd.get_option("display.max_rows"), os.environ.get("FLOCK_PROBE"), statistics.mean([1]))"""


def _notebook(path: Path, source: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _printed(source: Path, out: Path) -> dict[str, list[str]]:
    kernels.execute_notebook(source, out, parameters={}, cwd=out.parent, say=lambda m: None)
    text = "".join(o.get("text", "") for o in nbformat.read(out, as_version=4).cells[0].outputs)
    return {line.split()[0]: line.split()[1:] for line in text.splitlines()}


@pytest.fixture(scope="module")
def warm():
    """The template a run starts, over the project's own notebooks."""
    said: list[str] = []
    started = template.OnDemand(ROOT, kernels.socket_dir, (), said.append)
    started.ensure()
    assert started.template is not None, said
    yield started
    started.close()
    assert started.template is None and template.ADDRESS_VARIABLE not in os.environ


LATE = """import sys
from pipeline.analyze import ice287g_list
print("late", "great_expectations" in sys.modules, ice287g_list.current.cache_info().currsize)"""


def test_a_kernel_after_the_first_notebook_finds_what_is_warmed_late(warm, tmp_path):
    """Great Expectations and ICE's list are warmed once the template is ready (01_clean needs neither and
    is forked without waiting for them); a kernel for any other notebook is forked only when they are
    loaded, read once by the template. The first test of the module: its request reaches a template that
    has just said ready, and the late warm-up has not run by itself yet."""
    printed = _printed(_notebook(tmp_path / "02_validate.ipynb", LATE), tmp_path / "02-out.ipynb")
    assert printed["late"] == ["True", "1"]


def test_each_notebook_forks_from_the_template_and_sees_nothing_of_the_one_before(warm, tmp_path):
    first = _printed(_notebook(tmp_path / "01.ipynb", FIRST), tmp_path / "01-out.ipynb")
    second = _printed(_notebook(tmp_path / "02.ipynb", SECOND), tmp_path / "02-out.ipynb")
    template_pid = str(warm.template.process.pid)
    # forked: the template is each kernel's parent, and pandas was imported before the first cell
    assert first["pid"][2] == second["pid"][2] == template_pid
    assert first["pid"][5] == second["pid"][5] == "True"
    assert first["pid"][0] != second["pid"][0] != template_pid  # a process of its own each
    assert first["own"] == ["True", "7", "set", "by", "01", "patched"]  # the changes hold inside 01 ...
    assert second["own"] == ["False", "60", "None", "1"]  # ... and none of them reaches 02


def test_the_template_is_turned_off_by_its_variable(tmp_path, monkeypatch):
    monkeypatch.setenv(template.OFF_VARIABLE, "0")
    monkeypatch.delenv(template.ADDRESS_VARIABLE, raising=False)
    said: list[str] = []
    started = template.OnDemand(ROOT, kernels.socket_dir, (), said.append)
    started.ensure()
    assert started.template is None and said == [] and template.ADDRESS_VARIABLE not in os.environ
    printed = _printed(_notebook(tmp_path / "02.ipynb", SECOND), tmp_path / "out.ipynb")
    assert printed["pid"][2] == str(os.getpid()) and printed["pid"][5] == "False"  # the ordinary start


def test_a_template_holding_a_thread_refuses_and_kernels_start_the_ordinary_way(tmp_path, monkeypatch):
    """A module the notebooks import starts a thread: the template must not fork it, says why once, and
    the notebook still runs."""
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "starts_a_thread.py").write_text(
        "import threading, time\nthreading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n"
    )
    _notebook(tmp_path / "notebooks" / "01.ipynb", "import starts_a_thread")
    said: list[str] = []
    monkeypatch.delenv(template.ADDRESS_VARIABLE, raising=False)
    started = template.OnDemand(tmp_path, kernels.socket_dir, (), said.append)
    started.ensure()
    started.ensure()
    assert started.template is None
    assert said == ["kernels start the ordinary way: the kernel template holds 2 threads, which a fork must not copy"]
    printed = _printed(_notebook(tmp_path / "02.ipynb", SECOND), tmp_path / "out.ipynb")
    assert printed["pid"][2] == str(os.getpid())


def test_fork_hazards_name_threads_and_sockets():
    import socket

    before = template_server.fork_hazards(set())  # this test process may hold some already (pyarrow's, pytest's)
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    s = socket.socket()
    try:
        hazards = template_server.fork_hazards(set())
        threads = [h for h in hazards if h.endswith("threads")]
        assert threads and threads != [h for h in before if h.endswith("threads")]
        assert f"an open socket (descriptor {s.fileno()})" in hazards
    finally:
        stop.set()
        t.join()
        s.close()


def test_the_notebooks_imports_are_what_the_template_warms():
    modules = template_server.notebook_modules(ROOT)
    assert "pipeline.clean.build" in modules and "pipeline.report.show" in modules  # from 01's own lines
    assert "pipeline.analyze.charts" in modules and "pandas" in modules


def test_a_late_warm_up_that_left_a_thread_stops_the_forks(tmp_path):
    """Before each fork while late modules are warming, the template looks again: holding a thread (here,
    this test's), it answers the request with its refusal instead of forking."""
    import socket

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(tmp_path / "t.sock"))
    saved, (r, w) = os.dup(0), os.pipe()  # the server watches its stdin (the run's pipe) for the run's end
    os.dup2(r, 0)
    try:
        server = template_server._Server(listener, late=("a.module.still.to.warm",))
    finally:
        os.dup2(saved, 0)
        for fd in (saved, r, w):
            os.close(fd)
    worker, ours = socket.socketpair()
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        worker.sendall(b'{"argv": [], "env": {}, "cwd": "."}\n')
        server._request(ours, None)
        answer = worker.recv(4096).decode()
    finally:
        stop.set()
        t.join()
        worker.close()
        listener.close()
    assert answer.startswith("refused the kernel template holds") and "threads" in answer
    assert server.kernels == {}  # nothing was forked


def test_a_warm_up_that_fails_is_skipped():
    template_server.warm_one("no_such_module_anywhere")
    template_server.warm_one("json:no_such_function")  # a call that fails: the kernel does it itself


def test_a_kernel_that_ended_without_a_word_is_seen_ended_before_it_is_reaped():
    """A notebook's kernel is killed when its last cell has answered, so it cannot say its exit code, and the
    template reaps it only between the modules it warms late: the worker reads the ended process's status."""
    import socket
    import time

    ours, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:
        os._exit(3)
    try:
        kernel = template.ForkedKernel(ours, pid)
        deadline = time.monotonic() + 10
        while kernel.poll() is None and time.monotonic() < deadline:  # (until the child has exited)
            time.sleep(0.01)
        assert kernel.returncode == 3  # not reaped: this test, its parent, has not waited for it yet
        assert os.waitpid(pid, os.WNOHANG)[0] == pid
    finally:
        theirs.close()
        ours.close()
