"""`python -m pipeline add`: a release copied byte-identical and recorded, or refused with nothing written."""

import shutil
import sys
from pathlib import Path

import pytest
import yaml

from pipeline import ROOT
from pipeline.cli import main
from pipeline.config import load
from pipeline.errors import SourceError
from pipeline.io.hashing import sha256_file

from conftest import REAL, built

FOSTER = REAL / "foster-city-ca-pd/foster-city-ca-pd_search_audit.f5f2e2bb.csv"
BELMONT = REAL / "belmont-ca-pd/belmont-ca-pd_search_audit.a871b2fc.csv"
NEW = ["--name", "Newtown PD", "--producer", "Newtown Police Department", "--timezone", "America/Los_Angeles"]


@pytest.fixture
def root(tmp_path):
    """A project holding the repository's own jurisdictions.yml (with its comments) and nothing else."""
    r = tmp_path / "project"
    r.mkdir()
    shutil.copyfile(ROOT / "jurisdictions.yml", r / "jurisdictions.yml")
    return r


def tree(folder):
    """Every file under the folder with its SHA-256: what 'nothing was written' is checked against."""
    return {str(p.relative_to(folder)): sha256_file(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def add(root, *args):
    return main(["add", *map(str, args), "--root", str(root)])


def test_a_new_jurisdiction_gets_its_files_source_md_and_entry_with_every_comment_kept(root, capsys):
    before = (root / "jurisdictions.yml").read_text()
    assert (
        add(
            root,
            FOSTER,
            "-j",
            "newtown-pd",
            *NEW,
            "--received",
            "2026-04-14",
            "--request",
            "W012541-041426",
            "--note",
            "sent by email",
        )
        == 0
    )
    copied = root / "data/raw/newtown-pd" / FOSTER.name
    assert copied.read_bytes() == FOSTER.read_bytes()
    source = (root / "data/raw/newtown-pd/SOURCE.md").read_text()
    for text in (
        f"`{FOSTER.name}`",
        f"Bytes: {FOSTER.stat().st_size:,}",
        sha256_file(FOSTER),
        "Received: 2026-04-14",
        "Request: W012541-041426",
        "Note: sent by email",
        "Added: 20",
    ):
        assert text in source
    after = (root / "jurisdictions.yml").read_text()
    assert after.startswith(before.rstrip("\n") + "\n")  # every comment and entry as it was, in order
    assert "# Keys (anything else is an error):" in after and "# What The 74 and The Guardian published" in after
    (j,) = [j for j in load(root / "jurisdictions.yml", root=root, check_files=False) if j.slug == "newtown-pd"]
    assert (j.name, j.producer, j.timezone, j.log_kind, j.inputs) == (
        "Newtown PD",
        "Newtown Police Department",
        "America/Los_Angeles",
        "auto",
        (FOSTER.name,),
    )
    assert j.files() == [copied]
    out = capsys.readouterr().out
    python = Path(sys.executable)
    python = python.relative_to(Path.cwd()) if python.is_relative_to(Path.cwd()) else python
    assert out.strip().splitlines()[-1] == f"next: {python} -m pipeline run --jurisdiction newtown-pd --root {root}"


def test_a_second_release_is_listed_only_where_no_pattern_matches_it(root, tmp_path):
    assert add(root, FOSTER, "-j", "newtown-pd", *NEW) == 0
    cfg = root / "jurisdictions.yml"
    cfg.write_text(cfg.read_text().replace(f"inputs: [{FOSTER.name}]", 'inputs: ["*_audit.*.csv"]  # every month'))
    monthly = tmp_path / "newtown_2026-05_audit.b2.csv"  # matched by the pattern: inputs unchanged
    shutil.copyfile(BELMONT, monthly)
    assert add(root, monthly, "-j", "newtown-pd") == 0
    assert 'inputs: ["*_audit.*.csv"]  # every month' in cfg.read_text()
    other = tmp_path / "newtown-june.csv"  # not matched: added to the inputs
    other.write_bytes(BELMONT.read_bytes().replace(b"\n", b"\r\n"))
    assert add(root, other, "-j", "newtown-pd") == 0
    assert "# every month" in cfg.read_text()
    (j,) = [j for j in load(cfg, root=root, check_files=False) if j.slug == "newtown-pd"]
    assert j.inputs == ("*_audit.*.csv", "newtown-june.csv")
    assert [p.name for p in j.files()] == sorted([FOSTER.name, monthly.name]) + ["newtown-june.csv"]
    assert (root / "data/raw/newtown-pd/SOURCE.md").read_text().count("- SHA-256: ") == 3


def test_the_same_bytes_again_are_a_no_op_and_said_so(root, capsys):
    assert add(root, FOSTER, "-j", "newtown-pd", *NEW) == 0
    before = tree(root)
    capsys.readouterr()
    assert add(root, FOSTER, "-j", "newtown-pd") == 0
    out = capsys.readouterr().out
    assert "with the same bytes: not copied again" in out and "nothing to do" in out
    assert tree(root) == before


def refused(root, capsys, *args) -> str:
    """Run add, expect exit 2 with one message and nothing written; return the message."""
    before = tree(root)
    capsys.readouterr()
    assert add(root, *args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in err, err
    assert tree(root) == before
    return err


def test_a_file_a_run_cannot_read_is_refused_with_the_runs_message(root, tmp_path, capsys, project):
    bad = tmp_path / "shapes.csv"
    bad.write_text("Colour,Shape\nred,round\n")
    message = refused(root, capsys, bad, "-j", "newtown-pd", *NEW)
    assert not (root / "data/raw/newtown-pd").exists()
    j = project({"shapes.csv": bad})  # the same file in a run
    with pytest.raises(SourceError) as e:
        built(j)
    run_says = str(e.value).split(": ", 1)[1]  # after the file's name
    assert message == f"error: {bad}: {run_says}"


def test_a_pdf_named_csv_among_good_files_stops_every_file(root, tmp_path, capsys):
    pdf = tmp_path / "march.csv"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    message = refused(root, capsys, FOSTER, pdf, "-j", "newtown-pd", *NEW)
    assert "this is a PDF document, not a text CSV file" in message and str(pdf) in message


def test_an_overwrite_with_other_bytes_is_refused(root, tmp_path, capsys):
    assert add(root, FOSTER, "-j", "newtown-pd", *NEW) == 0
    corrected = tmp_path / FOSTER.name
    corrected.write_bytes(BELMONT.read_bytes())
    message = refused(root, capsys, corrected, "-j", "newtown-pd")
    assert f"data/raw/newtown-pd/{FOSTER.name} already exists with other bytes" in message
    assert "never overwritten" in message
    assert (root / "data/raw/newtown-pd" / FOSTER.name).read_bytes() == FOSTER.read_bytes()


def test_a_bad_slug_is_refused_with_the_configs_message(root, capsys):
    message = refused(root, capsys, FOSTER, "-j", "Newtown_PD", *NEW)
    assert message == (
        "error: jurisdiction 'Newtown_PD': the slug must be lower-case letters, digits and single "
        "hyphens (e.g. 'alvin-isd')."
    )


def test_a_missing_time_zone_is_asked_for_never_guessed(root, capsys):
    message = refused(root, capsys, FOSTER, "-j", "newtown-pd", "--name", "Newtown PD", "--producer", "Newtown PD")
    assert "give --timezone" in message and "never guessed" in message


def test_a_time_zone_that_is_not_iana_is_refused(root, capsys):
    message = refused(
        root, capsys, FOSTER, "-j", "newtown-pd", "--name", "N", "--producer", "N", "--timezone", "Pacific Time"
    )
    assert "time zone 'Pacific Time' is not an IANA zone" in message


def test_an_existing_entry_is_never_changed_by_add(root, capsys):
    message = refused(root, capsys, FOSTER, "-j", "eugene-or-pd", "--timezone", "America/Denver")
    assert "--timezone 'America/Denver' (the entry says 'America/Los_Angeles')" in message


def test_an_existing_entry_gives_the_time_zone(root):
    assert add(root, FOSTER, "-j", "eugene-or-pd") == 0
    doc = yaml.safe_load((root / "jurisdictions.yml").read_text())
    (e,) = [e for e in doc["jurisdictions"] if e["slug"] == "eugene-or-pd"]
    assert e["inputs"] == ["EPDSearchAuditLogs.csv", FOSTER.name] and e["timezone"] == "America/Los_Angeles"


def test_a_name_that_looks_like_a_pattern_is_listed_so_that_it_matches_itself_only(root, tmp_path):
    odd = tmp_path / "audit [2026-05].csv"
    shutil.copyfile(BELMONT, odd)
    assert add(root, odd, "-j", "newtown-pd", *NEW) == 0
    (j,) = [j for j in load(root / "jurisdictions.yml", root=root, check_files=False) if j.slug == "newtown-pd"]
    assert j.files() == [root / "data/raw/newtown-pd" / odd.name]


def test_a_file_laid_out_otherwise_keeps_its_layout(tmp_path):
    root = tmp_path / "p"
    root.mkdir()
    text = (
        "# my comment\njurisdictions:\n- slug: y-pd\n  name: Y\n  producer: Y\n  log_kind: auto\n"
        "  timezone: UTC\n  inputs:\n  - a.csv  # the first month\n"
    )
    (root / "jurisdictions.yml").write_text(text)
    assert add(root, FOSTER, "-j", "y-pd") == 0
    assert (root / "jurisdictions.yml").read_text() == text + f"  - {FOSTER.name}\n"
    assert add(root, BELMONT, "-j", "z-pd", "--name", "Z", "--producer", "Z", "--timezone", "UTC") == 0
    after = (root / "jurisdictions.yml").read_text()
    assert after.startswith(text + f"  - {FOSTER.name}\n- slug: z-pd\n  name: Z\n")


def test_a_bad_date_and_a_missing_file_are_refused(root, tmp_path, capsys):
    assert "--received '14/04/2026' is not a date" in refused(
        root, capsys, FOSTER, "-j", "newtown-pd", *NEW, "--received", "14/04/2026"
    )
    assert f"{tmp_path / 'nope.csv'}: no such file" in refused(
        root, capsys, tmp_path / "nope.csv", "-j", "newtown-pd", *NEW
    )


def test_generated_files_go_only_to_a_synthetic_jurisdiction(root, tmp_path, capsys):
    fake = tmp_path / "SYNTHETIC_newtown_2026-01.csv"
    shutil.copyfile(FOSTER, fake)
    assert "pass --synthetic" in refused(root, capsys, fake, "-j", "newtown-pd", *NEW)
    assert "not a synthetic jurisdiction" in refused(root, capsys, fake, "-j", "eugene-or-pd")
    assert add(root, fake, "-j", "newtown-pd", *NEW, "--synthetic") == 0
    assert "SYNTHETIC data" in (root / "data/raw/newtown-pd/SOURCE.md").read_text()
