"""A full disk leaves a jurisdiction's last good outputs as they were, manifest.json included.

Before a jurisdiction's notebooks run, its published folder (reports/<slug>/) and its processed tables
(data/processed/<slug>/) are kept in build/last-good/<slug>/ as hard links: no space, no copying, and each
output is written by renaming a new file into place, so the kept links still name the last good bytes.
When the disk fills during the run, both folders are swapped back by renames (which need no space), the
run record and manifest are not touched, and the run says so in one sentence: the folder and about how
much space a run of this jurisdiction needs. Any other outcome drops the kept links.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

from pipeline.project import build_dir, processed_dir, reports_dir

_FULL = ("No space left on device", "[Errno 28]", "Disk quota exceeded", "[Errno 122]")


def _kept(root: Path, slug: str) -> Path:
    return build_dir(root) / "last-good" / slug


def _folders(root: Path, slug: str) -> dict[str, Path]:
    return {"reports": reports_dir(root, slug), "processed": processed_dir(root, slug)}


def keep(root: Path, slug: str) -> bool:
    """Hard-link the jurisdiction's two folders into build/last-good/<slug>/ (replacing an older copy); True."""
    kept = _kept(root, slug)
    shutil.rmtree(kept, ignore_errors=True)
    for name, folder in _folders(root, slug).items():
        if folder.is_dir():
            shutil.copytree(folder, kept / name, copy_function=os.link)
    return True


def drop(root: Path, slug: str) -> None:
    shutil.rmtree(_kept(root, slug), ignore_errors=True)


def restore(root: Path, slug: str) -> None:
    """Put the kept folders back in place of what the failed run left (renames only)."""
    kept = _kept(root, slug)
    trash = build_dir(root) / "last-good" / f".{slug}.failed"
    shutil.rmtree(trash, ignore_errors=True)
    trash.mkdir(parents=True, exist_ok=True)
    for name, folder in _folders(root, slug).items():
        if folder.exists():
            os.replace(folder, trash / name)
        if (kept / name).exists():
            os.replace(kept / name, folder)
    shutil.rmtree(trash, ignore_errors=True)
    shutil.rmtree(kept, ignore_errors=True)


def is_disk_full(error: BaseException | None, text: str = "") -> bool:
    """Whether a failure is a full disk (or quota): the error itself, or the words a notebook's error left."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return any(word in text for word in _FULL)


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0


def sentence(root: Path, slug: str) -> str:
    """The one sentence a full disk gives: the folder, the space a run of this jurisdiction needs, what is free."""
    folder = reports_dir(root, slug)
    need = sum(_size(f) for f in _folders(root, slug).values())
    free = shutil.disk_usage(root).free
    return (
        f"the disk holding {Path(folder).relative_to(root)}/ is full: a run of this jurisdiction needs about "
        f"{_mb(need)} free and {_mb(free)} is, so its last good outputs are kept as they were; free some space "
        f"and run it again"
    )


def _mb(n: int) -> str:
    return f"{max(n, 1) / 1e6:,.1f} MB"
