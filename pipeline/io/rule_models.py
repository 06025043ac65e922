"""The models of the reviewed data files: jurisdictions.yml (`ConfigFile`) and the package's data files that
pipeline/io/rules.py does not check in depth itself.

Each file's top level is closed (an unknown key is a typo) and typed. The entries inside are typed as far as
their readers rely on a shape; the meaning of an entry (a rule's regular expression agreeing in two
engines, an agency rule's order) stays with the module that applies it, which names the entry when it fails.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, RootModel, StrictBool, StrictInt, StrictStr


class Strict(BaseModel):
    """A mapping with a closed set of keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ReasonExamples(Strict):
    match: list[StrictStr] = []
    no_match: list[StrictStr] = []


class ReasonRule(Strict):
    id: StrictStr
    category: StrictStr
    precedence: StrictInt
    pattern: StrictStr
    notes: StrictStr
    immigration_type: StrictStr | None = None
    examples: ReasonExamples


class Reasons(Strict):
    """reasons.yml: the rules that place a reason in its categories (Flock's dropdown values: dropdown.yml)."""

    rules: list[ReasonRule] = Field(min_length=1)


class Agencies(Strict):
    """agencies.yml: how an agency's state and type are read from its name."""

    states: dict[StrictStr, StrictStr]
    types: dict[StrictStr, StrictStr]
    tags: dict[StrictStr, StrictStr]
    ignore: list[StrictStr]
    type_suffixes: list[StrictStr]
    state_bodies: list[StrictStr]
    state_rules: list[dict[StrictStr, Any]]
    type_rules: list[dict[StrictStr, Any]]
    overrides: list[dict[StrictStr, Any]]


class Caveats(Strict):
    """caveats.yml: what each log kind cannot tell, each finding's caveat, the categories' words."""

    log_kinds: dict[StrictStr, list[dict[StrictStr, StrictStr]]]
    findings: dict[StrictStr, Any]
    reason_categories: dict[StrictStr, dict[StrictStr, StrictStr]]
    no_specific_purpose: dict[StrictStr, Any]
    other_reasons: dict[StrictStr, StrictStr]


class Charts(Strict):
    """charts.yml: the fixed words of every chart (credit, sources, SYNTHETIC labels, notes)."""

    credit: StrictStr
    default_source: StrictStr
    synthetic_source: StrictStr
    synthetic_prefix: StrictStr
    synthetic_note: StrictStr
    synthetic_source_suffix: StrictStr
    review_categories: list[StrictStr]
    review_note: StrictStr
    rest_categories: list[StrictStr]
    rest_note: StrictStr
    overlap_note: StrictStr
    synthetic_stamp: StrictStr


class PdfLayout(Strict):
    name: StrictStr
    labels: list[StrictStr] = Field(min_length=1)
    wrapped_lines: StrictStr
    optional: list[StrictStr] = []


class PdfLayouts(Strict):
    """pdf_layouts.yml: the printed layouts a PDF release may have, and the reader's limits."""

    layouts: list[PdfLayout] = Field(min_length=1)
    column_slack_pt: int | float
    time_frame_rejoin: StrictStr
    max_page_chars: StrictInt
    max_page_objects: StrictInt


class AgencyAliases(Strict):
    """corpus/agency_aliases.yml: reviewed spellings of one agency, and how likely variants are found."""

    aliases: list[dict[StrictStr, Any]]
    likely_variants: dict[StrictStr, Any]


class Fields(Strict):
    """corpus/fields.yml: the fields copies of one search must agree on, and those that may differ (why)."""

    must_agree: dict[StrictStr, StrictStr]
    may_differ: dict[StrictStr, StrictStr]


class State(Strict):
    code: StrictStr = Field(pattern=r"^[A-Z]{2}$")
    fips: StrictStr = Field(pattern=r"^[0-9]{2}$")
    name: StrictStr


class States(Strict):
    """geo/states.yml: each state's code, FIPS code and name (the map)."""

    states: list[State] = Field(min_length=1)


class Labels(Strict):
    """report/templates/labels.yml: the words naming each published file on the index and files pages."""

    files: dict[StrictStr, StrictStr]
    charts: dict[StrictStr, StrictStr]
    pages: dict[StrictStr, StrictStr]
    log_kinds: dict[StrictStr, StrictStr]
    log_kinds_short: dict[StrictStr, StrictStr]


class DictionaryEntry(Strict):
    columns: list[StrictStr] = Field(min_length=1)
    meaning: StrictStr


class Dictionary(Strict):
    """explore/dictionary.yml: the data dictionary of searches.parquet (docs/outputs.md shows it)."""

    columns: list[DictionaryEntry] = Field(min_length=1)


class ExploreColumn(Strict):
    name: StrictStr
    sql: StrictStr
    type: StrictStr
    reads: list[StrictStr]
    readme: StrictStr | None = None
    description: StrictStr | None = None
    optional: StrictBool = False


class ExploreColumns(Strict):
    """explore/columns.yml: what of a search may enter the explore database, and what never may."""

    never: list[StrictStr] = Field(min_length=1)
    searches: list[ExploreColumn] = Field(min_length=1)


# jurisdictions.yml (pipeline/config.py checks what each value means)


class PeriodModel(Strict):
    start: dt.date | StrictStr | None = None
    end: dt.date | StrictStr | None = None


class EntryModel(Strict):
    """The types of one jurisdiction's keys (what each means is checked by `_parse_entry`)."""

    slug: StrictStr
    name: StrictStr
    producer: StrictStr
    log_kind: StrictStr
    timezone: StrictStr
    inputs: StrictStr | list[StrictStr]
    synthetic: StrictBool = False
    period: PeriodModel | None = None
    source: StrictStr | None = None
    notes: StrictStr | None = None
    producer_state: StrictStr | None = None
    claims: list[dict[StrictStr, Any]] | None = None


class CorpusModel(Strict):
    """The types of one corpus's keys (checked against the jurisdictions by `_parse_corpus`)."""

    name: StrictStr
    display_name: StrictStr
    members: list[StrictStr]
    notes: StrictStr | None = None
    period: PeriodModel | None = None
    claims: list[dict[StrictStr, Any]] | None = None


class ConfigFile(Strict):
    """jurisdictions.yml: the model the loader checks the whole file against."""

    jurisdictions: list[EntryModel]
    corpora: list[CorpusModel] | None = None


class DropdownValue(Strict):
    value: StrictStr
    seen: StrictStr
    immigration: StrictStr | None = None


class Dropdown(Strict):
    """dropdown.yml: Flock's dropdown values (pipeline/enrich/offense.py checks each entry's meaning)."""

    values: list[DropdownValue] = Field(min_length=1)


class OwnCameras(Strict):
    cameras: StrictInt
    source: StrictStr


class CameraCount(Strict):
    """camera_count.yml: the producers' own camera counts, each with where it was published."""

    own_cameras: dict[str, OwnCameras] = {}


class IceNormalise(Strict):
    abbreviations: dict[str, StrictStr]
    phrases: dict[str, StrictStr]


class IceAlias(Strict):
    flock: StrictStr
    state: StrictStr
    ice: StrictStr
    why: StrictStr


class IceExample(Strict):
    name: StrictStr
    state: StrictStr | None = None
    given: StrictBool = False
    ice: StrictStr | None = None
    how: StrictStr | None = None
    why: StrictStr | None = None
    none: StrictBool = False
    federal: StrictBool = False
    ambiguous: StrictBool = False


class IceMatching(Strict):
    """ice287g/matching.yml: how a Flock Org Name is matched to ICE's 287(g) list (ice287g_match.py applies it)."""

    territories: dict[str, StrictStr]
    models: list[StrictStr] = Field(min_length=1)
    normalise: IceNormalise
    aliases: list[IceAlias] = []
    must_match: list[IceExample] = Field(min_length=1)
    must_not_match: list[IceExample] = Field(min_length=1)


class PlumbingWord(Strict):
    text: StrictStr
    why: StrictStr


class PlumbingWords(RootModel[list[PlumbingWord]]):
    """plumbing_words.yml: words an editor page must not show outside a folded section (tools/check_pages.py)."""
