"""Validate the processed table with Great Expectations 1.x; the only module that imports it.

The suite is a JSON file under expectations/ (reviewed like code). Each expectation carries a
severity: a failed "critical" one makes the verdict RED, a failed "warning" one YELLOW. The verdict
and every expectation's outcome go to reports/<slug>/validation.json.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from . import ROOT
from .atomic import write_json
from .build import processed_dir
from .config import Jurisdiction
from .facts import reports_dir

SUITE = ROOT / "expectations" / "searches.json"
# Expectations on columns a release of this kind cannot have are skipped, not failed.
NOT_APPLICABLE = {"portal": {"org_name", "search_type"}}


def load_suite(path: Path = SUITE) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def run(j: Jurisdiction, suite_path: Path = SUITE) -> dict:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    spec = load_suite(suite_path)
    searches = processed_dir(j) / "searches.parquet"
    manifest = json.loads((processed_dir(j) / "manifest.json").read_text(encoding="utf-8"))
    skip = NOT_APPLICABLE.get(manifest["log_kind"], set())
    applicable = [e for e in spec["expectations"] if e["kwargs"].get("column") not in skip]
    skipped = [e for e in spec["expectations"] if e["kwargs"].get("column") in skip]
    columns = sorted({e["kwargs"]["column"] for e in applicable if "column" in e["kwargs"]})
    df = pd.read_parquet(searches, columns=columns)

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    suite = ctx.suites.add(gx.ExpectationSuite(name=spec["name"], expectations=applicable))
    batch_def = (ctx.data_sources.add_pandas("pandas").add_dataframe_asset("searches")
                 .add_batch_definition_whole_dataframe("all"))
    vd = ctx.validation_definitions.add(gx.ValidationDefinition(name="searches_vd", data=batch_def, suite=suite))
    res = vd.run(batch_parameters={"dataframe": df}, result_format="SUMMARY").to_json_dict()

    outcomes = []
    for r in res["results"]:
        cfg, rr = r["expectation_config"], r.get("result") or {}
        exc = r.get("exception_info") or {}
        outcomes.append({
            "expectation": cfg["type"], "column": cfg["kwargs"].get("column"),
            "kwargs": {k: v for k, v in cfg["kwargs"].items() if k not in ("batch_id", "column")},
            "severity": cfg.get("severity", "critical"), "success": r["success"],
            "unexpected_count": rr.get("unexpected_count"), "unexpected_percent": rr.get("unexpected_percent"),
            "sample": rr.get("partial_unexpected_list"), "observed_value": rr.get("observed_value"),
            "exception": exc.get("exception_message") if exc.get("raised_exception") else None,
            "why": (cfg.get("meta") or {}).get("why"),
        })
    for e in skipped:
        outcomes.append({"expectation": e["type"], "column": e["kwargs"].get("column"), "kwargs": {},
                         "severity": e.get("severity", "critical"), "success": None,
                         "skipped": f"not applicable to a {manifest['log_kind']} export"})
    verdict, why = verdict_of(outcomes, manifest)
    out = {"jurisdiction": j.slug, "synthetic": j.synthetic, "suite": str(suite_path.relative_to(ROOT))
           if suite_path.is_relative_to(ROOT) else str(suite_path),
           "verdict": verdict, "why": why, "rows_validated": len(df), "expectations": outcomes}
    write_json(reports_dir(j) / "validation.json", out)
    return out


def verdict_of(outcomes: list[dict], manifest: dict) -> tuple[str, str]:
    failed = [o for o in outcomes if o["success"] is False]
    critical = [o for o in failed if o["severity"] == "critical"]
    if critical:
        names = "; ".join(f"{o['expectation']} on {o['column'] or 'the table'}" for o in critical)
        return "RED", f"{len(critical)} critical check(s) failed ({names}): the processed table cannot be trusted until this is fixed."
    # Repeated header rows and blank rows are layout, not lost searches; anything else rejected is news.
    lost = {k: v for k, v in manifest.get("rejected_by_reason", {}).items()
            if k not in ("repeated_header", "blank_row") and v}
    if failed:
        names = "; ".join(f"{o['expectation']} on {o['column']}" for o in failed)
        return "YELLOW", f"The table holds, but {len(failed)} warning check(s) failed ({names}); read them before publishing."
    if lost:
        return "YELLOW", (f"Every check passed, but {sum(lost.values()):,} row(s) were rejected on reading "
                          f"({', '.join(f'{k}: {v:,}' for k, v in sorted(lost.items()))}); see rejected.csv.")
    return "GREEN", "Every check passed and every row read was kept or recognised as a duplicate."
