"""Children that cannot outlive the run: each ends when the process that started it ends, however it ends.

A run's workers, its kernel template and every kernel write under reports/ while the run holds its lock
(build/run.lock). Were one to outlive a killed run, it would write after the lock was released. Linux ends
a child when its parent ends if the child asked for it (prctl PR_SET_PDEATHSIG): each child asks right
after it starts, and ends at once if its parent had already gone. Elsewhere the template still watches a
pipe from the run (its end of file is the run's end), and the workers' kernels are in the workers' hands.

The parent-death signal is tied to the *thread* that started the child: a child started from a short-lived
thread would die with that thread, so only children started from a main thread ask for it.
"""

from __future__ import annotations

import ctypes
import os
import signal
import threading

_PR_SET_PDEATHSIG = 1

try:  # looked up once here: calling it after a fork is then a plain C call, no dlopen
    _prctl = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):  # not Linux
    _prctl = None


def available() -> bool:
    """Whether this system can end a child with its parent (Linux)."""
    return _prctl is not None


def die_with_parent(parent: int | None = None) -> None:
    """End this process (SIGKILL) when its parent ends. `parent`: the pid the parent had; if the parent
    already ended between the fork and this call, end now."""
    if _prctl is None:
        return
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent is not None and os.getppid() != parent:
        os._exit(1)


def preexec(parent: int | None = None):
    """A subprocess preexec_fn that ties the child to this process, or None when it cannot be tied
    safely (not Linux, or called from a thread other than the main one)."""
    if _prctl is None or threading.current_thread() is not threading.main_thread():
        return None
    parent = os.getpid() if parent is None else parent
    return lambda: die_with_parent(parent)
