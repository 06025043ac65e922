"""Serve the explore database with Datasette: read-only and immutable (`-i`: Datasette opens the file
read-only and never writes it), on loopback unless the user names a host, on a free port by default."""

from __future__ import annotations

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
        str(db),
        "--metadata",
        str(metadata),
        "--host",
        host,
        "--port",
        str(port),
        "--plugins-dir",
        str(PLUGINS),
    ]
    if inspect is not None and inspect.is_file():
        cmd += ["--inspect-file", str(inspect)]
    for name, value in SETTINGS.items():
        cmd += ["--setting", name, str(value)]
    return cmd


def url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def start(
    db: Path, metadata: Path, inspect: Path | None = None, host: str = LOOPBACK, port: int | None = None, **popen
) -> tuple[subprocess.Popen, str]:
    """Start Datasette in the background: (the process, its URL)."""
    port = port or free_port(host)
    proc = subprocess.Popen(command(db, metadata, inspect, host, port), **popen)
    return proc, url(host, port)
