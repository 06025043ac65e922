"""Notebook kernels that cannot collide (IPC, a socket name of their own), stop without SIGINT, print
nothing to the terminal, and are started once more when they die before their first reply."""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import multiprocessing
import signal
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from pipeline.run import kernels

PROBE = "from ipykernel.kernelapp import IPKernelApp\napp = IPKernelApp.instance()\nprint(app.transport, app.ip)"


def _probe_notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("x = 1  # parameters", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(PROBE),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _run_one(args) -> str:
    source, out = args
    kernels.execute_notebook(Path(source), Path(out), parameters={"x": 2}, cwd=Path(out).parent, say=lambda msg: None)
    return nbformat.read(out, as_version=4).cells[-1].outputs[0]["text"]


def test_kernels_talk_over_ipc_on_sockets_of_their_own(tmp_path):
    source = _probe_notebook(tmp_path / "probe.ipynb")
    first = _run_one((source, tmp_path / "a.ipynb")).split()
    second = _run_one((source, tmp_path / "b.ipynb")).split()
    assert first[0] == "ipc" and second[0] == "ipc"  # no TCP port to race for
    assert first[1] != second[1]  # each kernel its own socket name
    assert Path(first[1]).is_absolute() and len(first[1]) < 90  # not "kernel-ipc" in the shared cwd; fits a socket path


def test_many_parallel_kernel_starts_never_fail(tmp_path):
    """24 notebook runs, 4 at a time in separate processes (as `run --jobs` does): every one succeeds."""
    source = _probe_notebook(tmp_path / "probe.ipynb")
    work = [(str(source), str(tmp_path / f"out-{i}.ipynb")) for i in range(24)]
    ctx = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=4, mp_context=ctx) as pool:
        outcomes = list(pool.map(_run_one, work))
    assert len(outcomes) == 24 and all(o.startswith("ipc ") for o in outcomes)
    assert len({o.split()[1] for o in outcomes}) == 24


def test_shutdown_sends_no_interrupt():
    """jupyter_client interrupts (SIGINT) a kernel before asking it to stop; a kernel caught answering a
    message then logs 'KeyboardInterrupt caught in kernel'. Ours is asked to stop, not interrupted."""
    sent = []

    async def life():
        km = kernels.IpcKernelManager(kernel_name="python3")
        original = km._async_signal_kernel

        async def record(signum):
            sent.append(signum)
            await original(signum)

        km._async_signal_kernel = record
        await km.start_kernel()
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=60)
        kc.stop_channels()
        await km.shutdown_kernel()

    asyncio.run(life())
    assert signal.SIGINT not in sent


def test_a_kernel_that_dies_before_its_first_reply_is_started_once_more(tmp_path, monkeypatch):
    import papermill as pm

    calls, said = [], []
    real = pm.execute_notebook

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return real(*args, **kwargs)

    monkeypatch.setattr(pm, "execute_notebook", flaky)
    source = _probe_notebook(tmp_path / "probe.ipynb")
    kernels.execute_notebook(source, tmp_path / "out.ipynb", parameters={}, cwd=tmp_path, say=said.append)
    assert len(calls) == 2
    assert said == [
        "the kernel stopped before it answered (RuntimeError: Kernel died before replying to "
        "kernel_info); starting it once more"
    ]


def test_a_kernel_that_dies_twice_or_a_failing_cell_is_not_retried(tmp_path, monkeypatch):
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    calls = []

    def dead(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(pm, "execute_notebook", dead)
    source = _probe_notebook(tmp_path / "probe.ipynb")
    with pytest.raises(RuntimeError):
        kernels.execute_notebook(source, tmp_path / "out.ipynb", parameters={}, cwd=tmp_path, say=lambda m: None)
    assert len(calls) == 2  # once more, not forever

    monkeypatch.undo()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("raise ValueError('the notebook itself fails')")]
    nbformat.write(nb, tmp_path / "bad.ipynb")
    said = []
    with pytest.raises(PapermillExecutionError):
        kernels.execute_notebook(
            tmp_path / "bad.ipynb", tmp_path / "bad-out.ipynb", parameters={}, cwd=tmp_path, say=said.append
        )
    assert said == []


def test_a_notebook_run_prints_no_jupyter_or_ipython_log_line(tmp_path):
    """The kernel's standard error is the terminal's: nothing of Jupyter's own may reach it."""
    source = _probe_notebook(tmp_path / "probe.ipynb")
    script = (
        "from pathlib import Path\nfrom pipeline.run import kernels\n"
        f"for i in range(3): kernels.execute_notebook(Path({str(source)!r}), Path({str(tmp_path)!r}) / f'o{{i}}.ipynb', "
        f"parameters={{}}, cwd=Path({str(tmp_path)!r}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    printed = (done.stdout + done.stderr).splitlines()
    assert not [line for line in printed if line.startswith("[") and ("App]" in line or "Kernel" in line)], printed
    assert not [line for line in printed if "KeyboardInterrupt" in line or "eavesdropping" in line], printed


def test_a_kernel_that_died_mid_notebook_is_not_started_again(tmp_path, monkeypatch):
    """Papermill writes the notebook only when it ends, so the error tells a kernel that answered and then
    died (nbclient's DeadKernelError) from one that never answered: only the latter is started again."""
    import papermill as pm
    from nbclient.exceptions import DeadKernelError

    calls = []

    def died(*args, **kwargs):
        calls.append(kwargs.get("request_save_on_cell_execute"))
        raise DeadKernelError("Kernel died")

    monkeypatch.setattr(pm, "execute_notebook", died)
    source = _probe_notebook(tmp_path / "probe.ipynb")
    with pytest.raises(DeadKernelError):
        kernels.execute_notebook(source, tmp_path / "out.ipynb", parameters={}, cwd=tmp_path, say=lambda m: None)
    assert calls == [False]  # once, and with no save after every cell
