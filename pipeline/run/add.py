"""Add a release: copy its files into data/raw/<slug>/, record them in SOURCE.md and jurisdictions.yml.

    python -m pipeline add FILE... --jurisdiction SLUG [--name ... --producer ... --timezone ...]

Everything is checked before anything is written, so a refused file leaves the project as it was:
the slug and time zone with the same checks as loading jurisdictions.yml, each file with the readers
a run uses (a file a run could not read is refused here with the same message), and the target names
(a file already there with the same bytes is a no-op; with other bytes it is refused: a new release
is a new file, never an overwrite). The edited jurisdictions.yml is checked as a run would load it
before it replaces the old one; its comments and order are kept (ruamel.yaml round-trip).

Its parts, one job each: add_files (the files: checks and the copy), add_config (jurisdictions.yml),
add_source (SOURCE.md); this module is the command and the order of the steps.
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import glob
import re
import sys
from pathlib import Path

from pipeline import ROOT, project
from pipeline.config import LOG_KINDS, check_slug, check_timezone, load
from pipeline.io.atomic import write_text
from pipeline.run.add_config import check_config, edited_config, make_entry
from pipeline.run.add_files import AddError, Planned, check_writable, copy_new, plan, unwritable
from pipeline.run.add_source import SOURCE_SECTION, one_line, recorded, source_block, updated_source_md

__all__ = ["SOURCE_SECTION", "AddError", "Planned", "add", "check_writable", "main", "next_command", "parser", "plan"]


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
        raise AddError(unwritable(where, root, e.strerror or "not writable", done)) from None
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


def _date_arg(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise AddError(f"{option} '{value}' is not a date (YYYY-MM-DD).") from None


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
        for x in (f"request {one_line(request)}" if request else None, f"received {received}" if received else None)
        if x
    )
    source = (source + "; " if source else "") + f"see data/raw/{slug}/SOURCE.md."
    if synthetic:
        source = "SYNTHETIC data, not a real release; " + source
    return make_entry(
        slug, one_line(name), one_line(producer), timezone, log_kind or "auto", producer_state, synthetic, source
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
    planned = plan(files, raw_dir, patterns, recorded(source_md or ""), root)

    # inputs are glob patterns: a name holding [, * or ? is listed escaped, so that it matches itself only
    to_list = [glob.escape(p.name) for p in planned if p.list_input]
    config_text = config.read_text(encoding="utf-8")
    new_config = edited_config(config_text, slug, new_entry, to_list) if (new_entry is not None or to_list) else None
    if new_config is not None:
        check_config(new_config, config, root)
    today = today or dt.datetime.now(dt.UTC).date().isoformat()  # (UTC, as every date the run records)
    blocks = [source_block(p, today, received, request, note) for p in planned if p.record]

    # Everything is checked: write the files first (each whole), then what refers to them.
    for p in planned:
        if p.copy:
            copy_new(p, raw_dir / p.name)
    if blocks:
        write_text(source_md_path, updated_source_md(source_md, slug, synthetic, blocks))
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
