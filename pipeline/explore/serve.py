"""Serve the explore database with Datasette: read-only and immutable (`-i`: Datasette opens the file
read-only and never writes it), on loopback unless the user names a host, on a free port by default.

Datasette runs in the explore folder and is given its files by name, so nothing it serves (/-/databases.json
lists each database's path) names a folder of the machine. It dies with the process that started it: on
Linux the kernel sends it SIGKILL when its parent ends, however the parent ends (kill -9 included), so a
killed `pipeline explore` never leaves a server holding the port and the file.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

PLUGINS = Path(__file__).with_name("plugins")

LOOPBACK = "127.0.0.1"
# Datasette's own limits, raised a little for a table of millions of rows: facets and counts that take
# longer than this say "timed out" instead of holding the page (a filter or a search narrows them).
SETTINGS = {"sql_time_limit_ms": 3000, "facet_time_limit_ms": 1000, "default_page_size": 50}


def free_port(host: str = LOOPBACK) -> int:
    """A port nothing listens on now (the OS picks it); Datasette binds it a moment later."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def command(db: Path, metadata: Path, inspect: Path | None, host: str, port: int) -> list[str]:
    """The datasette command line (its Python, this venv's, so the pinned version serves)."""
    cmd = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        "-i",
        _beside(db, db),
        "--metadata",
        _beside(metadata, db),
        "--host",
        host,
        "--port",
        str(port),
        "--plugins-dir",
        str(PLUGINS),
    ]
    if inspect is not None and inspect.is_file():
        cmd += ["--inspect-file", _beside(inspect, db)]
    for name, value in SETTINGS.items():
        cmd += ["--setting", name, str(value)]
    return cmd


def _beside(path: Path, db: Path) -> str:
    """A file as Datasette (run in the database's folder) is given it: by name when it is in that folder."""
    path, folder = Path(path).resolve(), Path(db).resolve().parent
    return path.name if path.parent == folder else str(path)


PR_SET_DEATHSIG = 1  # linux/prctl.h


def _die_with(parent: int):
    """In the child, before Datasette starts: ask the kernel for SIGKILL when the parent ends (Linux), and
    end at once if the parent is already gone. Datasette serves a read-only file: nothing to flush."""

    def setup() -> None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_DEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # not Linux: the parent's own handlers stop it
            return
        if os.getppid() != parent:
            os._exit(1)

    return setup


def url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def start(
    db: Path, metadata: Path, inspect: Path | None = None, host: str = LOOPBACK, port: int | None = None, **popen
) -> tuple[subprocess.Popen, str]:
    """Start Datasette in the background: (the process, its URL)."""
    port = port or free_port(host)
    popen.setdefault("cwd", Path(db).resolve().parent)
    popen.setdefault("preexec_fn", _die_with(os.getpid()))
    proc = subprocess.Popen(command(db, metadata, inspect, host, port), **popen)
    return proc, url(host, port)
