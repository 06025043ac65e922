"""The fact-checker's trail published beside the pages: SYNTHETIC on every row of a synthetic CSV, the
reconciliation and rejected summaries (no personal data), and manifest.json (every published file, its
SHA-256, what it rests on). Figures are checked against what the test planted or the generator's truth."""

import csv
import hashlib
import io
import json

import pandas as pd
import pytest

from pipeline.contracts import RunStatus
from pipeline.io.publish import SYNTHETIC_COLUMN, SYNTHETIC_LABEL, write_csv
from pipeline.report.manifest import published_files
from pipeline.report.trail import publish_trail

from builders import EXPORT_HEADER as HDR, TIME_FRAME, uid
from conftest import built


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_synthetic_csv_says_so_on_every_row(tmp_path):
    df = pd.DataFrame({"agency": ["Houston TX PD", "=cmd()"], "searches": [5, 7]})
    write_csv(df, tmp_path / "s.csv", synthetic=True)
    write_csv(df, tmp_path / "r.csv", synthetic=False)
    rows = list(csv.reader(io.StringIO((tmp_path / "s.csv").read_text())))
    assert rows[0] == [SYNTHETIC_COLUMN, "agency", "searches"]
    assert [r[0] for r in rows[1:]] == [SYNTHETIC_LABEL] * 2 and "SYNTHETIC" in SYNTHETIC_LABEL
    assert rows[2][1] == "'=cmd()"  # still formula-safe
    assert "SYNTHETIC" not in (tmp_path / "r.csv").read_text()  # a real release's CSV carries no label
    assert pd.read_csv(tmp_path / "r.csv").columns.tolist() == ["agency", "searches"]
    with pytest.raises(ValueError):  # never overwrite a column of data
        write_csv(pd.DataFrame({SYNTHETIC_COLUMN: [1]}), tmp_path / "x.csv", synthetic=True)
    with pytest.raises(TypeError):  # no caller may leave the label out
        write_csv(df, tmp_path / "y.csv")


def rec(i, name="***", plate="***", reason="Investigation"):
    return f'{uid(i)},{name},Houston TX PD,3,120,{TIME_FRAME},{plate},"{reason}",***,,"12/01/2025, 05:30:00 AM UTC",search,,'


# 6 records after the header: 3 searches, a repeated header, a record with a cell too few that holds a
# name and a plate, and a blank line; the bad record's cells must never reach reports/.
PLANTED = [rec(1), HDR, rec(2), rec(3, name="Wanda Leakcheck", plate="LEAK123").rsplit(",", 1)[0], "", rec(4)]


@pytest.fixture
def trail(project):
    raw = ("\n".join([HDR] + PLANTED) + "\n").encode()
    j = project({"a.csv": raw}, synthetic=True)
    built(j)
    (j.root / "reports" / j.slug / "history").mkdir(parents=True)
    (j.root / "reports" / j.slug / "history" / "0001-x.json").write_text("{}")
    (j.root / "reports" / j.slug / ".page.html.abc.tmp").write_text("scratch")
    publish_trail(j)
    return j, raw


def test_reconciliation_and_rejected_summary_are_published_without_personal_data(trail):
    j, raw = trail
    out = j.root / "reports" / j.slug
    recon = pd.read_csv(out / "reconciliation.csv", keep_default_na=False)
    assert recon[["rows_read", "searches_kept", "duplicates", "rejected"]].values.tolist() == [[6, 3, 0, 3]]
    assert (recon[SYNTHETIC_COLUMN] == SYNTHETIC_LABEL).all()
    summary = pd.read_csv(out / "rejected_summary.csv", keep_default_na=False)
    assert sorted(summary["reject_reason"].str.split(":").str[0]) == [
        "blank_row",
        "repeated_header",
        "wrong_cell_count",
    ]
    assert summary["rows"].tolist() == [1, 1, 1]
    # the citation of the record with a cell too few: its record number and the line it starts on, counted here
    line = raw[: raw.index(uid(3).encode())].count(b"\n") + 1
    bad = summary.loc[summary["reject_reason"].str.startswith("wrong_cell_count"), "first_citations"].item()
    assert bad == f"data/raw/{j.slug}/a.csv row 5, line {line}" and line == 7  # (two Time Frames above it)
    text = (out / "rejected_summary.csv").read_text() + (out / "reconciliation.csv").read_text()
    assert "Wanda Leakcheck" not in text and "LEAK123" not in text
    # (the processed rejected.csv does hold them: the summary left them out, they were there to leak)
    assert "LEAK123" in (j.root / "data/processed" / j.slug / "rejected.csv").read_text()


def test_manifest_lists_every_published_file_with_its_hash_and_what_it_rests_on(trail):
    j, raw = trail
    out = j.root / "reports" / j.slug
    m = json.loads((out / "manifest.json").read_text())
    listed = {f["path"]: f for f in m["files"]}
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert set(listed) == on_disk - {"manifest.json", ".page.html.abc.tmp"}
    assert {"reconciliation.csv", "rejected_summary.csv", "history/0001-x.json"} <= set(listed)
    for path, f in listed.items():
        assert f["sha256"] == sha(out / path) and f["bytes"] == (out / path).stat().st_size, path
    assert listed["history/0001-x.json"]["made_from"]
    assert m["made_from"]["raw_files"] == [
        {"path": f"data/raw/{j.slug}/a.csv", "sha256": hashlib.sha256(raw).hexdigest(), "bytes": len(raw)}
    ]
    processed = {p["path"]: p for p in m["made_from"]["processed"]}
    assert {f"data/processed/{j.slug}/{n}" for n in ("searches.parquet", "rejected.csv", "manifest.json")} <= set(
        processed
    )
    for path, p in processed.items():
        assert p["sha256"] == sha(j.root / path)
    assert m["synthetic"] is True and m["run_status"] == "ok" and "pipeline_commit" in m


def test_a_failed_run_leaves_no_manifest_vouching_for_mixed_pages(trail):
    j, _ = trail
    assert publish_trail(j, RunStatus.FAILED) is None
    assert not (j.root / "reports" / j.slug / "manifest.json").exists()


def test_e2e_every_jurisdiction_publishes_a_true_manifest(e2e):
    root, _, _ = e2e
    for slug in ("foster-city-ca-pd", "alvin-isd", "hostile-pd", "red-pd"):
        out = root / "reports" / slug
        m = json.loads((out / "manifest.json").read_text())
        listed = {f["path"]: f["sha256"] for f in m["files"]}
        assert set(listed) == {p.relative_to(out).as_posix() for p in published_files(out)}, slug
        assert {"01_clean.html", "run.json", "reconciliation.csv", "rejected_summary.csv"} <= set(listed), slug
        assert all(sha(out / p) == h for p, h in listed.items()), slug
    assert not (root / "reports/broken-pd/manifest.json").exists()


def test_e2e_synthetic_trail_matches_the_planted_truth(e2e):
    root, _, _ = e2e
    truth = json.loads((root / "data/raw/alvin-isd/truth.json").read_text())
    recon = pd.read_csv(root / "reports/alvin-isd/reconciliation.csv", keep_default_na=False)
    assert (recon[SYNTHETIC_COLUMN] == SYNTHETIC_LABEL).all()
    got = {
        (r.source_file.rsplit("/", 1)[-1], r.source_sheet or None): (
            r.rows_read,
            r.searches_kept,
            r.duplicates,
            r.rejected,
        )
        for r in recon.itertuples()
    }
    assert got == {
        (f["file"], f["sheet"]): (f["data_rows"], f["kept"], f["duplicates"], f["rejected"]) for f in truth["files"]
    }
    summary = pd.read_csv(root / "reports/alvin-isd/rejected_summary.csv", keep_default_na=False)
    planted = sum(f["repeated_header_rows"] for f in truth["files"])
    assert summary.set_index("reject_reason").loc["repeated_header", "rows"] == planted
    # the repeated header's citation: its record number by the csv module, its line by the raw bytes
    (name,) = [f["file"] for f in truth["files"] if f["file"].endswith(".csv")]
    raw = (root / "data/raw/alvin-isd" / name).read_bytes()
    records = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    row = next(k for k, r in enumerate(records[1:], start=2) if r == records[0])
    header = raw.split(b"\n", 1)[0]
    line = raw[: raw.index(b"\n" + header + b"\n") + 1].count(b"\n") + 1
    cite = summary.set_index("reject_reason").loc["repeated_header", "first_citations"]
    assert cite.endswith(f"{name} row {row}, line {line}") and line > row


def test_e2e_the_leak_scan_reads_the_trail_files(e2e):
    # test_published scans every text file under reports/ for plates and names: the trail's files are in it
    from test_published import report_texts, secrets_in_inputs

    root, _, _ = e2e
    scanned = {f.relative_to(root).as_posix(): text for f, text in report_texts(root)}
    trail = [
        f"reports/{s}/{n}"
        for s in ("alvin-isd", "hostile-pd", "foster-city-ca-pd")
        for n in ("reconciliation.csv", "rejected_summary.csv", "manifest.json")
    ]
    assert set(trail) <= set(scanned)
    secrets = secrets_in_inputs(root)
    assert not [(f, s) for f in trail for s in secrets if s in scanned[f]]
