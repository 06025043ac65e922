"""Enrich: who searched and why, added to each search from the reviewed rule files.

`clean` decides what a search is; this module adds to every search:
- from pipeline/rules/reasons.yml (via `classify`): immigration, immigration_type, reason_categories,
  reason_era; and writes matches.parquet, the audit trail of which words made each category count;
- from pipeline/rules/dropdown.yml (via `offense`): offense_categories, offense_type_unknown and
  offense_immigration_type, read from Flock's dropdown value (offense_type). A search is immigration-related
  when its reason says so or its dropdown value is an immigration value (immigration_from says which);
  the dropdown's type (civil, criminal) is the search's then, and its reason_categories hold immigration;
- from pipeline/rules/pii.yml (via `pii`): reason_pii, reason_redacted (what published files show), and a
  keyed searcher_pseudonym;
- from pipeline/rules/agencies.yml (via `agencies`): agency_state, agency_type, agency_federal,
  agency_federal_tag, agency_inactive.
The rules run once per distinct reason, agency name and searcher (small tables, `Enrichment`); the
searches then stream past those tables batch by batch, in order, so memory stays bounded and the table is
written once. `clean` writes searches.parquet through an Enrichment; `enrich` re-applies the rules to an
existing searches.parquet when only the rules changed (the raw files and cleaning did not).
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import Iterable

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.enrich.agencies import identify_many
from pipeline.io.atomic import atomic_path
from pipeline.enrich.classify import IMMIGRATION, classify_in_duckdb
from pipeline.enrich.offense import classify_values
from pipeline.io.db import connect, literal
from pipeline.enrich.pii import pseudonym_sql, redact_in_duckdb
from pipeline.ingest.stage import BATCH_ROWS

REASON_COLUMNS = [
    "immigration",
    "immigration_type",
    "immigration_from",
    "reason_categories",
    "reason_era",
    "offense_categories",
    "offense_type_unknown",
    "offense_immigration_type",
    "reason_pii",
    "reason_redacted",
    "searcher_pseudonym",
]
AGENCY_COLUMNS = ["agency_state", "agency_type", "agency_federal", "agency_federal_tag", "agency_inactive"]
ENRICHED_COLUMNS = REASON_COLUMNS + AGENCY_COLUMNS

# Columns whose values are (nearly) all different: a Parquet dictionary only costs time for these.
NO_DICTIONARY = {
    "search_key",
    "flock_id",
    "searched_at_utc",
    "searched_local_date",
    "time_frame_start_utc",
    "time_frame_end_utc",
    "total_networks",
    "total_devices",
    "case_number",
    "source_row",
    "source_line",
    "other_copies",
    "text_prompt",
    "copies",
}


def lookup_arrays(table: pa.Table) -> dict[str, pa.Array]:
    """A small lookup table as one contiguous array per column (done once, not per batch)."""
    return {name: table.column(name).combine_chunks() for name in table.column_names}


def _lookup(keys: pa.Array, table: dict[str, pa.Array], key: str, columns: list[str]) -> dict:
    """Columns of `table` for each value of `keys` (exact match, null matching null); absent keys give null."""
    idx = pc.index_in(keys, value_set=table[key], skip_nulls=False)
    return {c: table[c].take(idx) for c in columns}


class Enrichment:
    """The rules' answers for every distinct reason, searcher and agency of a set of searches.

    `base_sql` is a query over `con` yielding the searches' reason_clean, searcher, name_state, org_name,
    search_key and offense_type (one row per search)."""

    def __init__(self, con, base_sql: str, pseudonym_key: str):
        self.base_sql = base_sql
        # the distinct reasons once (a pass over every search), for both rule sets
        con.execute(f"CREATE OR REPLACE TEMP TABLE _enrich_reasons AS SELECT DISTINCT reason_clean FROM ({base_sql})")
        classify_in_duckdb(con, "SELECT reason_clean FROM _enrich_reasons")
        redact_in_duckdb(con, "SELECT reason_clean FROM _enrich_reasons")
        self.reasons = lookup_arrays(
            con.sql("""SELECT rc.*, rp.reason_pii, rp.reason_redacted FROM reason_classes rc
                                  JOIN reason_pii rp ON rc.reason_clean IS NOT DISTINCT FROM rp.reason_clean""").to_arrow_table()
        )
        offenses = [r[0] for r in con.execute(f"SELECT DISTINCT offense_type FROM ({base_sql})").fetchall()]
        self.offenses = lookup_arrays(classify_values(offenses))
        self.searchers = lookup_arrays(
            con.sql(f"""
            SELECT DISTINCT searcher, {pseudonym_sql("searcher", pseudonym_key)} AS searcher_pseudonym
            FROM ({base_sql}) WHERE name_state = 'present'""").to_arrow_table()
        )
        names = [
            r[0]
            for r in con.execute(f"SELECT DISTINCT org_name FROM ({base_sql}) WHERE org_name IS NOT NULL").fetchall()
        ]
        ids = identify_many(names)
        self.agencies = lookup_arrays(
            pa.table(
                {
                    "org_name": pa.array(ids["org_name"].tolist() if len(ids) else [], pa.string()),
                    **{
                        c: pa.array(
                            ids[c].tolist() if len(ids) else [],
                            pa.string() if c in ("agency_state", "agency_type") else pa.bool_(),
                        )
                        for c in AGENCY_COLUMNS
                    },
                }
            )
        )
        self.distinct_agencies = len(names)
        self.searches = self.immigration = 0

    def apply(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """The batch's own columns (any earlier enrichment dropped) followed by the enrichment columns."""
        cols = {name: batch.column(name) for name in batch.schema.names if name not in ENRICHED_COLUMNS}
        cols.update(
            _lookup(
                batch.column("reason_clean"),
                self.reasons,
                "reason_clean",
                ["immigration", "immigration_type", "reason_categories", "reason_era", "reason_pii", "reason_redacted"],
            )
        )
        offense_type = (
            batch.column("offense_type")
            if "offense_type" in batch.schema.names
            else pa.nulls(batch.num_rows, pa.string())  # (a table cleaned before the column existed)
        )
        cols.update(self._offense(offense_type, cols))
        present = pc.equal(batch.column("name_state"), "present")
        pseudo = _lookup(batch.column("searcher"), self.searchers, "searcher", ["searcher_pseudonym"])
        cols["searcher_pseudonym"] = pc.if_else(present, pseudo["searcher_pseudonym"], pa.scalar(None, pa.string()))
        found = _lookup(batch.column("org_name"), self.agencies, "org_name", AGENCY_COLUMNS)
        cols["agency_state"] = pc.fill_null(found["agency_state"], "")
        cols["agency_type"] = pc.fill_null(found["agency_type"], "unknown")
        for c in ("agency_federal", "agency_federal_tag", "agency_inactive"):
            cols[c] = pc.fill_null(found[c], False)
        out = pa.RecordBatch.from_pydict(cols)
        out = out.cast(_canonical(out.schema))  # (pyarrow's == ignores the item name, so cast always)
        self.immigration += pc.sum(pc.cast(cols["immigration"], pa.int64())).as_py() or 0
        self.searches += out.num_rows
        return out

    def _offense(self, offense_type: pa.Array, cols: dict) -> dict:
        """The dropdown's answers, and immigration from the reason or the dropdown value (`cols` holds the
        reason's answers)."""
        found = _lookup(
            offense_type,
            self.offenses,
            "offense_type",
            ["offense_categories", "offense_type_unknown", "offense_immigration_type"],
        )
        by_reason, by_offense = pc.fill_null(cols["immigration"], False), pc.is_valid(found["offense_immigration_type"])
        out = dict(found)
        out["immigration"] = pc.or_(by_reason, by_offense)
        # the dropdown names the type (civil, criminal); free text at most "unspecified"
        out["immigration_type"] = pc.if_else(by_offense, found["offense_immigration_type"], cols["immigration_type"])
        out["immigration_from"] = pc.if_else(
            by_reason,
            pc.if_else(by_offense, pa.scalar("both"), pa.scalar("reason")),
            pc.if_else(by_offense, pa.scalar("offense_type"), pa.scalar(None, pa.string())),
        )
        only_offense = pc.and_(by_offense, pc.invert(by_reason))
        if pc.any(only_offense).as_py():  # (few rows: a list column is rebuilt in Python only then)
            cats = cols["reason_categories"].to_pylist()
            for i in pc.indices_nonzero(only_offense).to_pylist():
                cats[i] = sorted(set(cats[i] or []) | {IMMIGRATION})
            out["reason_categories"] = pa.array(cats, cols["reason_categories"].type)
        return out

    def write(self, batches: Iterable[pa.RecordBatch], schema: pa.Schema, target: Path) -> None:
        """Write the enriched batches, in the order given, to target (atomically; an empty table has the
        same columns). Parquet encoding runs in a second thread, overlapping the work that makes the next
        batches (both release the GIL; the gain is measured in the benchmark, README "Speed and memory")."""
        with atomic_path(target) as tmp, _BackgroundWriter(tmp) as writer:
            wrote = False
            for batch in batches:
                if batch.num_rows:
                    writer.put(self.apply(batch))
                    wrote = True
            if not wrote:
                empty = self.apply(pa.RecordBatch.from_pylist([], schema=schema))
                writer.put(empty)

    def write_matches(self, con, target: Path) -> None:
        """matches.parquet: every rule that fired on each search's reason, by search."""
        con.register(
            "_offense_imm", self.offenses_table().filter(pc.is_valid(self.offenses["offense_immigration_type"]))
        )
        with atomic_path(target) as tmp:
            con.execute(f"""
                COPY (
                    SELECT b.search_key, m.category, m.rule_id, m.matched_text, m.span_start, m.span_end
                    FROM ({self.base_sql}) b JOIN reason_matches m ON b.reason_clean IS NOT DISTINCT FROM m.reason_clean
                    UNION ALL
                    -- a search counted as immigration-related by its dropdown value alone: the value is the match
                    -- (span in offense_type; a search the reason already counts keeps the reason's match only)
                    SELECT b.search_key, 'immigration', 'offense_type_immigration_' || o.offense_immigration_type,
                           o.offense_immigration_value,
                           CAST(nullif(strpos(lower(o.offense_type), lower(o.offense_immigration_value)), 0) - 1
                                AS INTEGER),  -- (no span where the cell spells it with other spacing)
                           CAST(nullif(strpos(lower(o.offense_type), lower(o.offense_immigration_value)), 0) - 1
                                + length(o.offense_immigration_value) AS INTEGER)
                    FROM ({self.base_sql}) b JOIN _offense_imm o ON b.offense_type = o.offense_type
                    WHERE NOT EXISTS (SELECT 1 FROM reason_matches m WHERE m.category = 'immigration'
                                      AND m.reason_clean IS NOT DISTINCT FROM b.reason_clean)
                    ORDER BY 1, 2, 3
                ) TO {literal(tmp)} (FORMAT PARQUET, COMPRESSION zstd)""")
        con.unregister("_offense_imm")

    def offenses_table(self) -> pa.Table:
        return pa.table(self.offenses)

    def summary(self) -> dict:
        return {
            "searches": self.searches,
            "immigration": self.immigration,
            "distinct_reasons": len(self.reasons["reason_clean"]),
            "distinct_agencies": self.distinct_agencies,
            "distinct_searchers": len(self.searchers["searcher"]),
        }


def _canonical(schema: pa.Schema) -> pa.Schema:
    """List columns with Parquet's item name ("element"), whichever engine made them (DuckDB says "l"), so
    the bytes written do not depend on whether the rows came from DuckDB or from an earlier file."""
    return pa.schema(
        [
            pa.field(f.name, pa.list_(pa.field("element", f.type.value_type)), f.nullable)
            if pa.types.is_list(f.type)
            else f
            for f in schema
        ]
    )


class _BackgroundWriter:
    """A Parquet writer fed through a short queue and run by its own thread; an error there is raised
    here, and nothing is left half-written (the caller writes to a temporary path)."""

    def __init__(self, path: Path):
        self.path = path
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._drain, name="parquet-writer", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def put(self, batch: pa.RecordBatch) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(batch)

    def __exit__(self, *exc):
        self.queue.put(None)
        self.thread.join()
        if self.error is not None and exc[0] is None:
            raise self.error
        return False

    def _drain(self) -> None:
        writer = None
        try:
            while (batch := self.queue.get()) is not None:
                if writer is None:
                    writer = pq.ParquetWriter(
                        self.path,
                        batch.schema,
                        compression="zstd",
                        use_dictionary=[n for n in batch.schema.names if n not in NO_DICTIONARY],
                    )
                writer.write_batch(batch)
        except BaseException as e:  # keep taking batches so the producer never blocks on a full queue
            self.error = e
            while self.queue.get() is not None:
                pass
        finally:
            if writer is not None:
                writer.close()


def enrich(searches: Path, matches: Path, tmp_dir: Path, pseudonym_key: str) -> dict:
    """Re-apply the rules to an existing searches.parquet (rows and their order unchanged)."""
    con = connect(tmp_dir)
    source = pq.ParquetFile(searches)
    keep = [c for c in source.schema_arrow.names if c not in ENRICHED_COLUMNS]
    offense = "offense_type" if "offense_type" in source.schema_arrow.names else "CAST(NULL AS VARCHAR) AS offense_type"
    base = (
        f"SELECT reason_clean, searcher, name_state, org_name, search_key, {offense} "
        f"FROM read_parquet({literal(searches)})"
    )
    enrichment = Enrichment(con, base, pseudonym_key)
    enrichment.write(
        source.iter_batches(batch_size=BATCH_ROWS, columns=keep),
        pa.schema([source.schema_arrow.field(c) for c in keep]),
        searches,
    )
    enrichment.write_matches(con, matches)
    con.close()
    return enrichment.summary()
