"""The leak scan of the explore database: no plate, searcher name or id, case number, filter or text
prompt of any processed table may be anywhere in the file.

Every value of those columns in every data/processed/<slug>/searches.parquet (unmasked and long enough to
mean something) is looked for in every text value of every table of the database (case folded, so the
full-text index's lower-cased words are covered too) and in the file's raw bytes. A case number, filter or
prompt that an officer also typed into a reason is published with the reason (reference numbers are kept
as typed: pipeline/rules/pii.yml), so such a value is reported apart, never as a leak; plates and
searchers have no such exception.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import duckdb

from pipeline.io.db import literal

MIN_LENGTH = 4  # shorter values ("1", "TX") occur in any text by chance
WORD = re.compile(r"[0-9a-z]+")
WORD_BYTES = re.compile(rb"[0-9A-Za-z]+")
STRICT = ("license_plate", "searcher")
TYPED = ("case_number", "filters", "text_prompt")


def secrets(parquets: list[Path]) -> dict[str, set[str]]:
    """{column: values} that must not be in the database, from the processed tables."""
    out: dict[str, set[str]] = {c: set() for c in STRICT + TYPED}
    con = duckdb.connect()
    for p in parquets:
        have = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet({literal(p)})").fetchall()}
        for col in STRICT + TYPED:
            if col not in have:
                continue
            state = {"license_plate": "plate_state", "searcher": "name_state"}.get(col)
            where = f"{state} = 'present'" if state in have else "true"
            rows = con.execute(
                f"SELECT DISTINCT trim({col}) FROM read_parquet({literal(p)}) WHERE {col} IS NOT NULL AND {where}"
            ).fetchall()
            out[col] |= {v for (v,) in rows if len(v.strip("*# ")) >= MIN_LENGTH}
    con.close()
    return out


def database_text(db: Path) -> str:
    """Every text value of every table (shadow tables of the full-text index included), case folded."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    parts = []
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        for row in con.execute(f'SELECT * FROM "{name}"'):
            parts.extend(v.casefold() for v in row if isinstance(v, str))
    con.close()
    return "\x00".join(parts)


def scan(db: Path, parquets: list[Path]) -> dict:
    """{"leaks": [(column, value)], "typed_in_reasons": [(column, value)], "checked": n}.

    A value can only be in a text whose words include all of its words, so each value is first looked up
    in the set of words of the database (its text values, and its raw bytes); only the few that pass are
    searched for whole: one pass over the file, not one per value."""
    found = secrets(parquets)
    text = database_text(db)
    raw = Path(db).read_bytes()
    words = set(WORD.findall(text)) | {w.lower().decode() for w in set(WORD_BYTES.findall(raw))}
    reasons = "\x00".join(_published_reasons(db))
    leaks, typed = [], []
    for col, values in found.items():
        for v in sorted(values):
            if not set(WORD.findall(v.casefold())) <= words:
                continue
            if col in TYPED and v.casefold() in reasons:
                typed.append((col, v))
            elif v.casefold() in text or v.encode() in raw:
                leaks.append((col, v))
    return {"leaks": leaks, "typed_in_reasons": typed, "checked": sum(len(v) for v in found.values())}


def _published_reasons(db: Path) -> list[str]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    out = [r.casefold() for (r,) in con.execute("SELECT reason FROM reasons WHERE reason IS NOT NULL")]
    con.close()
    return out
