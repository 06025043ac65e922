"""Build reports/explore/flock.db: one row per published search of every jurisdiction, the reasons with
full-text search, and the tables beside them. Rebuilt only when its inputs' key changed (inputs.py).

Written under build/explore/ and renamed into reports/explore/ when whole: a build that stops leaves the
last good database as it was, Datasette never serves half a file, and a killed build leaves its temporary
file in build/ (never in reports/, which holds only what is published), where the next build removes it. Rows come from the Parquet tables a
batch at a time (DuckDB streams them), so memory stays bounded whatever the size of the release.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import sqlite3
import time
from pathlib import Path

from pipeline import project
from pipeline.explore import columns as columns_rules
from pipeline.explore import inputs as found
from pipeline.explore import metadata, tables
from pipeline.io.atomic import write_json
from pipeline.io.db import connect, literal
from pipeline.io.hashing import sha256_file

DATABASE = "flock"
BATCH_ROWS = 50_000
# The tokenizer of the reasons' full-text index: unicode61 splits on every character that is not a letter
# or digit, folds case and (remove_diacritics 2) accents, and does not stem. So `ice` is a word of
# "ICE investigation" and never of "police" or "service"; porter stemming is left out on purpose, so a
# search finds the word typed, not its relatives ("ice" must not find "icing").
TOKENIZER = "unicode61 remove_diacritics 2"
# What the facets, the canned queries and a search filter on.
INDEXES = {
    "jurisdiction": "jurisdiction",
    "agency_day": "agency, searched_local_date",
    "agency_state": "agency_state",
    "immigration": "immigration, jurisdiction, agency",
    "immigration_type": "immigration_type",
    "local_date": "searched_local_date",
    "reason": "reason_id",
}


def explore_dir(root: Path) -> Path:
    """reports/explore/: the database, its Datasette metadata and its build record."""
    return project.explore_dir(root)


def db_path(root: Path) -> Path:
    return explore_dir(root) / f"{DATABASE}.db"


def build(root: Path, config=None, *, force: bool = False, echo=print, batch_rows: int = BATCH_ROWS) -> dict:
    """Build (or keep, when its key is unchanged) the database; return the build record (build.json)."""
    root = Path(root)
    clear_stale(root)
    inputs = found.find(root, config)
    for x in inputs.left_out:
        echo(f"explore: {x['jurisdiction']} left out: {x['why']}")
    if not inputs.jurisdictions:
        raise FileNotFoundError(
            "no jurisdiction has data/processed/<slug>/searches.parquet from a run that ended ok yet: run "
            "`make all` (or python -m pipeline run) first"
        )
    record_file = explore_dir(root) / "build.json"
    previous = _read_json(record_file)
    key, hashes = found.key(inputs, previous.get("inputs"))
    if (
        not force
        and previous.get("key") == key
        and db_path(root).is_file()
        and all((explore_dir(root) / f).is_file() for f in ("metadata.json", "inspect.json"))
    ):
        write_json(
            explore_dir(root) / "metadata.json", metadata.build(inputs, columns_rules.load()[0], previous["tables"])
        )
        echo(f"explore: {db_path(root).relative_to(root)} is up to date (inputs unchanged)")
        return {**previous, "built": False}
    started = time.perf_counter()
    cols, _ = columns_rules.load()
    with _building(root) as tmp:
        counts = _write_database(tmp, inputs, cols, batch_rows, echo)
    write_json(explore_dir(root) / "metadata.json", metadata.build(inputs, cols, counts["tables"]))
    write_json(explore_dir(root) / "inspect.json", _inspect(db_path(root), counts["all"]))
    record = {
        "key": key,
        "database": str(db_path(root).relative_to(root)),
        "tables": counts["tables"],
        "seconds": round(time.perf_counter() - started, 2),
        "bytes": db_path(root).stat().st_size,
        "jurisdictions": [j.slug for j in inputs.jurisdictions],
        "corpora": [c.name for c in inputs.corpora],
        "left_out": list(inputs.left_out),
        "inputs": hashes,
    }
    write_json(record_file, record)
    echo(
        f"explore: built {record['database']} ({counts['tables']['searches']:,} searches, "
        f"{record['bytes'] / 1e6:,.1f} MB) in {record['seconds']:,.1f} s"
    )
    return {**record, "built": True}


def temporary_path(root: Path, pid: int | None = None) -> Path:
    """build/explore/flock.db.<pid>.tmp: the database while this process builds it."""
    return project.explore_work(root) / f"{DATABASE}.db.{pid or os.getpid()}.tmp"


def clear_stale(root: Path) -> list[Path]:
    """Remove the temporary databases of builds whose process is gone (killed mid-build), and any that an
    older version of this module left in reports/explore/ (.flock.db.*.tmp). Returns what was removed."""
    removed = []
    for tmp in project.explore_work(root).glob(f"{DATABASE}.db.*.tmp"):
        pid = tmp.name.split(".")[-2]
        if not (pid.isdigit() and _alive(int(pid))):
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    for tmp in explore_dir(root).glob(f".{DATABASE}.db.*.tmp"):
        tmp.unlink(missing_ok=True)
        removed.append(tmp)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive, and not ours to judge
        return True
    return True


@contextlib.contextmanager
def _building(root: Path):
    """Yield the temporary path in build/explore/; when the block succeeds, move it onto
    reports/explore/flock.db in one rename (a copy beside the target first, if build/ is on another
    filesystem); when it fails, remove it."""
    tmp = temporary_path(root)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    target = db_path(root)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        yield tmp
        os.chmod(tmp, 0o644)  # published and served: readable by everyone, like every output
        try:
            os.replace(tmp, target)
        except OSError as e:
            if e.errno != errno.EXDEV:
                raise
            beside = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            try:
                shutil.copyfile(tmp, beside)
                os.replace(beside, target)
            finally:
                beside.unlink(missing_ok=True)
    finally:
        tmp.unlink(missing_ok=True)


def _write_database(path: Path, inputs: found.Inputs, cols, batch_rows: int, echo) -> dict:
    path.unlink(missing_ok=True)  # a file of this pid left by a crash: SQLite starts its own
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode = OFF")  # a half-built file is discarded whole, never repaired
    con.execute("PRAGMA synchronous = OFF")
    con.execute("PRAGMA cache_size = -200000")  # 200 MB of page cache: bounded
    names = [c.name for c in cols]
    con.execute(
        f"CREATE TABLE searches ({', '.join(f'{c.name} {c.type}' for c in cols)}, reason_id INTEGER "
        "REFERENCES reasons(reason_id))"
    )
    reasons: dict[str | None, int] = {}
    uses: dict[int, int] = {}
    for j in inputs.jurisdictions:
        n = _load_searches(con, j, cols, names, reasons, uses, batch_rows)
        echo(f"explore: {j.slug}: {n:,} searches")
    _write_reasons(con, reasons, uses)
    for name, columns in INDEXES.items():
        con.execute(f"CREATE INDEX searches_{name} ON searches ({columns})")
    counts = {"searches": con.execute("SELECT count(*) FROM searches").fetchone()[0], "reasons": len(reasons)}
    counts.update(tables.write_all(con, inputs))
    con.execute("PRAGMA analysis_limit = 1000")  # the planner's statistics from a sample of each index
    con.execute("ANALYZE")
    con.commit()
    every = {
        name: con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    }
    con.close()
    return {"tables": counts, "all": every}


def _inspect(db: Path, counts: dict) -> dict:
    """Datasette's inspect data (what `datasette inspect` writes): the table counts, so a page of a
    table of millions of rows need not count them again, and the file's SHA-256."""
    return {
        DATABASE: {
            "hash": sha256_file(db),
            "size": db.stat().st_size,
            "file": db.name,
            "tables": {name: {"count": n} for name, n in counts.items()},
        }
    }


def _load_searches(con, j, cols, names, reasons, uses, batch_rows: int) -> int:
    """One jurisdiction's published columns, batch by batch, each reason given its id in `reasons`."""
    src = found.searches_path(j)
    work = project.build_dir(j.root) / "explore"
    work.mkdir(parents=True, exist_ok=True)
    duck = connect(work)
    available = {r[0] for r in duck.execute(f"DESCRIBE SELECT * FROM read_parquet({literal(src)})").fetchall()}
    select = columns_rules.select_list(cols, available, j.synthetic)
    reader = duck.sql(f"SELECT {select} FROM read_parquet({literal(src)}) s").to_arrow_reader(batch_rows)
    at = names.index("reason")
    insert = f"INSERT INTO searches VALUES ({', '.join('?' * (len(names) + 1))})"
    n = 0
    for batch in reader:
        values = [c.to_pylist() for c in batch.columns]
        ids = [reasons.setdefault(r, len(reasons) + 1) for r in values[at]]
        for i in ids:
            uses[i] = uses.get(i, 0) + 1
        con.executemany(insert, zip(*values, ids))
        n += batch.num_rows
    duck.close()
    return n


def _write_reasons(con, reasons: dict, uses: dict) -> None:
    """Each distinct published reason once, with its full-text index (FTS5, TOKENIZER)."""
    con.execute("CREATE TABLE reasons (reason_id INTEGER PRIMARY KEY, reason TEXT, searches INTEGER)")
    con.executemany("INSERT INTO reasons VALUES (?, ?, ?)", ((i, r, uses[i]) for r, i in reasons.items()))
    con.execute(f"""CREATE VIRTUAL TABLE reasons_fts USING fts5(reason, content="reasons",
                    content_rowid="reason_id", tokenize="{TOKENIZER}")""")
    con.execute("INSERT INTO reasons_fts(reasons_fts) VALUES ('rebuild')")


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
