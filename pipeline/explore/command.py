"""python -m pipeline explore: build (or keep) reports/explore/flock.db, then serve it until Ctrl-C."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.explore import serve  # (light: the command line's parser names its default address)

USAGE = "python -m pipeline explore [--no-serve] [--host H] [--port P] [--force] [--root DIR]"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m pipeline explore",
        description="Build reports/explore/flock.db from every jurisdiction's published "
        "searches and serve it with Datasette (read-only).",
    )
    p.add_argument("--no-serve", action="store_true", help="build (or check) the database only")
    p.add_argument(
        "--host", default=serve.LOOPBACK, help=f"address to listen on (default {serve.LOOPBACK}: this machine only)"
    )
    p.add_argument("--port", type=int, default=None, help="port (default: a free one)")
    p.add_argument("--force", action="store_true", help="rebuild even when the inputs are unchanged")
    p.add_argument("--config", default=None, help="jurisdictions file (default: ROOT/jurisdictions.yml)")
    p.add_argument("--root", type=Path, default=None, help="project folder (default: this checkout)")
    return p


def main(argv: list[str], root: Path, echo=print) -> int:
    # Here, not at the top: every command's parser is built from this module, and the build imports pandas,
    # which a rerun with nothing changed never needs (0.6 s of its 1 s).
    from pipeline.explore import build as building

    args = parser().parse_args(argv)
    root = (args.root or root).resolve()
    record = building.build(root, args.config, force=args.force, echo=echo)
    if args.no_serve:
        return 0
    db, folder = building.db_path(root), building.explore_dir(root)
    proc, address = serve.start(db, folder / "metadata.json", folder / "inspect.json", args.host, args.port)
    echo(f"explore: serving {record['database']} read-only at {address}  (Ctrl-C stops it)")
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait()
        return 0
