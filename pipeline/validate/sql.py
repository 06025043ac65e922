"""The SQL of validation in the engine (engine.py): the searches as a DuckDB view with the derived columns
frames.derive adds, each expectation as two predicates (which rows count, which of those are unexpected),
and the counts and first citations of every expectation in one scan of the table."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path

import pandas as pd

from pipeline.io.db import identifier as q, literal
from pipeline.validate.frames import sources_frame
from pipeline.validate.suites import CITATION, CITE_CAP

NUMBER = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "FLOAT",
    "DOUBLE",
)
INTEGER = NUMBER[:9]
TIMESTAMP_TZ = "TIMESTAMP WITH TIME ZONE"
UNMATCHED = 1 << 20  # a citation of a source the manifest lacks sorts last (as in frames.derive)


def equals(column: str, value) -> str:
    """rows_where's `column == value` (a null never equals)."""
    return f"coalesce({q(column)} = {_value(value)}, false)"


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return literal(v)


def rows_view(con, path, manifest: dict, exported: set[str]) -> list[str]:
    """View `s`: every column of the table, `_row` (its position), and the derived columns source_kind,
    exported_<column>, reason_blank and _order, as frames.derive computes them. Returns its columns."""
    con.execute(f"CREATE TEMP VIEW p AS SELECT * FROM read_parquet({literal(str(path))}, file_row_number = true)")
    have = [r[0] for r in con.execute("SELECT column_name FROM (DESCRIBE p)").fetchall() if r[0] != "file_row_number"]
    src = sources_frame(manifest, exported)
    src["_key"] = src["source_sheet"].fillna("").astype("str")
    src = src.drop_duplicates(["source_file", "_key"])  # the first source of a name, as derive
    con.register("src_frame", src)
    flags = [f"coalesce(src.{q('exported_' + c)}, false) AS {q('exported_' + c)}" for c in sorted(exported)]
    missing = [f"NULL::{'BIGINT' if c == 'source_row' else 'VARCHAR'} AS {q(c)}" for c in CITATION if c not in have]
    row = "coalesce(p.source_row, 0)" if "source_row" in have else "0"
    blank = ["p.reason_clean IS NULL AS reason_blank"] if "reason_clean" in have else []
    con.execute(f"""CREATE TEMP VIEW s AS SELECT p.file_row_number AS _row,
        {", ".join([f"p.{q(c)}" for c in have] + missing)}, src.source_kind::VARCHAR AS source_kind,
        {", ".join(flags + blank + [""])}
        coalesce(src._source, {UNMATCHED})::BIGINT * {1 << 40} + {row}::BIGINT AS _order
        FROM p LEFT JOIN src_frame AS src
          ON p.source_file = src.source_file AND coalesce(p.source_sheet, '') = src._key""")
    return [r[0] for r in con.execute("SELECT column_name FROM (DESCRIBE s)").fetchall()]


def _null(c: str, types: dict) -> str:
    """pandas' isna: NULL, and NaN in a float column."""
    return f"({q(c)} IS NULL OR isnan({q(c)}))" if types.get(c) in ("FLOAT", "DOUBLE") else f"{q(c)} IS NULL"


def _bound(v, ctype: str) -> str | None:
    """A between bound as GX compares it with the column, or None where the engine does not know how."""
    if (
        ctype in NUMBER
        and isinstance(v, (int, float))
        and not isinstance(v, bool)
        and v == v
        and abs(v) != float("inf")
    ):
        return repr(v)
    if ctype == TIMESTAMP_TZ and isinstance(v, str):
        try:
            if dt.datetime.fromisoformat(v).tzinfo is not None:  # GX parses it (dateutil) to the same instant
                return f"TIMESTAMPTZ {literal(v)}"
        except ValueError:
            return None
    return None


def _members(values, ctype: str) -> str | None:
    """A value set GX's isin matches exactly as SQL's IN does: all text, all booleans or all integers."""
    values = list(values or [])
    if not values:
        return None
    if ctype == "VARCHAR" and all(isinstance(v, str) for v in values):
        return ", ".join(literal(v) for v in values)
    if ctype == "BOOLEAN" and all(isinstance(v, bool) for v in values):
        return ", ".join(_value(v) for v in values)
    if ctype in INTEGER and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return ", ".join(repr(v) for v in values)
    return None


_regex_names = itertools.count()
# Patterns written only with these (ASCII literals, classes, groups, counted repeats, anchors, a leading (?i))
# mean the same to Python's re and to RE2 on ASCII text without a line break: a `$` before a final "\n" and
# Unicode classes and case folding are where the two differ, and \d \s \w \b, [[:...:]] and {,n} are left out.
_ESC = r"\\[.^$*+?()\[\]{}|\\/-]"  # an escaped punctuation mark
_RE2_SAFE = re.compile(
    "(?:"
    + "|".join(
        [
            _ESC,
            r"\[\^?(?:[ -Z^-~]|" + _ESC + r")+\]",  # a class of ASCII (no '[': no [:alpha:])
            r"\{\d+(?:,\d*)?\}",
            r"\(\?:",
            r"\((?!\?)",
            r"[)|.^$*+?]",  # counted repeat, groups, operators, anchors
            r"[ !\"#%&',/0-9:;<=>@A-Z_`a-z~-]",
        ]
    )
    + ")*"
)  # a literal


def _re2_agrees(con, pattern: str) -> str | None:
    """The pattern, when RE2 reads it as Python does (and DuckDB compiles it); else None."""
    body = pattern[4:] if pattern.startswith("(?i)") else pattern
    if not (pattern.isascii() and _RE2_SAFE.fullmatch(body)):
        return None
    try:
        con.execute(f"SELECT regexp_matches('', {literal(pattern)})").fetchall()
    except Exception:  # (a possessive a*+ is Python 3.11's, an error to RE2)
        return None
    return pattern


def _regex(con, pattern: str) -> str:
    """A DuckDB function deciding `pattern` as GX does on pandas: `column.astype(str).str.contains(pattern)`
    (Python `re.search` semantics; DuckDB's RE2 differs), run on each vector of values as Arrow."""
    import pyarrow as pa

    def search(values):
        found = values.to_pandas().astype(str).str.contains(pattern)
        return pa.array(found.fillna(False).to_numpy(dtype=bool))

    name = f"gx_regex_{next(_regex_names)}"
    con.create_function(name, search, ["VARCHAR"], "BOOLEAN", type="arrow")
    return name


def _found(con, c: str, pattern: str) -> str:
    """SQL for GX's `str.contains(pattern)` on column expression c: DuckDB's RE2 for ASCII values without a
    line break (nearly all) where the pattern means the same to both, GX's own call for the rest."""
    found = f"{_regex(con, pattern)}({c})"
    safe = _re2_agrees(con, pattern)
    if safe:
        found = (
            f"CASE WHEN strlen({c}) = length({c}) AND NOT contains({c}, chr(10)) "
            f"THEN regexp_matches({c}, {literal(safe)}) ELSE {found} END"
        )
    return found


def _few_values(con, c: str) -> bool:
    """Whether the table's first 100,000 values of a column hold under 1 distinct value in 100 (a file's
    SHA-256, a searcher's name; not an ID). Only speed depends on it: a regex then runs once per distinct
    value. (Read from the Parquet file, view p, where a scan with a LIMIT stops early.)"""
    try:
        n, distinct = con.execute(
            f"SELECT count(v), approx_count_distinct(v) FROM (SELECT {q(c)} AS v FROM p LIMIT 100000)"
        ).fetchall()[0]
    except Exception:  # (a derived column is not in the file: decided per row)
        return False
    return n > 0 and distinct * 100 < n


def _compiles(pattern) -> bool:
    """A pattern Python cannot compile is left to GX, which reports its error as the outcome's exception."""
    try:
        return isinstance(pattern, str) and re.compile(pattern) is not None
    except re.error:
        return False


def spec(con, etype: str, kwargs: dict, cols: list[str], types: dict) -> dict | None:
    """{'counted': the rows GX counts (nonnull), 'unexpected', 'by_nulls': percent of all rows,
    'mostly', 'unique'} for an expectation the engine computes; None for one it leaves to GX."""
    c = cols[0] if cols else None
    ctype = types.get(c)
    out = {
        "counted": f"NOT {_null(c, types)}" if c else "TRUE",
        "by_nulls": False,
        "mostly": kwargs.get("mostly", 1),
        "unique": None,
    }
    if etype in ("expect_column_values_to_not_be_null", "expect_column_values_to_be_null"):
        null = _null(c, types)
        return {
            **out,
            "counted": "TRUE",
            "by_nulls": True,
            "unexpected": null if etype.endswith("not_be_null") else f"NOT {null}",
        }
    if etype == "expect_column_values_to_be_between":
        lo, hi = kwargs.get("min_value"), kwargs.get("max_value")
        if (lo is None and hi is None) or (lo is not None and hi is not None and lo > hi):
            return None
        conds = []
        for v, strict, op in ((lo, "strict_min", ">"), (hi, "strict_max", "<")):
            if v is not None:
                b = _bound(v, ctype)
                if b is None:
                    return None
                conds.append(f"{q(c)} {op}{'' if kwargs.get(strict) else '='} {b}")
        return {**out, "unexpected": f"NOT ({' AND '.join(conds)})"}
    if etype in ("expect_column_values_to_be_in_set", "expect_column_values_to_not_be_in_set"):
        members = _members(kwargs.get("value_set"), ctype)
        if members is None:
            return None
        inside = f"{q(c)} IN ({members})"
        return {**out, "unexpected": f"NOT ({inside})" if etype == "expect_column_values_to_be_in_set" else inside}
    if etype == "expect_column_values_to_be_unique" and (ctype == "VARCHAR" or ctype in INTEGER):
        return {**out, "unique": c, "unexpected": None}
    if (
        etype in ("expect_column_values_to_match_regex", "expect_column_values_to_not_match_regex")
        and ctype == "VARCHAR"
        and _compiles(kwargs.get("regex"))
    ):
        found = _found(con, q(c), kwargs["regex"])
        if _few_values(con, c):  # decide each distinct value once, then look the rows' values up
            table = f"found_{next(_regex_names)}"
            con.execute(
                f"CREATE TEMP TABLE {table} AS SELECT v FROM (SELECT DISTINCT {q(c)} AS v FROM s "
                f"WHERE {q(c)} IS NOT NULL) WHERE {_found(con, 'v', kwargs['regex'])}"
            )
            found = f"{q(c)} IN (SELECT v FROM {table})"
        return {**out, "unexpected": f"NOT {found}" if etype == "expect_column_values_to_match_regex" else found}
    if (
        etype == "expect_column_pair_values_a_to_be_greater_than_b"
        and len(cols) == 2
        and kwargs.get("ignore_row_if") == "either_value_is_missing"
        and (
            types.get(cols[0]) == types.get(cols[1]) == TIMESTAMP_TZ
            or (types.get(cols[0]) in NUMBER and types.get(cols[1]) in NUMBER)
        )
    ):
        a, b = (q(x) for x in cols)
        return {
            **out,
            "counted": f"NOT {_null(cols[0], types)} AND NOT {_null(cols[1], types)}",
            "unexpected": f"NOT ({a} {'>=' if kwargs.get('or_equal') else '>'} {b})",
        }
    return None


def measure(con, jobs: list[tuple[dict, str]]) -> list[dict]:
    """For each (spec, rows it applies to): n, counted, unexpected, success and percent as GX computes them,
    and for a failure its first CITE_CAP unexpected `_row`s in release order (_order, then _row). One scan
    counts everything (each distinct count once); a uniqueness check first finds the values that repeat,
    and each failure is one more scan for its first rows."""
    if not jobs:
        return []
    preds, counts = [], {}
    for i, (sp, where) in enumerate(jobs):
        if sp["unique"]:
            _repeated_values(con, q(sp["unique"]), where, f"dup_{i}")
            sp = {**sp, "unexpected": f"{q(sp['unique'])} IN (SELECT v FROM dup_{i})"}
        three = [where, f"{where} AND {sp['counted']}", f"{where} AND {sp['counted']} AND {sp['unexpected']}"]
        for p in three:
            counts.setdefault(p, len(counts))
        preds.append((sp, three))
    got = con.execute(f"SELECT {', '.join(f'count_if({p})' for p in counts)} FROM s").fetchall()[0]
    out = []
    for sp, three in preds:
        n, counted, bad = (got[counts[p]] for p in three)
        m = {"n": n, "unexpected": bad, "first": [], **_gx_arithmetic(sp, n, counted, bad)}
        if not m["success"]:
            m["first"] = [
                r[0]
                for r in con.execute(
                    f"SELECT _row FROM s WHERE {three[2]} ORDER BY _order, _row LIMIT {CITE_CAP}"
                ).fetchall()
            ]
        out.append(m)
    return out


# A uniqueness check groups at most this many rows at once: its memory stays flat however long the table.
UNIQUE_PART_ROWS = 8_000_000


def _repeated_values(con, c: str, where: str, table: str) -> None:
    """`table`(v): the values of column c that occur more than once in the rows `where`. The hashes that
    repeat are found first (a group-by on 8 bytes, not on the text), then the values among them. Over a
    long table the hashes are written once to a file in the spill folder and grouped one slice of their
    range at a time (UNIQUE_PART_ROWS), so the group-by's memory does not grow with the table, and each
    slice reads 8 bytes a row, not the column."""
    rows = con.execute(f"SELECT count(*) FROM s WHERE {where} AND {c} IS NOT NULL").fetchall()[0][0]
    parts = -(-rows // UNIQUE_PART_ROWS)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table}_h (h UBIGINT)")
    if parts <= 1:
        con.execute(f"""INSERT INTO {table}_h SELECT hash({c}) FROM s WHERE {where} AND {c} IS NOT NULL
                        GROUP BY 1 HAVING count(*) > 1""")
    else:
        path = (
            Path(con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0]) / f"{table}_hashes.parquet"
        )
        try:
            con.execute(
                f"COPY (SELECT hash({c}) AS h FROM s WHERE {where} AND {c} IS NOT NULL) TO {literal(str(path))} "
                "(FORMAT parquet)"
            )
            for k in range(parts):
                con.execute(f"""INSERT INTO {table}_h SELECT h FROM read_parquet({literal(str(path))})
                                WHERE h % {parts} = {k} GROUP BY 1 HAVING count(*) > 1""")
        finally:
            path.unlink(missing_ok=True)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT {c} AS v FROM s WHERE {where} AND {c} IS NOT NULL AND hash({c}) IN (SELECT h FROM {table}_h)
        GROUP BY 1 HAVING count(*) > 1""")


def _gx_arithmetic(sp: dict, n: int, counted: int, bad: int) -> dict:
    """success and unexpected_percent as GX 1.24 computes them (expectation.py: _format_map_output,
    _mostly_success; not_be_null's own _validate takes every row as counted)."""
    if sp["by_nulls"]:
        success = True if n == 0 else (n - bad) / n >= sp["mostly"]
        return {"success": bool(success), "percent": bad / n * 100 if n > 0 else None}
    if n == 0 or counted == 0:
        return {"success": True, "percent": None}
    return {
        "success": bool((float(counted) - float(bad)) / float(counted) >= sp["mostly"]),
        "percent": bad / counted * 100,
    }


def cited_rows(con, rows: list[int], view_cols: list[str], types: dict) -> pd.DataFrame:
    """The cited rows, indexed by `_row`, with the pandas types one read of the whole table gives them."""
    if not rows:
        return pd.DataFrame(columns=view_cols).set_index("_row")
    ids = ", ".join(str(int(r)) for r in sorted(set(rows)))
    return as_one_pass(
        con, con.sql(f"SELECT * FROM s WHERE _row IN ({ids})").to_arrow_table().to_pandas(), types
    ).set_index("_row")


def as_one_pass(con, df: pd.DataFrame, types: dict) -> pd.DataFrame:
    """Some rows of the table typed as pandas types the whole table: an integer column holding a null
    anywhere reads as float (its values print as 3.0), even where these rows hold none."""
    ints = [c for c in df.columns if types.get(c) in INTEGER and c not in ("_row", "_order")]
    if ints:
        nulls = con.execute(f"SELECT {', '.join(f'count(*) - count({q(c)})' for c in ints)} FROM s").fetchall()[0]
        for c, k in zip(ints, nulls):
            if k and df[c].dtype.kind in "iu":
                df[c] = df[c].astype("float64")
    return df
