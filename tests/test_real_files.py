"""The real public releases give exactly the figures in ../shared/data/real/SOURCES.md.

Those figures were checked by hand against the files and their publishers; nothing here is taken from
the pipeline's own output.
"""

import pytest

from pipeline.analyze.facts import compute
from pipeline.io.hashing import sha256_file

from conftest import FIXTURES, REAL, built, read_searches

SHA = {
    "eugene-or-pd/EPDSearchAuditLogs.csv": "5423cbd85840368ad5aac09c0e9617be8a46107bd0ef598b77ba5c575df4237b",
    "belmont-ca-pd/belmont-ca-pd_search_audit.a871b2fc.csv": "746412d598703f368a58a36163419171a1fb0f3168277a18f85d36e9f36a6405",
    "foster-city-ca-pd/foster-city-ca-pd_search_audit.f5f2e2bb.csv": "158e20ddd4e2f93992cd2fc599a9677d1bb23371180253f1405c9e663285c33f",
    "okaloosa-fl-so/11_1_2025-12_8_2025-Okaloosa_County_FL_SO-Audit.pdf": "a8474f726a12d5ef99d80351783901dcbf912461d35dcd4f2c8c0a2f216d173d",
}


@pytest.mark.parametrize("path, sha", SHA.items())
def test_bundled_real_files_are_byte_identical(path, sha):
    assert sha256_file(REAL / path) == sha


def test_eugene_portal_csv(project):
    j = project(
        {"EPDSearchAuditLogs.csv": REAL / "eugene-or-pd/EPDSearchAuditLogs.csv"},
        slug="eugene-or-pd",
        timezone="America/Los_Angeles",
    )
    m = built(j)
    assert m["log_kind"] == "portal" and m["sources"][0]["detected_kind"] == "portal csv"
    df = read_searches(j)
    f = compute(j)
    assert (f["rows_read"], f["searches"], f["duplicates"], f["rejected"]) == (4294, 4294, 0, 0)
    assert df["flock_id"].nunique() == 4294
    assert f["searchers"] == 147
    assert f["first_search_utc"] == "2025-06-18T00:02:04.789000Z"
    assert f["last_search_utc"] == "2025-12-02T23:01:50.984000Z"
    assert f["agencies"] is None  # a portal export has no Org Name column
    assert (df["reason"].fillna("").str.strip() == "").sum() == 5
    assert (df["reason_clean"] == "Daytime search for best result").sum() == 182
    assert df["reason"].str.contains("+", regex=False).sum() == 160
    # cameraCount is kept as released, under its own name: it is not a count of networks
    assert (df["camera_count"] == 0).sum() == 79 and df["total_networks"].isna().all()
    # local-only: 1 to the city's 57 cameras (rules/camera_count.yml), counted here from the raw file itself
    import csv

    with open(REAL / "eugene-or-pd/EPDSearchAuditLogs.csv", newline="", encoding="utf-8") as fh:
        local = sum(1 for r in csv.DictReader(fh) if 1 <= int(r["cameraCount"]) <= 57)
    assert f["camera_count_local_only_searches"] == local and f["camera_count_zero_searches"] == 79
    # URL-encoded spaces restored in reason_clean, the released text kept in reason
    assert not df["reason_clean"].str.contains("+", regex=False).any()
    assert (df["name_state"] == "present").all() and (df["plate_state"] == "not_exported").all()
    # SOURCES.md: 0 immigration-related; traps such as "warrant service" and "call for service" stay uncounted
    assert f["immigration_searches"] == 0 and not df["immigration"].any()


def test_eugene_workbook_fixture_finds_the_83_repeated_rows(project):
    j = project(
        {"EPDSearchAuditLogs.xlsx": FIXTURES / "real/EPDSearchAuditLogs.xlsx"},
        slug="eugene-xlsx",
        timezone="America/Los_Angeles",
    )
    m = built(j)
    (src,) = m["sources"]
    assert (src["sheet"], src["rows_read"]) == ("Log", 4377)
    assert m["totals"]["searches"] == 4294 and m["totals"]["duplicates"] == 83
    skipped = {s["sheet"] for s in m["skipped"]}
    assert skipped == {"Cover", "Searches By User", "Searches By Reason", "SearchesByTimeOfDay", "SearchesOverTime"}
    assert src["extra_columns"] == ["derived-searchDatePST", "derived-timeOfDayPST", "derived-AbbrvUserId"]
    df = read_searches(j)
    # the two reasons Excel stored as numbers come back as their digits, as text
    numeric = df[df["reason"].fillna("").str.fullmatch(r"\d+")]
    assert len(numeric) == 2 and numeric["reason"].map(type).eq(str).all()


def test_belmont_portal_csv(project):
    j = project(
        {"b.csv": REAL / "belmont-ca-pd/belmont-ca-pd_search_audit.a871b2fc.csv"},
        slug="belmont-ca-pd",
        timezone="America/Los_Angeles",
    )
    built(j)
    f, df = compute(j), read_searches(j)
    assert f["searches"] == 91
    assert (f["first_search_utc"], f["last_search_utc"]) == (
        "2026-03-10T04:31:52.901000Z",
        "2026-04-08T09:07:26.657000Z",
    )
    counts = df["reason_clean"].value_counts()
    assert (counts["Investigation"], counts["BOL"], counts["Stolen"]) == (74, 10, 5)
    assert counts.filter(like="Missing Person").sum() + counts.filter(like="AMBER").sum() >= 2
    assert f["searchers"] is None and f["searches_searcher_masked"] == 91  # userId is "***"
    assert f["immigration_searches"] == 0


def test_foster_city_portal_csv(project):
    j = project(
        {"f.csv": REAL / "foster-city-ca-pd/foster-city-ca-pd_search_audit.f5f2e2bb.csv"},
        slug="foster-city-ca-pd",
        timezone="America/Los_Angeles",
    )
    built(j)
    df = read_searches(j)
    assert compute(j)["searches"] == 36 and compute(j)["immigration_searches"] == 0
    assert (df["reason"].fillna("").str.strip() == "").sum() == 1
    # reasons that look like numbers ("00074") stay text with their leading zeros
    assert "00074" in set(df["reason"])
