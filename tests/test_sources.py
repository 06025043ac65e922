"""Reader quirks of docs/formats.md §2-3, each on a small file made here, checked against what was planted."""

import io
import zipfile

import openpyxl
import pandas as pd
import pytest

from pipeline.errors import SourceError

from conftest import built, read_searches

from builders import EXPORT_HEADER as HDR

U1, U2, U3 = ("0f8b6c1e-0000-4000-8000-00000000000%d" % i for i in (1, 2, 3))


def row(
    uid,
    org="Houston TX PD",
    reason="Investigation",
    t="12/01/2025, 05:30:00 AM UTC",
    devices="120",
    name="***",
    plate="***",
):
    tf = '"11/01/2025, 05:30:00 AM UTC\n12/01/2025, 05:29:00 AM UTC"'
    return f'{uid},{name},{org},3,{devices},{tf},{plate},"{reason}",***,,"{t}",search,,'


def csv_text(*rows, header=HDR):
    return "\n".join(([header] if header else []) + list(rows)) + "\n"


def test_leading_space_headers_multiline_time_frame_and_local_day(project):
    header = ",".join(["ID"] + [" " + h for h in HDR.split(",")[1:]])
    j = project({"a.csv": csv_text(row(U1), row(U2, t="1/5/2026, 3:04:05 PM UTC"), header=header)})
    m = built(j)
    assert m["sources"][0]["reader"].startswith("fast")
    df = read_searches(j).set_index("flock_id")
    assert str(df.loc[U1, "searched_at_utc"]) == "2025-12-01 05:30:00+00:00"
    # 05:30 UTC on 1 December is still 30 November in Chicago: months are counted in local days
    assert str(df.loc[U1, "searched_local_date"]) == "2025-11-30"
    assert str(df.loc[U1, "time_frame_start_utc"]) == "2025-11-01 05:30:00+00:00"
    assert str(df.loc[U1, "time_frame_end_utc"]) == "2025-12-01 05:29:00+00:00"
    assert str(df.loc[U2, "searched_at_utc"]) == "2026-01-05 15:04:05+00:00"  # unpadded 12-hour time
    # rows are CSV record numbers (header = 1), as a spreadsheet shows them, whatever the line breaks in cells
    assert df.loc[U1, "source_row"] == 2 and df.loc[U2, "source_row"] == 3


def test_repeated_header_row_is_rejected_and_counted(project):
    j = project({"a.csv": csv_text(row(U1), HDR, row(U2))})
    m = built(j)
    assert m["totals"] == {"rows_read": 3, "searches": 2, "duplicates": 0, "rejected": 1, "conflicting_searches": 0}
    rej = pd.read_csv(j.root / "data/processed" / j.slug / "rejected.csv")
    assert list(rej["reject_reason"]) == ["repeated_header"] and list(rej["source_row"]) == [3]


def test_headerless_release_gets_the_standard_order(project):
    cells = [
        "***",
        "Blaine CO OK SO",
        "5",
        "——",
        '"11/01/2025, 05:30:00 AM UTC\n12/01/2025, 05:29:00 AM UTC"',
        "***",
        "stolen vehicle",
        "",
        "",
        '"12/02/2025, 10:00:00 AM UTC"',
        "search",
    ]
    j = project({"a.csv": ",".join(cells) + "\n" + ",".join(cells).replace("stolen", "found") + "\n"})
    m = built(j)
    assert m["sources"][0]["has_header"] is False
    df = read_searches(j)
    assert list(df["org_name"]) == ["Blaine CO OK SO"] * 2
    assert df["total_devices"].isna().all()  # "——" is no number
    assert set(df["search_key"].str[:2]) == {"h:"}  # no ID: keyed by a hash of the record
    assert sorted(df["source_row"]) == [1, 2]


def test_texts_that_look_like_missing_values_stay_text(project):
    reasons = ["n/a", "NA", "null", "0001", "None", "."]
    j = project(
        {
            "a.csv": csv_text(
                *[row(f"0f8b6c1e-0000-4000-8000-0000000001{i:02d}", reason=r) for i, r in enumerate(reasons)]
            )
        }
    )
    built(j)
    assert sorted(read_searches(j)["reason"]) == sorted(reasons)


def test_masks_blanks_and_columns_not_exported_are_three_states(project):
    hdr13 = HDR.replace(",Total Devices Searched", "")
    r = lambda uid, name, plate: (
        f'{uid},{name},Houston TX PD,3,"11/01/2025, 05:30:00 AM UTC\n12/01/2025, 05:29:00 AM UTC",'
        f'{plate},x,,,"12/01/2025, 05:30:00 AM UTC",search,,'
    )
    rows = [r(U1, "***", "ABC1234"), r(U2, "", "REDACTED"), r(U3, "Jane Roe", "AB*123")]
    j = project({"a.csv": csv_text(*rows, header=hdr13)})
    built(j)
    df = read_searches(j).set_index("flock_id")
    assert list(df.loc[[U1, U2, U3], "name_state"]) == ["masked", "blank", "present"]
    assert list(df.loc[[U1, U2, U3], "plate_state"]) == [
        "present",
        "masked",
        "present",
    ]  # "*" inside a plate is a wildcard
    assert df["total_devices"].isna().all()


def test_duplicates_in_one_file_and_across_files_and_conflicts(project):
    a = csv_text(row(U1), row(U1), row(U2, devices="120"))
    b = csv_text(row(U2, devices="121"), row(U3))  # U2 again, one device more: a conflicting copy
    j = project({"a.csv": a, "b.csv": b})
    m = built(j)
    recon = {
        r["source_file"].split("/")[-1]: r
        for r in pd.read_csv(j.root / "data/processed" / j.slug / "reconciliation.csv").to_dict("records")
    }
    assert (recon["a.csv"]["searches_kept"], recon["a.csv"]["duplicates"]) == (2, 1)
    assert (recon["b.csv"]["searches_kept"], recon["b.csv"]["duplicates"]) == (1, 1)
    assert all(r["rows_read"] == r["searches_kept"] + r["duplicates"] + r["rejected"] for r in recon.values())
    df = read_searches(j).set_index("flock_id")
    assert df.loc[U1, "copies"] == 2 and df.loc[U2, "copies"] == 2 and df.loc[U3, "copies"] == 1
    assert df.loc[U2, "total_devices"] == 120  # the first copy (earlier file) is kept
    assert list(df.loc[U2, "other_copies"]) == [f"data/raw/{j.slug}/b.csv row 2"]
    conflicts = pd.read_csv(j.root / "data/processed" / j.slug / "conflicts.csv")
    assert set(conflicts["search_key"]) == {U2} and sorted(conflicts["total_devices"]) == [120, 121]
    assert m["totals"]["conflicting_searches"] == 1


def test_blank_line_and_truncated_record_switch_to_the_exact_reader(project):
    text = csv_text(row(U1), "", row(U2)) + f"{U3},***,Houston TX PD,3\n"
    j = project({"a.csv": text})
    m = built(j)
    assert m["sources"][0]["reader"].startswith("exact")
    assert m["totals"]["rows_read"] == 4 and m["totals"]["searches"] == 2 and m["totals"]["rejected"] == 2
    rej = pd.read_csv(j.root / "data/processed" / j.slug / "rejected.csv")
    assert list(zip(rej["source_row"], rej["reject_reason"].str.split(":").str[0])) == [
        (3, "blank_row"),
        (5, "wrong_cell_count"),
    ]
    assert list(read_searches(j).sort_values("source_row")["source_row"]) == [2, 4]


def test_fast_and_exact_readers_agree(project):
    from pipeline.ingest.csv_reader import read_csv
    from pipeline.ingest.stage import SourceInfo
    import pyarrow as pa

    j = project({"a.csv": csv_text(row(U1), HDR, row(U2, reason="a, b"), row(U3, org="Price UT PD "))})
    path = j.files()[0]
    fast = pa.Table.from_batches(list(read_csv(path, SourceInfo(0, "a", "", 0, "csv"))))
    exact = pa.Table.from_batches(list(read_csv(path, SourceInfo(0, "a", "", 0, "csv"), exact=True)))
    assert fast.drop(["raw_record"]).equals(exact.drop(["raw_record"]))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252"])
def test_encodings(project, encoding):
    text = csv_text(row(U1, org="Cañon City CO PD", reason="café – theft"))
    j = project({"a.csv": text.encode(encoding)})
    m = built(j)
    assert m["sources"][0]["encoding"] == encoding
    df = read_searches(j)
    assert list(df["org_name"]) == ["Cañon City CO PD"] and list(df["reason"]) == ["café – theft"]


def test_windows_1252_text_found_only_past_the_first_64_kb(project):
    # The reader takes a file whose first 64 KB are UTF-8 to be UTF-8 and lets the fast parser check the
    # rest; a Windows-1252 byte far down the file must still be read as Windows-1252, by the fast reader.
    uids = ["0f8b6c1e-0000-4000-8000-%012d" % i for i in range(600)]
    text = csv_text(*[row(u) for u in uids[:-1]], row(uids[-1], reason="café – theft"))
    assert text.index("café") > 64 * 1024
    j = project({"a.csv": text.encode("cp1252")})
    m = built(j)
    assert (m["sources"][0]["encoding"], m["sources"][0]["reader"]) == ("cp1252", "fast (pyarrow)")
    df = read_searches(j)
    assert len(df) == 600 and df["reason"].iloc[-1] == "café – theft"


def test_a_byte_neither_utf8_nor_1252_past_the_first_64_kb_is_refused_by_line(project):
    uids = ["0f8b6c1e-0000-4000-8000-%012d" % i for i in range(600)]
    text = csv_text(*[row(u) for u in uids])
    data = text.encode()
    at = data.index(uids[-1].encode())  # where the last record starts
    data = data[:at] + b"\x81" + data[at:]
    line = data[:at].count(b"\n") + 1
    j = project({"a.csv": data})
    with pytest.raises(SourceError) as info:
        built(j)
    assert "neither UTF-8 nor Windows-1252" in str(info.value) and f"line {line}" in str(info.value)


def test_split_date_and_time_columns_and_underscored_headers(project):
    hdr = "Org_Name,Search Date,Search Time,Time_Frame_Start,Time_Frame_End,Reason"
    text = hdr + "\nSalem OR PD,2025-12-02,13:04:05,2025-11-01 00:00:00,2025-12-01 00:00:00,theft\n"
    j = project({"a.csv": text})
    built(j)
    df = read_searches(j)
    assert str(df.loc[0, "searched_at_utc"]) == "2025-12-02 13:04:05+00:00"
    assert str(df.loc[0, "time_frame_start_utc"]) == "2025-11-01 00:00:00+00:00"
    assert df.loc[0, "name_state"] == "not_exported"


def test_one_line_time_frame_with_to(project):
    text = csv_text(
        row(U1).replace(
            '"11/01/2025, 05:30:00 AM UTC\n12/01/2025, 05:29:00 AM UTC"',
            '"11/01/2025, 05:30:00 AM UTC to 12/01/2025, 05:29:00 AM UTC"',
        )
    )
    j = project({"a.csv": text})
    built(j)
    assert str(read_searches(j).loc[0, "time_frame_end_utc"]) == "2025-12-01 05:29:00+00:00"


def test_unparseable_time_is_rejected_with_its_row(project):
    j = project({"a.csv": csv_text(row(U1), row(U2, t="sometime in December"))})
    m = built(j)
    assert m["totals"]["rejected"] == 1
    rej = pd.read_csv(j.root / "data/processed" / j.slug / "rejected.csv")
    assert (rej.loc[0, "reject_reason"], rej.loc[0, "source_row"]) == ("unparseable_search_time", 3)


def _xlsx(rows, sheet="Audit", extra_sheet=True) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    if extra_sheet:
        pivot = wb.create_sheet("Pivot")
        pivot.append(["Row Labels", "Count of ID"])
        pivot.append(["Houston TX PD", 2])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_workbook_rows_are_spreadsheet_rows_and_pivots_are_skipped(project):
    hdr = HDR.split(",")
    data = [
        U1,
        "***",
        "Houston TX PD",
        3,
        "——",
        "11/01/2025, 05:30:00 AM UTC\n12/01/2025, 05:29:00 AM UTC",
        "***",
        1234,
        "",
        "",
        "12/01/2025, 05:30:00 AM UTC",
        "search",
        "",
        "",
    ]
    blank = [None] * len(hdr)
    j = project(
        {"a.xlsx": _xlsx([["Network audit, exported by hand"], hdr, data, blank, [U2] + data[1:], blank, blank])}
    )
    m = built(j)
    (src,) = m["sources"]
    assert (src["sheet"], src["header_row"], src["rows_read"]) == ("Audit", 2, 3)
    assert [s["sheet"] for s in m["skipped"]] == ["Pivot"]
    df = read_searches(j).sort_values("source_row")
    assert list(df["source_row"]) == [3, 5] and list(df["reason"]) == ["1234", "1234"]
    assert m["totals"]["rejected"] == 1  # the blank row between two data rows; trailing ones are padding


def test_zip_of_csv_and_workbook(project):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("release/december.csv", csv_text(row(U1), row(U2)))
        zf.writestr(
            "release/january.xlsx",
            _xlsx(
                [
                    HDR.split(","),
                    [
                        U3,
                        "***",
                        "Katy TX PD",
                        1,
                        2,
                        "",
                        "***",
                        "x",
                        "",
                        "",
                        "01/02/2026, 01:00:00 AM UTC",
                        "lookup",
                        "",
                        "",
                    ],
                ]
            ),
        )
        zf.writestr("__MACOSX/release/._december.csv", "junk")
    j = project({"release.zip": buf.getvalue()})
    m = built(j)
    assert [s["file"].split("!")[1] for s in m["sources"]] == ["release/december.csv", "release/january.xlsx"]
    assert m["totals"]["searches"] == 3
    df = read_searches(j)
    assert set(df["source_file"]) == {
        f"data/raw/{j.slug}/release.zip!release/december.csv",
        f"data/raw/{j.slug}/release.zip!release/january.xlsx",
    }


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("a.csv", b"", "empty"),
        ("a.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10, "not a text CSV"),
        ("a.csv", b"Timestamp,User,Event Type,Entity Type,Entity Details\n2025-01-01,x,add,user,y\n", "event log"),
        ("a.csv", b"Colour,Shape\nred,round\n", "not a Flock search audit"),
        ("a.xlsx", b"PK\x03\x04 this is not really a workbook", "cannot be opened"),
        ("a.zip", b"PK\x03\x04 truncated", "cannot be opened"),
        ("a.pdf", b"%PDF-1.3", "cut short"),  # PDFs are read now (tests/test_pdf.py)
        ("a.docx", b"PK\x03\x04 a letter", "not read by the pipeline"),
    ],
)
def test_unreadable_files_are_named(project, name, content, words):
    j = project({name: content})
    with pytest.raises(SourceError) as e:
        built(j)
    assert words in str(e.value) and f"data/raw/{j.slug}/{name}" in str(e.value)


def test_zip_member_escaping_the_folder_is_refused(project):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../../evil.csv", csv_text(row(U1)))
    j = project({"a.zip": buf.getvalue()})
    with pytest.raises(SourceError, match="points outside the archive"):
        built(j)
    assert not (j.root / "data" / "evil.csv").exists()


def test_searches_are_written_in_release_order(project):
    # The table is written from one scan of the typed rows, in insertion order, with no sort: file by
    # file, row by row, a later copy of a search left out and the first copy citing it.
    import pyarrow.parquet as pq

    uids = ["0f8b6c1e-0000-4000-8000-%012d" % i for i in range(14)]
    files = {
        "a.csv": csv_text(*[row(u, t=f"12/0{1 + i % 9}/2025, 05:30:00 AM UTC") for i, u in enumerate(uids[:11])]),
        "b.csv": csv_text(row(uids[11]), row(uids[12])),
        "c.csv": csv_text(row(uids[13]), row(uids[0])),
    }
    j = project(files)
    built(j)
    path = j.root / "data" / "processed" / j.slug / "searches.parquet"
    whole = pq.read_table(path)
    order = [(f.split("/")[-1], r) for f, r in zip(whole["source_file"].to_pylist(), whole["source_row"].to_pylist())]
    assert order == [("a.csv", r) for r in range(2, 13)] + [("b.csv", 2), ("b.csv", 3), ("c.csv", 2)]
    assert whole["other_copies"].to_pylist()[0] == [f"data/raw/{j.slug}/c.csv row 3"]
    assert whole["copies"].to_pylist() == [2] + [1] * 13 and whole["other_copies"].to_pylist()[1:] == [None] * 13
