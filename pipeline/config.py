"""Load and check jurisdictions.yml: one entry per jurisdiction, each a release to analyse.

Loading validates everything a run depends on, so a mistake is reported before any work starts and
names the file, the line and the entry: a key given twice, an anchor or alias (pipeline/io/yamlfile.py),
unknown or missing keys, a value of the wrong type (the model `ConfigFile`, pipeline/io/rule_models.py), a bad slug, an unknown time
zone, an input pattern that escapes data/raw/<slug>/ or matches no file. Corpora (named sets of jurisdictions analysed together, each
search counted once across producers) are checked the same way: `load_corpora`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fnmatch
import glob
import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline import ROOT, project
from pipeline.claims import check_spec
from pipeline.errors import ConfigError
from pipeline.io import yamlfile
from pipeline.io.rule_models import ConfigFile

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LOG_KINDS = ("network", "organization", "portal", "auto")
REQUIRED = ("slug", "name", "producer", "log_kind", "timezone", "inputs")
OPTIONAL = ("synthetic", "period", "source", "notes", "producer_state", "claims")
# Files a reporter keeps beside a release to say where it came from: never read as a release, even when an
# input pattern such as "*" matches them.
SOURCE_NOTES = ("SOURCE.md", "README*", "LICENSE*", "*.md")


def is_source_note(path: Path) -> bool:
    name = path.name.upper()
    return any(fnmatch.fnmatchcase(name, pattern.upper()) for pattern in SOURCE_NOTES)


@dataclass(frozen=True)
class Jurisdiction:
    slug: str
    name: str
    producer: str
    log_kind: str
    timezone: str
    inputs: tuple[str, ...]
    raw_dir: Path
    synthetic: bool = False
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    source: str | None = None
    notes: str | None = None
    producer_state: str | None = None
    claims: tuple = field(default_factory=tuple)

    @property
    def root(self) -> Path:
        """The project folder this entry was loaded from (raw files live in root/data/raw/<slug>/)."""
        return self.raw_dir.parents[2]

    def files(self) -> list[Path]:
        """Every raw file of the jurisdiction, in the order the inputs list them (each pattern sorted).

        A file matched by two patterns is read once, where it first appears. Source notes (SOURCE.md,
        README, LICENSE, Markdown) are never inputs: see `skipped_notes`.
        """
        return [p for p in self._matched() if not is_source_note(p)]

    def skipped_notes(self) -> list[Path]:
        """Source notes that an input pattern matched and that are therefore left out."""
        return [p for p in self._matched() if is_source_note(p)]

    @property
    def notes_skipped(self) -> list[str]:
        """What to tell the reporter about the source notes the patterns matched (one line, or none)."""
        notes = self.skipped_notes()
        if not notes:
            return []
        names = ", ".join(str(p.relative_to(self.raw_dir)) for p in notes)
        return [f"not read as a release (source notes): {names}"]

    def _matched(self) -> list[Path]:
        seen: dict[Path, None] = {}
        for pattern in self.inputs:
            matches = sorted(Path(p) for p in glob.glob(str(self.raw_dir / pattern), recursive=True))
            for path in matches:
                if path.is_file():
                    seen.setdefault(path, None)
        return list(seen)

    def as_params(self) -> dict:
        """The entry as plain data, for manifests and notebook metadata."""
        return {
            "slug": self.slug,
            "name": self.name,
            "producer": self.producer,
            "log_kind": self.log_kind,
            "timezone": self.timezone,
            "inputs": list(self.inputs),
            "synthetic": self.synthetic,
            "period_start": self.period_start.isoformat() if self.period_start else None,
            "period_end": self.period_end.isoformat() if self.period_end else None,
            "source": self.source,
            "producer_state": self.producer_state,
        }


CORPUS_REQUIRED = ("name", "display_name", "members")
CORPUS_OPTIONAL = ("notes", "period", "claims")


@dataclass(frozen=True)
class Corpus:
    """Jurisdictions analysed together: a search in several members' logs is counted once."""

    name: str
    display_name: str
    members: tuple[Jurisdiction, ...]
    notes: str | None = None
    period_start: dt.date | None = None  # UTC days: one search has one UTC time, but a local day per producer
    period_end: dt.date | None = None
    claims: tuple = field(default_factory=tuple)

    @property
    def synthetic(self) -> bool:
        """A corpus with any synthetic member is synthetic (labelled so everywhere)."""
        return any(m.synthetic for m in self.members)

    @property
    def root(self) -> Path:
        return self.members[0].root

    def as_params(self) -> dict:
        return {
            "name": self.name,
            "display_name": self.display_name,
            "members": [m.slug for m in self.members],
            "notes": self.notes,
            "synthetic": self.synthetic,
            "period_start": self.period_start.isoformat() if self.period_start else None,
            "period_end": self.period_end.isoformat() if self.period_end else None,
        }


def check_slug(slug: str) -> None:
    """The slug names the folder data/raw/<slug>/ and reports/<slug>/: plain lower-case words only."""
    if not SLUG_RE.match(slug):
        raise ConfigError(
            f"jurisdiction '{slug}': the slug must be lower-case letters, digits and single hyphens (e.g. 'alvin-isd')."
        )
    if slug in project.RESERVED_SLUGS:
        raise ConfigError(
            f"jurisdiction '{slug}': '{slug}' is a name the project itself writes under reports/ or data/ "
            f"(reserved: {', '.join(sorted(project.RESERVED_SLUGS))}); choose another slug, e.g. '{slug}-pd'."
        )


def check_timezone(slug: str, timezone: str) -> None:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"jurisdiction '{slug}': time zone '{timezone}' is not an IANA zone (e.g. America/Chicago)."
        ) from None


def _date(value, entry: str, key: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"jurisdiction '{entry}': {key} '{value}' is not a date (YYYY-MM-DD).") from None


def _check_keys(raw: dict, required: tuple, optional: tuple, where: str) -> None:
    """An entry (jurisdiction or corpus) holds only known keys and every required one, else a message naming it."""
    unknown = sorted(set(raw) - set(required) - set(optional))
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}. Allowed: {', '.join(required + optional)}.")
    missing = [k for k in required if raw.get(k) in (None, "", [])]
    if missing:
        raise ConfigError(f"{where}: missing {', '.join(missing)}.")


def _entry_keys(raw, index: int) -> None:
    """A jurisdiction entry is a mapping with only known keys and every required one."""
    label = raw.get("slug") if isinstance(raw, dict) and raw.get("slug") else f"#{index + 1}"
    if not isinstance(raw, dict):
        raise ConfigError(f"entry {label} is not a mapping of keys to values.")
    _check_keys(raw, REQUIRED, OPTIONAL, f"jurisdiction '{label}'")


def _parse_entry(raw: dict, index: int, root: Path, check_files: bool) -> Jurisdiction:
    _entry_keys(raw, index)
    slug = str(raw["slug"])
    check_slug(slug)
    if raw["log_kind"] not in LOG_KINDS:
        raise ConfigError(f"jurisdiction '{slug}': log_kind '{raw['log_kind']}' is not one of {', '.join(LOG_KINDS)}.")
    check_timezone(slug, str(raw["timezone"]))
    inputs = raw["inputs"]
    if isinstance(inputs, str):
        inputs = [inputs]
    if not isinstance(inputs, list) or not all(isinstance(i, str) and i for i in inputs):
        raise ConfigError(f"jurisdiction '{slug}': inputs must be a list of file names or patterns.")
    raw_dir = project.raw_dir(root, slug)
    for pattern in inputs:
        if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
            raise ConfigError(
                f"jurisdiction '{slug}': input '{pattern}' must be a path inside data/raw/{slug}/ "
                "(no absolute paths, no '..')."
            )
    period_start = period_end = None
    if raw.get("period") is not None:
        period = raw["period"]
        if not isinstance(period, dict) or set(period) - {"start", "end"} or not period:
            raise ConfigError(f"jurisdiction '{slug}': period must be a mapping with start and/or end dates.")
        period_start = _date(period["start"], slug, "period.start") if "start" in period else None
        period_end = _date(period["end"], slug, "period.end") if "end" in period else None
        if period_start and period_end and period_start > period_end:
            raise ConfigError(f"jurisdiction '{slug}': period starts after it ends.")
    state = raw.get("producer_state")
    if state is not None and not re.fullmatch(r"[A-Z]{2}", str(state)):
        raise ConfigError(f"jurisdiction '{slug}': producer_state must be a two-letter code such as TX.")
    synthetic = raw.get("synthetic", False)
    if not isinstance(synthetic, bool):
        raise ConfigError(f"jurisdiction '{slug}': synthetic must be true or false.")
    claims = raw.get("claims") or []
    if not isinstance(claims, list):
        raise ConfigError(f"jurisdiction '{slug}': claims must be a list.")
    for k, claim in enumerate(claims):
        check_spec(claim, slug, k)
    j = Jurisdiction(
        slug=slug,
        name=str(raw["name"]),
        producer=str(raw["producer"]),
        log_kind=raw["log_kind"],
        timezone=str(raw["timezone"]),
        inputs=tuple(inputs),
        raw_dir=raw_dir,
        synthetic=synthetic,
        period_start=period_start,
        period_end=period_end,
        source=raw.get("source"),
        notes=raw.get("notes"),
        producer_state=state,
        claims=tuple(claims),
    )
    if check_files:
        check_inputs(j)
    return j


def check_inputs(j: Jurisdiction) -> None:
    """Every pattern matches at least one file, and every file lies inside data/raw/<slug>/."""
    hint = (
        f" This jurisdiction is synthetic: generate it with `python -m tools.synth {j.slug}` (make all does)."
        if j.synthetic
        else ""
    )
    if not j.raw_dir.is_dir():
        raise ConfigError(f"jurisdiction '{j.slug}': folder data/raw/{j.slug}/ does not exist.{hint}")
    base = j.raw_dir.resolve()
    for pattern in j.inputs:
        matches = glob.glob(str(j.raw_dir / pattern), recursive=True)
        if not matches:
            raise ConfigError(
                f"jurisdiction '{j.slug}': input '{pattern}' matches no file in data/raw/{j.slug}/.{hint}"
            )
        if not any(Path(m).is_file() for m in matches):
            raise ConfigError(
                f"jurisdiction '{j.slug}': input '{pattern}' matches only folders in data/raw/{j.slug}/; "
                "name the files (e.g. 'folder/*.csv')."
            )
        if all(is_source_note(Path(m)) for m in matches if Path(m).is_file()):
            raise ConfigError(
                f"jurisdiction '{j.slug}': input '{pattern}' matches only source notes "
                f"({', '.join(sorted(Path(m).name for m in matches))}), which are never read as a "
                "release; name the release's files."
            )
    for path in j.files():
        if not path.resolve().is_relative_to(base):
            shown = f"data/raw/{j.slug}/{path.relative_to(j.raw_dir)}"
            raise ConfigError(
                f"jurisdiction '{j.slug}': input file {shown} resolves outside data/raw/{j.slug}/ "
                "(a link?). Copy the file into the folder instead."
            )


def _shown(path: Path, root: Path) -> str:
    """The config file as messages name it: relative to the project, so no machine path is printed."""
    return yamlfile.shown_path(path, root) if path.resolve().is_relative_to(root.resolve()) else path.name


def read_config(path: Path, root: Path) -> yamlfile.Document:
    """jurisdictions.yml parsed strictly (no key twice, no anchors or aliases), its shape and types checked."""
    if not path.exists():
        raise ConfigError(f"{path}: no such file.")
    doc = yamlfile.parse(path, shown=_shown(path, root), error=ConfigError)
    data = doc.data
    if (
        not isinstance(data, dict)
        or "jurisdictions" not in data
        or set(data) - {"jurisdictions", "corpora"}
        or not isinstance(data["jurisdictions"], list)
    ):
        raise ConfigError(
            f"{doc.shown}: expected a top-level key 'jurisdictions' holding a list of entries (and optionally 'corpora')."
        )
    for i, raw in enumerate(data["jurisdictions"]):
        with _at(doc, ("jurisdictions", i)):
            _entry_keys(raw, i)
    corpora = data.get("corpora") or []
    if not isinstance(corpora, list):
        raise ConfigError(f"{doc.where(('corpora',))}: 'corpora' must be a list of entries.")
    for i, raw in enumerate(corpora):
        with _at(doc, ("corpora", i)):
            _corpus_keys(raw, i, doc.shown)
    yamlfile.validate(doc, ConfigFile, error=ConfigError)
    return doc


@contextlib.contextmanager
def _at(doc: yamlfile.Document, loc: tuple):
    """A ConfigError raised inside names the file and the line of the entry at `loc` first."""
    try:
        yield
    except ConfigError as e:
        message = str(e)
        if message.startswith(doc.shown + ": "):
            message = message[len(doc.shown) + 2 :]
        raise ConfigError(f"{doc.where(loc)}: {message}") from None


def load(
    path: str | Path | None = None, *, root: str | Path | None = None, check_files: bool = True
) -> list[Jurisdiction]:
    """Read jurisdictions.yml (default: the project's) and return its entries, checked."""
    root = Path(root) if root else ROOT
    path = Path(path) if path else root / "jurisdictions.yml"
    doc = read_config(path, root)
    out: list[Jurisdiction] = []
    seen: set[str] = set()
    for i, raw in enumerate(doc.data["jurisdictions"]):
        with _at(doc, ("jurisdictions", i)):
            j = _parse_entry(raw, i, root, check_files)
            if j.slug in seen:
                raise ConfigError(f"jurisdiction '{j.slug}' is listed twice; slugs must be unique.")
        seen.add(j.slug)
        out.append(j)
    return out


def load_corpora(
    path: str | Path | None = None, *, root: str | Path | None = None, check_files: bool = True
) -> list[Corpus]:
    """The corpora of jurisdictions.yml, checked against its jurisdictions (every member exists, none twice)."""
    root = Path(root) if root else ROOT
    path = Path(path) if path else root / "jurisdictions.yml"
    known = {j.slug: j for j in load(path, root=root, check_files=check_files)}
    doc = read_config(path, root)
    out: list[Corpus] = []
    for i, entry in enumerate(doc.data.get("corpora") or []):
        with _at(doc, ("corpora", i)):
            c = _parse_corpus(entry, i, known, doc.shown)
            if c.name in {o.name for o in out}:
                raise ConfigError(f"corpus '{c.name}' is listed twice; corpus names must be unique.")
            if c.name in known:
                raise ConfigError(f"corpus '{c.name}' has the name of a jurisdiction; pick another.")
        out.append(c)
    return out


def _corpus_keys(raw, index: int, file: str) -> str:
    """A corpus entry is a mapping with only known keys and every required one; its label for messages."""
    label = raw.get("name") if isinstance(raw, dict) and raw.get("name") else f"#{index + 1}"
    where = f"{file}: corpus '{label}'"
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: corpus {label} is not a mapping of keys to values.")
    _check_keys(raw, CORPUS_REQUIRED, CORPUS_OPTIONAL, where)
    return where


def _parse_corpus(raw, index: int, known: dict[str, Jurisdiction], file: str) -> Corpus:
    where = _corpus_keys(raw, index, file)
    name = str(raw["name"])
    if not SLUG_RE.match(name):
        raise ConfigError(
            f"{where}: the name must be lower-case letters, digits and single hyphens "
            "(it names the folder reports/corpora/<name>/)."
        )
    members = raw["members"]
    if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
        raise ConfigError(f"{where}: members must be a list of jurisdiction slugs.")
    twice = sorted({m for m in members if members.count(m) > 1})
    if twice:
        raise ConfigError(f"{where}: member(s) {', '.join(twice)} named twice; name each jurisdiction once.")
    missing_j = [m for m in members if m not in known]
    if missing_j:
        raise ConfigError(
            f"{where}: member(s) {', '.join(missing_j)} are not jurisdictions in {file} (known: {', '.join(known)})."
        )
    if len(members) < 2:
        raise ConfigError(f"{where}: a corpus needs at least two members.")
    start, end = _period(raw.get("period"), where)
    claims = raw.get("claims") or []
    if not isinstance(claims, list):
        raise ConfigError(f"{where}: claims must be a list.")
    for k, claim in enumerate(claims):
        try:
            check_spec(claim, name, k)
        except ConfigError as e:  # check_spec speaks of a jurisdiction: say which file and corpus
            raise ConfigError(f"{where}: {str(e).replace(f'jurisdiction {name!r}, ', '')}") from None
        if isinstance(claim, dict) and "window" in claim:  # corpus figures are computed over its period only
            raise ConfigError(
                f"{where}: claim #{k + 1} names a window; a corpus claim is checked over the "
                "corpus's period (give the corpus a period instead)."
            )
    return Corpus(
        name=name,
        display_name=str(raw["display_name"]),
        members=tuple(known[m] for m in members),
        notes=raw.get("notes"),
        period_start=start,
        period_end=end,
        claims=tuple(claims),
    )


def _period(period, where: str) -> tuple[dt.date | None, dt.date | None]:
    if period is None:
        return None, None
    if not isinstance(period, dict) or set(period) - {"start", "end"} or not period:
        raise ConfigError(f"{where}: period must be a mapping with start and/or end dates.")
    dates = {}
    for key in ("start", "end"):
        if key in period:
            try:
                dates[key] = (
                    period[key] if isinstance(period[key], dt.date) else dt.date.fromisoformat(str(period[key]))
                )
            except ValueError:
                raise ConfigError(f"{where}: period.{key} '{period[key]}' is not a date (YYYY-MM-DD).") from None
    start, end = dates.get("start"), dates.get("end")
    if start and end and start > end:
        raise ConfigError(f"{where}: period starts after it ends.")
    return start, end


def select(jurisdictions: list[Jurisdiction], slugs: list[str] | None) -> list[Jurisdiction]:
    if not slugs:
        return jurisdictions
    known = {j.slug: j for j in jurisdictions}
    unknown = [s for s in slugs if s not in known]
    if unknown:
        raise ConfigError(
            f"no jurisdiction named {', '.join(unknown)} in jurisdictions.yml (known: {', '.join(known)})."
        )
    return [known[s] for s in slugs]
