"""The cleaning SQL's shortcuts give exactly what the rule they stand in for gives.

`collapse_spaces` runs the whitespace regex only on cells where it can change something; here every
cell is also put through the regex itself (RE2's \\s+ -> ' '), the independent reference."""

from __future__ import annotations

import duckdb
import pytest

from pipeline.clean.parse import collapse_spaces

CELLS = [
    "",
    " ",
    "  ",
    "ICE",
    "ice  detainer",
    " ice ",
    "a\tb",
    "a\nb",
    "a\r\nb",
    "a\fb",
    "a\vb",
    "a \t b",
    "civil  immigration\n",
    "\u00a0nbsp\u00a0",
    "a\u2003b",
    "x" * 500 + "  " + "y",
    "one space only",
    None,
    "+plus+signs+",
    "tab\tat\tend\t",
    "\r",
    "\n\n\n",
    "mixed \t\r\n\f all",
]


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    c.execute("CREATE TABLE cells (k INTEGER, reason VARCHAR)")
    c.executemany("INSERT INTO cells VALUES (?, ?)", list(enumerate(CELLS)))
    yield c
    c.close()


def test_collapse_spaces_equals_the_regex_on_every_cell(con):
    rows = con.execute(f"""SELECT k, reason, {collapse_spaces("reason")} AS fast,
                                  regexp_replace(reason, '\\s+', ' ', 'g') AS rule FROM cells ORDER BY k""").fetchall()
    assert len(rows) == len(CELLS)
    differ = [(r[1], r[2], r[3]) for r in rows if r[2] != r[3]]
    assert not differ, differ
    # the shortcut must really have been exercised both ways: some cells changed, some left alone
    assert any(r[1] is not None and r[3] != r[1] for r in rows) and any(r[3] == r[1] for r in rows)
