"""A warm kernel template: one process per run that has imported what the notebooks use, and forks kernels.

A notebook's kernel used to spend most of its life importing pandas, DuckDB, Great Expectations, Altair and
the pipeline before its first cell ran, three times per jurisdiction. The template imports them once; each
kernel is a fork of it, ready in milliseconds, and still a process of its own: a name, an option, an
environment variable or a patched function set in one notebook is gone when the next one forks afresh.

Fork safety. A fork copies one thread and every lock as it was, so the template must hold nothing that a
thread or another process owns: pyzmq says a context and its sockets must not cross a fork (a ZMQ context
runs I/O threads), and DuckDB's database runs worker threads from the moment it opens. The template
imports modules (and reads ICE's 287(g) list into plain Python objects) only: it opens no DuckDB connection,
creates no ZMQ context and starts no thread. Before it serves it checks that this holds (one thread in
/proc/self/task, no zmq Context, no socket but its own and its workers'); if it does not, it refuses and the
run starts kernels the ordinary way, saying so once. What the first notebook does not need (LATE_WARM) is
warmed after the template is ready, between requests, and checked again before each fork; a kernel for any
other notebook is forked once it is done.

Protocol, over a Unix socket in the run's private socket folder: a worker sends one JSON line (the
kernel's arguments, environment and folder, and whether its notebook is early); the template forks, answers
"pid N", and when the kernel ends, "exit CODE" (said by the kernel itself as it ends, and by the template when
it reaps it; a kernel killed when its notebook is done says nothing, and the worker reads its end from /proc). A
worker that goes away takes its kernel with it (the template kills a kernel whose worker closed the connection). The template ends when the run closes its stdin (or dies: the parent-death signal),
killing any kernel still alive; each kernel ends when the template ends (lifeline.py). The template and its
kernels hold the run lock's file open, so the lock is held until the last of them has gone.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pipeline.run import lifeline

OFF_VARIABLE = "FLOCK_KERNEL_TEMPLATE"  # "0" (or off/no/false): kernels start the ordinary way
ADDRESS_VARIABLE = "FLOCK_KERNEL_TEMPLATE_ADDRESS"  # set by the run for its workers: where the template listens
# Imported besides the notebooks' own import lines: what their modules import inside functions.
EXTRA_MODULES = (
    "pandas",
    "numpy",
    "pyarrow",
    "pyarrow.parquet",
    "duckdb",
    "altair",
    "vl_convert",
    "pipeline.validate.gx",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.debugger",  # (debugpy: 0.07 s of every kernel's start; it starts no thread until a client debugs)
    "IPython.display",
)
# Warmed AFTER the template says ready, between requests: the first notebook (01_clean) needs none of them and
# is forked without waiting for them; 02_validate and 03_analyze, forked seconds later, find them loaded.
# Great Expectations (which pipeline.validate.gx imports inside its functions, so that commands that run no
# notebook never load it) takes about 1.7 s to import; ICE's 287(g) list (read once per process by
# ice287g_list.current) about 0.3 s to parse. Neither starts a thread (checked again before every fork).
LATE_WARM = (
    "great_expectations",
    "great_expectations.data_context.types.base",
    "great_expectations.execution_engine.pandas_execution_engine",
    "pipeline.analyze.ice287g_list:current",
)
# The notebooks that use none of LATE_WARM: their kernels are forked at once. Any other notebook's kernel waits
# until the late warm-up is done: forked before it, the kernel would import Great Expectations itself (about
# 3 s, seen as a 02_validate four times its usual length when 01_clean took a second).
EARLY_NOTEBOOKS = ("01_clean",)
READY_TIMEOUT = 180.0
# Libraries that start threads when they load unless told not to: OpenBLAS (numpy) starts one per core, and
# pyarrow's jemalloc a background purging thread. The template tells them not to; each kernel's later
# threads (DuckDB's, ZMQ's) start after its fork. (So numpy's linear algebra runs on one thread in a
# kernel; the notebooks do none that matters.)
QUIET_THREADS = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "JE_ARROW_MALLOC_CONF": "background_thread:false",
    # and debugpy's warning about frozen modules, which the template would print in the run's terminal
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}


def turned_off() -> bool:
    return os.environ.get(OFF_VARIABLE, "1").strip().lower() in ("0", "off", "no", "false")


_socket_dir: str | None = None


def socket_dir() -> str:
    """A private folder for this process's kernel sockets (and the template's), short enough for a Unix
    socket path (108 bytes); removed when the process ends."""
    global _socket_dir
    if _socket_dir is None:
        _socket_dir = tempfile.mkdtemp(prefix="flock-kernels-")
        atexit.register(shutil.rmtree, _socket_dir, ignore_errors=True)
    return _socket_dir


# --------------------------------------------------------------------------------------------------
# The run's side: start it, wait until it is ready, stop it


class Template:
    """A started template: its process, address and the pipe on which it says "ready" (or why not).
    `close()` stops it and every kernel it forked."""

    def __init__(self, process: subprocess.Popen, address: str, ready_fd: int | None = None):
        self.process, self.address, self.ready_fd = process, address, ready_fd

    def answer(self) -> str:
        """ "ready", or why the template will not fork kernels (waits for it to finish warming up)."""
        if self.ready_fd is None:
            return "ready"
        fd, self.ready_fd = self.ready_fd, None
        self._answer = _read_answer(fd, READY_TIMEOUT) or "the kernel template did not answer"
        return self._answer

    def close(self) -> None:
        if self.ready_fd is not None:
            os.close(self.ready_fd)
            self.ready_fd = None
        if self.process.stdin:
            with contextlib.suppress(OSError):
                self.process.stdin.close()  # end of file: the template kills its kernels and ends
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class OnDemand:
    """The run's template, started the first time a notebook is about to run (a rerun with nothing to do
    never pays for it); the address is left in the environment for the workers the run starts after.

    The template warms up while the run starts its workers (`ensure(wait=False)`): a worker's first request
    waits in the template's queue until it is ready. A template that refuses answers every request so, the
    workers start their kernels the ordinary way, and the run says why once (`settle`)."""

    def __init__(self, root: Path, folder: Callable[[], str], keep_fds: tuple[int, ...], say: Callable[[str], None]):
        self.root, self.folder, self.keep_fds, self.say = root, folder, keep_fds, say
        self.template: Template | None = None
        self.asked = False

    def ensure(self, wait: bool = True) -> None:
        if not self.asked:
            self.asked = True
            os.environ.pop(ADDRESS_VARIABLE, None)  # another run's template (a run inside a test) is not ours
            if turned_off():
                return
            self.template, why = start(self.root, self.folder(), self.keep_fds)
            if self.template is None:
                self.say(f"kernels start the ordinary way: {why}")
                return
            os.environ[ADDRESS_VARIABLE] = self.template.address
        if wait:
            self.settle()

    def settle(self) -> None:
        """Wait until the template is ready; if it refused, say why (once) and stop it."""
        if self.template is None:
            return
        answer = self.template.answer()
        if answer != "ready":
            self.say(f"kernels start the ordinary way: {answer}")
            self.close()

    def close(self) -> None:
        if self.template is not None:
            os.environ.pop(ADDRESS_VARIABLE, None)
            self.template.close()
            self.template = None


def start(root: Path, folder: str, keep_fds: tuple[int, ...] = ()) -> tuple[Template | None, str | None]:
    """Start a template for the notebooks of `root`, listening in `folder` (it warms up in the background:
    Template.answer() says when it is ready); (None, why not) when it cannot start. `keep_fds`: descriptors
    the template and its kernels keep open (the run lock)."""
    if not hasattr(os, "fork") or not lifeline.available():
        return None, "this system cannot fork a kernel template"
    address = str(Path(folder) / "template")
    ready_r, ready_w = os.pipe()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "pipeline.run.template_server", address, str(root), str(ready_w)],
            stdin=subprocess.PIPE,
            cwd=str(root),
            env={**os.environ, **QUIET_THREADS},
            pass_fds=(ready_w, *keep_fds),
            preexec_fn=lifeline.preexec(),  # noqa: PLW1509  (a prctl call only; the run starts it before any pool)
        )
    except OSError as e:
        os.close(ready_r)
        os.close(ready_w)
        return None, f"the kernel template did not start ({e})"
    os.close(ready_w)
    return Template(process, address, ready_r), None


def _read_answer(fd: int, timeout: float) -> str:
    import select

    data, deadline = b"", time.monotonic() + timeout
    try:
        while not data.endswith(b"\n") and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            data += chunk
    finally:
        os.close(fd)
    return data.decode("utf-8", "replace").strip()


# --------------------------------------------------------------------------------------------------
# A worker's side: ask for a kernel, and a handle that looks like the Popen jupyter_client expects


class TemplateRefused(ConnectionError):
    """The template will not fork kernels (the run says why); start this one the ordinary way."""


class ForkedKernel:
    """A kernel forked by the template: poll, wait, signal and kill as subprocess.Popen does."""

    stdin = stdout = stderr = None

    def __init__(self, conn: socket.socket, pid: int):
        self.conn, self.pid, self.returncode = conn, pid, None
        self._buffer = b""

    def _take(self, data: bytes) -> None:
        if not data:  # the template went away: its kernels went with it
            self.returncode = -signal.SIGKILL if self.returncode is None else self.returncode
            return
        self._buffer += data
        for line in self._buffer.split(b"\n")[:-1]:
            word, _, value = line.decode().partition(" ")
            if word == "exit":
                self.returncode = int(value)
        self._buffer = self._buffer.rsplit(b"\n", 1)[-1]

    def poll(self) -> int | None:
        while self.returncode is None:
            self.conn.setblocking(False)
            try:
                data = self.conn.recv(4096)
            except (BlockingIOError, InterruptedError):
                self.returncode = self._ended()
                return self.returncode
            except OSError:
                data = b""
            self._take(data)
        return self.returncode

    def _ended(self) -> int | None:
        """The exit code of a kernel that has ended without saying so (killed: a notebook's kernel is stopped at
        once), before the template reaps it, which it does only between the modules it warms late: read from
        /proc, where an ended process waits to be reaped with its exit status. None while it runs, or where there
        is no /proc (the template's word is then awaited)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        if fields[0] != "Z":  # (a zombie: it cannot be another process while the template has not reaped it)
            return None
        return os.waitstatus_to_exitcode(int(fields[-1]))

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("kernel", timeout)
            time.sleep(0.02)
        self.conn.close()
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def fork_kernel(address: str, arguments: list[str], env: dict, cwd: str, notebook: str = "") -> ForkedKernel:
    """Ask the template at `address` for a kernel started with ipykernel's `arguments`, to run `notebook` (its
    name: one of EARLY_NOTEBOOKS is forked without waiting for the late warm-up); OSError when the template
    cannot give one."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.settimeout(READY_TIMEOUT)
        conn.connect(address)
        conn.sendall(
            json.dumps({"argv": arguments, "env": env, "cwd": cwd, "early": notebook in EARLY_NOTEBOOKS}).encode()
            + b"\n"
        )
        answer = b""
        while not answer.endswith(b"\n"):
            chunk = conn.recv(4096)
            if not chunk:
                raise ConnectionError("the kernel template closed the connection")
            answer += chunk
    except BaseException:
        conn.close()
        raise
    word, _, value = answer.decode().strip().partition(" ")
    if word == "refused":  # it holds what a fork must not copy: the run says why, once
        conn.close()
        raise TemplateRefused(value)
    if word != "pid":
        conn.close()
        raise ConnectionError(f"the kernel template answered {answer.decode().strip()!r}")
    return ForkedKernel(conn, int(value))
