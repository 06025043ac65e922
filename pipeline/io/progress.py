"""Progress of long steps, for the person waiting at the terminal.

The notebooks run in Jupyter kernels whose output goes to the executed notebook, not to the terminal
that ran `make all`; a kernel's own standard error (sys.__stderr__) still is that terminal. Messages
are echoed there, prefixed with the jurisdiction, when it is a terminal and not CI (PIPELINE_PROGRESS=1
or 0 forces it on or off).
"""

from __future__ import annotations

import os
import sys
from typing import Callable


def _terminal():
    forced = os.environ.get("PIPELINE_PROGRESS")
    stream = sys.__stderr__
    if stream is None or forced == "0":
        return None
    if forced == "1":
        return stream
    try:
        return stream if stream.isatty() and not os.environ.get("CI") else None
    except (AttributeError, ValueError):
        return None


def reporter(prefix: str, echo: Callable[[str], None] = print) -> Callable[[str], None]:
    """A progress function: each message goes to `echo` (the notebook) and, when someone watches, to the
    terminal as 'prefix: message'."""
    terminal = _terminal()

    def progress(msg: str) -> None:
        echo(msg)
        if terminal is not None:
            print(f"{prefix}: {msg}", file=terminal, flush=True)

    return progress


def rate(rows: int, seconds: float) -> str:
    """'1,234,567 rows in 3.2 s (385,802 rows/s)'."""
    per = f" ({rows / seconds:,.0f} rows/s)" if seconds > 0 else ""
    return f"{rows:,} rows in {seconds:.1f} s{per}"
