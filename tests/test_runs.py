"""What a run decides beyond one notebook: one run of a project at a time, each jurisdiction's last real
state on the index, source notes never read, what is not read makes the verdict YELLOW, and the
searcher counts as they are."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from builders import OLD_EXPORT_HEADER
from conftest import built
from pipeline import ROOT
from pipeline.analyze import facts
from pipeline.errors import ConfigError, RunInProgress
from pipeline.run.runlock import exclusive_run
from pipeline.run.runner import run
from pipeline.validate.verdict import verdict_of

EXPORT_HEADER = OLD_EXPORT_HEADER + "\n"


def _export_row(i: int, name: str) -> str:
    return (
        f"0f8b6c1e-0000-4000-8000-0000000007{i:02d},{name},Houston TX PD,1,"
        f'"12/01/2025, 01:00:00 AM UTC\n12/02/2025, 01:00:00 AM UTC",***,theft,,,"12/02/2025, 0{i + 1}:00:00 PM UTC",search\n'
    )


def test_a_second_run_of_the_same_project_stops_and_says_one_is_running(tmp_path):
    """The lock is held by another process (as a second `make all` would find it)."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
        import time
        from pathlib import Path
        from pipeline.run.runlock import exclusive_run
        with exclusive_run(Path({str(tmp_path)!r})):
            print("held", flush=True)
            time.sleep(60)
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        (tmp_path / "jurisdictions.yml").write_text("jurisdictions: []\n")
        with pytest.raises(RunInProgress) as e:
            run(root=tmp_path, echo=lambda line: None)
        assert "Another run of this project is in progress" in str(e.value)
        assert f"process {holder.pid}" in str(e.value)
        done = subprocess.run(
            [sys.executable, "-m", "pipeline", "run", "--root", str(tmp_path)], capture_output=True, text=True, cwd=ROOT
        )
        assert done.returncode == 2 and "Another run of this project is in progress" in done.stderr
        assert (tmp_path / "reports").exists() is False  # the second run wrote nothing
    finally:
        holder.kill()
        holder.wait()
    with exclusive_run(tmp_path):  # released when the holder ended
        pass


@pytest.mark.e2e
def test_the_index_keeps_each_jurisdictions_last_state_after_a_run_of_another(e2e):
    """A run of one jurisdiction (foster-city) after the e2e run, in which broken-pd failed: the index still
    shows broken-pd's last state. (The e2e build is shared: this test costs one rerun, not two runs.)"""
    root, code, _ = e2e
    assert code == 1  # broken-pd failed in the e2e run
    lines: list[str] = []
    assert run(["foster-city-ca-pd"], root=root, echo=lines.append) == 0, lines
    index = (root / "reports/index.html").read_text()
    index = index[index.index('<details id="runs">') :]  # the runs table: one row each
    broken = index[index.index("Broken PD") :]
    broken = broken[: broken.index("</tr>")]
    assert "failed" in broken and "not a Flock search audit" in broken and "last run" in broken
    assert "never run" not in index
    record = json.loads((root / "reports/broken-pd/run.json").read_text())
    assert record["last"]["status"] == "failed" and record["last"]["notebook"] == "01_clean"


def test_source_notes_are_never_inputs(project):
    j = project(
        {
            "SOURCE.md": "# where it came from\n",
            "README.txt": "notes\n",
            "LICENSE.CC0.txt": "cc0\n",
            "notes.md": "more\n",
            "a.csv": EXPORT_HEADER + _export_row(1, "***"),
        },
        inputs=["*"],
    )
    assert [p.name for p in j.files()] == ["a.csv"]
    assert sorted(p.name for p in j.skipped_notes()) == ["LICENSE.CC0.txt", "README.txt", "SOURCE.md", "notes.md"]
    assert j.notes_skipped == ["not read as a release (source notes): LICENSE.CC0.txt, README.txt, SOURCE.md, notes.md"]
    assert built(j)["totals"]["searches"] == 1


def test_a_pattern_that_matches_only_source_notes_is_a_config_error(project):
    with pytest.raises(ConfigError, match="matches only source notes"):
        project({"SOURCE.md": "# note\n", "a.csv": EXPORT_HEADER + _export_row(1, "***")}, inputs=["*.md", "a.csv"])


def test_anything_not_read_makes_an_otherwise_green_verdict_yellow_and_names_it():
    skipped = [
        {
            "file": "data/raw/x/release.zip",
            "sheet": None,
            "member": "cover.pdf",
            "why": "not a CSV or workbook (or a system file)",
        }
    ]
    assert verdict_of([], {"skipped": []})[0] == "GREEN"
    verdict, why = verdict_of([], {"skipped": skipped})
    assert verdict == "YELLOW"
    assert why == (
        "Every check passed, but 1 sheet(s) or file(s) were not read as searches (release.zip!cover.pdf "
        "(not a CSV or workbook (or a system file))): check that none of them holds searches."
    )
    verdict, why = verdict_of([], {"skipped": skipped, "rejected_by_reason": {"wrong_cell_count": 2}})
    assert verdict == "YELLOW" and "2 row(s) were rejected" in why and "cover.pdf" in why


def test_searcher_cells_are_counted_as_they_are(project):
    """Present, masked, blank and not exported are four different things; a blank is not a mask."""
    no_name = (
        "ID,Org Name,Total Networks Searched,Time Frame,Reason,Search Time,Search Type\n"
        + '0f8b6c1e-0000-4000-8000-000000000799,Houston TX PD,1,"12/01/2025, 01:00:00 AM UTC\n12/02/2025, 01:00:00 AM UTC",theft,"12/03/2025, 01:00:00 PM UTC",search\n'
    )
    j = project(
        {
            "a.csv": EXPORT_HEADER
            + _export_row(1, "Jane Roe")
            + _export_row(2, "***")
            + _export_row(3, "***")
            + _export_row(4, "")
            + _export_row(5, ""),
            "b.csv": no_name,
        }
    )
    built(j)
    f = facts.compute(j)
    assert (
        f["searches_searcher_present"],
        f["searches_searcher_masked"],
        f["searches_searcher_blank"],
        f["searches_searcher_not_exported"],
    ) == (1, 2, 2, 1)
    assert (
        "searcher names or ids, by search: 1 with a name or id; 2 masked; 2 blank; 1 from files without that column"
        in f["notes"]
    )
    assert not any("every searcher name or id is masked" in n for n in f["notes"])
