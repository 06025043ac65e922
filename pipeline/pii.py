"""Personal data in reasons and searcher names: flag, redact, pseudonymise.

- Reasons that look like personal data (pipeline/rules/pii.yml) get `reason_pii` (the kinds found) and
  `reason_redacted` (each match replaced by [REDACTED <kind>]). Published files use reason_redacted.
- A searcher a fact-checker must follow gets `searcher_pseudonym`: a keyed hash of the name or id. The key
  lives outside the repository (PIPELINE_PSEUDONYM_KEY, else a random key created once in
  data/processed/.pseudonym-key, which git ignores), so the pseudonym is stable on this machine and cannot
  be reversed by someone who has only the reports.
"""
from __future__ import annotations

import functools
import os
import re
import secrets
from pathlib import Path

import yaml

from . import RULES

PII_PATH = RULES / "pii.yml"


@functools.cache
def load_patterns(path: Path = PII_PATH) -> list[dict]:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))["patterns"]


def _sql(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def redact_in_duckdb(con, reasons_sql: str) -> None:
    """TEMP TABLE reason_pii(reason_clean, reason_pii VARCHAR[], reason_redacted) per distinct reason."""
    pats = load_patterns()
    kinds = ", ".join(f"CASE WHEN regexp_matches(r, {_sql(p['pattern'])}) THEN {_sql(p['kind'])} END" for p in pats)
    redacted = "r"
    for p in pats:
        redacted = f"regexp_replace({redacted}, {_sql(p['pattern'])}, {_sql('[REDACTED ' + p['kind'] + ']')}, 'g')"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE reason_pii AS
        SELECT r AS reason_clean, list_filter([{kinds}], lambda x: x IS NOT NULL) AS reason_pii,
               {redacted} AS reason_redacted
        FROM (SELECT DISTINCT reason_clean AS r FROM ({reasons_sql}))
    """)


def redact_text(text: str | None) -> tuple[list[str], str | None]:
    """The same in Python (for tests and one-off checks): (kinds found, redacted text)."""
    if text is None:
        return [], None
    kinds, out = [], text
    for p in load_patterns():
        rx = re.compile(p["pattern"])
        if rx.search(text):
            kinds.append(p["kind"])
        out = rx.sub(f"[REDACTED {p['kind']}]", out)
    return kinds, out


def pseudonym_key(root: Path) -> str:
    key = os.environ.get("PIPELINE_PSEUDONYM_KEY")
    if key:
        return key
    path = root / "data" / "processed" / ".pseudonym-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def pseudonym_sql(column: str, key: str) -> str:
    """SQL for a stable pseudonym of a searcher: S- and 12 hex digits of SHA-256(key | value)."""
    return f"CASE WHEN {column} IS NOT NULL THEN 'S-' || substr(sha256({_sql(key)} || '|' || {column}), 1, 12) END"
