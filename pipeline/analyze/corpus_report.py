"""Compute a corpus and write what may be published: reports/corpora/<name>/ (facts.json, claims.json, CSVs).

The published tables name agencies, producers and citations (file, sheet, row) only: never a plate, a
searcher or a reason's text (the members' own pages cite those rows).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pandas as pd

from pipeline import project
from pipeline.analyze import corpus as resolve
from pipeline.analyze import ice287g
from pipeline.analyze import corpus_figures as fig
from pipeline.analyze.corpus_rules import CorpusRules, load as load_rules
from pipeline.analyze.facts import reason_category_ids
from pipeline.analyze.findings import OTHER_REASONS, category_labels
from pipeline.claims import evaluate
from pipeline.clean.provenance import pipeline_version
from pipeline.config import Corpus
from pipeline.io.atomic import write_json
from pipeline.io.publish import write_csv, write_query_csv
from pipeline.io.db import connect, literal

FINGERPRINT = (
    "agency (after the reviewed alias table), search time to the second (UTC), total networks "
    "searched, time frame start and end"
)
FINGERPRINT_LIMITS = (
    "A copy without a Flock ID is linked to another copy only when exactly one search has its fingerprint and "
    "no log holds that fingerprint twice. Two searches by one agency in the same second over the same networks "
    "and time frame cannot be told apart: their ID-less copies stay unlinked and are counted apart "
    "(id_less_copies_ambiguous), which overstates the distinct searches by at most that number. A copy whose "
    "agency is spelled in a way the alias table does not list, or whose networks or time frame differ between "
    "exports, is not linked either. In the largest public build such a key found the same search with 99.37 % "
    "precision (99.81 % with the time frame)."
)


CITATIONS = {"immigration_searches": "immigration", "conflicts": "len(differs_in) > 0"}
CONFLICTS_SHOWN = 40  # the page shows the first lines; conflicts.csv has them all
MEMORY_LIMIT = "2GB"  # DuckDB's budget for a corpus (it spills beyond it, to work/); bench/README.md


def compute(corpus: Corpus, rules: CorpusRules | None = None, work: Path | None = None) -> dict:
    """Every figure and table of the corpus: {"facts": dict, "tables": {name: DataFrame},
    "citations": {name: staged CSV}}. The citation tables (a line per copy: millions at scale) are written
    by DuckDB straight to CSV under work/staged/<name>/ (publish.write_query_csv); `write` moves them in."""
    rules = rules or load_rules()
    missing = [m.slug for m in corpus.members if not resolve.searches_path(m).exists()]
    if missing:
        raise FileNotFoundError(
            f"corpus '{corpus.name}': run the member(s) first: {', '.join(missing)} "
            "(no data/processed/<slug>/searches.parquet)"
        )
    work = Path(work or project.build_dir(corpus.root) / "corpus")
    staged = work / "staged" / corpus.name
    staged.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        con = connect(Path(tmp))
        # The work tables in a database file of the run's temp folder, not in memory: DuckDB can then evict
        # them from its budget while the per-search passes run (in memory, 40M rows ran out of 2GB).
        con.execute(f"ATTACH {literal(str(Path(tmp) / 'corpus.duckdb'))} AS work")
        con.execute("USE work")
        con.execute("SET threads = 2")  # this machine's cores
        if "PIPELINE_MEMORY_LIMIT" not in os.environ:  # room for the per-search table; peak RSS stays < 3 GB
            con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        resolve.prepare(con, corpus, rules, Path(tmp))
        resolve.build_searches(con, rules)
        facts, tables = _figures(con, corpus, rules)
        citations, lines = {}, {}
        for name, where in CITATIONS.items():
            if facts["own_logs_only"] and name == "conflicts":
                continue  # no search is in two of its logs: no copies to disagree
            citations[name] = staged / f"{name}.csv"
            lines[name] = write_query_csv(
                con,
                fig.citations_sql(corpus, where),
                citations[name],
                synthetic=corpus.synthetic,
                order_by=fig.ORDER_CITATIONS,
            )
        tables["conflicts_shown"] = (
            None
            if facts["own_logs_only"]
            else con.execute(
                f"SELECT * EXCLUDE (_m) FROM ({fig.citations_sql(corpus, CITATIONS['conflicts'])}) "
                f"ORDER BY {', '.join(fig.ORDER_CITATIONS)} LIMIT {CONFLICTS_SHOWN}"
            ).df()
        )
        con.close()
    facts.update(
        _members(corpus),
        fingerprint=FINGERPRINT,
        fingerprint_limits=FINGERPRINT_LIMITS,
        compared_fields=list(rules.must_agree),
        aliases_in_table=len(rules.aliases),
        alias_variants_to_review=int(tables["alias_review"]["group"].nunique()) if "alias_review" in tables else None,
        citation_lines=lines,
        overlap_searches=int(sum(v for k, v in facts["producers_per_search"].items() if int(k) > 1)),
    )
    if facts["own_logs_only"]:
        facts.update(dict.fromkeys(ACROSS_PRODUCERS))
    return {"facts": facts, "tables": tables, "citations": citations}


# Figures that exist only across producers: None (not 0) in a corpus of own-users logs (fig.own_logs_only).
ACROSS_PRODUCERS = (
    "rows_per_search",
    "overlap_searches",
    "producers_per_search",
    "max_producers_per_search",
    "agencies",
    "immigration_agencies",
    "federal_agencies",
    "federal_searches",
    "conflicting_searches",
    "conflicts_by_field",
    "alias_variants_to_review",
)


def _figures(con, corpus: Corpus, rules: CorpusRules) -> tuple[dict, dict]:
    """The headline figures and the aggregate tables (small: one line per agency, state, producer)."""
    facts = fig.headline(con, corpus)
    producers = fig.producers(con, corpus)
    facts["own_logs_only"] = fig.own_logs_only(producers)
    # with whether each has a 287(g) agreement with ICE, as in a jurisdiction's agencies.csv (analyze/ice287g.py)
    agencies = ice287g.annotate(fig.agencies(con, corpus), corpus.synthetic, name="agency", federal="federal")
    if facts["own_logs_only"]:  # each log's own figures and reasons; the agencies its logs name
        labels = category_labels()
        categories = [(c, labels[c]["label"]) for c in reason_category_ids()] + [(None, labels[OTHER_REASONS]["label"])]
        return facts, {
            "producers": producers,
            "reasons_by_producer": fig.reasons_by_producer(con, corpus, categories),
            "agencies": agencies.drop(columns=["producers_searched"]),
        }
    by_agency, by_state = fig.immigration(con)
    return facts, {
        "producers": producers,
        "overlap": fig.overlap(con, corpus).reset_index(),
        "producers_per_search": pd.DataFrame(
            list(facts["producers_per_search"].items()), columns=["producers", "distinct_searches"]
        ),
        "agencies": agencies,
        "immigration_by_agency": by_agency,
        "immigration_by_state": by_state,
        "federal_agencies": agencies[agencies["federal"]].reset_index(drop=True),
        "alias_review": fig.variants_to_review(fig.spellings(con), rules),
    }


def _members(corpus: Corpus) -> dict:
    """Each member as cited: its producer, and the content key of the outputs the corpus read."""
    out = []
    for m in corpus.members:
        try:
            run = json.loads((project.reports_dir(m.root, m.slug) / "run.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            run = {}
        out.append(
            {
                "slug": m.slug,
                "name": m.name,
                "producer": m.producer,
                "timezone": m.timezone,
                "synthetic": m.synthetic,
                "key_01_clean": run.get("keys", {}).get("01_clean"),
            }
        )
    return {"member_logs": out}


PUBLISHED = (
    "producers",
    "reasons_by_producer",
    "overlap",
    "producers_per_search",
    "agencies",
    "immigration_by_agency",
    "immigration_by_state",
    "federal_agencies",
    "alias_review",
)


def write(corpus: Corpus, result: dict, root: Path | None = None) -> Path:
    """facts.json, claims.json and one CSV per table into reports/corpora/<name>/, each atomically."""
    out = project.corpus_dir(root or corpus.root, corpus.name)
    out.mkdir(parents=True, exist_ok=True)
    label = "SYNTHETIC" if corpus.synthetic else None
    facts = {**({"label": label} if label else {}), **result["facts"], "pipeline": pipeline_version(corpus.root)}
    for name, table in result["tables"].items():  # the one CSV writer: formula-safe, SYNTHETIC on every row
        if name in PUBLISHED:
            write_csv(table, out / f"{name}.csv", synthetic=corpus.synthetic)
    for name, staged in result["citations"].items():  # written by write_query_csv with write_csv's guarantees
        os.replace(staged, out / f"{name}.csv")
    for name in (*PUBLISHED, *CITATIONS):  # a table this corpus does not have is not left from an earlier run
        if name not in result["tables"] and name not in result["citations"]:
            (out / f"{name}.csv").unlink(missing_ok=True)
    write_json(out / "facts.json", facts)
    write_json(
        out / "claims.json",
        {"corpus": corpus.name, "synthetic": corpus.synthetic, "claims": evaluate(list(corpus.claims), facts)},
    )
    return out
