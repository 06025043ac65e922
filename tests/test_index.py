"""The index page (pipeline/report/index.py + templates/): the story first (lede, one comparison row per
jurisdiction, the claims with both figures when their window differs), the rest folded, files on each files
page, the SYNTHETIC banner on shared agencies, hostile names escaped, older facts."""

import re

from pipeline.report import index
from pipeline.report.outputs import in_words, outputs

FINDINGS = [
    {
        "id": "searches",
        "label": "Searches",
        "value": 3150,
        "display": "3,150 searches",
        "caveat": "Each search counted once; copies in the release dropped.",
    },
    {
        "id": "federal",
        "label": "Federal agencies",
        "value": None,
        "display": "U.S. Border Patrol: 357 searches",
        "caveat": None,
    },
]
CAVEATS = [{"title": "A search is not a stop", "text": "The log records look-ups, not what officers did next."}]


def _entry(slug, name, synthetic=False, log_kind="network", facts=None, **kw):
    e = {
        "slug": slug,
        "name": name,
        "producer": "P",
        "synthetic": synthetic,
        "log_kind": log_kind,
        "status": "ok",
        "status_note": None,
        "facts": facts,
        "claims": None,
        "skipped": [],
        "validation": None,
    }
    e.update(kw)
    return e


def _publish(base, *names):
    for name in names:
        (base / name).parent.mkdir(parents=True, exist_ok=True)
        (base / name).write_text("x")


ALVIN = {
    "log_kind": "network",
    "searches": 787900,
    "agencies": 3150,
    "immigration_searches": 640,
    "immigration_civil": 430,
    "immigration_criminal": 150,
    "immigration_unspecified": 60,
    "federal_immigration_searches": 0,
    "out_of_state_searches": 485198,
    "first_local_date": "2025-12-01",
    "last_local_date": "2026-01-07",
    "period_words": "December 1, 2025 – January 7, 2026",
    "findings": FINDINGS,
    "caveats": CAVEATS,
}
ALVIN_CLAIMS = [
    {
        "claim": "more than 733,000 searches",
        "source": "The 74",
        "fact": "searches",
        "computed": 735900,
        "holds": True,
        "window": {"start": "2025-12-01", "end": "2025-12-31"},
    },
    {
        "claim": "more than 3,100 agencies",
        "source": "The 74",
        "fact": "agencies",
        "computed": 3150,
        "holds": True,
        "window": {"start": "2025-12-01", "end": "2025-12-31"},
    },
    {"claim": "by 31 agencies", "source": "The 74", "fact": "immigration_agencies", "computed": 30, "holds": False},
]


def _row(page, slug):
    return re.search(rf'<tr class="[a-z]+" id="j-{slug}">(.*?)</tr>', page, re.S).group(1)


def test_the_index_opens_with_the_story_then_one_row_per_jurisdiction(tmp_path):
    portal = {"log_kind": "portal", "searches": 36, "agencies": None, "immigration_searches": 0}
    portal.update(first_local_date="2026-03-09", last_local_date="2026-04-05", period_words="March 9 – April 5, 2026")
    _publish(tmp_path / "alvin-isd", "03_analyze.html", "files.html", "agencies.csv", "charts/x.png")
    entries = [
        _entry("alvin-isd", "Alvin ISD", synthetic=True, facts=ALVIN, claims=ALVIN_CLAIMS),
        _entry("foster-pd", "Foster City PD", log_kind="portal", facts=portal, validation={"verdict": "GREEN"}),
    ]
    page = index.write_index(tmp_path, entries, generated_at="now").read_text()
    assert "<title>Flock search audits — all jurisdictions</title>" in page
    order = ['class="lede"', 'id="compare"', 'id="claims"', 'id="more"']
    assert [page.index(x) for x in order] == sorted(page.index(x) for x in order)
    lede = page[page.index('class="lede"') : page.index('id="compare"')]
    assert "Alvin ISD: 787,900 searches of its cameras by 3,150 agencies over December 1, 2025" in lede
    assert "(38 days)" in lede and "640 gave an immigration-related reason (430 civil, 150 criminal" in lede
    assert "Foster" not in lede  # a portal export has no outsiders' searches to tell
    assert lede.index('label synthetic">SYNTHETIC') < lede.index("Alvin ISD: 787,900")  # invented figures say so
    member = index.write_index(
        tmp_path,
        entries,
        generated_at="now",
        corpora=[
            {
                "members": ["alvin-isd"],
                "name": "C",
                "anchor": "c",
                "synthetic": True,
                "columns": [],
                "status": "ok",
                "message": None,
                "page": None,
                "files": None,
            }
        ],
    )
    member = member.read_text()
    assert "Alvin ISD: 787,900" not in member[: member.index('id="compare"')]  # told by its corpus's row
    alvin, foster = _row(page, "alvin-isd"), _row(page, "foster-pd")
    assert "Network audit" in alvin and "Transparency-portal export" in foster
    assert "December 1, 2025 – January 7, 2026 (38 days)" in alvin  # the period beside the figures
    assert "787,900" in alvin and "3,150" in alvin and "640" in alvin and "430 civil" in alvin
    assert "62% (485,198 of 787,900 searches)" in alvin  # out-of-state share: 485,198 / 787,900 = 61.6%
    assert "does not apply" in foster and "%" not in foster  # no outsiders in a producer's own log
    assert "2 of 3 hold" in alvin and "GREEN" in foster and "SYNTHETIC" in alvin and "REAL" in foster
    assert "not in release" in foster and "28 days" in foster
    # the per-file links are on the files page, not the index: only the page and "every file"
    assert re.findall(r'href="([^"#]+)"', alvin) == ["alvin-isd/03_analyze.html", "alvin-isd/files.html"]
    assert re.findall(r'href="([^"#]+)"', foster) == []  # nothing published: nothing linked


def test_a_claim_over_another_window_shows_both_figures_and_why(tmp_path):
    entries = [_entry("alvin-isd", "Alvin ISD", synthetic=True, facts=ALVIN, claims=ALVIN_CLAIMS)]
    page = index.write_index(tmp_path, entries, generated_at="now").read_text()
    claims = page[page.index('id="claims"') : page.index('id="more"')]
    rows = re.findall(r"<tr><td.*?</tr>", claims, re.S)
    assert len(rows) == 3
    assert "735,900" in rows[0] and "787,900 over the whole release" in rows[0]
    assert "December 1, 2025 – December 31, 2025" in rows[0] and "the claim counts" in rows[0]
    assert "over the whole release" not in rows[1]  # 3,150 in December and in the release: one figure
    assert "the whole release" in rows[2] and "NO" in rows[2]


def test_a_missing_figure_is_not_computed_and_287g_figures_show_only_when_computed(tmp_path):
    facts = dict(ALVIN)
    del facts["agencies"]
    page = index.write_index(tmp_path, [_entry("a", "A", facts=facts)], generated_at="now").read_text()
    assert "not computed" in _row(page, "a") and "287(g)" not in page
    facts.update(ice_287g_agencies=4, ice_287g_searches=120, ice_287g_immigration_searches=7)
    facts.update(ice_287g_list_date="2026-01-15", ice_287g_applies=True)
    page = index.write_index(tmp_path, [_entry("a", "A", facts=facts)], generated_at="now").read_text()
    row = _row(page, "a")
    assert "ICE&#39;s 287(g) list of January 15, 2026: 4 searching agencies have an agreement" in row
    assert "(120 searches, 7 immigration-related)" in row
    facts.update(ice_287g_applies=False, ice_287g_agencies=None)
    row = _row(index.write_index(tmp_path, [_entry("a", "A", facts=facts)], generated_at="now").read_text(), "a")
    assert "does not apply (the agency names are invented)" in row and "0 searching" not in row


def test_a_log_of_the_producers_own_searches_says_whether_the_producer_has_an_agreement(tmp_path):
    # A portal export names no agency: the producer itself is looked up (Eugene: not on the May 18, 2026 list)
    facts = dict(ALVIN, ice_287g_list_date="2026-05-18", ice_287g_applies=True, ice_287g_agencies=None)
    facts["ice_287g_producer"] = {"name": "Eugene Police Department", "ice_287g": False}
    row = _row(index.write_index(tmp_path, [_entry("a", "A", facts=facts)], generated_at="now").read_text(), "a")
    assert "May 18, 2026: the producer, Eugene Police Department, is not on it" in row
    facts["ice_287g_producer"] = {"name": "Bay County PD", "ice_287g": True, "ice_287g_models": "Task Force Model"}
    row = _row(index.write_index(tmp_path, [_entry("a", "A", facts=facts)], generated_at="now").read_text(), "a")
    assert "the producer, Bay County PD, has an agreement (Task Force Model)" in row


def test_older_facts_and_no_facts_say_not_yet_computed(tmp_path):
    old = {"searches": 9, "log_kind": "portal", "first_local_date": "2024-01-01", "last_local_date": "2024-01-31"}
    page = index.write_index(
        tmp_path,
        [
            _entry("old-pd", "Old PD", log_kind="portal", facts=old),
            _entry("new-pd", "New PD", facts=None, status="never run"),
        ],
        generated_at="now",
    ).read_text()
    assert "2024-01-01 – 2024-01-31 (31 days)" in _row(page, "old-pd")
    new = _row(page, "new-pd")
    assert new.count("not computed") >= 4 and ">0<" not in new
    cannot = page[page.index('id="cannot-tell"') : page.index('id="runs"')]
    assert cannot.count("Not yet computed for these logs") == 2  # portal (old facts) and network (none)


def test_the_files_of_a_jurisdiction_are_labelled_for_its_files_page(tmp_path):
    base = tmp_path / "a-pd"
    files = ["03_analyze.html", "agencies.csv", "reasons/no_stated_purpose.csv", "reasons/new_thing.csv"]
    _publish(base, *files, "charts/top_agencies.html", "charts/top_agencies.png", "history/0001-x.json")
    facts = {
        "reason_categories": [
            {"id": "no_stated_purpose", "label": "No stated purpose", "csv": "reasons/no_stated_purpose.csv"}
        ]
    }
    out = outputs(tmp_path, "a-pd", facts)
    labels = {t["name"]: t["label"] for t in out["tables"]}
    assert labels["reasons/no_stated_purpose.csv"] == "Searches by reason category: No stated purpose"
    assert labels["reasons/new_thing.csv"] == "Searches by reason category: New thing"
    assert out["charts"][0]["label"] == "Agencies that searched most"
    assert in_words("reasons_typed") == "Reasons typed"
    assert outputs(tmp_path, "missing-pd")["any"] is False


def test_hostile_names_are_escaped_everywhere(tmp_path):
    name = 'Evil <script>alert("x")</script> PD'
    facts = {
        "findings": [
            {
                "id": "x",
                "label": "<img src=x onerror=alert(1)>",
                "value": 1,
                "display": "<b>1</b>",
                "caveat": "<script>c()</script>",
            }
        ],
        "caveats": [{"title": "<i>t</i>", "text": "<u>u</u>"}],
    }
    shared = [
        {
            "org_name": "<script>org()</script>",
            "agency_state": "TX",
            "producers": [
                {"name": name, "synthetic": False, "searches": 1},
                {"name": "B", "synthetic": False, "searches": 2},
            ],
        }
    ]
    page = index.write_index(
        tmp_path,
        [_entry("evil-pd", name, producer="<script>p()</script>", facts=facts)],
        generated_at="<script>now()</script>",
        shared_agencies=shared,
    ).read_text()
    assert "<script" not in page and "<img src=x" not in page and "<b>1</b>" not in page and "<i>t</i>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page or "&lt;script&gt;alert(&quot;x&quot;)" in page
    assert 'http-equiv="Content-Security-Policy"' in page


def test_shared_agencies_carry_a_synthetic_banner_when_a_producer_is_synthetic(tmp_path):
    def shared(synthetic):
        return [
            {
                "org_name": "Texas DPS",
                "agency_state": "TX",
                "producers": [
                    {"name": "Alvin ISD", "synthetic": synthetic, "searches": 10},
                    {"name": "Eugene PD", "synthetic": False, "searches": 3},
                ],
            }
        ]

    for synthetic in (True, False):
        page = index.write_index(tmp_path, [], generated_at="now", shared_agencies=shared(synthetic)).read_text()
        section = page[page.index('id="shared-agencies"') :]
        assert ('class="synthetic-banner"' in section) is synthetic
        if synthetic:
            assert (
                "SYNTHETIC" in section[: section.index("<table")] and "Alvin ISD" in section[: section.index("<table")]
            )


def test_a_page_links_back_to_the_index_by_a_relative_href(tmp_path):
    from pipeline.report.outputs import index_href

    (tmp_path / "index.html").write_text("x")
    for page in (tmp_path / "a-pd" / "03_analyze.html", tmp_path / "a-pd" / "charts" / "top_agencies.html"):
        href = index_href(page, tmp_path)
        assert (page.parent / href).resolve() == (tmp_path / "index.html").resolve()


def _corpus_row(tmp_path, folder):
    """The index's row of the corpus published in `folder` (its facts.json written; its last run ok)."""
    import json

    (folder / "run.json").write_text(json.dumps({"last": {"status": "ok"}}))
    page = index.write_index(
        tmp_path / "reports", [_entry("a-pd", "A PD")], generated_at="now", corpora=index.corpus_entries(tmp_path)
    ).read_text()
    row = page[page.index(f'id="corpus-{folder.name}"') :]
    return row[: row.index("</tr>")]


def test_each_corpus_is_shown_beside_the_jurisdictions_with_its_figures_and_links(tmp_path):
    import json

    folder = tmp_path / "reports" / "corpora" / "six-districts"
    _publish(folder, "04_corpus.html", "04_corpus.code.html", "files.html", "overlap.csv")
    (folder / "facts.json").write_text(
        json.dumps(
            {
                "display_name": "Six <districts>",
                "synthetic": True,
                "members": ["a-isd", "b-isd"],
                "rows": 9618,
                "distinct_searches": 8143,
                "overlap_searches": 735,
            }
        )
    )
    row = _corpus_row(tmp_path, folder)
    assert "Six &lt;districts&gt;" in row and "SYNTHETIC" in row and "a-isd, b-isd" in row
    assert "8,143" in row and "735" in row and "not computed" in row  # agencies: not in its facts
    hrefs = re.findall(r'href="([^"#]+)"', row)
    assert hrefs == ["corpora/six-districts/04_corpus.html", "corpora/six-districts/files.html"]


def test_a_corpus_of_own_users_logs_says_its_figures_across_producers_do_not_apply(tmp_path):
    import json

    folder = tmp_path / "reports" / "corpora" / "bundled-real"
    _publish(folder, "04_corpus.html", "files.html")
    facts = {"display_name": "Real", "synthetic": False, "members": ["a-pd", "b-pd"], "own_logs_only": True}
    facts |= {"distinct_searches": 4385, "overlap_searches": None, "agencies": None, "immigration_searches": 0}
    (folder / "facts.json").write_text(json.dumps(facts))
    row = _corpus_row(tmp_path, folder)
    assert "4,385" in row and row.count(index.OWN_LOGS_ONLY.replace("'", "&#39;")) == 2  # overlap, agencies
    assert ">0<" in row  # a figure such logs do have is shown, zero included


def test_the_index_says_how_to_explore_every_search_and_links_the_database_only_when_built(tmp_path):
    page = index.write_index(tmp_path, [_entry("a-pd", "A PD")], generated_at="now").read_text()
    assert "make explore" in page and 'href="explore/flock.db"' not in page
    (tmp_path / "explore").mkdir()
    (tmp_path / "explore" / "flock.db").write_bytes(b"SQLite format 3\x00")
    assert (
        'href="explore/flock.db"'
        in index.write_index(tmp_path, [_entry("a-pd", "A PD")], generated_at="now").read_text()
    )


def test_a_portal_export_with_flocks_dropdown_shows_it_on_its_row(tmp_path):
    # issue 24: an export with both a free-text reason and offenseType shows both; the sentence is facts.json's
    facts = dict(
        ALVIN, offense_type_summary="12 searches of 20 have a value from Flock's dropdown, most often Fraud (5)"
    )
    row = _row(index.write_index(tmp_path, [_entry("a", "A", facts=facts)], generated_at="now").read_text(), "a")
    assert "12 searches of 20 have a value from Flock&#39;s dropdown, most often Fraud (5)" in row
    facts["offense_type_summary"] = None
    row = _row(index.write_index(tmp_path, [_entry("a", "A", facts=facts)], generated_at="now").read_text(), "a")
    assert "dropdown" not in row
