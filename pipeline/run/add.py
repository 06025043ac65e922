"""Add a release: copy its files into data/raw/<slug>/, record them in SOURCE.md and jurisdictions.yml.

    python -m pipeline add FILE... --jurisdiction SLUG [--name ... --producer ... --timezone ...]

Everything is checked before anything is written, so a refused file leaves the project as it was:
the slug and time zone with the same checks as loading jurisdictions.yml, each file with the readers
a run uses (a file a run could not read is refused here with the same message), and the target names
(a file already there with the same bytes is a no-op; with other bytes it is refused: a new release
is a new file, never an overwrite). The edited jurisdictions.yml is checked as a run would load it
before it replaces the old one; its comments and order are kept (ruamel.yaml round-trip).
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import fnmatch
import glob
import io
import json
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline import ROOT, project
from pipeline.config import LOG_KINDS, check_slug, check_timezone, load
from pipeline.errors import ConfigError, PipelineError
from pipeline.io.atomic import write_text
from pipeline.io.hashing import sha256_file

SOURCE_SECTION = "## Files added with `python -m pipeline add`"
# One block per file in SOURCE.md; the heading line is how a later add knows the file is recorded.
_RECORDED_RE = re.compile(r"^### `(?P<name>[^`]+)`", re.MULTILINE)
_SHA_RE = re.compile(r"^- SHA-256: `(?P<sha>[0-9a-f]{64})`", re.MULTILINE)


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


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m pipeline add", description="Copy a release's files into data/raw/<slug>/ and record them."
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="the files exactly as received")
    p.add_argument("--jurisdiction", "-j", required=True, metavar="SLUG")
    p.add_argument("--name", help="display name (a new jurisdiction only)")
    p.add_argument("--producer", help="who owns the cameras and released the log (a new jurisdiction only)")
    p.add_argument(
        "--timezone",
        help="the producer's IANA time zone, e.g. America/Chicago (required for a new jurisdiction; never guessed)",
    )
    p.add_argument("--log-kind", default=None, choices=LOG_KINDS, help="default: auto (detect from the files)")
    p.add_argument("--producer-state", help="two-letter state of the producer (a new jurisdiction only)")
    p.add_argument("--synthetic", action="store_true", help="generated data (labelled SYNTHETIC everywhere)")
    p.add_argument("--received", help="date the release was received (YYYY-MM-DD)")
    p.add_argument("--request", help="the records request id")
    p.add_argument("--note", help="free text recorded in SOURCE.md")
    p.add_argument("--config", default=None, help="jurisdictions file (default: ROOT/jurisdictions.yml)")
    p.add_argument("--root", default=None, type=Path, help="project folder (default: this checkout)")
    return p


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    root = (args.root or ROOT).resolve()
    try:
        _add_from(args, root)
    except (PermissionError, OSError) as e:
        if e.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise
        # A folder that became unwritable between the check and the write (check_writable said yes).
        where = Path(e.filename).parent if e.filename else root
        done = "add stopped there (files already copied stay, each whole; run add again once it is writable)"
        raise AddError(_unwritable(where, root, e.strerror or "not writable", done)) from None
    return 0


def _add_from(args, root: Path) -> None:
    add(
        args.files,
        args.jurisdiction,
        root=root,
        config=Path(args.config) if args.config else None,
        name=args.name,
        producer=args.producer,
        timezone=args.timezone,
        log_kind=args.log_kind,
        producer_state=args.producer_state,
        synthetic=args.synthetic,
        received=args.received,
        request=args.request,
        note=args.note,
    )


# --------------------------------------------------------------------------------------------------
# jurisdictions.yml, round-trip


def _yaml():
    from ruamel.yaml import YAML

    y = YAML()
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap the folded source texts
    return y


# (mapping, sequence, offset) indents tried in turn: the first that gives the file back unchanged is kept,
# so an edit touches only the lines it adds.
_INDENTS = [(2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0), (2, 3, 1)]


def _load_round_trip(text: str):
    for mapping, sequence, offset in _INDENTS:
        y = _yaml()
        y.indent(mapping=mapping, sequence=sequence, offset=offset)
        doc = y.load(text)
        if _dump(y, doc) == text:
            return y, doc
    raise AddError(
        "jurisdictions.yml is laid out in a way this command cannot edit without changing other "
        "lines; add the entry by hand (see the keys at the top of the file)."
    )


def _dump(y, doc) -> str:
    buf = io.StringIO()
    y.dump(doc, buf)
    return buf.getvalue()


def _matches(patterns, name: str) -> bool:
    """Whether an inputs pattern already covers a file named `name` at the top of data/raw/<slug>/.

    glob (which the run uses) is case-sensitive here and never matches a hidden file with '*'."""
    return any(fnmatch.fnmatchcase(name, p) and not (name.startswith(".") and not p.startswith(".")) for p in patterns)


def _flow_list(items):
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _new_entry(slug, name, producer, timezone, log_kind, producer_state, synthetic, source):
    from ruamel.yaml.comments import CommentedMap

    e = CommentedMap()
    e["slug"], e["name"], e["producer"] = slug, name, producer
    e["log_kind"], e["timezone"] = log_kind, timezone
    if producer_state:
        e["producer_state"] = producer_state
    if synthetic:
        e["synthetic"] = True
    e["inputs"] = _flow_list([])
    if source:
        e["source"] = source
    return e


def _edited_config(text: str, slug: str, new_entry, names: list[str]) -> str:
    """jurisdictions.yml with the new entry appended, or `names` added to the entry's inputs."""
    y, doc = _load_round_trip(text)
    entries = doc["jurisdictions"]
    if new_entry is not None:
        new_entry["inputs"].extend(names)
        entries.append(new_entry)
    else:
        entry = next(e for e in entries if e.get("slug") == slug)
        inputs = entry["inputs"]
        if isinstance(inputs, str):
            entry["inputs"] = inputs = _flow_list([inputs])
        inputs.extend(names)
    out = _dump(y, doc)
    if new_entry is not None and re.search(r"\n\n[ \t]*- slug:", text):
        # Keep the file's blank line between entries for the new one too.
        out = re.sub(rf"\n([ \t]*- slug: {re.escape(slug)}\n)", r"\n\n\1", out, count=1)
    # The edit changes what was asked and nothing else: the same data, plus the entry or the names.
    expected = yaml.safe_load(text)
    if new_entry is not None:
        expected["jurisdictions"].append(json.loads(json.dumps(new_entry)))
    else:
        entry = next(e for e in expected["jurisdictions"] if e.get("slug") == slug)
        entry["inputs"] = ([entry["inputs"]] if isinstance(entry["inputs"], str) else entry["inputs"]) + names
    if yaml.safe_load(out) != expected:
        raise AddError(
            "editing jurisdictions.yml would change more than the new release; add it by hand "
            "(see the keys at the top of the file)."
        )
    return out


# --------------------------------------------------------------------------------------------------
# SOURCE.md


def _recorded(source_md: str) -> dict[str, set[str]]:
    """File name -> SHA-256 values that SOURCE.md already records under that name (by this command)."""
    out: dict[str, set[str]] = {}
    blocks = list(_RECORDED_RE.finditer(source_md))
    for k, m in enumerate(blocks):
        body = source_md[m.end() : blocks[k + 1].start() if k + 1 < len(blocks) else len(source_md)]
        sha = _SHA_RE.search(body)
        out.setdefault(m["name"], set()).update({sha["sha"]} if sha else set())
    return out


def _one_line(text: str) -> str:
    """Free text in SOURCE.md stays one Markdown line (a newline could forge another file's record)."""
    return " ".join(str(text).split())


def _source_block(p: Planned, today: str, received: str | None, request: str | None, note: str | None) -> str:
    lines = [f"### `{p.name}`", "", f"- Bytes: {p.bytes:,}", f"- SHA-256: `{p.sha256}`", f"- Added: {today}"]
    if received:
        lines.append(f"- Received: {received}")
    if request:
        lines.append(f"- Request: {_one_line(request)}")
    if note:
        lines.append(f"- Note: {_one_line(note)}")
    return "\n".join(lines) + "\n"


def _source_md(existing: str | None, slug: str, synthetic: bool, blocks: list[str]) -> str:
    text = existing
    if text is None:
        label = "SYNTHETIC data: generated, not a real public-records release. " if synthetic else ""
        text = (
            f"# {slug}: where these files came from\n\n{label}Every file below was copied here byte-identical "
            "by `python -m pipeline add`; its SHA-256 is what every citation of its rows refers to.\n"
        )
    if SOURCE_SECTION not in text:
        text = text.rstrip("\n") + f"\n\n{SOURCE_SECTION}\n"
    return text.rstrip("\n") + "\n\n" + "\n".join(blocks)


# --------------------------------------------------------------------------------------------------
# Checks


def check_writable(folders: list[Path], root: Path) -> None:
    """Every folder add writes (the raw folder, the folder of jurisdictions.yml, build/ for its scratch
    check) can be written, or the nearest folder that exists above it: refused before anything is written,
    in one sentence, rather than a traceback half-way."""
    for folder in folders:
        there = Path(folder)
        while not there.exists() and there != there.parent:
            there = there.parent
        if not os.access(there, os.W_OK | os.X_OK):
            raise AddError(_unwritable(there, root))


def _unwritable(
    folder: Path, root: Path, why: str = "it is read-only for this user", done: str = "nothing was added"
) -> str:
    shown = project.display_path(folder, root)
    return (
        f"cannot write to {shown}/ ({why}); {done}. Make the folder writable "
        f"(e.g. chmod u+w {shown}) or add the release in a copy of the project you can write."
    )


def _check_readable(path: Path, sha: str, root: Path) -> None:
    """Read the file with the run's own readers into a scratch folder: refused here as a run would refuse it."""
    from pipeline.ingest import ingest

    scratch = project.build_dir(root)
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="add-check-", dir=scratch) as tmp:
        ingest([path], Path(tmp), root=root, hashes={path: sha})


def _date_arg(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise AddError(f"{option} '{value}' is not a date (YYYY-MM-DD).") from None


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
        _check_readable(f, sha, root)
        out.append(
            Planned(
                source=f,
                name=name,
                sha256=sha,
                bytes=f.stat().st_size,
                copy=copy,
                record=sha not in recorded.get(name, set()),
                list_input=not _matches(patterns, name),
            )
        )
    return out


# --------------------------------------------------------------------------------------------------
# The command


def _entry(slug, config: Path, *, name, producer, timezone, log_kind, producer_state, synthetic, received, request):
    """The entry of a new jurisdiction, from the options; its time zone is required, never guessed."""
    missing = [opt for opt, v in (("--name", name), ("--producer", producer), ("--timezone", timezone)) if not v]
    if missing:
        tz_note = (
            " The time zone is the producer's IANA zone (e.g. America/Chicago); searches are counted "
            "by local day in it, so it is never guessed."
            if "--timezone" in missing
            else ""
        )
        raise AddError(
            f"jurisdiction '{slug}' is new: give {', '.join(missing)} to create its entry in {config.name}.{tz_note}"
        )
    check_timezone(slug, timezone)
    if producer_state and not re.fullmatch(r"[A-Z]{2}", producer_state):
        raise AddError(f"--producer-state '{producer_state}' must be a two-letter code such as TX.")
    source = "; ".join(
        x
        for x in (f"request {_one_line(request)}" if request else None, f"received {received}" if received else None)
        if x
    )
    source = (source + "; " if source else "") + f"see data/raw/{slug}/SOURCE.md."
    if synthetic:
        source = "SYNTHETIC data, not a real release; " + source
    return _new_entry(
        slug, _one_line(name), _one_line(producer), timezone, log_kind or "auto", producer_state, synthetic, source
    )


def _check_unchanged(j, config: Path, **given) -> None:
    """An existing entry gives the time zone and the rest; an option that says otherwise is refused."""
    current = {
        "name": j.name,
        "producer": j.producer,
        "timezone": j.timezone,
        "log_kind": j.log_kind,
        "producer_state": j.producer_state,
    }
    differ = [
        f"--{k.replace('_', '-')} '{v}' (the entry says '{current[k]}')"
        for k, v in given.items()
        if k in current and v and v != current[k]
    ]
    if given.get("synthetic") and not j.synthetic:
        differ.append("--synthetic (the entry is not synthetic)")
    if differ:
        raise AddError(
            f"jurisdiction '{j.slug}' exists in {config.name} and add does not change an entry: "
            f"{'; '.join(differ)}. Edit {config.name} by hand to change it."
        )


def add(
    files: list[Path],
    slug: str,
    *,
    root: Path = ROOT,
    config: Path | None = None,
    name=None,
    producer=None,
    timezone=None,
    log_kind=None,
    producer_state=None,
    synthetic=False,
    received=None,
    request=None,
    note=None,
    today: str | None = None,
    echo=print,
) -> list[Planned]:
    """Add `files` to jurisdiction `slug` (creating its entry if new); return what was planned per file."""
    root = Path(root)
    config = Path(config) if config else root / "jurisdictions.yml"
    check_slug(slug)
    received = _date_arg(received, "--received")
    existing = {j.slug: j for j in load(config, root=root, check_files=False)}
    if slug in existing:
        j = existing[slug]
        _check_unchanged(
            j,
            config,
            name=name,
            producer=producer,
            timezone=timezone,
            log_kind=log_kind,
            producer_state=producer_state,
            synthetic=synthetic,
        )
        new_entry, patterns, synthetic = None, j.inputs, j.synthetic
    else:
        new_entry = _entry(
            slug,
            config,
            name=name,
            producer=producer,
            timezone=timezone,
            log_kind=log_kind,
            producer_state=producer_state,
            synthetic=synthetic,
            received=received,
            request=request,
        )
        patterns = ()
    generated = [Path(f).name for f in files if Path(f).name.upper().startswith("SYNTHETIC")]
    if generated and not synthetic:
        raise AddError(
            f"{generated[0]} is named as generated data, but '{slug}' is not a synthetic jurisdiction; "
            "pass --synthetic for a new one, so that everything made from it is labelled SYNTHETIC."
        )
    raw_dir = project.raw_dir(root, slug)
    check_writable([raw_dir, config.parent, project.build_dir(root)], root)
    source_md_path = raw_dir / "SOURCE.md"
    source_md = source_md_path.read_text(encoding="utf-8") if source_md_path.exists() else None
    planned = plan(files, raw_dir, patterns, _recorded(source_md or ""), root)

    # inputs are glob patterns: a name holding [, * or ? is listed escaped, so that it matches itself only
    to_list = [glob.escape(p.name) for p in planned if p.list_input]
    config_text = config.read_text(encoding="utf-8")
    new_config = _edited_config(config_text, slug, new_entry, to_list) if (new_entry is not None or to_list) else None
    if new_config is not None:
        _check_config(new_config, config, root)
    today = today or dt.datetime.now(dt.UTC).date().isoformat()  # (UTC, as every date the run records)
    blocks = [_source_block(p, today, received, request, note) for p in planned if p.record]

    # Everything is checked: write the files first (each whole), then what refers to them.
    for p in planned:
        if p.copy:
            _copy_new(p, raw_dir / p.name)
    if blocks:
        write_text(source_md_path, _source_md(source_md, slug, synthetic, blocks))
    if new_config is not None:
        write_text(config, new_config)
    for p in planned:
        shown = f"data/raw/{slug}/{p.name}"
        what = f"copied to {shown}" if p.copy else f"already in {shown} with the same bytes: not copied again"
        extra = [x for x, on in (("recorded in SOURCE.md", p.record), (f"listed in {config.name}", p.list_input)) if on]
        echo(f"{p.name}: {what}" + (f"; {', '.join(extra)}" if extra else "") + f" (SHA-256 {p.sha256[:12]}…)")
    if new_entry is not None:
        echo(f"{slug}: new entry in {config.name} ({log_kind or 'auto'}, {timezone}).")
    if not any(p.copy or p.record or p.list_input for p in planned):
        echo(f"{slug}: nothing to do; every file is already there, recorded and listed.")
    echo(f"next: {next_command(slug, root, config)}")
    return planned


def next_command(slug: str, root: Path, config: Path) -> str:
    """The command to run next, with the interpreter that ran this one (the project's .venv, shown relative
    to the current folder, so it can be pasted as it is)."""
    python = Path(sys.executable)
    try:
        python = python.relative_to(Path.cwd())
    except ValueError:
        pass
    cmd = f"{python} -m pipeline run --jurisdiction {slug}"
    if root.resolve() != ROOT.resolve():
        cmd += f" --root {root}"
    if config.resolve() != (root / "jurisdictions.yml").resolve():
        cmd += f" --config {config}"
    return cmd


def _check_config(text: str, config: Path, root: Path) -> None:
    """The edited jurisdictions.yml loads as a run would load it (files are checked once copied, by the run)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{config.name}.check-", suffix=".yml", dir=config.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        load(tmp, root=root, check_files=False)
    except ConfigError as e:
        raise AddError(f"the edited {config.name} would not load ({e}); nothing was written.") from None
    finally:
        os.unlink(tmp)


def _copy_new(p: Planned, target: Path) -> None:
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
