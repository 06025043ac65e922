"""Errors a reporter can act on.

Every failure that comes from the input (a file, a row, a config entry) is raised as a PipelineError
with a plain message naming the file and row, and what to do. The CLI prints the message without a
traceback unless --debug is given.
"""

from __future__ import annotations


class PipelineError(Exception):
    """A problem with the input that a person must fix; the message says what and where."""

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None, hint: str | None = None):
        self.file, self.row, self.hint = file, row, hint
        where = ""
        if file:
            where = f"{file}" + (f", row {row}" if row is not None else "") + ": "
        text = where + message
        if hint:
            text += f" {hint}"
        super().__init__(text)


class ConfigError(PipelineError):
    """jurisdictions.yml is wrong: unknown key, bad slug, missing file, bad time zone."""


class SourceError(PipelineError):
    """A raw file cannot be read as a Flock release."""


class ReconciliationError(PipelineError):
    """Rows read != kept + duplicates + rejected for some file: a bug, never an input problem to ignore."""


class RunInProgress(PipelineError):
    """Another run of the same project holds its lock (build/run.lock)."""


class RulesError(PipelineError):
    """A rules file under pipeline/rules/ is malformed: the message names the file and the entry."""
