"""Personal data in reasons and searcher names: flag, redact, pseudonymise.

- Reasons that look like personal data (pipeline/rules/pii.yml) get `reason_pii` (the kinds found) and
  `reason_redacted` (each match replaced by [REDACTED <kind>]). Published files use reason_redacted.
  The patterns run in DuckDB (RE2); personal names (a listed given name, then a capitalised word that is
  not a place word: pii.yml `names`) need word lists RE2 cannot express as one pattern, so they are found in
  Python over the distinct reasons that hold a listed given name, and put back into the same table.
- Unicode bidirectional controls (which can make a published reason read backwards) are removed from
  reason_redacted before anything else: no published reason holds one.
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


from pipeline import RULES
from pipeline.io import rules
from pipeline.io.db import literal
from pipeline.io.text import BIDI_RE, strip_bidi
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

    Each reason loses its bidi controls, then is split around its reference numbers (`not_personal`); the
    patterns flag and redact the pieces between them, and the numbers are put back as typed. Names last."""
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
        SELECT released AS reason_clean, list_filter([{kinds}], lambda k: k IS NOT NULL) AS reason_pii,
               CASE WHEN r IS NOT NULL THEN array_to_string(list_transform(range(1, len(pieces) + 1),
                    lambda i: {redacted} || coalesce(refs[i], '')), '')
               END AS reason_redacted
        FROM (SELECT released, r, {pieces} AS pieces, {refs} AS refs
              FROM (SELECT released, regexp_replace(released, {literal(BIDI_RE)}, '', 'g') AS r
                    FROM (SELECT DISTINCT reason_clean AS released FROM ({reasons_sql}))))
    """)
    _redact_names_in_duckdb(con)


def _redact_names_in_duckdb(con) -> None:
    """Names in reason_pii.reason_redacted, found in Python (redact_names) over the reasons that hold a
    listed given name (RE2 picks those out), and written back with the kind `name`."""
    names = name_rules()
    if names is None:
        return
    candidates = [
        r
        for (r,) in con.execute(
            f"SELECT DISTINCT reason_redacted FROM reason_pii WHERE regexp_matches(reason_redacted, {literal(names.given)})"
        ).fetchall()
    ]
    changed = [(r, names.redact(r)) for r in candidates]
    changed = [(before, after) for before, after in changed if after != before]
    if not changed:
        return
    con.execute("CREATE OR REPLACE TEMP TABLE _pii_names (before VARCHAR, after VARCHAR)")
    con.executemany("INSERT INTO _pii_names VALUES (?, ?)", changed)
    con.execute("""
        UPDATE reason_pii SET reason_redacted = n.after, reason_pii = list_append(reason_pii, 'name')
        FROM _pii_names n WHERE reason_pii.reason_redacted = n.before""")
    con.execute("DROP TABLE _pii_names")


class Names:
    """pii.yml `names`: a listed given name (not one of `not_given`), an optional middle initial, then a
    capitalised word that is not one of `not_surname` (a place or agency word)."""

    def __init__(self, spec: dict, folder: Path):
        listed = (folder / spec["given_names"]).read_text(encoding="utf-8").split()
        given = sorted(set(listed) - set(spec["not_given"]), key=lambda n: (-len(n), n))
        self.given = r"\b(?:" + "|".join(re.escape(n) for n in given) + r")\b"
        self.not_surname = frozenset(spec["not_surname"])
        self.rx = re.compile(
            self.given + r"(?: [A-Z]\.?)? (?P<surname>[A-Z](?:'[A-Z])?[a-z]+(?:-[A-Z]?[a-z]+)*)\b(?!['-]?[A-Za-z])"
        )

    def redact(self, text: str) -> str:
        return self.rx.sub(lambda m: m.group(0) if m["surname"] in self.not_surname else "[REDACTED name]", text)


@functools.cache
def name_rules(path: Path = PII_PATH) -> Names | None:
    spec = load_rules(path).get("names")
    return Names(spec, Path(path).parent) if spec else None


def redact_text(text: str | None) -> tuple[list[str], str | None]:
    """The same in Python (for tests and one-off checks): (kinds found, redacted text)."""
    if text is None:
        return [], None
    text = strip_bidi(text)
    keep = not_personal_pattern()
    pieces = re.split(keep, text) if keep else [text]
    refs = re.findall(keep, text) if keep else []
    kinds, out = [], list(pieces)
    for p in load_patterns():
        rx = re.compile(p["pattern"])
        if any(rx.search(piece) for piece in pieces):
            kinds.append(p["kind"])
        out = [rx.sub(f"[REDACTED {p['kind']}]", piece) for piece in out]
    redacted = "".join(piece + (refs[i] if i < len(refs) else "") for i, piece in enumerate(out))
    names = name_rules()
    if names is not None and names.redact(redacted) != redacted:
        kinds.append("name")
        redacted = names.redact(redacted)
    return kinds, redacted


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
