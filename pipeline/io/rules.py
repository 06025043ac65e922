"""Every reviewed data file, read through one checked loader (pipeline/io/yamlfile.py) against its model.

`load(name)` gives the rules the readers, the cleaning and the redaction apply (pipeline/rules/cells.yml,
columns.yml, pii.yml), checked in depth here; `read(path)` gives any other data file of the package
(reasons.yml, agencies.yml, the explorer's columns ...) as written, after its model in `FILE_MODELS` passed.

A rules file is reviewed data: a typo in one (an unknown key, a missing list, a regular expression that
does not compile, a canonical column that does not exist) stops the run with one message naming the file
and the entry, never with a traceback from the code that would have used it.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from pipeline import RULES
from pipeline.errors import RulesError
from pipeline.io import rule_models as m
from pipeline.io import yamlfile


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
HINT = "Rules files are reviewed data: fix the entry named and run again."

# Every other data file of the package, by its path under pipeline/: its model (pipeline/io/rule_models.py).
FILE_MODELS: dict[str, type[BaseModel]] = {
    "rules/reasons.yml": m.Reasons,
    "rules/agencies.yml": m.Agencies,
    "rules/caveats.yml": m.Caveats,
    "rules/charts.yml": m.Charts,
    "rules/pdf_layouts.yml": m.PdfLayouts,
    "rules/corpus/agency_aliases.yml": m.AgencyAliases,
    "rules/corpus/fields.yml": m.Fields,
    "rules/geo/states.yml": m.States,
    "rules/dropdown.yml": m.Dropdown,
    "rules/camera_count.yml": m.CameraCount,
    "rules/ice287g/matching.yml": m.IceMatching,
    "rules/plumbing_words.yml": m.PlumbingWords,
    "report/templates/labels.yml": m.Labels,
    "explore/columns.yml": m.ExploreColumns,
    "explore/dictionary.yml": m.Dictionary,
} | {f"rules/{name}": model for name, model in MODELS.items()}


@functools.cache
def load(name: str, folder: Path = RULES) -> dict:
    """The rules file `name` as plain data, checked; RulesError naming the file, line and entry otherwise."""
    path = Path(folder) / name
    shown = f"pipeline/rules/{name}" if Path(folder) == RULES else str(path)
    doc = yamlfile.parse(path, shown=shown, error=RulesError)
    return yamlfile.validate(doc, MODELS[name], error=RulesError, hint=HINT).model_dump()


def model_for(path: Path) -> type[BaseModel] | None:
    """The model of a data file of the package, by its path under pipeline/ (a copy elsewhere has none: the
    module that applies it still checks its entries)."""
    path = Path(path)
    package = RULES.parent
    try:
        key = path.resolve().relative_to(package.resolve()).as_posix()
    except ValueError:
        key = None
    return FILE_MODELS.get(key)


def read_data_file(path: Path, *, error: type[Exception] = RulesError):
    """A data file as written (plain data), after the strict parse and its model; errors name file and line."""
    path = Path(path)
    try:
        shown = "pipeline/" + path.resolve().relative_to(RULES.parent.resolve()).as_posix()
    except ValueError:
        shown = str(path)
    doc = yamlfile.parse(path, shown=shown, error=error)
    model = model_for(path)
    if model is not None:
        yamlfile.validate(doc, model, error=error, hint=HINT)
    return doc.data
