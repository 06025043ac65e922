"""What of a search may enter the explore database: pipeline/explore/columns.yml, checked.

A column is published only by being listed there; an entry whose expression reads a column of `never`
(plates, searcher names and ids, case numbers, filters, text prompts, the reason as released) is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.io.rules import read_data_file

from pipeline.io.text import strip_bidi_sql

COLUMNS_PATH = Path(__file__).with_name("columns.yml")
TYPES = {"TEXT", "INTEGER"}
# The columns that carry released free text (agency, reason, file and sheet names): published without
# bidirectional controls (io/text.py), as on the pages and in the CSVs.
FREE_TEXT = frozenset({"org_name", "reason_redacted", "source_file", "source_sheet"})


@dataclass(frozen=True)
class Column:
    name: str
    sql: str
    type: str
    reads: tuple[str, ...]
    readme: str | None = None
    description: str | None = None
    optional: bool = False


def load(path: Path = COLUMNS_PATH) -> tuple[list[Column], frozenset[str]]:
    """(the searches table's columns in order, the parquet columns that must never enter the database)."""
    doc = read_data_file(Path(path), error=ValueError)
    never = frozenset(doc["never"])
    cols = []
    for e in doc["searches"]:
        col = Column(
            name=e["name"],
            sql=e["sql"],
            type=e["type"],
            reads=tuple(e["reads"]),
            readme=e.get("readme"),
            description=e.get("description"),
            optional=bool(e.get("optional")),
        )
        bad = set(col.reads) & never
        if bad or col.type not in TYPES or not (col.readme or col.description):
            raise ValueError(
                f"{Path(path).name}: column '{col.name}' "
                + (
                    f"reads {sorted(bad)}, which may never be published"
                    if bad
                    else "needs a type (TEXT or INTEGER) and a readme column or a description"
                )
            )
        cols.append(col)
    return cols, never


def select_list(cols: list[Column], available: set[str], synthetic: bool) -> str:
    """The DuckDB select list for one jurisdiction's table: a missing optional column is NULL."""
    out = []
    for c in cols:
        if c.name == "synthetic":
            expr = "'SYNTHETIC'" if synthetic else "NULL"
        elif c.optional and not set(c.reads) <= available:
            expr = "NULL"
        else:
            expr = strip_bidi_sql(c.sql) if c.type == "TEXT" and set(c.reads) & FREE_TEXT else c.sql
        out.append(f"{expr} AS {c.name}")
    return ", ".join(out)
