"""Row-level marks shared by every reader: repeated header rows, blank rows, extra columns."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.ingest.headers import HeaderMap, canonical_name, normalize, rules


def _norm(arr: pa.Array) -> pa.Array:
    return pc.utf8_lower(pc.utf8_trim_whitespace(pc.replace_substring_regex(arr, r"[\s_]+", " ")))


def reject_marks(cells: dict[int, pa.Array], hmap: HeaderMap, n: int) -> pa.Array | None:
    """'repeated_header' for a header row inside the data, 'blank_row' for a row of empty cells."""
    if n == 0:
        return None
    reject = [None] * n
    found = False
    # A row whose search-time cell reads like the search-time header is a header row, never a search.
    # Only a cell with no digit can (no header alias holds one, every search time does): the cheap test
    # runs on every cell, the normalising one only on the few left.
    st = hmap.columns.index("search_time")
    aliases = [normalize(a) for a in rules()["canonical"]["search_time"]]
    if any(ch.isdigit() for a in aliases for ch in a):  # (an alias with a digit: test every cell)
        undated = pc.is_valid(cells[st])
    else:
        undated = pc.invert(pc.match_substring_regex(cells[st], "[0-9]"))
    if pc.any(undated).as_py():
        where = pc.indices_nonzero(undated)
        candidates = pc.is_in(_norm(pc.take(cells[st], where)), pa.array(aliases))
        for i in pc.filter(where, candidates).to_pylist():
            row = [cells[k][i].as_py() for k in range(len(hmap.columns))]
            known = sum(1 for k, v in enumerate(row) if hmap.columns[k] and canonical_name(v) == hmap.columns[k])
            if known >= min(rules()["min_known_columns"], len(row)):
                reject[i] = "repeated_header"
                found = True
    # A blank row has a blank search-time cell, so only those rows need every cell looked at.
    blank_st = pc.equal(pc.utf8_trim_whitespace(cells[st]), "")
    if pc.any(blank_st).as_py():
        where = pc.indices_nonzero(blank_st)
        empty = None
        for k in range(len(hmap.columns)):
            e = pc.equal(pc.utf8_trim_whitespace(pc.take(cells[k], where)), "")
            empty = e if empty is None else pc.and_(empty, e)
        for i in pc.filter(where, empty).to_pylist():
            reject[i] = "blank_row"
            found = True
    return pa.array(reject, pa.string()) if found else None


def extra_json(cells: dict[int, pa.Array], hmap: HeaderMap, n: int) -> pa.Array | None:
    """Cells of columns the alias table does not know, kept per row as JSON {header: value}."""
    extra_pos = [k for k, c in enumerate(hmap.columns) if c is None]
    if not extra_pos or n == 0:
        return None
    names = [
        hmap.released[k] if k < len(hmap.released) and hmap.released[k].strip() else f"column {k + 1}"
        for k in extra_pos
    ]
    cols = [cells[k].to_pylist() for k in extra_pos]
    out = []
    for i in range(n):
        d = {name: col[i] for name, col in zip(names, cols) if col[i] not in (None, "")}
        out.append(json.dumps(d, ensure_ascii=False) if d else None)
    return pa.array(out, pa.string())
