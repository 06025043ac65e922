"""source_line: the physical line where a CSV record starts, checked against line breaks counted in the
raw bytes here (never against the reader's own arithmetic). It differs from source_row when a quoted cell
holds line breaks; sheets and PDF pages have rows, not lines, so their source_line is null."""

import re

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.ingest.csv_reader import _record_lines, read_csv
from pipeline.ingest.stage import SourceInfo

from builders import EXPORT_HEADER as HDR, TIME_FRAME, uid
from conftest import built, read_searches
from pdf_fixtures import audit_pdf, nine_rows

ONE_LINE_TF = '"11/01/2025, 05:30:00 AM UTC to 12/01/2025, 05:29:00 AM UTC"'


def rec(i: int, reason: str = "Investigation", tf: str = TIME_FRAME, t: str = "12/01/2025, 05:30:00 AM UTC") -> str:
    return f'{uid(i)},***,Houston TX PD,3,120,{tf},***,"{reason}",***,,"{t}",search,,'


def lines_by_id(raw: bytes, ids: list[str]) -> dict[str, int]:
    """Line (1-based) where each ID's record starts, found in the raw bytes: the line breaks before it
    (CR LF, LF or a lone CR: bytes.splitlines counts them as an editor does)."""
    out = {}
    for i in ids:
        at = raw.lower().index(i.lower().encode())
        out[i] = len(raw[:at].splitlines()) + 1
    return out


def lines_by_row(raw: bytes, ids: list[str], header: bool = True) -> dict[str, int]:
    """The CSV record number of each ID: its position among the IDs, after the header (row 1)."""
    return {i: k + (2 if header else 1) for k, i in enumerate(ids)}


# Rows whose cells hold no break, one LF break (Time Frame), a CR LF and a lone CR inside a reason, and
# a reason of three lines: the line numbers drift from the record numbers by a different step each time.
MIXED = [
    rec(1, tf=ONE_LINE_TF),
    rec(2),
    rec(3, reason="see\r\nnotes"),
    rec(4, reason="a\rb", tf=ONE_LINE_TF),
    rec(5, reason="one\ntwo\nthree"),
    rec(6, tf=ONE_LINE_TF),
    rec(7),
]


@pytest.mark.parametrize("terminator", ["\n", "\r\n"])
def test_line_numbers_follow_line_breaks_in_cells(project, terminator):
    raw = (terminator.join([HDR] + MIXED) + terminator).encode()
    j = project({"a.csv": raw})
    m = built(j)
    assert m["sources"][0]["reader"].startswith("fast")
    ids = [uid(i) for i in range(1, 8)]
    df = read_searches(j).set_index("flock_id")
    expected = lines_by_id(raw, ids)
    assert expected[uid(7)] > lines_by_row(raw, ids)[uid(7)] + 4  # (the fixture has drift to find)
    assert df.loc[ids, "source_line"].tolist() == [expected[i] for i in ids]
    assert df.loc[ids, "source_row"].tolist() == [lines_by_row(raw, ids)[i] for i in ids]


def test_exact_reader_gives_the_same_lines_and_cites_rejected_rows_by_line(project, tmp_path):
    # a record with a cell too few sends the file to the exact reader; it is rejected, cited by row and line
    bad = rec(9).rsplit(",", 1)[0]
    rows = MIXED[:3] + [bad] + MIXED[3:]
    raw = ("\n".join([HDR] + rows) + "\n").encode()
    j = project({"a.csv": raw})
    m = built(j)
    assert m["sources"][0]["reader"].startswith("exact")
    expected = lines_by_id(raw, [uid(i) for i in (1, 2, 3, 9, 4, 5, 6, 7)])
    df = read_searches(j).set_index("flock_id")
    assert {i: df.loc[uid(i), "source_line"] for i in (1, 2, 3, 4, 5, 6, 7)} == {
        i: expected[uid(i)] for i in (1, 2, 3, 4, 5, 6, 7)
    }
    rej = pd.read_csv(j.root / "data/processed" / j.slug / "rejected.csv")
    assert rej[["source_row", "source_line"]].values.tolist() == [[5, expected[uid(9)]]]
    # the same bytes read by the fast parser where it can (without the bad record) and forced exact agree
    good = tmp_path / "good.csv"
    good.write_bytes(("\n".join([HDR] + MIXED) + "\n").encode())
    info = SourceInfo(index=0, file="good.csv", sha256="0" * 64, bytes=good.stat().st_size, container="csv")
    fast = pa.Table.from_batches(list(read_csv(good, info))).column("source_line").to_pylist()
    exact = pa.Table.from_batches(list(read_csv(good, info, exact=True))).column("source_line").to_pylist()
    assert fast == exact == list(lines_by_id(good.read_bytes(), [uid(i) for i in range(1, 8)]).values())


def test_a_batch_boundary_keeps_counting():
    # two batches of a file: the second starts on the line after the first's last record ends
    col = pa.array(["a\nb", "c", "d\r\ne\rf"])
    first, after = _record_lines({0: col.slice(0, 2)}, 2, 2, True)
    second, end = _record_lines({0: col.slice(2)}, 1, after, True)
    assert first.to_pylist() == [2, 4] and second.to_pylist() == [5] and end == 8


def test_conflicting_copies_are_cited_by_line(project):
    # the same search twice with ±1 device: conflicts.csv cites both copies by row and line
    a = rec(1, tf=TIME_FRAME)
    b = rec(1, tf=TIME_FRAME).replace(",3,120,", ",3,121,")
    raw = ("\n".join([HDR, rec(2), a, rec(3, reason="x\ny"), b]) + "\n").encode()
    j = project({"a.csv": raw})
    built(j)
    conf = pd.read_csv(j.root / "data/processed" / j.slug / "conflicts.csv")
    starts = [m.start() for m in re.finditer(re.escape(uid(1).encode()), raw)]
    assert conf["source_line"].tolist() == [raw[:s].count(b"\n") + 1 for s in starts]
    assert conf["source_row"].tolist() == [3, 5]


def test_synthetic_release_lines_match_its_bytes(project, tmp_path):
    # the generator's release: every Time Frame spans two lines, so line and row part after the header
    from tools import synth

    truth = synth.generate("huffman-isd", tmp_path / "gen", scale=0.01)
    (name,) = [f["file"] for f in truth["files"] if f["file"].endswith(".csv")]
    raw = (tmp_path / "gen" / name).read_bytes()
    j = project({name: raw})
    built(j)
    df = read_searches(j)
    ids = df["flock_id"].dropna().sample(200, random_state=1).tolist()
    want = lines_by_id(raw, ids)
    got = dict(zip(df["flock_id"], df["source_line"]))
    assert {i: got[i] for i in ids} == want
    assert (df["source_line"] > df["source_row"]).mean() > 0.9


def test_workbook_and_pdf_rows_have_no_line(project):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HDR.split(","))
    ws.append(
        [
            uid(1),
            "***",
            "Houston TX PD",
            3,
            120,
            "11/01/2025, 05:30:00 AM UTC\n12/01/2025, 05:29:00 AM UTC",
            "***",
            "Investigation",
            "***",
            "",
            "12/01/2025, 05:30:00 AM UTC",
            "search",
            "",
            "",
        ]
    )
    path = project.root / "book.xlsx"
    wb.save(path)
    j = project({"book.xlsx": path, "audit.pdf": audit_pdf(nine_rows(3), "9")}, log_kind="network")
    built(j)
    table = pq.read_table(
        j.root / "data/processed" / j.slug / "searches.parquet", columns=["source_file", "source_row", "source_line"]
    )
    assert table.num_rows == 4 and table.column("source_line").null_count == 4
    assert table.schema.field("source_line").type == pa.int64()
