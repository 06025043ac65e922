"""The index page (pipeline/report/index.py + templates/): findings first, caveats by log kind, every output
linked (found by globbing), the SYNTHETIC banner on shared agencies, hostile names escaped, older facts."""

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


def test_findings_come_first_with_each_caveat_beside_its_figure(tmp_path):
    facts = {
        "searches": 3150,
        "log_kind": "network",
        "period_words": "December 1, 2025 – January 7, 2026",
        "findings": FINDINGS,
        "caveats": CAVEATS,
    }
    page = index.write_index(tmp_path, [_entry("a-pd", "A PD", facts=facts)], generated_at="now").read_text()
    assert "<title>Flock search audits — all jurisdictions</title>" in page
    assert page.index("What this data cannot tell you") < page.index("Findings") < page.index("at a glance")
    card = page[page.index('<article class="jurisdiction real" id="j-a-pd">') : page.index("</article>")]
    assert "December 1, 2025 – January 7, 2026" in card and 'label real">REAL' in card
    first, second = card.index("3,150 searches"), card.index("U.S. Border Patrol: 357 searches")
    assert first < card.index("Each search counted once") < second  # the caveat beside its figure
    cannot = page[page.index('id="cannot-tell"') : page.index('id="findings"')]
    assert (
        "A search is not a stop" in cannot and "The log records look-ups" in cannot and "Network audit logs" in cannot
    )


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
    old_card = page[page.index('id="j-old-pd"') :]
    old_card = old_card[: old_card.index("</article>")]
    assert "Findings not yet computed" in old_card and "2024-01-01 – 2024-01-31" in old_card
    new_card = page[page.index('id="j-new-pd"') :]
    assert "Not yet computed: no figures" in new_card[: new_card.index("</article>")]
    cannot = page[page.index('id="cannot-tell"') : page.index('id="findings"')]
    assert cannot.count("Not yet computed for these logs") == 2  # portal (old facts) and network (none)


def test_every_published_file_is_linked_once_and_labelled(tmp_path):
    base = tmp_path / "a-pd"
    files = [
        "01_clean.html",
        "01_clean.code.html",
        "03_analyze.html",
        "03_analyze.code.html",
        "files.html",
        "facts.json",
        "claims.json",
        "agencies.csv",
        "reasons/no_stated_purpose.csv",
        "reasons/new_thing.csv",
        "brand_new.csv",
        "charts/top_agencies.html",
        "charts/top_agencies.png",
        "charts/top_agencies.svg",
        "charts/top_agencies.csv",
        "charts/odd_chart.png",
        "history/0001-x.json",
    ]
    _publish(base, *files)
    facts = {
        "reason_categories": [
            {
                "id": "no_stated_purpose",
                "label": "No stated purpose",
                "searches": 1,
                "share": 0.1,
                "csv": "reasons/no_stated_purpose.csv",
            }
        ]
    }
    page = index.write_index(tmp_path, [_entry("a-pd", "A PD", facts=facts)], generated_at="now").read_text()
    card = page[page.index('id="j-a-pd"') : page.index("</article>")]
    hrefs = re.findall(r'href="([^"#]+)"', card)
    assert sorted(hrefs) == sorted(f"a-pd/{f}" for f in files)  # each file once, nothing else
    assert "Searches by reason category: No stated purpose" in card  # label from facts
    assert "Searches by reason category: New thing" in card and "Brand new" in card  # default labels
    assert "Agencies that searched most" in card and ">interactive<" in card and ">data (CSV)<" in card
    assert "Odd chart" in card
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


def test_each_corpus_is_shown_beside_the_jurisdictions_with_its_figures_and_links(tmp_path):
    import json

    folder = tmp_path / "reports" / "corpora" / "six-districts"
    _publish(folder, "04_corpus.html", "04_corpus.code.html", "overlap.csv")
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
    (folder / "run.json").write_text(json.dumps({"last": {"status": "ok"}}))
    page = index.write_index(
        tmp_path / "reports", [_entry("a-pd", "A PD")], generated_at="now", corpora=index.corpus_entries(tmp_path)
    ).read_text()
    card = page[page.index('id="corpus-six-districts"') :]
    card = card[: card.index("</article>")]
    assert "Six &lt;districts&gt;" in card and "SYNTHETIC" in card and "a-isd, b-isd" in card
    assert "9,618" in card and "8,143" in card and "735" in card
    for href in re.findall(r'href="([^"#]+)"', card):  # every link leads to a file
        assert (tmp_path / "reports" / href).is_file(), href
    assert 'href="corpora/six-districts/04_corpus.html"' in card and 'href="#corpus-six-districts"' in page


def test_the_index_says_how_to_explore_every_search_and_links_the_database_only_when_built(tmp_path):
    page = index.write_index(tmp_path, [_entry("a-pd", "A PD")], generated_at="now").read_text()
    assert "make explore" in page and 'href="explore/flock.db"' not in page
    (tmp_path / "explore").mkdir()
    (tmp_path / "explore" / "flock.db").write_bytes(b"SQLite format 3\x00")
    assert (
        'href="explore/flock.db"'
        in index.write_index(tmp_path, [_entry("a-pd", "A PD")], generated_at="now").read_text()
    )
