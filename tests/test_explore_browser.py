"""The explore database in a real browser: the searches table page, a facet, a search (Playwright driving
Debian's Chromium; skipped, saying why, where either is missing)."""

import re
import shutil
import urllib.parse

import pytest

from test_explore import explore, server  # noqa: F401  (the session fixtures: one project, one server)

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def page():
    if not shutil.which(CHROMIUM):
        pytest.skip("Chromium is not installed (make browser installs it)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        pg = browser.new_page()
        yield pg
        browser.close()


def test_table_page_facet_and_search_in_a_browser(explore, server, page):  # noqa: F811
    truth = explore[1]
    page.goto(server + "flock/searches")
    assert "searches" in page.title()
    # the facet of jurisdiction lists each one; following huffman-isd's link filters the table to it
    facet = page.locator(".facet-info[data-column=jurisdiction]")
    assert facet.is_visible() and "huffman-isd" in facet.inner_text()
    facet.locator("a", has_text="huffman-isd").first.click()
    page.wait_for_load_state()
    assert "jurisdiction=huffman-isd" in page.url
    shown = page.locator("h3").first.inner_text()
    assert f"{truth['searches']:,} rows" in shown
    # the search box searches the reasons' full-text index: ice finds ICE investigation, never police
    page.fill("input#_search", "ice")
    page.press("input#_search", "Enter")
    page.wait_for_url("**_search=ice**")
    cells = page.locator("td.col-reason").all_inner_texts()
    assert any(c.startswith("ICE") for c in cells)
    assert cells and all(re.search(r"(?<![a-z0-9])ice(?![a-z0-9])", c.casefold()) for c in cells)  # no "police"
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    assert query["jurisdiction__exact"] == ["huffman-isd"]  # the facet's filter kept with the search
