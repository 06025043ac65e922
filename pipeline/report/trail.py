"""The fact-checker's trail beside the pages: what was read and what was rejected, with no personal data.

Written by the runner once a jurisdiction's run is over (`publish_trail`), from the processed tables:
- reports/<slug>/reconciliation.csv    per source file (and sheet, or PDF page): rows read = searches kept +
                                       duplicates + rejected, by reason (counts and citations only);
- reports/<slug>/rejected_summary.csv  per reason for rejecting a row: how many, and where the first ones
                                       are (file, sheet, row, line), never a rejected row's cells;
then reports/<slug>/manifest.json (report.manifest), last, listing every published file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import Jurisdiction
from pipeline.contracts import RunStatus
from pipeline.project import processed_dir, reports_dir
from pipeline.report import pages
from pipeline.report.manifest import MANIFEST, write_manifest

if TYPE_CHECKING:  # pandas is imported where a trail is written: a rerun that writes none never loads it
    import pandas as pd

RECONCILIATION = "reconciliation.csv"
REJECTED_SUMMARY = "rejected_summary.csv"
FIRST_CITATIONS = 5  # citations shown per reason; the full list is data/processed/<slug>/rejected.csv
# The columns of rejected.csv a summary may read: citations and the reason, never the raw record or a cell.
CITATION_COLUMNS = ["source_file", "source_sheet", "source_row", "source_line", "reject_reason"]
SUMMARY_COLUMNS = ["reject_reason", "rows", "first_citations"]


def publish_trail(j: Jurisdiction, status: str = RunStatus.OK) -> Path | None:
    """Write the two summaries, then manifest.json (after the run's last write: call it last). A run that
    failed leaves pages of two runs side by side, which no manifest may vouch for: its manifest is removed.
    None when nothing is written (a failed run, or no clean has succeeded yet)."""
    processed = processed_dir(j.root, j.slug)
    out = reports_dir(j.root, j.slug)
    if status == RunStatus.FAILED or not (processed / "manifest.json").exists():
        (out / MANIFEST).unlink(missing_ok=True)
        pages.refresh(out, j.name, synthetic=j.synthetic, manifest=False)
        return None
    import pandas as pd

    from pipeline.io.publish import write_csv

    write_csv(
        pd.read_csv(processed / "reconciliation.csv", keep_default_na=False),
        out / RECONCILIATION,
        synthetic=j.synthetic,
    )
    write_csv(rejected_summary(processed / "rejected.csv"), out / REJECTED_SUMMARY, synthetic=j.synthetic)
    # Every page's navigation and the files page now that every file of the run exists, then the manifest.
    pages.refresh(out, j.name, synthetic=j.synthetic, manifest=True)
    return write_manifest(j, status)


def cite(row: pd.Series) -> str:
    """'file [sheet] row 5, line 9': the line only where there is one (a CSV record)."""
    sheet = f" [{row['source_sheet']}]" if row.get("source_sheet") else ""
    line = f", line {row['source_line']}" if row.get("source_line") else ""
    return f"{row['source_file']}{sheet} row {row['source_row']}{line}"


def rejected_summary(rejected_csv: Path) -> pd.DataFrame:
    """Rejected rows by reason (most first): how many, and the first FIRST_CITATIONS in release order."""
    import pandas as pd

    df = pd.read_csv(rejected_csv, keep_default_na=False, dtype=str, usecols=lambda c: c in CITATION_COLUMNS)
    if df.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    df["cite"] = df.apply(cite, axis=1)
    out = (
        df.groupby("reject_reason", sort=False)
        .agg(rows=("cite", "size"), first_citations=("cite", lambda c: "; ".join(c.head(FIRST_CITATIONS))))
        .reset_index()
    )
    return out.sort_values(["rows", "reject_reason"], ascending=[False, True], kind="stable")[SUMMARY_COLUMNS]
