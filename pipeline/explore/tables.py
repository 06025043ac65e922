"""The tables beside `searches`: agencies and categories per jurisdiction (from the same published
columns, aggregated by DuckDB over the Parquet table), jurisdictions (each one's facts.json) and, when
reports/corpora/<name>/ exist, the corpora (facts.json) and their published CSVs (`corpus_<file>`)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd

from pipeline import project
from pipeline.analyze import ice287g
from pipeline.explore import columns as columns_rules
from pipeline.explore import inputs as found
from pipeline.explore.sources import source_note
from pipeline.io.db import connect, literal
from pipeline.io.publish import SYNTHETIC_COLUMN


def write_all(con: sqlite3.Connection, inputs: found.Inputs) -> dict:
    """Write every table; return {table: rows}."""
    cols, _ = columns_rules.load()
    frames: dict[str, list[pd.DataFrame]] = {"agencies": [], "categories": []}
    for j in inputs.jurisdictions:
        agencies, categories = _aggregates(j, cols)
        frames["agencies"].append(agencies)
        frames["categories"].append(_labelled(categories, _facts(j)))
    frames["jurisdictions"] = [pd.DataFrame([_jurisdiction_row(j) for j in inputs.jurisdictions])]
    if inputs.corpora:
        frames["corpora"] = [
            pd.DataFrame([_flat(_read_facts(c / "facts.json")) | {"corpus": c.name} for c in inputs.corpora])
        ]
        for name, df in _corpus_csvs(inputs.corpora).items():
            frames[f"corpus_{name}"] = [df]
    counts = {}
    for name, parts in frames.items():
        df = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        df.to_sql(name, con, index=False)
        counts[name] = len(df)
    con.execute("CREATE INDEX agencies_agency ON agencies (agency)")
    return counts


def _aggregates(j, cols) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(agencies, categories) of one jurisdiction, from the published columns only."""
    src = found.searches_path(j)
    duck = connect(project.build_dir(j.root) / "explore")
    available = {r[0] for r in duck.execute(f"DESCRIBE SELECT * FROM read_parquet({literal(src)})").fetchall()}
    duck.execute(
        f"CREATE TEMP VIEW p AS SELECT {columns_rules.select_list(cols, available, j.synthetic)} "
        f"FROM read_parquet({literal(src)}) s"
    )
    agencies = duck.execute("""
        SELECT jurisdiction, any_value(synthetic) AS synthetic, any_value(producer) AS producer, agency,
               any_value(agency_state) AS agency_state, any_value(agency_type) AS agency_type,
               max(agency_federal) AS agency_federal, count(*) AS searches,
               count(*) FILTER (WHERE immigration = 1) AS immigration_searches,
               count(*) FILTER (WHERE immigration_type = 'civil') AS immigration_civil,
               count(*) FILTER (WHERE immigration_type = 'criminal') AS immigration_criminal,
               count(*) FILTER (WHERE immigration_type = 'unspecified') AS immigration_unspecified,
               min(searched_local_date) AS first_local_date, max(searched_local_date) AS last_local_date,
               count(DISTINCT searched_local_date) AS days_with_searches
        FROM p WHERE agency IS NOT NULL GROUP BY jurisdiction, agency ORDER BY searches DESC, agency""").df()
    agencies = ice287g.annotate(agencies, j.synthetic, name="agency")  # the columns of agencies.csv
    categories = duck.execute("""
        SELECT jurisdiction, any_value(synthetic) AS synthetic, category, count(*) AS searches
        FROM (SELECT jurisdiction, synthetic, unnest(CAST(reason_categories AS VARCHAR[])) AS category FROM p)
        GROUP BY jurisdiction, category ORDER BY searches DESC, category""").df()
    duck.close()
    return agencies, categories


def _labelled(categories: pd.DataFrame, facts: dict) -> pd.DataFrame:
    """Each category with its label from facts.json's reason_categories (when the facts carry them), and
    the categories no search fell in shown as 0."""
    listed = {c["id"]: c.get("label") for c in facts.get("reason_categories") or [] if isinstance(c, dict)}
    missing = [c for c in listed if c not in set(categories["category"])]
    if missing and len(categories):
        zero = pd.DataFrame(
            {
                "jurisdiction": categories["jurisdiction"].iloc[0],
                "synthetic": categories["synthetic"].iloc[0],
                "category": missing,
                "searches": 0,
            }
        )
        categories = pd.concat([categories, zero], ignore_index=True)
    return categories.assign(label=categories["category"].map(lambda c: listed.get(c) or c))


def _facts(j) -> dict:
    return _read_facts(found.facts_path(j))


def _read_facts(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _flat(d: dict) -> dict:
    """Scalars as they are; lists and objects as JSON text (Datasette shows and filters them)."""
    return {
        k: v if v is None or isinstance(v, (str, int, float, bool)) else json.dumps(v, ensure_ascii=False)
        for k, v in d.items()
    }


def _jurisdiction_row(j) -> dict:
    """One jurisdiction: its entry, its facts.json (as published), its source note's licence line."""
    row = {
        "jurisdiction": j.slug,
        "name": j.name,
        "producer": j.producer,
        "synthetic": "SYNTHETIC" if j.synthetic else None,
        "log_kind": j.log_kind,
        "timezone": j.timezone,
        **source_note(j),
    }
    facts = _flat(_facts(j))
    row.update({k: v for k, v in facts.items() if k not in row})
    return row


def _corpus_csvs(corpora) -> dict[str, pd.DataFrame]:
    """Every published CSV of every corpus, by file name: {stem: rows of all corpora, with `corpus`}."""
    out: dict[str, list[pd.DataFrame]] = {}
    for c in corpora:
        synthetic = bool(_read_facts(c / "facts.json").get("synthetic"))
        for f in sorted(c.glob("*.csv")):
            df = pd.read_csv(f, keep_default_na=False, na_values=[""], dtype=str)
            # the published label column (io.publish) becomes this table's own `synthetic` column
            df = _numbers(df.drop(columns=[SYNTHETIC_COLUMN], errors="ignore"))
            df.insert(0, "synthetic", "SYNTHETIC" if synthetic else None)
            df.insert(0, "corpus", c.name)
            out.setdefault(f.stem, []).append(df)
    return {k: pd.concat(v, ignore_index=True) for k, v in out.items()}


def _numbers(df: pd.DataFrame) -> pd.DataFrame:
    """Columns whose every value is a plain integer become integers (so they sort as numbers); text with
    leading zeros or anything else stays text, as published."""
    for col in df.columns:
        values = df[col].dropna()
        if len(values) and values.str.fullmatch(r"-?(0|[1-9][0-9]*)").all():
            df[col] = pd.to_numeric(df[col]).astype("Int64")
    return df
