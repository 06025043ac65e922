"""Personal data in reasons and searcher names: flag, redact, pseudonymise.

- Reasons that look like personal data (pipeline/rules/pii.yml) get `reason_pii` (the kinds found) and
  `reason_redacted` (each match replaced by [REDACTED <kind>]). Published files use reason_redacted.
- A searcher a fact-checker must follow gets `searcher_pseudonym`: a keyed hash of the name or id. The key
  lives outside the repository (PIPELINE_PSEUDONYM_KEY, else a random key created once in
  data/processed/.pseudonym-key, which git ignores), so the pseudonym is stable on this machine and cannot
  be reversed by someone who has only the reports.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path


from pipeline import RULES
from pipeline.io import rules
from pipeline.io.db import literal
from pipeline.project import pseudonym_key_file

PII_PATH = RULES / "pii.yml"


def load_rules(path: Path = PII_PATH) -> dict:
    """pii.yml, checked (pipeline/io/rules.py): an entry that is wrong is a message naming it."""
    return rules.load(Path(path).name, Path(path).parent)


def load_patterns(path: Path = PII_PATH) -> list[dict]:
    return load_rules(path)["patterns"]


def not_personal_pattern(path: Path = PII_PATH) -> str | None:
    """One regular expression for every reference number that is set aside before redaction."""
    pats = [p["pattern"] for p in load_rules(path).get("not_personal") or []]
    return "|".join(f"(?:{p})" for p in pats) if pats else None


def redact_in_duckdb(con, reasons_sql: str) -> None:
    """TEMP TABLE reason_pii(reason_clean, reason_pii VARCHAR[], reason_redacted) per distinct reason.

    Each reason is split around its reference numbers (`not_personal`); the patterns flag and redact the
    pieces between them, and the numbers are put back as typed."""
    pats = load_patterns()
    keep = not_personal_pattern()
    pieces = f"regexp_split_to_array(r, {literal(keep)})" if keep else "[r]"
    refs = f"regexp_extract_all(r, {literal(keep)})" if keep else "[]::VARCHAR[]"
    kinds = ", ".join(
        f"CASE WHEN list_bool_or(list_transform(pieces, lambda x: regexp_matches(x, {literal(p['pattern'])}))) "
        f"THEN {literal(p['kind'])} END"
        for p in pats
    )
    redacted = "pieces[i]"
    for p in pats:
        redacted = (
            f"regexp_replace({redacted}, {literal(p['pattern'])}, {literal('[REDACTED ' + p['kind'] + ']')}, 'g')"
        )
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE reason_pii AS
        SELECT r AS reason_clean, list_filter([{kinds}], lambda k: k IS NOT NULL) AS reason_pii,
               CASE WHEN r IS NOT NULL THEN array_to_string(list_transform(range(1, len(pieces) + 1),
                    lambda i: {redacted} || coalesce(refs[i], '')), '')
               END AS reason_redacted
        FROM (SELECT r, {pieces} AS pieces, {refs} AS refs
              FROM (SELECT DISTINCT reason_clean AS r FROM ({reasons_sql})))
    """)


def redact_text(text: str | None) -> tuple[list[str], str | None]:
    """The same in Python (for tests and one-off checks): (kinds found, redacted text)."""
    if text is None:
        return [], None
    keep = not_personal_pattern()
    pieces = re.split(keep, text) if keep else [text]
    refs = re.findall(keep, text) if keep else []
    kinds, out = [], list(pieces)
    for p in load_patterns():
        rx = re.compile(p["pattern"])
        if any(rx.search(piece) for piece in pieces):
            kinds.append(p["kind"])
        out = [rx.sub(f"[REDACTED {p['kind']}]", piece) for piece in out]
    return kinds, "".join(piece + (refs[i] if i < len(refs) else "") for i, piece in enumerate(out))


def pseudonym_key(root: Path) -> str:
    key = os.environ.get("PIPELINE_PSEUDONYM_KEY")
    if key:
        return key
    path = pseudonym_key_file(root)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def pseudonym_sql(column: str, key: str) -> str:
    """SQL for a stable pseudonym of a searcher: S- and 12 hex digits of SHA-256(key | value)."""
    return f"CASE WHEN {column} IS NOT NULL THEN 'S-' || substr(sha256({literal(key)} || '|' || {column}), 1, 12) END"
