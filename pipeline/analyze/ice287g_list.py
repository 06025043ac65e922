"""ICE's 287(g) list of participating agencies: found, read, checked and grouped per agency.

ICE publishes the list as an XLSX whose file name carries its date (`participatingAgencies05182026am.xlsx`:
18 May 2026, morning); no cell inside says it. The lists live in data/reference/ice-287g/ (byte-identical,
see SOURCE.md there). The newest participating list in that folder is the one used, so a newer list from
ice.gov dropped beside the others replaces the older one at the next run; every page names the list used.

The sheet has one row per agreement (an agency with three models has three rows): `STATE | LAW ENFORCEMENT
AGENCY | TYPE | COUNTY | SUPPORT TYPE | SIGNED | MOA | ADDENDUM`. Its cells carry blanks, curly
apostrophes and states in capitals with a trailing blank; they are cleaned here, and nothing else is
changed. A sheet of another shape is refused with a message naming the file and what differs.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from pathlib import Path

from pipeline import ROOT, RULES
from pipeline.errors import PipelineError
from pipeline.io.hashing import sha256_file
from pipeline.io.rules import read_data_file

if TYPE_CHECKING:
    import pandas as pd

LIST_DIR = ROOT / "data" / "reference" / "ice-287g"
RULES_PATH = RULES / "ice287g" / "matching.yml"
# ICE's file names: participatingAgencies / pendingAgencies, MMDDYYYY, then am or pm (older files have none).
NAME = re.compile(r"(?P<kind>participating|pending)Agencies(?P<m>\d\d)(?P<d>\d\d)(?P<y>\d{4})(?P<half>am|pm)?\.xlsx")
HEADER = ["STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE", "SIGNED"]
OPTIONAL = ["MOA", "ADDENDUM"]  # shown by ICE as the word `link`; not needed to match
COUNTY_UNKNOWN = {"#N/A", "#NA", "N/A"}
_APOSTROPHES = str.maketrans({a: "'" for a in "\u2018\u2019\u02bc\u2032`"})


class ListError(PipelineError):
    """ICE's list cannot be used as it is: the message names the file, the row and what to do."""


@dataclass(frozen=True)
class IceList:
    """One list as read: its file, date, SHA-256, the rows (one per agreement) and the agencies."""

    path: Path
    date: dt.date
    half: str  # "am", "pm" or ""
    sha256: str
    rows: pd.DataFrame  # state, state_name, agency, type, county, model, signed, sheet_row
    agencies: pd.DataFrame  # state, agency, models (tuple, ICE's order), signed (earliest), county, rows

    @property
    def file(self) -> str:
        """The list as a citation names it: relative to the project, never the machine's path."""
        try:
            return str(self.path.resolve().relative_to(ROOT))
        except ValueError:
            return self.path.name


@functools.cache
def rules(path: Path = RULES_PATH) -> dict:
    """matching.yml, read once (the matcher checks its entries)."""
    return read_data_file(Path(path))


def models() -> list[str]:
    return list(rules()["models"])


@functools.cache
def state_codes() -> dict[str, str]:
    """{STATE NAME as ICE writes it, upper case: USPS code}: agencies.yml's states and the territories."""
    states = read_data_file(RULES / "agencies.yml")["states"]
    names = {**states, **rules()["territories"]}
    return {str(n).upper(): str(c) for c, n in names.items()}


def list_date(path: Path) -> tuple[str, dt.date, str]:
    """(kind, date, am/pm) from ICE's file name; a name of another form is refused."""
    m = NAME.fullmatch(Path(path).name)
    if m is None:
        raise ListError(
            f"{Path(path).name}: not named as ICE names its 287(g) lists (participatingAgencies<MMDDYYYY>am.xlsx), "
            "so the list's date cannot be told. Keep ICE's file name, or move the file out of "
            f"{LIST_DIR.relative_to(ROOT)}/."
        )
    try:
        day = dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        raise ListError(f"{Path(path).name}: the date in the file name is not a calendar date.") from None
    return m["kind"], day, m["half"] or ""


def newest(folder: Path = LIST_DIR, kind: str = "participating") -> Path:
    """The newest list of `kind` in the folder, by the date (then am before pm) in its name."""
    found = []
    for p in sorted(Path(folder).glob("*.xlsx")):
        k, day, half = list_date(p)
        if k == kind:
            found.append(((day, half == "pm"), p))
    if not found:
        raise ListError(f"no ICE {kind} list (participatingAgencies<MMDDYYYY>am.xlsx) in {folder}.")
    found.sort()
    if len(found) > 1 and found[-1][0] == found[-2][0]:
        raise ListError(f"two ICE lists of the same date in {folder}: {found[-2][1].name}, {found[-1][1].name}.")
    return found[-1][1]


def clean_cell(v) -> str:
    """Text of a cell: curly apostrophes straightened, blanks trimmed and runs of them made one."""
    if v is None:
        return ""
    return " ".join(str(v).translate(_APOSTROPHES).split())


def _sheet(path: Path) -> tuple[str, list[list]]:
    from python_calamine import CalamineWorkbook  # the reader ingest uses; only needed here

    try:
        wb = CalamineWorkbook.from_path(str(path))
        name = wb.sheet_names[0]
        return name, wb.get_sheet_by_name(name).to_python()
    except Exception as e:  # noqa: BLE001 -- calamine raises its own types for a broken or non-XLSX file
        raise ListError(f"{path.name}: cannot be read as a workbook ({e}).") from None


def _check_header(path: Path, sheet: str, header: list) -> None:
    cells = [clean_cell(c).upper() for c in header]
    while cells and not cells[-1]:
        cells.pop()
    expected_any = (HEADER, HEADER + OPTIONAL[:1], HEADER + OPTIONAL)
    if cells not in expected_any:
        raise ListError(
            f"{path.name}, sheet {sheet!r}, row 1: the header is {cells}; ICE's participating list has "
            f"{HEADER + OPTIONAL}. This is not a sheet of that shape, so it is not read."
        )


def _row(path: Path, n: int, r: list, codes: dict, known_models: list[str], day: dt.date) -> dict:
    """One agreement, cleaned; a row that cannot be one is refused with its sheet row."""
    cells = [clean_cell(c) for c in (list(r) + [None] * 6)[:6]]
    state_name, agency, typ, county, model = cells[:5]
    signed = r[5] if len(r) > 5 else None
    where = f"{path.name}, row {n}"
    if state_name.upper() not in codes:
        raise ListError(f"{where}: state {state_name!r} is not a state or territory ICE lists.")
    if not agency:
        raise ListError(f"{where}: the agency cell is empty.")
    if model not in known_models:
        raise ListError(f"{where}: support type {model!r} is none of {known_models} (pipeline/rules/ice287g/).")
    if isinstance(signed, dt.datetime):
        signed = signed.date()
    if not isinstance(signed, dt.date) or signed > day:  # a text cell (`7/72025`) or a year 5025: not a date
        signed = None
    return {
        "state": codes[state_name.upper()],
        "state_name": state_name.upper(),
        "agency": agency,
        "type": typ,
        "county": "" if county.upper() in COUNTY_UNKNOWN else county,
        "model": model,
        "signed": signed,
        "sheet_row": n,
    }


def read(path: Path | None = None) -> IceList:
    """Read one participating list (default: the newest in data/reference/ice-287g/)."""
    path = Path(path) if path else newest()
    _kind, day, half = list_date(path)
    sheet, cells = _sheet(path)
    if not cells:
        raise ListError(f"{path.name}, sheet {sheet!r}: the sheet is empty.")
    _check_header(path, sheet, cells[0])
    codes, known = state_codes(), models()
    rows = [
        _row(path, n, r, codes, known, day)
        for n, r in enumerate(cells[1:], start=2)
        if any(clean_cell(c) for c in r)  # blank rows at the end of a sheet are padding
    ]
    if not rows:
        raise ListError(f"{path.name}: the header has no rows under it.")
    import pandas as pd  # here, so naming the list in use (newest) stays a cheap import

    df = pd.DataFrame(rows)
    return IceList(path, day, half, sha256_file(path), df, group(df))


def group(rows: pd.DataFrame) -> pd.DataFrame:
    """One line per agency: (state, name ignoring case), its models in ICE's order, the earliest signed date,
    the county as ICE gives it (a hint only) and its rows."""
    order = {m: i for i, m in enumerate(models())}
    key = rows["agency"].str.casefold()
    out = []
    for (state, _), g in rows.groupby([rows["state"], key], sort=True):
        signed = [d for d in g["signed"] if d is not None]
        out.append(
            {
                "state": state,
                "agency": g["agency"].iloc[0],
                "models": tuple(sorted(set(g["model"]), key=order.__getitem__)),
                "signed": min(signed) if signed else None,
                "county": next((c for c in g["county"] if c), ""),
                "type": g["type"].iloc[0],
                "rows": len(g),
            }
        )
    import pandas as pd

    return pd.DataFrame(out)


def date_words(day: dt.date) -> str:
    """`May 18, 2026`: the list's date as pages say it."""
    return f"{day:%B} {day.day}, {day.year}"


@functools.cache
def current() -> IceList:
    """The newest list, read once per process."""
    return read()
