"""The values that cross from one stage to another, through files or calls: named once, typed.

They are StrEnums, so each is written to JSON, Parquet and CSV as its plain value ("portal", "ok"), and
files written before these types existed read the same.
"""

from __future__ import annotations

from enum import StrEnum


class Schema(StrEnum):
    """The layout a source's columns follow, as the header tells it (ingest decides; validate picks suites by it)."""

    FLOCK_EXPORT = "flock_export"  # a Flock network or organization audit (CSV, workbook or PDF)
    PORTAL = "portal"  # a transparency-portal search audit (userId, networkCount, ...)


class RunStatus(StrEnum):
    """How a jurisdiction's run ended (the runner writes it to reports/<slug>/run.json; the index reads it)."""

    OK = "ok"  # every notebook ran, or was unchanged
    RED = "red"  # validation was RED, so the analysis did not run
    FAILED = "failed"  # a notebook stopped, or the inputs could not be read
