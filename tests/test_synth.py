"""Tests of tools.synth: the files are re-read with csv / openpyxl and checked against truth.json."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import pathlib
import re
from zoneinfo import ZoneInfo

import numpy as np
import openpyxl
import pytest

from tools import synth, synth_rows
from tools.synth_names import PLACES, invent_name

UTC = dt.timezone.utc
TIME_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}), (\d{1,2}):(\d{2}):(\d{2}) (AM|PM) UTC$")
PADDED_RE = re.compile(r"^\d{2}/\d{2}/\d{4}, \d{2}:\d{2}:\d{2} [AP]M UTC$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
ALVIN_CSV = "SYNTHETIC_alvin-isd_network-audit_2025-12.csv"
ALVIN_XLSX = "SYNTHETIC_alvin-isd_network-audit_2026-01.xlsx"
HUFFMAN_CSV = "SYNTHETIC_huffman-isd_network-audit_2026-02.csv"
LEADING_SPACE_HEADER = (
    "ID, Name, Org Name, Total Networks Searched, Total Devices Searched, Time Frame, "
    "License Plate, Reason, Case #, Filters, Search Time, Search Type, Text Prompt, "
    "Moderation"
)
SUSPICIOUS = re.compile(
    r"ice|ero|immigra|hsi|cbp|dhs|usbp|287\(g|border|deport|removal|alien|notice|"
    r"police|service|license|office|justice|device|vice|icy",
    re.I,
)


def parse_time(s: str) -> dt.datetime:
    m = TIME_RE.match(s)
    assert m, s
    mo, d, y, h, mi, se, ap = m.groups()
    h = int(h) % 12 + (12 if ap == "PM" else 0)
    return dt.datetime(int(y), int(mo), int(d), h, int(mi), int(se), tzinfo=UTC)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def read_xlsx(path, sheet="Network Audit"):
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = [list(r) for r in wb[sheet].iter_rows(values_only=True)]
        names = wb.sheetnames
    finally:
        wb.close()
    return names, rows[0], rows[1:]


def records(header, rows):
    """Data rows as dicts keyed by trimmed header, repeated header rows left out."""
    keys = [h.strip() for h in header]
    return [dict(zip(keys, ["" if c is None else c for c in r])) for r in rows if r != header]


def kind_of(reason: str) -> str | None:
    if synth.CIVIL in reason:
        return "civil"
    if synth.CRIMINAL in reason:
        return "criminal"
    if reason.strip() in synth.UNSPECIFIED_TEXTS:
        return "unspecified"
    return None


def sha(path: pathlib.Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def alvin(tmp_path_factory):
    out = tmp_path_factory.mktemp("alvin")
    truth = synth.generate("alvin-isd", out, scale=0.01)
    header, rows = read_csv(out / ALVIN_CSV)
    names, xheader, xrows = read_xlsx(out / ALVIN_XLSX)
    return {
        "out": out,
        "truth": truth,
        "header": header,
        "rows": rows,
        "recs": records(header, rows),
        "sheets": names,
        "xheader": xheader,
        "xrows": xrows,
        "xrecs": records(xheader, xrows),
    }


@pytest.fixture(scope="module")
def huffman(tmp_path_factory):
    out = tmp_path_factory.mktemp("huffman")
    truth = synth.generate("huffman-isd", out, scale=0.02)
    header, rows = read_csv(out / HUFFMAN_CSV)
    return {"out": out, "truth": truth, "header": header, "rows": rows, "recs": records(header, rows)}


# ----------------------------------------------------------------------------------------------
def test_files_are_labelled_and_truth_written(alvin):
    out, truth = alvin["out"], alvin["truth"]
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted([ALVIN_CSV, ALVIN_XLSX, "SYNTHETIC.md", "truth.json"])  # no *.tmp left over
    assert json.loads((out / "truth.json").read_text()) == truth
    md = (out / "SYNTHETIC.md").read_text()
    assert "python -m tools.synth" in md and "NOT a real" in md and "The 74" in md
    assert f"seed {truth['seed']}" in md and "scale 0.01" in md
    assert truth["synthetic"] is True and truth["producer_timezone"] == "America/Chicago"
    assert [f["file"] for f in truth["files"]] == [ALVIN_CSV, ALVIN_XLSX]
    assert truth["skipped_sheets"] == [{"file": ALVIN_XLSX, "sheet": "Summary"}]


def test_csv_header_leading_spaces_and_repeated_header(alvin):
    raw_first = (alvin["out"] / ALVIN_CSV).read_text(encoding="utf-8").split("\n", 1)[0]
    assert raw_first == LEADING_SPACE_HEADER
    header, rows, f0 = alvin["header"], alvin["rows"], alvin["truth"]["files"][0]
    assert [h.strip() for h in header] == synth.HEADER and header[1] == " Name"
    at = [i for i, r in enumerate(rows) if r == header]
    assert len(at) == f0["repeated_header_rows"] == f0["rejected"] == 1
    assert 0.25 * len(rows) < at[0] < 0.75 * len(rows)
    assert all(len(r) == 14 for r in rows)
    assert len(rows) == f0["data_rows"]


def test_csv_cells_look_like_flock(alvin):
    recs = alvin["recs"]
    raw = (alvin["out"] / ALVIN_CSV).read_text(encoding="utf-8")
    assert re.search(r'"\d{1,2}/\d{1,2}/\d{4}, [^"\n]+ UTC\n\d{1,2}/\d{1,2}/\d{4}, [^"\n]+ UTC"', raw)
    producer = "Alvin ISD TX PD"
    unpadded = 0
    for r in recs:
        assert UUID_RE.match(r["ID"])
        start, end = r["Time Frame"].split("\n")
        t, s, e = parse_time(r["Search Time"]), parse_time(start), parse_time(end)
        assert s < e <= t and t - e <= dt.timedelta(minutes=3)
        assert dt.timedelta(days=1) <= t - s <= dt.timedelta(days=366)
        unpadded += not PADDED_RE.match(r["Search Time"])
        assert r["Search Type"] in synth.SEARCH_TYPES.tolist()
        if r["Search Type"] == "freeform":
            assert r["Text Prompt"] and r["Moderation"] in ("allow", "warn", "block")
        else:
            assert r["Text Prompt"] == "" and r["Moderation"] == ""
        assert 0 <= int(r["Total Networks Searched"]) <= 6000
        if r["Org Name"].strip() != producer:
            assert r["Name"] == "***" and r["License Plate"] == "***"
            assert r["Case #"] in ("***", "") and r["Filters"] in ("***", "")
        else:
            assert r["Name"] not in ("***", "")
    devs = {r["Total Devices Searched"] for r in recs}
    assert synth.DASHES in devs and "0" in devs
    assert "0" in {r["Total Networks Searched"] for r in recs}
    assert unpadded > 0.02 * len(recs)
    plates = [r["License Plate"] for r in recs if r["Org Name"].strip() == producer]
    assert any("*" in p for p in plates) and any(re.fullmatch(r"[A-Z]{3}\d{4}", p) for p in plates)
    win_lo, win_hi = dt.datetime(2025, 12, 1, 6, tzinfo=UTC), dt.datetime(2026, 1, 1, 6, tzinfo=UTC)
    assert all(win_lo <= parse_time(r["Search Time"]) < win_hi for r in recs)


def test_csv_duplicates_and_conflicts(alvin):
    recs, truth = alvin["recs"], alvin["truth"]
    f0 = truth["files"][0]
    by_id: dict[str, list[dict]] = {}
    for r in recs:
        by_id.setdefault(r["ID"], []).append(r)
    assert len(by_id) == f0["kept"]
    assert len(recs) - len(by_id) == f0["duplicates"] > 0
    conflicting = [i for i, rs in by_id.items() if len(rs) > 1 and any(x != rs[0] for x in rs)]
    assert len(conflicting) == truth["conflicting_searches"] >= 2
    for i in conflicting:
        a, b = by_id[i][:2]
        diff = [k for k in a if a[k] != b[k]]
        assert diff == ["Total Devices Searched"]
        assert abs(int(a[diff[0]]) - int(b[diff[0]])) == 1
    exact = [i for i, rs in by_id.items() if len(rs) > 1 and all(x == rs[0] for x in rs)]
    assert len(exact) >= 3


def test_xlsx_sheets_header_and_strings(alvin):
    truth, xrows = alvin["truth"], alvin["xrows"]
    assert alvin["sheets"] == ["Network Audit", "Summary"]
    assert alvin["xheader"] == synth.HEADER_13
    assert len(xrows) == truth["files"][1]["data_rows"]
    assert all(c is None or isinstance(c, str) for r in xrows for c in r)
    _, sheader, srows = read_xlsx(alvin["out"] / ALVIN_XLSX, "Summary")
    assert sheader == ["Org Name", "Count"]
    assert srows[-1][0] == "Grand Total" and srows[-1][1] == len(xrows)
    assert not any(UUID_RE.match(str(c)) for r in srows for c in r)


def test_cross_file_overlap(alvin):
    truth, recs, xrecs = alvin["truth"], alvin["recs"], alvin["xrecs"]
    first_csv: dict[str, dict] = {}
    for r in recs:
        first_csv.setdefault(r["ID"], r)
    x_ids = [r["ID"] for r in xrecs]
    both = sorted(set(first_csv) & set(x_ids))
    assert len(both) == truth["cross_file_duplicates"] > 0
    lo, hi = dt.datetime(2026, 1, 1, 0, tzinfo=UTC), dt.datetime(2026, 1, 1, 6, tzinfo=UTC)
    for r in xrecs:
        t = parse_time(r["Search Time"])
        if r["ID"] in first_csv:
            assert lo <= t < hi
            c = dict(first_csv[r["ID"]])
            del c["Total Devices Searched"]
            assert r == c  # same content apart from the missing column
        else:
            assert hi <= t < dt.datetime(2026, 1, 8, 6, tzinfo=UTC)
    in_window = {i for i, r in first_csv.items() if lo <= parse_time(r["Search Time"]) < hi}
    assert in_window == set(both)
    f1 = truth["files"][1]
    assert len(set(x_ids) - set(first_csv)) == f1["kept"]
    assert len(xrecs) - f1["kept"] == f1["duplicates"]


def test_totals_match_truth(alvin):
    truth, recs, xrecs = alvin["truth"], alvin["recs"], alvin["xrecs"]
    allrecs = recs + xrecs
    first: dict[str, dict] = {}
    for r in allrecs:
        first.setdefault(r["ID"], r)
    assert len(first) == truth["searches"]
    assert len(alvin["rows"]) + len(alvin["xrows"]) == truth["rows"]
    assert truth["duplicate_rows"] == len(allrecs) - len(first)
    orgs = {r["Org Name"].strip() for r in first.values()}
    assert len(orgs) == truth["agencies"] >= 40
    raw_orgs = {r["Org Name"] for r in allrecs}
    assert set(truth["org_names_with_spaces"]) <= raw_orgs
    for a, b in truth["agency_name_variants"]:
        assert a in orgs and b in orgs
    for name in map(
        invent_name,
        (
            "Blaine CO OK SO",
            "San Diego County CA SD",
            "Niceville FL PD",
            "Price UT PD",
            "Arlington PD (WA)",
            "Redding PD - CA",
            "CA - Napa Valley College Campus",
            "Windsor- IL- PD",
            "Georgia State Patrol GA PD",
            "Texas Dept. of Public Safety",
            "Michigan State Police",
            "MOCIC",
            "Midwest HIDTA",
            "Home Depot Corporation",
        ),
    ):
        assert name in orgs, name
    assert any(o.startswith("[Federal] ") for o in orgs) and any(o.endswith(" [Inactive]") for o in orgs)
    names = {r["Name"] for r in first.values()} - {"***", ""}
    assert len(names) == truth["searchers_present"] > 0
    times = sorted(parse_time(r["Search Time"]) for r in first.values())
    assert times[0].strftime("%Y-%m-%dT%H:%M:%SZ") == truth["first_search_utc"]
    assert times[-1].strftime("%Y-%m-%dT%H:%M:%SZ") == truth["last_search_utc"]
    assert (truth["first_local_date"], truth["last_local_date"]) == ("2025-12-01", "2026-01-07")
    fed = sum(r["Org Name"].strip().startswith("[Federal]") for r in first.values())
    assert fed == truth["federal_searches"]
    assert sum(truth["searches_by_state"].values()) == truth["searches"]
    by_date: dict[str, int] = {}
    for r in first.values():
        d = parse_time(r["Search Time"]).astimezone(ZoneInfo("America/Chicago")).date().isoformat()
        by_date[d] = by_date.get(d, 0) + 1
    assert by_date == truth["searches_by_local_date"]
    # the December CSV holds exactly the local December; the workbook adds January 1-7
    assert truth["searches_by_local_month"] == {
        "2025-12": truth["files"][0]["kept"],
        "2026-01": truth["files"][1]["kept"],
    }


def test_immigration_counts_by_reason_text(alvin):
    truth = alvin["truth"]
    first: dict[str, dict] = {}
    for r in alvin["recs"] + alvin["xrecs"]:
        first.setdefault(r["ID"], r)
    counts = {"civil": 0, "criminal": 0, "unspecified": 0}
    agencies = set()
    reasons = set()
    for r in first.values():
        k = kind_of(r["Reason"])
        if k:
            counts[k] += 1
            agencies.add(r["Org Name"].strip())
            reasons.add(r["Reason"])
    imm = truth["immigration"]
    assert counts == {k: imm[k] for k in counts}
    assert sum(counts.values()) == imm["searches"]
    assert imm["civil"] > 2 * imm["criminal"]
    assert len(agencies) == imm["agencies"] == len(imm["by_agency"])
    assert {"FL", "GA", "IN", "TN"} <= set(imm["agency_states"])
    civ = synth.CIVIL
    assert {civ, civ + " - ", civ + " - ICE detainer"} <= reasons
    assert any(r != r.rstrip() and r.rstrip() == civ for r in reasons)  # trailing spaces
    assert any(", " in r and civ in r for r in reasons)  # inside a multi-select list
    assert any(synth.CRIMINAL in r for r in reasons)
    assert set(synth.UNSPECIFIED_TEXTS) <= reasons
    # every reason that merely looks suspicious was planted (immigration or a trap)
    planted = set(imm["by_reason"]) | set(truth["traps"]) | {synth.DRUG_SLANG}
    for r in first.values():
        if SUSPICIOUS.search(r["Reason"]):
            assert r["Reason"] in planted, r["Reason"]


def test_traps_planted(alvin):
    truth = alvin["truth"]
    first: dict[str, dict] = {}
    for r in alvin["recs"] + alvin["xrecs"]:
        first.setdefault(r["ID"], r)
    got: dict[str, int] = {}
    for r in first.values():
        got[r["Reason"]] = got.get(r["Reason"], 0) + 1
    assert set(truth["traps"]) == set(synth.TRAPS)
    for text, n in truth["traps"].items():
        assert n >= 1 and got.get(text, 0) == n, text
        assert kind_of(text) is None
    assert got.get(synth.DRUG_SLANG, 0) == truth["trap_drug_slang"] >= 1


def test_background_vocabulary_is_clean():
    pools = synth_rows.reason_pools(np.random.default_rng(1))
    texts = (
        [t for t, _ in synth.FREE_TEXT]
        + [c for c, _ in synth.CATEGORIES]
        + synth.DETAILS
        + synth.TEXT_PROMPTS
        + synth.LETTERS
        + pools["dropdown"].tolist()
        + pools["cases"].tolist()
    )
    bad = [t for t in texts if SUSPICIOUS.search(t)]
    assert bad == []
    # the traps themselves are not immigration but do look suspicious to a careless matcher
    assert all(SUSPICIOUS.search(t) for t in synth.TRAPS)


def test_deterministic_and_quirks_at_min_scale(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    ta = synth.generate("alvin-isd", a, scale=0.005)
    tb = synth.generate("alvin-isd", b, scale=0.005)
    assert ta == tb
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    for n in names:
        assert sha(a / n) == sha(b / n), n
    synth.generate("alvin-isd", c, scale=0.005, seed=7)
    assert sha(a / ALVIN_CSV) != sha(c / ALVIN_CSV)
    # every quirk is present at the smallest supported scale
    f0, f1 = ta["files"]
    assert f0["repeated_header_rows"] == 1 and f0["duplicates"] > 0 and ta["conflicting_searches"] > 0
    assert ta["cross_file_duplicates"] > 0 and ta["agencies"] >= 40
    assert ta["immigration"]["civil"] > 2 * ta["immigration"]["criminal"]
    text = (a / ALVIN_CSV).read_text(encoding="utf-8")
    assert text.startswith(LEADING_SPACE_HEADER + "\n")
    # the spaced Org Name cells and the two spellings of one sheriff, with their places invented (synth_names)
    houston, pearland, harris = (PLACES[p] for p in ("Houston", "Pearland", "Harris"))
    assert synth.DASHES in text and f",{houston} TX PD ," in text and f", {pearland} TX PD," in text
    assert f"{harris} County SO (TX)" in text and f"{harris} County TX SO" in text
    assert "Houston TX PD" not in text and "Richwood" not in text
    h1 = synth.generate("huffman-isd", a / "h", scale=0.005)
    h2 = synth.generate("huffman-isd", b / "h", scale=0.005)
    assert h1 == h2 and sha(a / "h" / HUFFMAN_CSV) == sha(b / "h" / HUFFMAN_CSV)


def test_huffman(huffman):
    truth, header, rows, recs = huffman["truth"], huffman["header"], huffman["rows"], huffman["recs"]
    assert header == synth.HEADER  # no leading spaces, 14 columns
    assert all(len(r) == 14 for r in rows) and not any(r == header for r in rows)
    f0 = truth["files"][0]
    assert len(rows) == f0["data_rows"] == truth["rows"] and f0["repeated_header_rows"] == 0
    ids = [r["ID"] for r in recs]
    assert len(set(ids)) == truth["searches"] == f0["kept"]
    assert len(ids) - len(set(ids)) == f0["duplicates"] > 0
    first: dict[str, dict] = {}
    for r in recs:
        first.setdefault(r["ID"], r)
    bp = [r for r in first.values() if r["Org Name"] == "[Federal] U.S. Border Patrol"]
    assert len(bp) == truth["border_patrol"]["searches"] >= 10
    bp_imm = [r for r in bp if kind_of(r["Reason"])]
    assert len(bp_imm) == truth["border_patrol"]["immigration"] > 0
    assert {"narcotics", "Investigation"} <= {r["Reason"] for r in bp}
    imm = [r for r in first.values() if kind_of(r["Reason"])]
    assert len(imm) == truth["immigration"]["searches"]
    assert len({r["Org Name"] for r in imm}) == truth["immigration"]["agencies"] >= 2
    lo, hi = dt.datetime(2026, 2, 1, 6, tzinfo=UTC), dt.datetime(2026, 3, 1, 6, tzinfo=UTC)
    assert all(lo <= parse_time(r["Search Time"]) < hi for r in recs)
    assert (truth["first_local_date"], truth["last_local_date"]) == ("2026-02-01", "2026-02-28")
    assert truth["federal_searches"] == sum(r["Org Name"].startswith("[Federal]") for r in first.values())
    assert len({r["Org Name"].strip() for r in first.values()}) == truth["agencies"] >= 40


def test_main_cli(tmp_path, capsys):
    assert synth.main(["huffman-isd", "--out", str(tmp_path), "--scale", "0.005", "--seed", "3"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("huffman-isd:") and "rows" in out[0] and " s " in out[0]
    truth = json.loads((tmp_path / "huffman-isd" / "truth.json").read_text())
    assert truth["seed"] == 3 and truth["scale"] == 0.005
    with pytest.raises(SystemExit):
        synth.main(["nowhere-isd", "--out", str(tmp_path)])
