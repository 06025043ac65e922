"""Shared helpers: small throw-away projects (a jurisdictions.yml and raw files in a temp folder)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import settings

from builders import OLD_EXPORT_HEADER
from pipeline import ROOT
from pipeline.clean.build import build
from pipeline.config import load, select


# Property tests draw the same examples on every run (no database, no random seed): a run never fails by
# chance, and a failure found once is found again on the next machine.
settings.register_profile("project", derandomize=True, database=None)
settings.load_profile("project")

REAL = ROOT / "data" / "raw"
FIXTURES = Path(__file__).parent / "fixtures"


def entry(slug: str, inputs, **kw) -> dict:
    e = {
        "slug": slug,
        "name": slug.title(),
        "producer": f"{slug} producer",
        "log_kind": "auto",
        "timezone": "America/Chicago",
        "inputs": list(inputs),
    }
    e.update(kw)
    return e


@pytest.fixture
def project(tmp_path):
    """project(files={name: bytes|str|Path}, slug=..., **entry) -> Jurisdiction, in a fresh temp root."""

    def make(files: dict, slug: str = "test-j", inputs=None, **kw):
        raw = tmp_path / "data" / "raw" / slug
        raw.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            p = raw / name
            p.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, Path):
                shutil.copyfile(content, p)
            elif isinstance(content, bytes):
                p.write_bytes(content)
            else:
                p.write_text(content, encoding="utf-8", newline="")
        cfg = tmp_path / "jurisdictions.yml"
        doc = yaml.safe_load(cfg.read_text()) if cfg.exists() else {"jurisdictions": []}
        doc["jurisdictions"] = [e for e in doc["jurisdictions"] if e["slug"] != slug]
        doc["jurisdictions"].append(entry(slug, inputs or sorted(files), **kw))
        cfg.write_text(yaml.safe_dump(doc, sort_keys=False))
        (j,) = select(load(cfg, root=tmp_path), [slug])
        return j

    make.root = tmp_path
    return make


# An organization audit that left searcher names and plates unmasked (they do), with free text that
# tries to run in a browser or a spreadsheet and reasons that carry personal data.
HOSTILE_ROWS = [
    ("Jane Quimby", "QZX4821", "ICE detainer Juan Testcase DOB 01/02/1980, plate QZX4821"),
    ("Jane Quimby", "KLM7734", "<script>alert('reason')</script>"),
    ("Robert Fakename", "7QWE552", '=HYPERLINK("http://example.invalid","ICE investigation")'),
    ("Robert Fakename", "***", "-2+3 stolen vehicle call 713-555-0142"),
]
HOSTILE_LEAKS = ["Jane Quimby", "Robert Fakename", "QZX4821", "KLM7734", "7QWE552", "Juan Testcase", "713-555-0142"]
# Agency names that try to run in a browser, and one that is a live spreadsheet formula.
HOSTILE_AGENCIES = ["<img src=x onerror=alert(1)> Hostile TX PD"] * 3 + ['=HYPERLINK("http://x","y") TX PD']
HOSTILE_CSV = (
    OLD_EXPORT_HEADER
    + "\n"
    + "".join(
        f'0f8b6c1e-0000-4000-8000-0000000009{i:02d},{name},"{org.replace(chr(34), chr(34) * 2)}",1,'
        f'"12/01/2025, 01:00:00 AM UTC\n12/02/2025, 01:00:00 AM UTC",{plate},"{reason.replace(chr(34), chr(34) * 2)}",'
        f'***,,"12/02/2025, 0{i + 1}:00:00 PM UTC",search\n'
        for i, ((name, plate, reason), org) in enumerate(zip(HOSTILE_ROWS, HOSTILE_AGENCIES))
    )
)


@pytest.fixture(scope="session")
def e2e(tmp_path_factory):
    """One real run of the whole pipeline (papermill notebooks, HTML, index) in a temp project holding a
    small real jurisdiction, a small synthetic one and a broken one. Returns (root, exit code, printed lines)."""
    from tools import synth
    from pipeline.run.runner import run

    root = tmp_path_factory.mktemp("e2e")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    raw = root / "data/raw/foster-city-ca-pd"
    raw.mkdir(parents=True)
    shutil.copyfile(REAL / "foster-city-ca-pd/foster-city-ca-pd_search_audit.f5f2e2bb.csv", raw / "f.csv")
    truth = synth.generate("alvin-isd", root / "data/raw/alvin-isd", scale=0.01)
    red = root / "data/raw/red-pd"
    red.mkdir(parents=True)
    shutil.copyfile(REAL / "belmont-ca-pd/belmont-ca-pd_search_audit.a871b2fc.csv", red / "b.csv")
    hostile = root / "data/raw/hostile-pd"
    hostile.mkdir(parents=True)
    # released as a zip with a cover letter beside the audit: the letter is not read, and the run says so
    with zipfile.ZipFile(hostile / "org-audit.zip", "w") as zf:
        zf.writestr("org-audit.csv", HOSTILE_CSV)
        zf.writestr("cover-letter.docx", b"PK\x03\x04 a letter, not an audit")
    (hostile / "SOURCE.md").write_text("Released by Hostile PD; inputs ['*'] matches this note too.\n")
    broken = root / "data/raw/broken-pd"
    broken.mkdir(parents=True)
    (broken / "b.csv").write_text("Colour,Shape\nred,round\n")
    entries = [
        {
            "slug": "foster-city-ca-pd",
            "name": "Foster City PD",
            "producer": "Foster City Police Department",
            "log_kind": "portal",
            "timezone": "America/Los_Angeles",
            "producer_state": "CA",
            "inputs": ["f.csv"],
        },
        {
            "slug": "alvin-isd",
            "name": "Alvin ISD (synthetic)",
            "producer": "Alvin Independent School District",
            "log_kind": "network",
            "timezone": "America/Chicago",
            "producer_state": "TX",
            "synthetic": True,
            "inputs": list(dict.fromkeys(f["file"] for f in truth["files"])),
            # at 1 % scale the first claim cannot hold and the second must: the run reports both
            "claims": [
                {"claim": "more than 733,000 searches", "fact": "searches", "test": "greater_than", "value": 733000},
                {
                    "claim": "agencies in Florida, Georgia, Indiana and Tennessee",
                    "fact": "immigration_states",
                    "test": "contains_all",
                    "value": ["FL", "GA", "IN", "TN"],
                },
            ],
        },
        {
            "slug": "hostile-pd",
            "name": "Hostile <b>PD</b>",
            "producer": "Hostile PD",
            "log_kind": "organization",
            "timezone": "America/Chicago",
            "producer_state": "TX",
            "inputs": ["*"],
        },
        # a release whose searches all fall outside the period it claims to cover: validation is RED
        {
            "slug": "red-pd",
            "name": "Red PD",
            "producer": "Red PD",
            "log_kind": "portal",
            "timezone": "America/Los_Angeles",
            "inputs": ["b.csv"],
            "period": {"start": "2024-01-01", "end": "2024-01-31"},
        },
        {
            "slug": "broken-pd",
            "name": "Broken PD",
            "producer": "Broken PD",
            "log_kind": "auto",
            "timezone": "America/Chicago",
            "inputs": ["b.csv"],
        },
    ]
    (root / "jurisdictions.yml").write_text(yaml.safe_dump({"jurisdictions": entries}, sort_keys=False))
    lines: list[str] = []
    code = run(root=root, jobs=2, echo=lines.append)
    return root, code, lines


def built(j, **kw):
    """Build a jurisdiction quietly and return its manifest."""
    return build(j, progress=lambda msg: None, **kw)


def read_searches(j):
    import pandas as pd

    return pd.read_parquet(j.root / "data" / "processed" / j.slug / "searches.parquet")
