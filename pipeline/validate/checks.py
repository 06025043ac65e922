"""
The suites are JSON files under expectations/ (reviewed like code), one per input schema and one for
the processed table:

- searches.json       every search (the table as a whole: keys, times, period, citations, types)
- flock_export.json   searches from Flock network / organization exports (manifest detected_kind "flock_export …")
- portal_csv.json     searches from transparency-portal CSVs (detected_kind "portal …")

A suite's meta.applies_to says which searches it checks; each expectation's meta.on says what it is
checked against ('rows', 'schema' or 'sources') and meta.rows_where narrows the rows. Things a static
suite cannot hold are filled in here, from data: the stated period ($period.start / $period.end) and
a few derived columns (source_kind, exported_<column>, reason_blank). searches.json documents them.

Each expectation carries a severity: a failed "critical" one makes the verdict RED (the table cannot be
trusted; analysis must not run), a failed "warning" one YELLOW, as do rows rejected on reading for a
reason other than layout. Every failed expectation keeps up to CITE_CAP citations (source file, sheet,
row, and the value unless the column holds plates or searcher names) and the total count. All of it
goes to reports/<slug>/validation.json.

GX on pandas is the validator of record (and of notebook 02) for a table of up to slices.VALIDATE_ROWS
searches. A larger one is validated in the engine (engine.py): DuckDB computes the expectations on the rows
over searches.parquet with GX's own arithmetic, GX still checks the schema, the sources and the row count;
tests/test_validate_engine.py checks that this gives exactly the one-pass GX result."""

from __future__ import annotations

import json
import time
from pathlib import Path

from pipeline import ROOT
from pipeline.io.atomic import write_json
from pipeline.project import processed_dir, reports_dir
from pipeline.config import Jurisdiction
from pipeline.validate.frames import needed_columns, rows_frame, schema_frame, sources_frame
from pipeline.validate.engine import check_in_engine
from pipeline.validate.gx import check, gx_version
from pipeline.validate import slices
from pipeline.validate.suites import CITE_CAP, SUITE, WITHHELD, load_suite, period_bounds, suite_paths
from pipeline.validate.verdict import conflicts_of, verdict_of, with_conflicts


def run(j: Jurisdiction, suite_path: Path = SUITE) -> dict:
    """Validate the processed table of one jurisdiction; write and return reports/<slug>/validation.json.

    suite_path is the processed-table suite; every other suite in its folder runs too, on the searches
    its meta.applies_to selects.
    """
    t0 = time.perf_counter()
    suites = []
    for p in suite_paths(suite_path):
        s = load_suite(p)
        s["_file"] = str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p)
        suites.append(s)
    path = processed_dir(j.root, j.slug) / "searches.parquet"
    manifest = json.loads((processed_dir(j.root, j.slug) / "manifest.json").read_text(encoding="utf-8"))
    columns, exported = needed_columns(suites)
    schema = schema_frame(path)
    sources = sources_frame(manifest, exported)
    start, end = period_bounds(j)
    period = {"$period.start": start.isoformat() if start else None, "$period.end": end.isoformat() if end else None}
    total = slices.row_count(path)
    if total <= slices.VALIDATE_ROWS:  # read at run time: tests set a small limit
        rows = rows_frame(path, columns, manifest, exported)
        t1 = time.perf_counter()
        outcomes, summary = check(suites, rows, schema, sources, period)
    else:
        t1 = time.perf_counter()
        outcomes, summary = check_in_engine(suites, path, manifest, exported, schema, sources, period)
    for o in outcomes:  # the citations' release order was kept only for sorting them
        for c in o["rows"]:
            c.pop("_order", None)
    t2 = time.perf_counter()
    verdict, why = verdict_of(outcomes, manifest)
    conflicts = conflicts_of(processed_dir(j.root, j.slug) / "conflicts.csv")
    verdict, why = with_conflicts(verdict, why, conflicts)
    out = {
        "jurisdiction": j.slug,
        "synthetic": j.synthetic,
        "verdict": verdict,
        "why": why,
        "rows_validated": total,
        "slices": 1,  # (in the engine too: the table is read once, by DuckDB)
        "period": {
            "start": j.period_start.isoformat() if j.period_start else None,
            "end": j.period_end.isoformat() if j.period_end else None,
            "timezone": j.timezone,
            "searches_from_utc": period["$period.start"],
            "searches_before_utc": period["$period.end"],
        },
        "rejected_by_reason": manifest.get("rejected_by_reason", {}),
        "conflicts": conflicts,
        "suites": summary,
        "expectations": outcomes,
        "citations": {
            "cap": CITE_CAP,
            "order": "input order of the files (jurisdictions.yml), then row",
            "values_withheld_for": sorted(WITHHELD),
        },
        "great_expectations": gx_version(),
        "seconds": {"load": round(t1 - t0, 2), "validate": round(t2 - t1, 2)},
    }
    write_json(reports_dir(j.root, j.slug) / "validation.json", out)
    return out
