"""The kernel template's own process (started by template.py): import, check, then fork kernels on request.

It imports every module the project's notebooks import (their own import lines) and EXTRA_MODULES, checks
that it holds nothing a fork must not copy (fork_hazards), says "ready" or why not on a pipe the run
reads, then serves: one JSON request per worker connection, a fork per request, "pid N" and later
"exit CODE" on that connection. See template.py for why, and lifeline.py for how nothing outlives the run.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import importlib
import json
import os
import selectors
import signal
import socket
import sys
import time
from pathlib import Path

from pipeline.run import lifeline
from pipeline.run.template import EXTRA_MODULES, LATE_WARM


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
        warm_one(name)


def warm_one(name: str) -> None:
    """Import module `name`, or for "module:function", call the function (a cached read). Anything that
    fails is skipped: the kernel then does it itself, as without a template."""
    module, _, call = name.partition(":")
    try:
        loaded = importlib.import_module(module)
        if call:
            getattr(loaded, call)()
    except Exception:  # noqa: BLE001  (a warm-up is an optimisation, never a failure of the run)
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

    def __init__(self, listener: socket.socket, late: tuple[str, ...] = ()):
        self.listener = listener
        self.late = list(late)  # warmed one by one while no request waits (LATE_WARM)
        self.hazards: list[str] = []  # what a late warm-up left that a fork must not copy
        self.selector = selectors.DefaultSelector()
        self.selector.register(listener, selectors.EVENT_READ, "accept")
        self.selector.register(0, selectors.EVENT_READ, "run")
        self.kernels: dict[int, socket.socket] = {}  # pid -> the worker's connection

    def serve(self) -> None:
        while True:
            events = self.selector.select(timeout=0 if self.late else 0.1)
            if not events and self.late:  # idle: warm the next late module (an early request waits at most one)
                self._warm_next()
                continue
            for key, _ in events:
                if key.data == "run":
                    if not os.read(0, 4096):  # the run closed our stdin, or ended
                        return self.stop()
                elif key.data == "accept":
                    conn, _ = self.listener.accept()
                    self.selector.register(conn, selectors.EVENT_READ, None)
                else:
                    self._request(key.fileobj, key.data)
            self._reap()

    def _warm_next(self) -> None:
        warm_one(self.late.pop(0))
        gc.freeze()
        if not self.late:
            self.hazards = fork_hazards({self.listener.fileno(), *self._fds()})

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
        request = json.loads(line)
        while self.late and not request.get("early"):  # this kernel's notebook uses them: warm them first
            self._warm_next()
        hazards = self.hazards or (fork_hazards({self.listener.fileno(), *self._fds()}) if self.late else [])
        if hazards:  # a late warm-up started a thread: this and every later kernel start the ordinary way
            self.hazards = hazards
            with contextlib.suppress(OSError):
                conn.sendall(
                    f"refused the kernel template holds {', '.join(hazards)}, which a fork must not copy\n".encode()
                )
            self._forget(conn)
            return
        child = self._fork(request, conn)
        self.kernels[child] = conn
        self.selector.modify(conn, selectors.EVENT_READ, child)
        conn.sendall(f"pid {child}\n".encode())

    def _fork(self, request: dict, conn: socket.socket) -> int:
        """Fork a kernel for `request`. The kernel keeps its worker's connection and says its own exit code
        on it as it ends: the template may be busy warming a late module (LATE_WARM) when it could reap it."""
        me = os.getpid()
        child = os.fork()
        if child == 0:
            code = 1
            try:
                self._close_all(keep=conn)
                code = become_kernel(request, me)
            finally:
                with contextlib.suppress(OSError):
                    conn.sendall(f"exit {code}\n".encode())
                os._exit(code)
        return child

    def _fds(self) -> set[int]:
        """The template's own sockets: its connections to workers."""
        return {k.fileobj.fileno() for k in self.selector.get_map().values() if isinstance(k.fileobj, socket.socket)}

    def _close_all(self, keep: socket.socket | None = None) -> None:
        """In a forked kernel: close every socket of the template's but `keep`."""
        for conn in self.kernels.values():
            conn.close()
        for key in list(self.selector.get_map().values()):
            if isinstance(key.fileobj, socket.socket) and key.fileobj is not keep:
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
    # The template's objects stay frozen (out of every collection, so a collection does not write to their
    # pages and copy them: Python's advice for fork without exec); the kernel's own are collected as usual.
    gc.enable()
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
        gc.disable()  # no collection while importing; what is imported is then frozen (below)
        warm(notebook_modules(Path(root)))
        gc.freeze()
        hazards = fork_hazards({listener.fileno()})
        answer = f"the kernel template holds {', '.join(hazards)}, which a fork must not copy" if hazards else "ready"
    except BaseException as e:  # noqa: BLE001  (any failure to warm up means: start kernels the ordinary way)
        answer, hazards = f"the kernel template failed to start ({type(e).__name__}: {e})", ["failed"]
    os.write(ready_fd, answer.encode() + b"\n")
    os.close(ready_fd)
    if hazards:
        _refuse(listener, answer)
    else:
        _Server(listener, LATE_WARM).serve()
    listener.close()


def _refuse(listener: socket.socket, why: str) -> None:
    """Answer every request (workers started before the answer was known) with the refusal, until the run ends."""
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "accept")
    selector.register(0, selectors.EVENT_READ, "run")
    while True:
        for key, _ in selector.select():
            if key.data == "run":
                if not os.read(0, 4096):
                    return
            else:
                conn, _ = listener.accept()
                with contextlib.suppress(OSError):
                    _read_line(conn)
                    conn.sendall(f"refused {why}\n".encode())
                conn.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
    # Ended without the interpreter's teardown of everything the template imported (about 0.3 s the run
    # waited for): it holds no file to flush but its standard streams.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)
