"""A warm kernel template: one process per run that has imported what the notebooks use, and forks kernels.

A notebook's kernel used to spend most of its life importing pandas, DuckDB, Great Expectations, Altair and
the pipeline before its first cell ran, three times per jurisdiction. The template imports them once; each
kernel is a fork of it, ready in milliseconds, and still a process of its own: a name, an option, an
environment variable or a patched function set in one notebook is gone when the next one forks afresh.

Fork safety. A fork copies one thread and every lock as it was, so the template must hold nothing that a
thread or another process owns: pyzmq says a context and its sockets must not cross a fork (a ZMQ context
runs I/O threads), and DuckDB's database runs worker threads from the moment it opens. The template
imports modules only: it opens no DuckDB connection, creates no ZMQ context and starts no thread. Before it
serves it checks that this holds (one thread in /proc/self/task, no zmq Context, no socket but its own
listener); if it does not, it refuses and the run starts kernels the ordinary way, saying so once.

Protocol, over a Unix socket in the run's private socket folder: a worker sends one JSON line (the
kernel's arguments, environment and folder); the template forks, answers "pid N", and when the kernel ends,
"exit CODE". A worker that goes away takes its kernel with it (the template kills a kernel whose worker
closed the connection). The template ends when the run closes its stdin (or dies: the parent-death signal),
killing any kernel still alive; each kernel ends when the template ends (lifeline.py). The template and its
kernels hold the run lock's file open, so the lock is held until the last of them has gone.
"""

from __future__ import annotations

import ast
import atexit
import contextlib
import importlib
import json
import os
import selectors
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
    "IPython.display",
)
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
    """A started template: its process and address. `close()` stops it and every kernel it forked."""

    def __init__(self, process: subprocess.Popen, address: str):
        self.process, self.address = process, address

    def close(self) -> None:
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
    never pays for it); the address is left in the environment for the workers the run starts after."""

    def __init__(self, root: Path, folder: Callable[[], str], keep_fds: tuple[int, ...], say: Callable[[str], None]):
        self.root, self.folder, self.keep_fds, self.say = root, folder, keep_fds, say
        self.template: Template | None = None
        self.asked = False

    def ensure(self) -> None:
        if self.asked:
            return
        self.asked = True
        os.environ.pop(ADDRESS_VARIABLE, None)  # another run's template (a run inside a test) is not ours
        if turned_off():
            return
        self.template, why = start(self.root, self.folder(), self.keep_fds)
        if self.template is None:
            self.say(f"kernels start the ordinary way: {why}")
        else:
            os.environ[ADDRESS_VARIABLE] = self.template.address

    def close(self) -> None:
        if self.template is not None:
            os.environ.pop(ADDRESS_VARIABLE, None)
            self.template.close()
            self.template = None


def start(root: Path, folder: str, keep_fds: tuple[int, ...] = ()) -> tuple[Template | None, str | None]:
    """Start a template for the notebooks of `root`, listening in `folder`; (template, None) when it is
    ready, (None, why not) when kernels must start the ordinary way. `keep_fds`: descriptors the template
    and its kernels keep open (the run lock)."""
    if not hasattr(os, "fork") or not lifeline.available():
        return None, "this system cannot fork a kernel template"
    address = str(Path(folder) / "template")
    ready_r, ready_w = os.pipe()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "pipeline.run.template", address, str(root), str(ready_w)],
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
    answer = _read_answer(ready_r, READY_TIMEOUT)
    if answer == "ready":
        return Template(process, address), None
    Template(process, address).close()
    return None, answer or "the kernel template did not answer"


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
                return None
            except OSError:
                data = b""
            self._take(data)
        return self.returncode

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


def fork_kernel(address: str, arguments: list[str], env: dict, cwd: str) -> ForkedKernel:
    """Ask the template at `address` for a kernel started with ipykernel's `arguments`; OSError when the
    template cannot give one."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.settimeout(READY_TIMEOUT)
        conn.connect(address)
        conn.sendall(json.dumps({"argv": arguments, "env": env, "cwd": cwd}).encode() + b"\n")
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
    if word != "pid":
        conn.close()
        raise ConnectionError(f"the kernel template refused: {answer.decode().strip()}")
    return ForkedKernel(conn, int(value))


# --------------------------------------------------------------------------------------------------
# The template process


def notebook_modules(root: Path) -> list[str]:
    """The modules the project's notebooks import (their own import lines), then EXTRA_MODULES."""
    names: list[str] = []
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        try:
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        except (OSError, ValueError, KeyError):
            continue
        for cell in cells:
            if cell.get("cell_type") == "code":
                names += _imports("".join(cell.get("source", "")))
    return list(dict.fromkeys(names + list(EXTRA_MODULES)))


def _imports(source: str) -> list[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:  # a cell with IPython magics: read its import lines alone
        tree = ast.parse("\n".join(x for x in source.splitlines() if x.lstrip().startswith(("import ", "from "))))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    return out


def warm(modules: list[str]) -> None:
    """Import each module (a name that is not a module, such as a function imported from one, is skipped)."""
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def fork_hazards(own_fds: set[int]) -> list[str]:
    """What the template holds that a fork must not copy: threads, a ZMQ context, sockets not its own."""
    hazards = []
    threads = len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else 1
    if threads != 1:
        hazards.append(f"{threads} threads")
    zmq = sys.modules.get("zmq")
    if zmq is not None and getattr(zmq.Context, "_instance", None) is not None:
        hazards.append("a ZMQ context")
    if os.path.isdir("/proc/self/fd"):
        for fd in os.listdir("/proc/self/fd"):
            with contextlib.suppress(OSError):
                if int(fd) not in own_fds and os.readlink(f"/proc/self/fd/{fd}").startswith("socket:"):
                    hazards.append(f"an open socket (descriptor {fd})")
    return hazards


class _Server:
    """The template's loop: accept requests, fork kernels, report their ends, stop when the run does."""

    def __init__(self, listener: socket.socket):
        self.listener = listener
        self.selector = selectors.DefaultSelector()
        self.selector.register(listener, selectors.EVENT_READ, "accept")
        self.selector.register(0, selectors.EVENT_READ, "run")
        self.kernels: dict[int, socket.socket] = {}  # pid -> the worker's connection

    def serve(self) -> None:
        while True:
            for key, _ in self.selector.select(timeout=0.1):
                if key.data == "run":
                    if not os.read(0, 4096):  # the run closed our stdin, or ended
                        return self.stop()
                elif key.data == "accept":
                    conn, _ = self.listener.accept()
                    self.selector.register(conn, selectors.EVENT_READ, None)
                else:
                    self._request(key.fileobj, key.data)
            self._reap()

    def _request(self, conn: socket.socket, pid: int | None) -> None:
        try:
            line = _read_line(conn) if pid is None else conn.recv(4096)
        except OSError:
            line = b""
        if pid is not None:  # a kernel's worker: it never speaks again, so this is its end
            if not line:
                self._forget(conn)
                with contextlib.suppress(OSError):
                    os.killpg(pid, signal.SIGKILL)
            return
        if not line:
            self._forget(conn)
            return
        child = self._fork(json.loads(line))
        self.kernels[child] = conn
        self.selector.modify(conn, selectors.EVENT_READ, child)
        conn.sendall(f"pid {child}\n".encode())

    def _fork(self, request: dict) -> int:
        me = os.getpid()
        child = os.fork()
        if child == 0:
            code = 1
            try:
                self._close_all()
                code = become_kernel(request, me)
            finally:
                os._exit(code)
        return child

    def _close_all(self) -> None:
        for conn in self.kernels.values():
            conn.close()
        for key in list(self.selector.get_map().values()):
            if isinstance(key.fileobj, socket.socket):
                key.fileobj.close()
        self.selector.close()
        self.listener.close()

    def _forget(self, conn: socket.socket) -> None:
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(conn)
        conn.close()

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = self.kernels.pop(pid, None)
            if conn is not None:
                with contextlib.suppress(OSError):
                    conn.sendall(f"exit {os.waitstatus_to_exitcode(status)}\n".encode())
                self._forget(conn)

    def stop(self) -> None:
        for pid in list(self.kernels):
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while self.kernels and time.monotonic() < deadline:
            self._reap()
            time.sleep(0.01)


def _read_line(conn: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            return b""
        data += chunk
    return data


def become_kernel(request: dict, template: int) -> int:
    """In the forked child: end with the template, leave its session (as jupyter_client's kernels do, so a
    Ctrl-C in the terminal does not reach it), take the worker's environment and folder, run ipykernel."""
    import atexit

    atexit._clear()  # the template's exit handlers are not this kernel's
    lifeline.die_with_parent(template)
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = ["ipykernel_launcher", *request["argv"]]
    if os.environ.get("JPY_PARENT_PID"):  # ipykernel read it when the template imported it: say it again
        sys.argv.append(f"--IPKernelApp.parent_handle={os.environ['JPY_PARENT_PID']}")
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]  # as ipykernel_launcher does
    code = 0
    try:
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:  # noqa: BLE001  (the kernel's end, whatever it is, is reported by its exit code)
        import traceback

        traceback.print_exc()
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    return code


def main(address: str, root: str, ready_fd: int) -> None:
    """The template process: listen, import, check, say "ready" (or why not) on ready_fd, serve."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C is the run's to handle; the run stops us
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(address)
    listener.bind(address)
    listener.listen(64)
    try:
        warm(notebook_modules(Path(root)))
        hazards = fork_hazards({listener.fileno()})
        answer = f"the kernel template holds {', '.join(hazards)}, which a fork must not copy" if hazards else "ready"
    except BaseException as e:  # noqa: BLE001  (any failure to warm up means: start kernels the ordinary way)
        answer, hazards = f"the kernel template failed to start ({type(e).__name__}: {e})", ["failed"]
    os.write(ready_fd, answer.encode() + b"\n")
    os.close(ready_fd)
    if not hazards:
        _Server(listener).serve()
    listener.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
