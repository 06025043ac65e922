"""A run clears what a killed run left: build/running/ and the scratch files of reports/ (never published)."""

from __future__ import annotations

from pipeline.run.notebook import clear_stale, running_dir


def test_stale_scratch_files_are_cleared_and_published_files_kept(tmp_path):
    folder = tmp_path / "reports" / "x-pd"
    folder.mkdir(parents=True)
    scratch = [
        folder / ".02_validate.4242.ipynb",
        folder / ".facts.json.abc123.tmp",
        tmp_path / "reports" / ".index.html.x.tmp",
        folder / "reasons" / ".no_stated_purpose.csv.r0yy04gq.tmp",  # a kill during a reason list's write
        folder / "charts" / ".top_agencies.svg.k1.tmp",
    ]
    kept = [folder / "02_validate.ipynb", folder / "facts.json", folder / ".keep-me.txt"]
    (folder / "reasons").mkdir()
    (folder / "charts").mkdir()
    kept += [folder / "reasons" / "no_stated_purpose.csv"]
    for p in scratch + kept:
        p.write_text("x")
    (running_dir(tmp_path) / "x-pd").mkdir(parents=True)
    (running_dir(tmp_path) / "x-pd" / "01_clean.4242.ipynb").write_text("{}")
    removed = clear_stale(tmp_path, [tmp_path / "reports", folder])
    assert not any(p.exists() for p in scratch) and all(p.exists() for p in kept)
    assert not running_dir(tmp_path).exists()
    assert set(removed) == set(scratch) | {running_dir(tmp_path)}
