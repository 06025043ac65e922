"""Command line: argument parsing only; the work is done by the modules named in each command.

    python -m pipeline run [--jurisdiction SLUG ...] [--config FILE] [--jobs N] [--debug]
    python -m pipeline add FILE... --jurisdiction SLUG [--name N --producer P --timezone TZ] (see pipeline/run/add.py)
    python -m pipeline classify "TEXT" ...     (how the reason registry reads a phrase, as JSON)
    python -m pipeline explore [--no-serve] [--host H] [--port P]   (every published search in Datasette)

The synthetic releases (`python -m tools.synth`) and the benchmark (`python -m bench`) are outside the
package: they make inputs and measure, they are not the pipeline.
"""

from __future__ import annotations

import argparse
import sys

from pathlib import Path

from pipeline import ROOT
from pipeline.errors import PipelineError


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_run = sub.add_parser("run", help="build, validate and analyse jurisdictions; render reports/")
    p_run.add_argument(
        "--jurisdiction",
        "-j",
        action="append",
        metavar="SLUG",
        help="run only this jurisdiction (repeat for several); default: all",
    )
    p_run.add_argument("--config", default=None, help="jurisdictions file (default: ROOT/jurisdictions.yml)")
    p_run.add_argument(
        "--root",
        default=None,
        type=Path,
        help="project folder holding data/, notebooks/ and reports/ (default: this checkout)",
    )
    p_run.add_argument("--jobs", type=int, default=None, help="jurisdictions run at once (default: cores)")
    p_run.add_argument("--force", action="store_true", help="rerun everything, even what is unchanged")
    p_run.add_argument(
        "--accept-changed-raw",
        action="store_true",
        help="go on when a raw file's bytes changed since the last run (normally an error)",
    )
    p_run.add_argument("--debug", action="store_true", help="show Python tracebacks")
    sub.add_parser("add", help="copy a release's files into data/raw/<slug>/ and record them", add_help=False)
    sub.add_parser("classify", help="show how the reason registry classifies each TEXT", add_help=False)
    sub.add_parser("explore", help="build reports/explore/flock.db and serve it with Datasette", add_help=False)
    if argv and argv[0] == "add":
        from pipeline.run import add

        try:
            return add.main(argv[1:])
        except PipelineError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    if argv and argv[0] == "explore":
        from pipeline.explore import command

        try:
            return command.main(argv[1:], ROOT)
        except (PipelineError, FileNotFoundError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    if argv and argv[0] == "classify":
        from pipeline.enrich import classify

        return classify.main(argv[1:])
    args = parser.parse_args(argv)
    try:
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
    except PipelineError as e:
        if args.debug:
            raise
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0
