"""Test lanes (pytest plugin, listed in pytest.ini): the markers `e2e`, `browser` and `slow`, applied here in one
place rather than in every test file.

- `e2e`: whole runs of the pipeline (papermill notebooks, kernels, HTML): the session run of conftest's `e2e`
  fixture, and the modules whose tests run projects through the runner or the command line.
- `browser`: pages loaded in Chromium (Playwright).
- `slow`: the other tests that took more than about 3 s each here (measured with `--durations`, 2 cores).

`make test-fast` runs `-m "not e2e and not browser and not slow"` (the inner loop, under 2 minutes);
`make test` runs everything.
"""

from __future__ import annotations

import pytest

MARKERS = {
    "e2e": "a whole run of the pipeline (notebooks, kernels, HTML); left out of make test-fast",
    "browser": "pages loaded in a real browser (Chromium); left out of make test-fast",
    "slow": "a test taking more than about 10 s; left out of make test-fast",
}
E2E_MODULES = {
    "test_end_to_end",
    "test_kernels",
    "test_cache",
    "test_runs",
    "test_release_changes",
    "test_published",
    "test_trail",
    "test_rerun",
    "test_corpus_run",
}
E2E_FIXTURES = {"e2e"}  # conftest's session run of the whole pipeline
E2E_CALLS = ("run_cli(",)  # a test that runs a project through `python -m pipeline run`
BROWSER_MODULES = {"test_browser", "test_explore_browser"}
# Measured (`-m "not e2e and not browser" --durations=40`, 7 December 2026, 2 shared cores): the tests over
# about 3 s, and the modules whose shared fixture builds a database or a corpus (the cost moves, not goes).
SLOW_MODULES = {
    "test_bench",
    "test_corpus_scale",
    "test_explore",
    "test_corpus_truth",
    "test_validate_engine",
    "test_cli",
}
SLOW_TESTS = {
    "test_charts::test_searches_by_state_map_offline",
    "test_charts::test_searches_by_state_map_without_searches",
    "test_charts::test_searches_per_day_synthetic",
    "test_charts::test_show_gives_nbconvert_the_alt_text",
    "test_charts::test_state_map_keeps_the_florida_keys_and_the_insets",
    "test_corpus_real::test_real_portal_logs_share_no_search",
    "test_facts_truth::test_a_window_is_the_same_figures_over_its_local_days",
    "test_facts_truth::test_each_category_has_its_published_csv_with_citations_and_no_plate",
    "test_pdf::test_okaloosa_pdf_gives_every_published_figure",
    "test_stage_units::test_a_project_folder_with_an_apostrophe_in_its_name",
    "test_synth::test_deterministic_and_quirks_at_min_scale",
    "test_validate::test_a_clean_export_is_green_and_says_what_ran",
    "test_validate::test_a_table_validated_in_slices_gives_the_result_of_the_whole_table",
    "test_validate::test_processed_suite_missing_search_times_and_wrong_types_are_red",
    "test_validate::test_the_real_eugene_file_validated_in_slices_gives_the_whole_table_result",
}


def _module(item) -> str:
    return item.module.__name__.rsplit(".", 1)[-1] if getattr(item, "module", None) else ""


def _calls(item, needles) -> bool:
    import inspect

    try:
        source = inspect.getsource(item.function)
    except (OSError, TypeError, AttributeError):
        return False
    return any(n in source for n in needles)


def lanes_of(item) -> set[str]:
    """The markers one collected test gets."""
    module, fixtures = _module(item), set(getattr(item, "fixturenames", ()))
    out = set()
    if module in BROWSER_MODULES:
        out.add("browser")
    if module in E2E_MODULES or fixtures & E2E_FIXTURES or (module != "test_cli" and _calls(item, E2E_CALLS)):
        out.add("e2e")
    if module in SLOW_MODULES or f"{module}::{getattr(item, 'originalname', item.name)}" in SLOW_TESTS:
        out.add("slow")
    return out


def pytest_configure(config):
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")


def pytest_collection_modifyitems(config, items):
    for item in items:
        for lane in sorted(lanes_of(item)):
            item.add_marker(getattr(pytest.mark, lane))
