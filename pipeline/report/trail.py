"""The fact-checker's trail beside the pages: what was read and what was rejected, with no personal data.

Written by the runner once a jurisdiction's run is over (`publish_trail`), from the processed tables:
- reports/<slug>/reconciliation.csv    per source file (and sheet, or PDF page): rows read = searches kept +
                                       duplicates + rejected, by reason (counts and citations only);
- reports/<slug>/rejected_summary.csv  per reason for rejecting a row: how many, and where the first ones
                                       are (file, sheet, row, line), never a rejected row's cells;
A row-level CSV over 5 MB (a reason category holding most of a release, such as Alvin's generic_purpose.csv
at 27 MB) is then published gzip-compressed beside where it was (reasons/x.csv.gz, about a seventh of the
weight): every row stays one click from its figure, and the link on the page says so. Then
reports/<slug>/manifest.json (report.manifest), last, listing every published file.
"""

from __future__ import annotations

import gzip
import html
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import Jurisdiction
from pipeline.contracts import RunStatus
from pipeline.io.atomic import atomic_path, write_text
from pipeline.project import processed_dir, reports_dir
from pipeline.report import pages
from pipeline.report.manifest import MANIFEST, write_manifest
from pipeline.report.outputs import size_words

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
    compress_heavy_csvs(out)
    # Every page's navigation and the files page now that every file of the run exists, then the manifest.
    pages.refresh(out, j.name, synthetic=j.synthetic, manifest=True)
    return write_manifest(j, status)


HEAVY_CSV_BYTES = 5_000_000  # a row-level CSV above this is published compressed


def compress_heavy_csvs(out: Path) -> list[Path]:
    """Replace each CSV of reports/<slug>/ over HEAVY_CSV_BYTES by <name>.csv.gz (byte-for-byte the same rows,
    gzip with no timestamp, so the same CSV always gives the same file) and point the pages' links at it,
    saying that it holds every row and how much it weighs. Returns the compressed files."""
    done = []
    for csv_path in sorted(out.rglob("*.csv")):
        if csv_path.stat().st_size <= HEAVY_CSV_BYTES:
            csv_path.with_name(csv_path.name + ".gz").unlink(missing_ok=True)  # an earlier run's, now stale
            continue
        gz = csv_path.with_name(csv_path.name + ".gz")
        with atomic_path(gz) as tmp, csv_path.open("rb") as src, tmp.open("wb") as raw:
            with gzip.GzipFile(filename=csv_path.name, mode="wb", fileobj=raw, compresslevel=6, mtime=0) as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        rel = csv_path.relative_to(out).as_posix()
        csv_path.unlink()
        _relink(out, rel, f"{rel}.gz", size_words(gz.stat().st_size))
        done.append(gz)
    return done


def _relink(out: Path, old: str, new: str, size: str) -> None:
    """Every link to `old` on the folder's HTML pages now leads to `new`, with what it is beside it."""
    link = re.compile(r'<a href="' + re.escape(html.escape(old)) + r'">([^<]*)</a>')
    note = f"every row, compressed ({size}; opens in a spreadsheet once unzipped)"
    for page in out.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        new_text = link.sub(lambda m: f'<a href="{html.escape(new)}">{html.escape(new)}</a> ({note})', text)
        if new_text != text:
            write_text(page, new_text)


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
