"""What 04_corpus shows: the corpus entry, its banner, and its figures as sentences (nothing computed here)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from IPython.display import HTML, Markdown

from pipeline import ROOT
from pipeline.analyze.words import period_words
from pipeline.config import Corpus, load_corpora
from pipeline.errors import ConfigError
from pipeline.report.show import md_escape, claims_table as _claims_table


def corpus(name: str, config: str = "", root: str = "") -> Corpus:
    root_path = Path(root).resolve() if root else ROOT
    if config and not Path(config).is_absolute():
        config = str(root_path / config)
    found = [c for c in load_corpora(config or None, root=root_path, check_files=False) if c.name == name]
    if not found:
        raise ConfigError(f"no corpus named '{name}' in jurisdictions.yml.")
    return found[0]


def banner(c: Corpus):
    members = ", ".join(f"{m.name} ({m.slug})" for m in c.members)
    if c.synthetic:
        return HTML(
            '<div style="background:#b00020;color:#fff;padding:10px;font-weight:bold;font-size:1.1em">'
            "SYNTHETIC DATA: a corpus of generated logs with planted truth. Not real public-records "
            f"releases; no figure here describes real searches.</div><p>Members: {md_escape(members)}</p>"
        )
    return Markdown(f"**Real releases.** Members: {md_escape(members)}")


# How a search's copies were linked, in words (facts.json "searches_by_link" keys).
LINK_WORDS = {
    "id": "by Flock ID alone",
    "id_and_fingerprint": "by Flock ID, with ID-less copies joined by the fingerprint",
    "fingerprint": "by the fingerprint alone (no copy has a Flock ID)",
    "id_less_single": "without a Flock ID, in one log only",
}


def link_table(f: dict) -> pd.DataFrame:
    """Distinct searches by how their copies were linked, in words (not the internal keys)."""
    return pd.DataFrame(
        [(LINK_WORDS.get(k, k.replace("_", " ")), n) for k, n in f["searches_by_link"].items()],
        columns=["linked", "distinct searches"],
    )


LOG_KIND_WORDS = {"network": "network audit", "organization": "organization audit", "portal": "portal export"}


def sentences(f: dict, producers: pd.DataFrame | None = None) -> list[str]:
    """The corpus figures in words; for a corpus of own-users logs (f["own_logs_only"]), only what such logs
    can tell, from the per-log table `producers`: no figure across producers is said, not even as zero."""
    if f.get("own_logs_only"):
        return _own_logs_sentences(f, producers)
    links = f["searches_by_link"]
    linked = links["id_and_fingerprint"] + links["fingerprint"]
    over = f"Over {f['period_words']} (UTC days), " if f.get("period_words") else ""
    return [
        f"{over}{f['rows']:,} rows across {len(f['members'])} producers' logs are {f['distinct_searches']:,} distinct "
        f"searches ({f['rows_per_search']} rows per search); {f['overlap_searches']:,} of them appear in more "
        f"than one producer's log, the most-shared in {f['max_producers_per_search']}.",
        f"{links['id']:,} searches were matched by Flock ID alone; {linked:,} were linked (in part) by the "
        f"fingerprint; {links['id_less_single']:,} ID-less searches appear in one log only; "
        f"{f['id_less_copies_ambiguous']:,} ID-less copies could not be linked (ambiguous fingerprint) and are "
        "counted apart.",
        f"{f['agencies']:,} agencies searched; {f['immigration_searches']:,} distinct searches were "
        f"immigration-related ({f['immigration_civil']:,} civil, {f['immigration_criminal']:,} criminal, "
        f"{f['immigration_unspecified']:,} unspecified) by {f['immigration_agencies']:,} agencies.",
        f"{f['federal_agencies']:,} federal agencies ran {f['federal_searches']:,} distinct searches.",
        f"{f['conflicting_searches']:,} searches have copies that disagree between producers in a field that "
        f"must agree; {f['alias_variants_to_review']:,} groups of agency spellings are listed for review.",
    ]


def _own_logs_sentences(f: dict, producers: pd.DataFrame) -> list[str]:
    over = f"Over {f['period_words']}, " if f.get("period_words") else ""
    per_log = "; ".join(f"{r.producer}: {r.searches:,}" for r in producers.itertuples())
    unnamed = producers.loc[~producers["names_agency"].astype(bool), "producer"].tolist()
    said = [
        f"{over}the {len(producers)} logs hold {f['distinct_searches']:,} searches ({per_log}).",
        "Each is a log of its producer's own users' searches (an organization audit or a portal export), not a "
        "network audit of who searched its cameras: no search can be in two of them, so no figure across "
        "producers (shared searches, agencies that searched several producers' cameras) exists here.",
        f"{f['immigration_searches']:,} searches were immigration-related ({f['immigration_civil']:,} civil, "
        f"{f['immigration_criminal']:,} criminal, {f['immigration_unspecified']:,} unspecified).",
    ]
    if unnamed:
        said.append(
            f"{len(unnamed)} of the logs ({', '.join(unnamed)}) have no agency column: their searches are the "
            "producer's own officers', and the producer is not listed as a searching agency."
        )
    return said


def producers_shown(t: pd.DataFrame) -> pd.DataFrame:
    """The per-log table as the page shows it, six columns that fit a laptop's width: the kind of log and
    whether it names the agency in words, the immigration-related with their types in one cell, the days as
    one period (producers.csv keeps every column)."""
    return pd.DataFrame(
        {
            "producer": t["producer"],
            "kind of log": t["log_kind"].map(lambda k: LOG_KIND_WORDS.get(k, k)),
            "names the searching agency": t["names_agency"].map({True: "yes", False: "no"}),
            "searches": t["searches"],
            "immigration-related": [_immigration_cell(r) for r in t.itertuples()],
            "UTC days": [
                period_words(a, b) if pd.notna(a) else "no search"
                for a, b in zip(t["first_day_utc"], t["last_day_utc"])
            ],
        }
    )


def _immigration_cell(r) -> str:
    if not r.immigration_searches:
        return "0"
    kinds = [
        f"{n:,} {k}" for k, n in (("civil", r.civil), ("criminal", r.criminal), ("unspecified", r.unspecified)) if n
    ]
    return f"{r.immigration_searches:,} ({', '.join(kinds)})"


def claims_table(results: list[dict], f: dict) -> pd.DataFrame:
    """Each published claim beside the corpus figure computed here, over the corpus period in UTC days (a
    search has one UTC time but a local day in each producer's zone, so a corpus counts UTC days)."""
    table = _claims_table(results)
    over = f"the corpus period, {f['period_words']}" if f.get("period_words") else "the whole corpus (UTC days)"
    table["Over"] = [over if r.get("window") is None else o for r, o in zip(results, table.get("Over", []))]
    return table


ICE_DETAIL = ["ice_287g_signed", "ice_287g_match", "ice_287g_agency"]


def agencies_shown(df: pd.DataFrame) -> pd.DataFrame:
    """An agencies table as the page shows it: ICE's 287(g) flag and models only (the signed date, how the
    name matched and ICE's own name are in agencies.csv), and no 287(g) column at all when no name was looked
    up (a synthetic corpus's invented names): a page of eleven columns does not fit a laptop's width."""
    shown = df.drop(columns=ICE_DETAIL, errors="ignore")
    if "ice_287g" in shown and shown["ice_287g"].isna().all():
        shown = shown.drop(columns=["ice_287g", "ice_287g_models"], errors="ignore")
    return shown
