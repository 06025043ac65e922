"""Shared helpers: small throw-away projects (a jurisdictions.yml and raw files in a temp folder)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from pipeline import ROOT
from pipeline.build import build
from pipeline.config import load, select

REAL = ROOT / "data" / "raw"
FIXTURES = Path(__file__).parent / "fixtures"


def entry(slug: str, inputs, **kw) -> dict:
    e = {"slug": slug, "name": slug.title(), "producer": f"{slug} producer", "log_kind": "auto",
         "timezone": "America/Chicago", "inputs": list(inputs)}
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


def built(j, **kw):
    """Build a jurisdiction quietly and return its manifest."""
    return build(j, progress=lambda msg: None, **kw)


def read_searches(j):
    import pandas as pd
    return pd.read_parquet(j.root / "data" / "processed" / j.slug / "searches.parquet")
