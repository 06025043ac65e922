"""Flock audit-log pipeline: raw public-records releases -> processed tables -> notebooks and reports.

The flow and the one job of each module are described in docs/architecture.md.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES = Path(__file__).resolve().parent / "rules"
