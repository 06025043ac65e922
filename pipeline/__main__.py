"""`python -m pipeline`: the same command line as the `flock` console script (pipeline/cli.py)."""

from pipeline.cli import entry

entry()
