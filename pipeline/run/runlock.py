"""One run of a project at a time.

Each output is swapped in whole, but two runs of one project at once would still mix: one run's
analysis could read the other's cleaned table. A run holds an exclusive lock on build/run.lock for its
whole length; a second run finds it held and stops, saying which run holds it. The operating system
releases the lock when the holding process ends, however it ends, so a crashed run never blocks the next.

The lock belongs to the open file, not the process: the run's kernel template and every kernel forked from
it keep the file open (template.py), so the lock is held for as long as any of them lives, and each of
them ends when the run does (lifeline.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
from pathlib import Path

from pipeline.errors import RunInProgress
from pipeline.project import build_dir


@contextlib.contextmanager
def exclusive_run(root: Path):
    path = build_dir(root) / "run.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or "another process"
            raise RunInProgress(
                f"Another run of this project is in progress ({holder}); its outputs would mix with this "
                f"run's. Wait for it to finish, then run again (it holds {path})."
            ) from None
        f.seek(0)
        f.truncate()
        started = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        f.write(f"process {os.getpid()}, started {started}\n")
        f.flush()
        try:
            yield f
        finally:
            f.seek(0)
            f.truncate()
            fcntl.flock(f, fcntl.LOCK_UN)
