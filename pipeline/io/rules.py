"""The rules files the readers, the cleaning and the redaction apply (pipeline/rules/cells.yml, columns.yml,
pii.yml), read through one checked loader.

A rules file is reviewed data: a typo in one (an unknown key, a missing list, a regular expression that
does not compile, a canonical column that does not exist) stops the run with one message naming the file
and the entry, never with a traceback from the code that would have used it.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipeline import RULES
from pipeline.errors import RulesError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _compiles(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as e:
        raise ValueError(f"'{pattern}' is not a valid regular expression ({e})") from None
    return pattern


Regex = Annotated[str, AfterValidator(_compiles)]


class Cells(_Strict):
    """cells.yml: how a cell's text is read (time formats, masks, numbers that mean 'none')."""

    time_formats: list[str] = Field(min_length=1)
    time_frame_split: Regex
    masks: list[Regex] = Field(min_length=1)
    null_numbers: list[str]

    @field_validator("time_formats")
    @classmethod
    def _formats(cls, v: list[str]) -> list[str]:
        for f in v:
            if "%" not in f:
                raise ValueError(f"'{f}' is not a strptime format (no % directive)")
        return v


class Columns(_Strict):
    """columns.yml: the names a release may give each canonical column."""

    canonical: dict[str, list[str]]
    portal_headers: list[str]
    event_log_headers: list[str]
    standard_order: list[str]
    min_known_columns: int = Field(ge=1)

    @model_validator(mode="after")
    def _known(self) -> "Columns":
        unknown = [c for c in self.standard_order if c not in self.canonical]
        if unknown:
            raise ValueError(f"standard_order names columns that are not under canonical: {', '.join(unknown)}")
        seen: dict[str, str] = {}
        for column, aliases in self.canonical.items():
            for a in aliases:
                if a.strip().lower() in seen:
                    raise ValueError(f"the alias '{a}' is listed for both {seen[a.strip().lower()]} and {column}")
                seen[a.strip().lower()] = column
        return self


class _Examples(_Strict):
    pattern: Regex
    notes: str | None = None
    match: list[str] = []
    no_match: list[str] = []


class NotPersonal(_Examples):
    @field_validator("pattern")
    @classmethod
    def _no_groups(cls, v: str) -> str:
        if re.compile(v).groups:
            raise ValueError("has a capturing group; use (?:...) (the text is split on these patterns)")
        return v


class PiiPattern(_Examples):
    kind: str = Field(pattern=r"^[a-z_]+$")


class PiiNames(_Strict):
    """pii.yml `names`: a given name from a list file, then a capitalised word that is not a place word."""

    given_names: str
    source: str
    notes: str | None = None
    not_given: list[str] = []
    not_surname: list[str] = []
    match: list[str] = Field(min_length=1)
    no_match: list[str] = Field(min_length=1)


class Pii(_Strict):
    """pii.yml: reference numbers set aside, then the patterns that flag and redact personal data."""

    not_personal: list[NotPersonal] = []
    patterns: list[PiiPattern] = Field(min_length=1)
    names: PiiNames | None = None


MODELS = {"cells.yml": Cells, "columns.yml": Columns, "pii.yml": Pii}


def _where(loc: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(loc))


@functools.cache
def load(name: str, folder: Path = RULES) -> dict:
    """The rules file `name` as plain data, checked; RulesError naming the file and entry otherwise."""
    path = Path(folder) / name
    shown = f"pipeline/rules/{name}" if Path(folder) == RULES else str(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise RulesError(f"{shown}: not valid YAML ({e}).") from None
    try:
        return MODELS[name].model_validate(doc if doc is not None else {}).model_dump()
    except ValidationError as e:
        problems = "; ".join(f"{_where(err['loc']) or 'the file'}: {err['msg']}" for err in e.errors()[:5])
        raise RulesError(
            f"{shown}: {problems}.", hint="Rules files are reviewed data: fix the entry named and run again."
        ) from None
