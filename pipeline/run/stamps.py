"""Rewrite only what would come out different: a stamp of what each of the run's last writers reads.

A jurisdiction's trail (its summaries, page navigation, files page and manifest.json), a corpus's pages
and the index are written from files on disk and the run's states. Each gets a stamp: one SHA-256 of what
it is made from, every file by path, size, modification time and inode (an atomic write is a new file,
so a rewrite shows even within one clock tick), and of the files it wrote itself. A run whose stamp is
the one kept in build/rerun-stamps.json writes nothing; any change to an input, an output, the code,
the templates or the rules rewrites it as before. A lost or unreadable stamp file costs one rewrite.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from pipeline import ROOT
from pipeline.io.atomic import write_json
from pipeline.io.keys import digest
from pipeline.project import rerun_stamps


def stat_of(path: Path) -> list | None:
    """[size, mtime_ns, inode] of a file, or None when there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def tree(folder: Path, skip: tuple[str, ...] = ()) -> list:
    """Every file under folder (recursively, folders named in skip left out) with its stat; [] when none."""
    out = []
    for top, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in skip)
        rel = os.path.relpath(top, folder)
        out += [(os.path.join(rel, f), stat_of(Path(top) / f)) for f in sorted(files)]
    return out


def code_tree(root: Path, package: Path = ROOT / "pipeline") -> list:
    """The package (code, rules, templates, labels) and the project's notebooks: any edit rewrites."""
    return [tree(package, skip=("__pycache__",)), tree(Path(root) / "notebooks", skip=(".ipynb_checkpoints",))]


class Stamps:
    """The stamps kept from the last run ({name: SHA-256}), saved as each is renewed."""

    def __init__(self, root: Path):
        self.path = rerun_stamps(root)
        try:
            kept = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            kept = {}
        self.kept: dict[str, str] = kept if isinstance(kept, dict) else {}

    def rewrite(self, name: str, inputs: Callable[[], list], write: Callable[[], object], force: bool = False) -> bool:
        """Call write() unless inputs() is what it was right after the last write; True when it wrote.
        The stamp is taken after writing, so it covers the outputs as written."""
        if not force and self.kept.get(name) == digest(inputs()):
            return False
        write()
        self.kept[name] = digest(inputs())
        write_json(self.path, self.kept)
        return True


def same_outcome(last: dict, fresh: dict) -> bool:
    """Whether a run's outcome leaves a run record's `last` as it is: no notebook ran, and the status,
    notebook and message are the ones recorded (the time and seconds of a run that did nothing are not
    news: `last` keeps the run that did something)."""
    return (
        not fresh.get("timings")
        and bool(last)
        and all(last.get(k) == fresh.get(k) for k in ("status", "notebook", "message"))
    )
