"""The command line: one parser tree (`flock`, or `python -m pipeline`); the work is done by the module each
command names.

    flock run [--jurisdiction SLUG ...] [--config FILE] [--jobs N] [--force] [--debug]   (pipeline/run/)
    flock add FILE... --jurisdiction SLUG [--name N --producer P --timezone TZ ...]     (pipeline/run/add.py)
    flock classify TEXT...      how the reason registry reads each phrase, as JSON         (pipeline/enrich/)
    flock explore [--no-serve] [--host H] [--port P]   every published search in Datasette (pipeline/explore/)
    flock --version; flock COMMAND --help

Exit codes: 0 done; 1 a run finished but a jurisdiction failed, was RED, or a published claim does not hold;
2 nothing was done: a usage error, an input or config problem (one message, no traceback unless --debug),
or another run holds the project's lock.

The synthetic releases (`python -m tools.synth`) and the benchmark (`python -m bench`) are outside the
package: they make inputs and measure, they are not the pipeline.
"""

from __future__ import annotations

import argparse
import sys
from importlib import metadata
from pathlib import Path

from pipeline import ROOT
from pipeline.errors import PipelineError

EXIT_OK, EXIT_FAILED, EXIT_REFUSED = 0, 1, 2


def version() -> str:
    """The installed package's version (pyproject.toml)."""
    try:
        return metadata.version("flock-audit-pipeline")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def _run_parser(sub) -> None:
    p = sub.add_parser("run", help="build, validate and analyse jurisdictions; render reports/")
    p.add_argument(
        "--jurisdiction",
        "-j",
        action="append",
        metavar="SLUG",
        help="run only this jurisdiction (repeat for several); default: all",
    )
    p.add_argument("--config", default=None, help="jurisdictions file (default: ROOT/jurisdictions.yml)")
    p.add_argument(
        "--root",
        default=None,
        type=Path,
        help="project folder holding data/, notebooks/ and reports/ (default: this checkout)",
    )
    p.add_argument("--jobs", type=int, default=None, help="jurisdictions run at once (default: cores)")
    p.add_argument("--force", action="store_true", help="rerun everything, even what is unchanged")
    p.add_argument(
        "--accept-changed-raw",
        action="store_true",
        help="go on when a raw file's bytes changed since the last run (normally an error)",
    )
    p.add_argument("--debug", action="store_true", help="show Python tracebacks")


def parser() -> argparse.ArgumentParser:
    """The whole tree: every command and its options, so `--help` works on each."""
    from pipeline.explore import command
    from pipeline.run import add

    top = argparse.ArgumentParser(
        prog="flock",
        description="Flock Safety search-audit releases -> checked tables, figures, charts and pages.",
        epilog="Exit codes: 0 done; 1 a jurisdiction failed, was RED or a claim does not hold; 2 nothing done "
        "(usage, input or config problem, or another run holds the lock).",
    )
    top.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _run_parser(sub)
    # add and explore keep their options beside their code; "resolve" lets each subcommand's own -h win.
    sub.add_parser(
        "add",
        parents=[add.parser()],
        conflict_handler="resolve",
        help="copy a release's files into data/raw/<slug>/ and record them",
        description="Copy a release's files into data/raw/<slug>/ and record them.",
    )
    p = sub.add_parser("classify", help="show how the reason registry classifies each TEXT (JSON)")
    p.add_argument("texts", nargs="+", metavar="TEXT", help="a reason as typed (put -- before one that starts with -)")
    sub.add_parser(
        "explore",
        parents=[command.parser()],
        conflict_handler="resolve",
        help="build reports/explore/flock.db and serve it with Datasette",
        description="Build reports/explore/flock.db from every published search and serve it read-only.",
    )
    return top


def _dispatch(args, rest: list[str]) -> int:
    """Run the parsed command; `rest` is its own arguments, for the commands that read them themselves."""
    if args.command == "run":
        from pipeline.run.runner import run

        return run(
            args.jurisdiction,
            args.config,
            args.jobs,
            root=(args.root or ROOT).resolve(),
            force=args.force,
            accept_changed_raw=args.accept_changed_raw,
            debug=args.debug,
        )
    if args.command == "add":
        from pipeline.run import add

        return add.main(rest)
    if args.command == "explore":
        from pipeline.explore import command

        return command.main(rest, ROOT)
    from pipeline.enrich import classify

    return classify.main(args.texts)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser().parse_args(argv)  # exits 2 on a usage error, 0 after --help or --version
    rest = argv[argv.index(args.command) + 1 :]
    try:
        return _dispatch(args, rest)
    except (PipelineError, FileNotFoundError) as e:
        if getattr(args, "debug", False):
            raise
        print(f"error: {e}", file=sys.stderr)
        return EXIT_REFUSED


def entry() -> None:
    """The console script `flock` (pyproject.toml)."""
    sys.exit(main())
