"""The files of a release being added: what to do with each (copy, record, list), every check made before
anything is written (a readable file, no other bytes under its name, writable folders), and the copy itself
(byte-identical, hash-checked, never over a file)."""

from __future__ import annotations

import fnmatch
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipeline import project
from pipeline.errors import PipelineError
from pipeline.io.hashing import sha256_file


class AddError(PipelineError):
    """The release cannot be added as asked; nothing was written."""


@dataclass
class Planned:
    source: Path  # the file as given
    name: str  # its name in data/raw/<slug>/
    sha256: str
    bytes: int
    copy: bool  # False: the same bytes are already there
    record: bool  # False: SOURCE.md already lists these bytes under this name
    list_input: bool  # True: no pattern of the entry matches the name yet


def matches(patterns, name: str) -> bool:
    """Whether an inputs pattern already covers a file named `name` at the top of data/raw/<slug>/.

    glob (which the run uses) is case-sensitive here and never matches a hidden file with '*'."""
    return any(fnmatch.fnmatchcase(name, p) and not (name.startswith(".") and not p.startswith(".")) for p in patterns)


def check_writable(folders: list[Path], root: Path) -> None:
    """Every folder add writes (the raw folder, the folder of jurisdictions.yml, build/ for its scratch
    check) can be written, or the nearest folder that exists above it: refused before anything is written,
    in one sentence, rather than a traceback half-way."""
    for folder in folders:
        there = Path(folder)
        while not there.exists() and there != there.parent:
            there = there.parent
        if not os.access(there, os.W_OK | os.X_OK):
            raise AddError(unwritable(there, root))


def unwritable(
    folder: Path, root: Path, why: str = "it is read-only for this user", done: str = "nothing was added"
) -> str:
    shown = project.display_path(folder, root)
    return (
        f"cannot write to {shown}/ ({why}); {done}. Make the folder writable "
        f"(e.g. chmod u+w {shown}) or add the release in a copy of the project you can write."
    )


def check_readable(path: Path, sha: str, root: Path) -> None:
    """Read the file with the run's own readers into a scratch folder: refused here as a run would refuse it."""
    from pipeline.ingest import ingest

    scratch = project.build_dir(root)
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="add-check-", dir=scratch) as tmp:
        ingest([path], Path(tmp), root=root, hashes={path: sha})


def plan(files: list[Path], raw_dir: Path, patterns, recorded: dict[str, set[str]], root: Path) -> list[Planned]:
    """What to do with each file; raises AddError (or the readers' SourceError) before anything is written."""
    out: list[Planned] = []
    by_name: dict[str, str] = {}
    for f in files:
        f = Path(f)
        if not f.is_file():
            raise AddError(f"{f}: no such file.")
        name = f.name
        if name.startswith("."):
            raise AddError(f"{f}: a hidden file (its name starts with '.') is not read by a run; rename it.")
        sha = sha256_file(f)
        if by_name.setdefault(name, sha) != sha:
            raise AddError(
                f"two files named {name} with different bytes were given; a release's files need distinct names."
            )
        if name in (p.name for p in out):
            continue
        target = raw_dir / name
        copy = True
        if target.exists() or target.is_symlink():
            if not target.is_file() or sha256_file(target) != sha:
                shown = f"data/raw/{raw_dir.name}/{name}"
                raise AddError(
                    f"{shown} already exists with other bytes; raw files are never overwritten. "
                    "A new or corrected release is a new file: give it another name "
                    "(e.g. with the month or the date received) and add it again."
                )
            copy = False
        check_readable(f, sha, root)
        out.append(
            Planned(
                source=f,
                name=name,
                sha256=sha,
                bytes=f.stat().st_size,
                copy=copy,
                record=sha not in recorded.get(name, set()),
                list_input=not matches(patterns, name),
            )
        )
    return out


# --------------------------------------------------------------------------------------------------
# The command


def copy_new(p: Planned, target: Path) -> None:
    """Copy byte-identical beside the target, check the hash, then link into place (never over a file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".adding", dir=target.parent)
    os.close(fd)
    try:
        shutil.copyfile(p.source, tmp)
        if sha256_file(tmp) != p.sha256:
            raise AddError(
                f"{p.source}: the copy's SHA-256 differs from the file's (did it change while "
                "being copied?); nothing was added."
            )
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes files private; raw files are shared like the rest
        os.link(tmp, target)  # fails if the target appeared meanwhile: never overwrite
    finally:
        os.unlink(tmp)
