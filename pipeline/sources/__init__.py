"""Sources: find every readable unit of a jurisdiction's release and stage its rows.

A raw file is a CSV, a workbook (each audit sheet is one source) or a zip of them (each member is
read from a private temporary folder, never extracted beside the raw files). Raw files are opened
read-only. Nothing downstream knows which shape a row came from except through its citation
(source file, sheet, row).
"""
from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from .. import ROOT
from ..errors import SourceError
from ..hashing import sha256_file
from .csv_reader import NeedsExactRead, read_csv
from .stage import SourceInfo, StageWriter
from .xlsx_reader import WORKBOOK_SUFFIXES, audit_sheets, read_sheet

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
MAX_ZIP_MEMBER_BYTES = 8 * 1024**3     # a member claiming more than this is refused (zip bomb guard)
MAX_ZIP_TOTAL_BYTES = 32 * 1024**3
MAX_ZIP_RATIO = 200                    # uncompressed / compressed


def display_path(path: Path, root: Path = ROOT) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _kind_of(name: str) -> str | None:
    low = name.lower()
    if low.endswith(CSV_SUFFIXES):
        return "csv"
    if low.endswith(WORKBOOK_SUFFIXES):
        return "xlsx"
    if low.endswith(".zip"):
        return "zip"
    return None


class Ingest:
    """Stage every source of a list of raw files into `stage_dir` (one Parquet per source)."""

    def __init__(self, stage_dir: Path, root: Path = ROOT, progress=None):
        self.stage_dir, self.root = stage_dir, root
        self.sources: list[SourceInfo] = []
        self.skipped: list[dict] = []
        self.raw_files: list[dict] = []
        self.progress = progress or (lambda msg: None)

    def add_file(self, path: Path, sha: str | None = None) -> None:
        display = display_path(path, self.root)
        sha, size = sha or sha256_file(path), path.stat().st_size
        self.raw_files.append({"file": display, "bytes": size, "sha256": sha})
        kind = _kind_of(path.name)
        if kind is None:
            raise SourceError("this kind of file is not read by the pipeline (expected .csv, .xlsx/.xls/.xlsb/.ods "
                              "or .zip).", file=display,
                              hint="Convert a PDF release to CSV first, or remove the file from the inputs.")
        if size == 0:
            raise SourceError("the file is empty (0 bytes).", file=display, hint="Ask the agency for the file again.")
        self._add(path, display, kind, sha, size, None)

    def _add(self, path: Path, display: str, kind: str, sha: str, size: int, member_sha: str | None) -> None:
        if kind == "csv":
            self._stage(path, SourceInfo(index=len(self.sources), file=display, sha256=sha, bytes=size,
                                         container="csv", member_sha256=member_sha))
        elif kind == "xlsx":
            keep, skipped = audit_sheets(path, display)
            for name, why in skipped:
                self.skipped.append({"file": display, "sheet": name, "why": why})
            if not keep:
                raise SourceError("no sheet of this workbook holds search-audit rows (no sheet has a header "
                                  "with a search time and known Flock columns).", file=display,
                                  hint="Check the sheets; add unknown column names to pipeline/rules/columns.yml.")
            for name in keep:
                self._stage(path, SourceInfo(index=len(self.sources), file=display, sha256=sha, bytes=size,
                                             container="xlsx", sheet=name, member_sha256=member_sha))
        elif kind == "zip":
            self._add_zip(path, display, sha, size)

    def _stage(self, path: Path, info: SourceInfo) -> None:
        info.stage = str(self.stage_dir / f"source-{info.index:05d}.parquet")
        label = info.file + (f" [{info.sheet}]" if info.sheet else "")
        self.progress(f"reading {label}")
        if info.container == "csv":
            try:
                self._write(info, read_csv(path, info))
            except NeedsExactRead:
                self.progress(f"  {label}: malformed records found; re-reading record by record")
                self._write(info, read_csv(path, info, exact=True))
        else:
            self._write(info, read_sheet(path, info))
        self.sources.append(info)
        self.progress(f"  {info.rows_read:,} rows ({info.reader})")

    def _write(self, info: SourceInfo, batches) -> None:
        writer = StageWriter(Path(info.stage))
        try:
            for batch in batches:
                writer.write(batch)
        finally:
            writer.close()

    def _add_zip(self, path: Path, display: str, sha: str, size: int) -> None:
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as e:
            raise SourceError(f"the zip archive cannot be opened ({e}).", file=display,
                              hint="Ask the agency for the archive again; it may have been cut short.") from None
        with zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            total = 0
            for m in members:
                p = PurePosixPath(m.filename)
                if p.is_absolute() or ".." in p.parts or "\\" in m.filename and ".." in m.filename:
                    raise SourceError(f"the archive member '{m.filename}' points outside the archive's folder; "
                                      "it is refused.", file=display, hint="Extract the archive by hand and check it.")
                total += m.file_size
                if (m.file_size > MAX_ZIP_MEMBER_BYTES or total > MAX_ZIP_TOTAL_BYTES
                        or (m.compress_size and m.file_size / max(m.compress_size, 1) > MAX_ZIP_RATIO
                            and m.file_size > 64 * 1024**2)):
                    raise SourceError(f"the archive member '{m.filename}' would expand to {m.file_size:,} bytes, "
                                      "past the pipeline's safety limit.", file=display,
                                      hint="Extract the archive by hand and add its files instead.")
            readable = [m for m in members
                        if _kind_of(m.filename) in ("csv", "xlsx")
                        and not PurePosixPath(m.filename).name.startswith(".")
                        and "__MACOSX" not in PurePosixPath(m.filename).parts]
            for m in members:
                if m not in readable:
                    self.skipped.append({"file": display, "sheet": None, "member": m.filename,
                                         "why": "not a CSV or workbook (or a system file)"})
            if not readable:
                raise SourceError("the archive holds no CSV or workbook.", file=display)
            with tempfile.TemporaryDirectory(dir=self.stage_dir) as tmp:
                for m in sorted(readable, key=lambda m: m.filename):
                    target = Path(tmp) / f"member{Path(m.filename).suffix.lower()}"
                    with zf.open(m) as src, open(target, "wb") as dst:
                        copied = 0
                        while block := src.read(1 << 20):
                            copied += len(block)
                            if copied > MAX_ZIP_MEMBER_BYTES:
                                raise SourceError(f"the archive member '{m.filename}' expands past the safety limit.",
                                                  file=display)
                            dst.write(block)
                    member_display = f"{display}!{m.filename}"
                    self._add(target, member_display, _kind_of(m.filename), sha, size, sha256_file(target))
                    target.unlink()


def ingest(files: list[Path], stage_dir: Path, root: Path = ROOT, progress=None,
           hashes: dict[Path, str] | None = None) -> Ingest:
    """Stage every file; `hashes` (path -> SHA-256 already computed by the caller) avoids hashing twice."""
    stage_dir.mkdir(parents=True, exist_ok=True)
    ing = Ingest(stage_dir, root, progress)
    for f in files:
        ing.add_file(f, (hashes or {}).get(f))
    return ing
