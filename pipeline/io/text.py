"""Text as it may be published: without Unicode's bidirectional controls.

A released cell can hold a right-to-left override (U+202E) or an isolate, which makes what follows it read
backwards on a page or in a spreadsheet ("ICE" shown as "ECI", a plate's characters reordered). No audit
field needs one, so every writer of published text removes them: the redaction of reasons (enrich/pii.py),
the CSV writer (io/publish.py), the table formatter of the pages (report/tables.py) and the explore database.
"""

from __future__ import annotations

import re

# Embeddings and overrides (U+202A-202E), isolates (U+2066-2069), the marks (U+200E, U+200F, U+061C).
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
BIDI_RE = f"[{BIDI_CONTROLS}]"
_BIDI = re.compile(BIDI_RE)


def strip_bidi(text: str | None) -> str | None:
    """The text without bidirectional controls (None stays None)."""
    return None if text is None else _BIDI.sub("", text)


def strip_bidi_sql(expr: str) -> str:
    """The same in DuckDB (RE2 reads the characters of the class as they are)."""
    return f"regexp_replace({expr}, '{BIDI_RE}', '', 'g')"
