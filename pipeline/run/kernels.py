"""Run one notebook in a Jupyter kernel that cannot collide with another and stops without a fuss.

Jupyter's default start picks free TCP ports, closes them and lets the kernel bind them a moment later;
a kernel started in between by a parallel run can take one (`ZMQError: Address already in use`,
papermill issue #511). Here every kernel talks over IPC: Unix sockets named after that kernel alone in
a private folder, so two kernels never reach for the same address (and ipykernel's warning about
unencrypted TCP does not apply).

On shutdown jupyter_client first interrupts the kernel (SIGINT), then asks it to stop (or, as here, kills it:
below). A kernel still answering a message when the signal lands logs "KeyboardInterrupt caught in kernel". A
notebook that has finished has nothing to interrupt, so the shutdown here leaves the interrupt out.

A kernel that still dies before its first reply is started once more, and the caller is told so.

Two waits of jupyter_client's are shortened, each paid by every notebook: after a kernel's first reply the
client waits for 0.2 s of silence on IOPub (QuickReadyClient only takes what is there), and a stopping kernel is
looked at every 0.1 s (here every 0.01 s). Together 0.3 s a notebook, a fifth of a small one's run.

A notebook's kernel is stopped at once when its last cell has answered (nbclient's "immediate" shutdown: every
output is in by then, and each file a cell writes is whole when the cell ends). Asked to stop politely,
ipykernel 7 sometimes hangs: its control thread waits for a flush by the IOPub thread that its main thread has
just stopped, until jupyter_client terminates it 2.5 s later (7 kernels in 50 forked, 1 in 50 started the
ordinary way, two notebooks running at once; measured 8 December 2026).

Where the run has started a kernel template (template.py: a process that has already imported what the
notebooks use), a kernel is a fork of it rather than a fresh interpreter; where it has not (turned off with
FLOCK_KERNEL_TEMPLATE=0, no fork on this system, or the template refused), the ordinary start. Either way the
kernel ends when the process that started it ends (lifeline.py).
"""

from __future__ import annotations

import math
import os
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from traitlets import DottedObjectName, Type

from pipeline.run import lifeline, template
from pipeline.run.template import socket_dir


class QuickReadyClient(AsyncKernelClient):
    """A client that is ready once the kernel has answered kernel_info and IOPub is shown connected (as
    jupyter_client's own), without then waiting for 0.2 s of silence on IOPub: what is there is drained, and a
    later startup message cannot be taken for a cell's (nbclient keeps only replies to its own requests)."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (math.inf if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:  # IOPub is connected once the kernel's status for that request arrives on it
                    await self.iopub_channel.get_msg(timeout=0.2)
                except Empty:
                    pass  # not yet (a subscription is late to join): ask again
                else:
                    self._handle_kernel_info_reply(reply)
                    break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=0)
            except Empty:
                return


class IpcKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel binds IPC sockets of its own and is not interrupted on shutdown."""

    client_class = DottedObjectName(f"{__name__}.QuickReadyClient")  # (as jupyter_client declares its own)
    client_factory = Type(klass=QuickReadyClient)

    notebook = ""  # the notebook its kernel runs (for_notebook): the template forks 01_clean's without waiting

    @classmethod
    def for_notebook(cls, name: str) -> type[IpcKernelManager]:
        return type(cls.__name__, (cls,), {"notebook": name})

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.transport = "ipc"
        # jupyter_client's default IPC address is "kernel-ipc" in the notebook's working folder: shared by
        # every kernel started there. A name of its own in a private folder cannot be taken by another.
        self.ip = str(Path(socket_dir()) / uuid.uuid4().hex[:16])

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        """A fork of the run's template when there is one; the ordinary start, tied to this process, otherwise."""
        address = os.environ.get(template.ADDRESS_VARIABLE)
        if address and kernel_cmd[1:3] == ["-m", "ipykernel_launcher"]:
            env = {**(kw.get("env") or os.environ), "JPY_PARENT_PID": str(os.getpid())}  # as jupyter_client sets it
            try:
                kernel = template.fork_kernel(
                    address, kernel_cmd[3:], env, str(kw.get("cwd") or os.getcwd()), self.notebook
                )
            except template.TemplateRefused:
                pass  # the run says why, once
            except OSError as e:
                _say_once(f"kernels start the ordinary way: the kernel template could not give one ({e})")
            else:
                provisioner = self.provisioner
                provisioner.process, provisioner.pid, provisioner.pgid = kernel, kernel.pid, kernel.pid
                provisioner.cwd = kw.get("cwd")
                self._reconcile_connection_info(provisioner.connection_info)
                return
        preexec = lifeline.preexec()
        if preexec is not None:
            kw["preexec_fn"] = preexec
        await super()._async_launch_kernel(kernel_cmd, **kw)

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        await super()._async_wait(pollinterval=min(pollinterval, 0.01))

    async def _async_interrupt_kernel(self) -> None:
        if self.shutting_down:  # set by shutdown_kernel just before it would interrupt
            return
        await super()._async_interrupt_kernel()


_said: set[str] = set()


def _say_once(message: str) -> None:
    """Said once per process, on standard error (a worker's kernels all share its one reason)."""
    if message not in _said:
        _said.add(message)
        print(message, file=sys.stderr, flush=True)


def _died_at_start(error: Exception) -> bool:
    """A kernel that died (or never answered) before its first reply: worth one more start. Papermill writes
    the notebook when it ends, not after every cell, so a kernel that died mid-notebook (nbclient's
    DeadKernelError: it had answered) is told apart by its error, and is not started again."""
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(error, (PapermillExecutionError, DeadKernelError)):  # a cell raised, or it died after answering
        return False
    at_start = isinstance(error, (TimeoutError, RuntimeError))
    return at_start or type(error).__module__.startswith("zmq")


def execute_notebook(
    source: Path, output: Path, *, parameters: dict, cwd: Path, say: Callable[[str], None] = print
) -> None:
    """Execute `source` with papermill into `output`; a kernel that dies before its first reply is
    restarted once (said through `say`). Any other failure is raised as papermill raises it."""
    import papermill as pm

    for attempt in (1, 2):
        try:
            pm.execute_notebook(
                str(source),
                str(output),
                parameters=parameters,
                kernel_name="python3",
                cwd=str(cwd),
                progress_bar=False,
                log_output=False,
                # The notebook is written when it ends (or fails), not twice per cell as well: those saves
                # cost 0.1-0.8 s a notebook, and a half-run notebook in build/running/ helps nobody.
                request_save_on_cell_execute=False,
                shutdown_kernel="immediate",  # (why: this module's docstring)
                kernel_manager_class=IpcKernelManager.for_notebook(Path(source).stem),
            )
            return
        except Exception as e:
            if attempt == 2 or not _died_at_start(e):
                raise
            say(f"the kernel stopped before it answered ({type(e).__name__}: {e}); starting it once more")
