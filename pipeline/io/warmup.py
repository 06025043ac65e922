"""A library's first-use cost paid in the background: work started once per process in a daemon thread,
while the process waits on something else (a kernel), and waited for before the first real use, so the
library is never used by two threads at once."""

from __future__ import annotations

import threading
from collections.abc import Callable


class WarmUp:
    def __init__(self, name: str, work: Callable[[], None]):
        self.name, self.work = name, work
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the work, once per process (later calls do nothing)."""
        if self.thread is None:
            self.thread = threading.Thread(target=self.work, name=self.name, daemon=True)
            self.thread.start()

    def wait(self) -> None:
        """Return once the work has ended (at once when it was never started)."""
        if self.thread is not None:
            self.thread.join()
