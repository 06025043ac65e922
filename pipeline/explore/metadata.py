"""Datasette's metadata.json for the explore database: titles, descriptions, sources and licences, the
column descriptions (from the data dictionary of searches.parquet, pipeline/explore/dictionary.yml), facets, the full-text search
of reasons and the canned queries. Every synthetic jurisdiction is named SYNTHETIC in the descriptions, as
its rows are in their `synthetic` column."""

from __future__ import annotations

from pathlib import Path

from pipeline.explore.queries import QUERIES
from pipeline.explore.sources import source_note
from pipeline.io.rules import read_data_file

DICTIONARY = Path(__file__).with_name("dictionary.yml")  # docs/outputs.md shows the same table
FACETS = [
    "jurisdiction",
    "agency",
    "agency_state",
    {"array": "reason_categories"},
    "immigration_type",
    "searched_local_date",
]
TABLES = {
    "searches": "One row per published search of each jurisdiction: when, which agency, how far back, the "
    "reason as published (redacted), its categories, and where to find it (file, SHA-256, sheet, row). "
    "No licence plate, searcher name or id, case number, filter or text prompt is in this database.",
    "reasons": "Each distinct published reason once, with how many searches gave it; full-text searchable "
    '(SQLite FTS5, unicode61 tokenizer: `ice` finds "ICE investigation", never "police").',
    "agencies": "Every searching agency of each jurisdiction, with its searches and immigration-related searches "
    "by type (agency names as released: spellings of one agency count separately).",
    "categories": "Searches per reason category (pipeline/rules/reasons.yml) and jurisdiction; a search can be in several.",
    "jurisdictions": "Each jurisdiction's published figures (reports/<slug>/facts.json), its source and licence.",
    "corpora": "Each corpus of several producers' logs (reports/corpora/<name>/facts.json): one search counted once.",
}


def data_dictionary(path: Path = DICTIONARY) -> dict[str, str]:
    """{column: meaning} from the data dictionary of searches.parquet (Markdown's backticks dropped)."""
    out = {}
    for entry in read_data_file(path)["columns"]:
        for name in entry["columns"]:
            out[name] = entry["meaning"].replace("`", "")
    return out


def build(inputs, cols, counts: dict) -> dict:
    """The whole metadata.json."""
    dictionary = data_dictionary()
    notes = {j.slug: source_note(j) for j in inputs.jurisdictions}
    synthetic = [j.slug for j in inputs.jurisdictions if j.synthetic]
    listing = "; ".join(
        f"{j.slug}{' (SYNTHETIC)' if j.synthetic else ''}: {notes[j.slug]['licence']}" for j in inputs.jurisdictions
    )
    warning = (
        f" SYNTHETIC: {', '.join(synthetic)} are generated, not real releases; their rows say SYNTHETIC "
        "in the synthetic column."
        if synthetic
        else ""
    )
    columns = {c.name: c.description or dictionary.get(c.readme, "") for c in cols}
    columns["reason_id"] = "the reason's row in the reasons table (its full-text index)"
    tables = {name: {"description": desc + warning} for name, desc in TABLES.items()}
    tables["searches"].update(columns=columns, facets=FACETS, fts_table="reasons_fts", fts_pk="reason_id")
    tables["reasons"].update(fts_table="reasons_fts", fts_pk="reason_id", label_column="reason")
    tables["agencies"]["facets"] = ["jurisdiction", "agency_state", "agency_type", "agency_federal"]
    tables["categories"]["facets"] = ["jurisdiction", "category"]
    for name in counts:
        if name.startswith("corpus_"):
            tables[name] = {
                "description": f"The corpus table {name[7:]}.csv of every corpus, as published in "
                f"reports/corpora/<name>/." + warning
            }
    return {
        "title": "Flock search audits: every published search",
        "description": (
            "The searches of every jurisdiction's Flock audit log as this pipeline publishes them "
            "(reasons redacted, searchers pseudonymised, no plates). Read-only." + warning
        ),
        "source": "Public-records releases of Flock Safety search audits; each jurisdiction's source is in "
        "the jurisdictions table: " + "; ".join(f"{k}: {v['source']}" for k, v in notes.items()),
        "license": "Per jurisdiction: " + listing,
        "databases": {"flock": {"title": "Flock search audits", "tables": tables, "queries": QUERIES}},
    }
