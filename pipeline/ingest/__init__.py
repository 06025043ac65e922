"""Sources: find every readable unit of a jurisdiction's release and stage its rows.

A raw file is a CSV, a workbook (each audit sheet is one source), a PDF (each page with rows is one
source; the pages share one staging file) or a zip of them (each member is read from a private temporary
folder, never extracted beside the raw files). Raw files are opened
read-only. Nothing downstream knows which shape a row came from except through its citation
(source file, sheet, row).
"""

from __future__ import annotations

import dataclasses
import time
from typing import Generator
from pathlib import Path

import pyarrow as pa

from pipeline import ROOT
from pipeline.errors import SourceError
from pipeline.io.hashing import sha256_file
from pipeline.project import display_path
from pipeline.ingest.csv_reader import NeedsExactRead, NotUtf8, delimiter_of, header_map, read_csv, scan_text
from pipeline.ingest.pdf_reader import READER as PDF_READER, NotAnAudit, read_pdf
from pipeline.ingest.stage import BATCH_ROWS, ReadResult, SourceInfo, StageWriter, build_batch
from pipeline.ingest import zip_reader
from pipeline.ingest.sniff import kind_of
from pipeline.ingest.xlsx_reader import FORMULA_NOTE, audit_sheets, read_sheet


class Ingest:
    """Stage every source of a list of raw files into `stage_dir` (one Parquet per source)."""

    def __init__(self, stage_dir: Path, root: Path = ROOT, progress=None):
        self.stage_dir, self.root = stage_dir, root
        self.sources: list[SourceInfo] = []
        self.skipped: list[dict] = []
        self.raw_files: list[dict] = []
        self.progress = progress or (lambda msg: None)
        self.files_total = self.file_no = 0  # for "file k of n" in progress messages (set by ingest)

    def add_file(self, path: Path, sha: str | None = None) -> None:
        display = display_path(path, self.root)
        sha, size = sha or sha256_file(path), path.stat().st_size
        self.raw_files.append({"file": display, "bytes": size, "sha256": sha})
        kind = kind_of(path.name)
        if kind is None:
            raise SourceError(
                "this kind of file is not read by the pipeline (expected .csv, .xlsx/.xls/.xlsb/.ods, .pdf or .zip).",
                file=display,
                hint="Ask the agency for the data as CSV or XLSX, or remove the file from the inputs.",
            )
        if size == 0:
            raise SourceError("the file is empty (0 bytes).", file=display, hint="Ask the agency for the file again.")
        self._add(path, display, kind, sha, size, None)

    def _add(self, path: Path, display: str, kind: str, sha: str, size: int, member_sha: str | None) -> None:
        if kind == "csv":
            self._stage(
                path,
                SourceInfo(
                    index=len(self.sources),
                    file=display,
                    sha256=sha,
                    bytes=size,
                    container="csv",
                    member_sha256=member_sha,
                ),
            )
        elif kind == "xlsx":
            keep, skipped = audit_sheets(path, display)
            for name, why in skipped:
                self.skipped.append({"file": display, "sheet": name, "why": why})
            if not keep:
                listed = "; ".join(f"'{name}': {why}" for name, why in skipped[:5]) or "it has no sheets"
                raise SourceError(
                    "no sheet of this workbook holds search-audit rows (no sheet has a header "
                    f"with a search time and known Flock columns). Sheets: {listed}.",
                    file=display,
                    hint="Check the sheets; add unknown column names to pipeline/rules/columns.yml.",
                )
            empty = []
            for name in keep:
                info = self._stage(
                    path,
                    SourceInfo(
                        index=len(self.sources),
                        file=display,
                        sha256=sha,
                        bytes=size,
                        container="xlsx",
                        sheet=name,
                        member_sha256=member_sha,
                    ),
                )
                if info.rows_read == 0:  # a header and no rows (a month without searches): not a source
                    self.sources.pop()
                    Path(info.stage).unlink(missing_ok=True)
                    self.skipped.append({"file": display, "sheet": name, "why": "a header and no rows"})
                    empty.append(name)
            if len(empty) == len(keep):
                raise SourceError(
                    f"the workbook has a header but no rows (sheet{'s' if len(empty) > 1 else ''} "
                    f"{', '.join(repr(n) for n in empty)}).",
                    file=display,
                    hint="Check that this is the release you meant to add; remove it from the inputs "
                    "if it holds no data.",
                )
        elif kind == "pdf":
            self._add_pdf(path, display, sha, size, member_sha)
        elif kind == "zip":
            self._add_zip(path, display, sha, size)

    def _stage(self, path: Path, info: SourceInfo) -> SourceInfo:
        """Read one source into its staging file; return it with what its reader found."""
        info = dataclasses.replace(info, stage=str(self.stage_dir / f"source-{info.index:05d}.parquet"))
        label = info.file + (f" [{info.sheet}]" if info.sheet else "")
        self.progress(
            f"reading {label}" + (f" (file {self.file_no} of {self.files_total})" if self.files_total else "")
        )
        started = time.perf_counter()
        if info.container == "csv":
            try:
                try:
                    read = self._write(info, read_csv(path, info))
                except NotUtf8:  # taken to be UTF-8 from its start, it is not: scan it all and read again
                    read = self._write(info, read_csv(path, info, trust_utf8=False))
            except NeedsExactRead:
                self.progress(f"  {label}: malformed records found; re-reading record by record")
                read = self._write(info, read_csv(path, info, exact=True))
        else:
            read = self._write(info, read_sheet(path, info))
        info = info.with_read(read)
        self.sources.append(info)
        seconds = time.perf_counter() - started
        self.progress(
            f"  {info.rows_read:,} rows ({info.read.reader})"
            + (f", {info.rows_read / seconds:,.0f} rows/s" if seconds > 0 and info.rows_read else "")
        )
        for note in info.read.notes:  # a formula read as blank would change a figure: said, not only noted
            if FORMULA_NOTE in note:
                self.progress(f"  {label}: {note}")
        return info

    def _write(self, info: SourceInfo, batches: Generator[pa.RecordBatch, None, ReadResult]) -> ReadResult:
        """Write a reader's batches to the source's staging file; return what the reader returned."""
        writer = StageWriter(Path(info.stage))
        try:
            while True:
                try:
                    batch = next(batches)
                except StopIteration as done:
                    return done.value
                writer.write(batch)
        finally:
            writer.close()

    def _add_pdf(self, path: Path, display: str, sha: str, size: int, member_sha: str | None) -> None:
        """Every page with rows becomes a source ("page N"); rows go to one staging file in batches."""
        stage = self.stage_dir / f"source-{len(self.sources):05d}.parquet"
        self.progress(
            f"reading {display}" + (f" (file {self.file_no} of {self.files_total})" if self.files_total else "")
        )
        started = time.perf_counter()
        writer = StageWriter(stage)
        pending: list[tuple[int, int, list[str]]] = []  # (source index, row on its page, cells)
        columns: list[str] = []
        first = len(self.sources)

        def flush():
            cells = {k: pa.array([r[2][k] for r in pending], pa.string()) for k in range(len(columns))}
            writer.write(
                build_batch(
                    columns,
                    cells,
                    len(pending),
                    pa.array([r[0] for r in pending], pa.int32()),
                    pa.array([r[1] for r in pending], pa.int64()),
                )
            )
            pending.clear()

        try:
            for page in read_pdf(path, display, self.progress):
                if page.skipped:
                    self.skipped.append({"file": display, "sheet": f"page {page.number}", "why": page.skipped})
                    continue
                if page.layout.columns != columns and pending:
                    flush()
                columns = page.layout.columns
                read = ReadResult(
                    schema=page.layout.hmap.schema,
                    header=list(page.layout.labels),
                    has_header=True,
                    columns=list(columns),
                    rows_read=len(page.rows),
                    reader=PDF_READER,
                    notes=page.notes,
                )
                info = SourceInfo(
                    index=len(self.sources),
                    file=display,
                    sha256=sha,
                    bytes=size,
                    container="pdf",
                    sheet=f"page {page.number}",
                    member_sha256=member_sha,
                    stage=str(stage),
                    read=read,
                )
                self.sources.append(info)
                pending += [(info.index, k, cells) for k, cells in enumerate(page.rows, 1)]
                if len(pending) >= BATCH_ROWS:
                    flush()
            if pending:
                flush()
        except NotAnAudit as e:
            self.skipped.append({"file": display, "sheet": None, "why": e.why})
            return
        finally:
            writer.close()
            if len(self.sources) == first:
                stage.unlink(missing_ok=True)
        rows = sum(s.rows_read for s in self.sources[first:])
        seconds = time.perf_counter() - started
        self.progress(
            f"  {rows:,} rows on {len(self.sources) - first:,} pages ({PDF_READER})"
            + (f", {rows / seconds:,.0f} rows/s" if seconds > 0 and rows else "")
        )

    def _add_zip(self, path: Path, display: str, sha: str, size: int) -> None:
        """Each audit member of a zip is a source of its own, cited as `file.zip!member`."""
        read = 0
        with zip_reader.open_archive(path, display) as archive:
            readable = archive.readable(self.skipped)
            for m, target in archive.extract_each(readable, self.stage_dir):
                member_display = f"{display}!{m.filename}"
                if m.filename.lower().endswith(".txt") and not _is_audit_text(target, member_display):
                    self.skipped.append(
                        {
                            "file": display,
                            "sheet": None,
                            "member": m.filename,
                            "why": "a text file that is not a search audit (a note or letter?)",
                        }
                    )
                else:
                    self._add(target, member_display, kind_of(m.filename), sha, size, sha256_file(target))
                    read += 1
            if not read:
                raise SourceError(
                    f"the archive holds no CSV or workbook with search-audit rows (members: {archive.names()}).",
                    file=display,
                    hint="Check that this is the archive the agency sent; ask for the data as CSV or XLSX.",
                )


def _is_audit_text(path: Path, display: str) -> bool:
    """A .txt inside an archive is read only when it is a search audit (releases come with notes and letters)."""
    try:
        scan = scan_text(path, display)
        header_map(path, scan.encoding, display, delimiter_of(path))
        return True
    except SourceError:
        return False


def ingest(
    files: list[Path], stage_dir: Path, root: Path = ROOT, progress=None, hashes: dict[Path, str] | None = None
) -> Ingest:
    """Stage every file; `hashes` (path -> SHA-256 already computed by the caller) avoids hashing twice."""
    stage_dir.mkdir(parents=True, exist_ok=True)
    ing = Ingest(stage_dir, root, progress)
    ing.files_total = len(files)
    for k, f in enumerate(files, 1):
        ing.file_no = k
        ing.add_file(f, (hashes or {}).get(f))
    if files and not ing.sources and ing.skipped:  # e.g. only a cover letter printed to PDF
        listed = "; ".join(
            f"{s['file']}{' [' + s['sheet'] + ']' if s.get('sheet') else ''}: {s['why']}" for s in ing.skipped[:3]
        )
        raise SourceError(
            f"none of the inputs holds search-audit rows ({listed}).",
            file=ing.skipped[0]["file"],
            hint="Check that these are the release's files; ask the agency for the audit as CSV or XLSX.",
        )
    return ing
