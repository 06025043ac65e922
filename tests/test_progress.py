"""Long steps report progress (files done, rows, rows per second) to the terminal, prefixed with the
jurisdiction; quiet in CI and when the terminal is not a terminal."""

from __future__ import annotations

from pipeline.clean.build import build
from pipeline.io.progress import rate, reporter

from builders import EXPORT_HEADER as HDR


def _csv(first: int, n: int) -> str:
    rows = [
        f'0f8b6c1e-0000-4000-8000-{i:012d},***,Houston TX PD,3,120,"11/01/2025, 05:30:00 AM UTC\n'
        f'12/01/2025, 05:29:00 AM UTC",***,Investigation,***,,"12/01/2025, 05:30:00 AM UTC",search,,'
        for i in range(first, first + n)
    ]
    return "\n".join([HDR] + rows) + "\n"


def test_a_build_reports_files_rows_and_rates_to_the_terminal(project, capfd, monkeypatch):
    monkeypatch.setenv("PIPELINE_PROGRESS", "1")
    j = project({"a.csv": _csv(0, 5), "b.csv": _csv(5, 3)})
    build(j)
    out, err = capfd.readouterr()
    lines = [l for l in err.splitlines() if l.startswith(f"{j.slug}: ")]
    assert any("reading" in l and "a.csv (file 1 of 2)" in l for l in lines), lines
    assert any("reading" in l and "b.csv (file 2 of 2)" in l for l in lines), lines
    assert any(l.endswith("rows/s") and "5 rows (fast (pyarrow))" in l for l in lines), lines
    assert any("typed 8 rows in" in l for l in lines), lines
    assert any("8 searches, 0 duplicates, 0 rejected" in l for l in lines), lines
    assert "typed 8 rows in" in out  # the notebook (standard output) gets the same messages


def test_quiet_in_ci_and_when_switched_off(project, capfd, monkeypatch):
    j = project({"a.csv": _csv(0, 2)})
    monkeypatch.setenv("PIPELINE_PROGRESS", "0")
    build(j, force=True)
    monkeypatch.delenv("PIPELINE_PROGRESS")
    monkeypatch.setenv("CI", "true")
    build(j, force=True)
    assert f"{j.slug}: " not in capfd.readouterr().err


def test_rate_reads_as_a_sentence():
    assert rate(1_234_567, 3.2) == "1,234,567 rows in 3.2 s (385,802 rows/s)"
    said = []
    reporter("x", echo=said.append)("hello")
    assert said == ["hello"]
