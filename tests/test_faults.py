"""Faults of issue 26 outside the readers and the explorer: reserved slugs refused at `add` and at config
load, and `add` into a folder it cannot write refused in one sentence with nothing written."""

import os
import pytest
import yaml

from pipeline import project
from pipeline.config import SLUG_RE, load
from pipeline.errors import ConfigError

from test_add import FOSTER, NEW, add, refused, root, tree  # noqa: F401  (root: the fixture)

ENTRY = {"name": "X", "producer": "X PD", "log_kind": "portal", "timezone": "America/Denver", "inputs": ["*.csv"]}


@pytest.mark.parametrize("slug", ["explore", "corpora"])
def test_a_reserved_slug_is_refused_at_add_with_nothing_written(root, capsys, slug):  # noqa: F811
    message = refused(root, capsys, FOSTER, "-j", slug, *NEW)
    assert f"jurisdiction '{slug}'" in message and "reserved" in message and "reports/" in message


@pytest.mark.parametrize("slug", sorted(project.RESERVED_SLUGS))
def test_every_reserved_slug_is_refused_at_config_load(tmp_path, slug):
    (tmp_path / "data/raw" / slug).mkdir(parents=True)
    (tmp_path / "data/raw" / slug / "a.csv").write_text("id\n")
    config = tmp_path / "jurisdictions.yml"
    config.write_text(yaml.safe_dump({"jurisdictions": [{"slug": slug, **ENTRY}]}))
    with pytest.raises(ConfigError, match=f"jurisdiction '{slug}'.*reserved"):
        load(config, root=tmp_path, check_files=False)


def test_every_name_the_project_writes_beside_the_slugs_is_reserved_or_cannot_be_a_slug(tmp_path):
    """The folders and files a run, the corpus step, the index and the explorer write at the top of reports/
    and of data/ (spelled in project.py): none of them can be a jurisdiction's slug."""
    written = {
        project.explore_dir(tmp_path).name,
        project.corpus_dir(tmp_path, "x").parent.name,
        "index.html",
        "shared_agencies.csv",
        project.raw_dir(tmp_path, "x").parent.name,
        project.processed_dir(tmp_path, "x").parent.name,
        "reference",
        project.pseudonym_key_file(tmp_path).name,
    }
    for name in written:
        stem = name.lstrip(".").split(".")[0].replace("_", "-")
        assert not SLUG_RE.match(name) or name in project.RESERVED_SLUGS, name
        assert stem in project.RESERVED_SLUGS, name


def test_the_bundled_jurisdictions_use_no_reserved_slug():
    assert not {j.slug for j in load(check_files=False)} & project.RESERVED_SLUGS


def _as_a_user(monkeypatch):
    """As root a folder's mode does not stop a write (and `nobody` cannot reach this venv's Python), so the
    permission check answers as for an ordinary user: no write where no write bit is set."""
    if os.geteuid() == 0:
        real = os.access
        monkeypatch.setattr(
            os, "access", lambda p, mode: real(p, mode) and not (mode & os.W_OK and not os.stat(p).st_mode & 0o222)
        )


def test_add_into_a_read_only_folder_is_one_sentence_and_writes_nothing(root, capsys, monkeypatch):  # noqa: F811
    (root / "data/raw").mkdir(parents=True)
    (root / "data/raw").chmod(0o555)
    _as_a_user(monkeypatch)
    try:
        message = refused(root, capsys, FOSTER, "-j", "newtown-pd", *NEW)
    finally:
        (root / "data/raw").chmod(0o755)
    assert message.startswith("error: cannot write to data/raw/ (") and "nothing was added" in message
    assert "chmod u+w data/raw" in message


def test_a_folder_that_refuses_the_write_itself_is_one_sentence_too(root, capsys, monkeypatch):  # noqa: F811
    """The check passed, then the file system said no (read-only mount, EROFS): still no traceback."""
    import errno
    import shutil

    def refuse(src, dst, *a, **k):
        raise OSError(errno.EROFS, "Read-only file system", str(dst))

    monkeypatch.setattr(shutil, "copyfile", refuse)
    capsys.readouterr()
    assert add(root, FOSTER, "-j", "newtown-pd", *NEW) == 2
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and "\n" not in err and "Read-only file system" in err, err
    assert err.startswith("error: cannot write to data/raw/newtown-pd/ (")
    assert not (root / "data/raw/newtown-pd/SOURCE.md").exists()


RTL = "Hostile \u202eDP SXT\u202c Police \u2066x\u2069"  # reads "Hostile TXS PD Police x" on a page


def test_bidi_controls_are_removed_from_every_published_csv_page_table_and_the_explore_database(tmp_path):
    import duckdb
    import pandas as pd

    from pipeline.explore import columns
    from pipeline.io.publish import write_csv, write_query_csv
    from pipeline.report import show

    df = pd.DataFrame({"agency": [RTL, "=cmd\u202e"], "searches": [1, 2]})
    write_csv(df, tmp_path / "a.csv", synthetic=False)
    text = (tmp_path / "a.csv").read_text()
    assert "Hostile DP SXT Police x" in text and "'=cmd" in text
    con = duckdb.connect()
    con.register("df", df)
    write_query_csv(con, "SELECT * FROM df", tmp_path / "b.csv", synthetic=False)
    assert (tmp_path / "b.csv").read_text() == text
    page = show.table(df).data
    assert "Hostile DP SXT Police x" in page
    cols, _ = columns.load()
    select = columns.select_list(cols, {c for col in cols for c in col.reads}, synthetic=False)
    assert "regexp_replace(s.org_name" in select and "regexp_replace(s.reason_redacted" in select
    for published in (text, page):
        assert not any(ch in published for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
