"""A CSV release's header: its delimiter, its first record, and the map from its columns to the pipeline's
(refusing an event log, a file separated by other characters, and a header this pipeline does not know)."""

from __future__ import annotations

import csv
from pathlib import Path

from pipeline.errors import SourceError
from pipeline.ingest.csv_exact import NEVER_CLOSED, NEVER_CLOSED_HINT, Lines
from pipeline.ingest.csv_text import MAX_CELL_BYTES, RESAVE
from pipeline.ingest.headers import HeaderMap, headerless_map, is_event_log, map_header


def delimiter_of(path: Path) -> str:
    """A .tsv is tab-separated; every other CSV release is comma-separated."""
    return "\t" if path.suffix.lower() == ".tsv" else ","


def _first_record(path: Path, encoding: str, display: str, delimiter: str = ",") -> list[str]:
    csv.field_size_limit(MAX_CELL_BYTES)
    try:
        with open(path, encoding=encoding, newline="") as f:
            lines = Lines(f)
            first = next(csv.reader(lines, delimiter=delimiter), [])
            if lines.eof and first:
                raise SourceError(NEVER_CLOSED, file=display, row=1, hint=NEVER_CLOSED_HINT)
            return first
    except csv.Error as e:
        raise SourceError(
            f"the first record cannot be parsed ({e}).",
            file=display,
            row=1,
            hint="Open the file in a text editor; an unclosed quote or a huge cell is the usual cause.",
        ) from None
    except UnicodeError as e:
        raise SourceError(
            f"the text cannot be decoded as {encoding} ({e.reason}).", file=display, hint=RESAVE
        ) from None


_SEPARATORS = {",": "commas (',')", ";": "semicolons (';')", "\t": "tabs", "|": "vertical bars ('|')"}


def header_map(path: Path, encoding: str, display: str, delimiter: str = ",") -> HeaderMap:
    first = _first_record(path, encoding, display, delimiter)
    if not first or all(not c.strip() for c in first):
        raise SourceError(
            "the first line is empty: there is no header (or first record) to read.",
            file=display,
            row=1,
            hint="Check the file in a text editor; ask the agency for the file again.",
        )
    if is_event_log(first):
        raise SourceError(
            "this is a Flock event log (administrative actions such as users and sharing), "
            "not a search audit; its rows are not searches.",
            file=display,
            hint="Remove it from the jurisdiction's inputs.",
        )
    hmap = map_header(first) or headerless_map(first)
    if hmap is None:
        joined = delimiter.join(first)
        for other in _SEPARATORS:
            if other != delimiter and other in joined and map_header(joined.split(other)):
                hint = (
                    "Save a copy named .tsv beside it (a .tsv is read as tab-separated) and list that in inputs."
                    if other == "\t"
                    else "Save a copy named .csv beside it and list that in inputs."
                    if other == ","
                    else "Re-save it as comma-separated CSV (in Excel: Save As > CSV UTF-8) as a new file beside it "
                    "and list that in inputs."
                )
                raise SourceError(
                    f"the columns are separated by {_SEPARATORS[other]}, not {_SEPARATORS[delimiter]}.",
                    file=display,
                    hint=hint,
                )
        raise SourceError(
            f"not a Flock search audit this pipeline knows: the header {first[:14]!r} does not "
            "name a search time and enough known columns, and the first row is not data in "
            "the standard header-less order.",
            file=display,
            hint="If the columns are named differently, add the names to pipeline/rules/columns.yml.",
        )
    return hmap
