"""The most common reasons as typed are grouped ignoring case, spaces and trailing punctuation, with every
variant as typed listed (issue 23 item 10), checked against the real Eugene file read independently; and a
release of one file is never called partial."""

from __future__ import annotations

import re

import pandas as pd
from conftest import REAL, built

from pipeline.analyze import tables

EUGENE = REAL / "eugene-or-pd" / "EPDSearchAuditLogs.csv"


def _decoded(reason: str) -> str:
    """The portal writes some reasons URL-encoded ("Person+Crime"); the pipeline reads them decoded."""
    return reason.replace("+", " ")


def _key(reason: str) -> str:
    """The grouping, written again here in Python: lower case, runs of spaces as one, trailing punctuation off."""
    spaced = re.sub(r"\s+", " ", _decoded(reason).strip()).lower()
    return spaced.rstrip(".,;:!?-–— ") or spaced  # "." alone stays itself, not a blank


def test_reasons_typed_alike_are_one_reason_with_their_variants(project):
    j = project({EUGENE.name: EUGENE}, slug="eugene-or-pd", inputs=[EUGENE.name], timezone="America/Los_Angeles")
    built(j)
    typed = tables.reasons_typed(j)
    raw = pd.read_csv(EUGENE, dtype=str, keep_default_na=False)["reason"]
    groups = raw[raw.str.strip() != ""].map(_key).value_counts()
    top = typed.head(5)
    # Each of the five most common reasons counts every spelling of it in the raw file.
    for reason, searches in zip(top["reason"], top["searches"]):
        assert searches == groups[_key(reason)], reason
    assert len(set(map(_key, typed["reason"].dropna()))) == typed["reason"].notna().sum()  # no group twice
    person = typed[typed["reason"].map(lambda r: isinstance(r, str) and _key(r) == "person crime")].iloc[0]
    variants = dict(re.findall(r"(.+?) \(([\d,]+)\)(?: \| |$)", person["variants"]))
    assert set(variants) == set(raw[raw.map(_key) == "person crime"].map(_decoded)) and len(variants) > 1
    assert sum(int(n.replace(",", "")) for n in variants.values()) == person["searches"]
    # One file alone is the release: not partial, whatever days it covers.
    assert not tables.release_coverage(j)["partial"].any()
