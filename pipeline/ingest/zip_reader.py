"""Zip releases: which members are read, which are skipped and why, and each member extracted with the
safety limits that keep a zip bomb or a `../` path from doing harm. The reading itself is the other
readers' (a member is a CSV, a workbook or a PDF like any file)."""

from __future__ import annotations

import contextlib
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Iterator

from pipeline.errors import SourceError
from pipeline.ingest import limits
from pipeline.ingest.sniff import kind_of

# The limits (a member, all members, the compression ratio of a large member) are in limits.py, each with
# the environment variable that raises it.
EXTRACT_INTO_HINT = "Or extract the archive by hand, check its files, and add them instead."


@contextlib.contextmanager
def open_archive(path: Path, display: str) -> Iterator["Archive"]:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
        raise SourceError(
            f"the zip archive cannot be opened: it is damaged or not a zip ({e}).",
            file=display,
            hint="Ask the agency for the archive again; it may have been cut short.",
        ) from None
    with zf:
        yield Archive(zf, display)


class Archive:
    def __init__(self, zf: zipfile.ZipFile, display: str):
        self.zf, self.display = zf, display
        self.members = [m for m in zf.infolist() if not m.is_dir()]
        self._check_limits()

    def names(self) -> str:
        return ", ".join(m.filename for m in self.members[:8]) + (", …" if len(self.members) > 8 else "")

    def _check_limits(self) -> None:
        """Refuse the archive before extracting anything: a member outside its folder, or too large."""
        total = 0
        for m in self.members:
            p = PurePosixPath(m.filename)
            if p.is_absolute() or ".." in p.parts or "\\" in m.filename and ".." in m.filename:
                raise SourceError(
                    f"the archive member '{m.filename}' points outside the archive's folder; the archive is refused.",
                    file=self.display,
                    hint="Extract the archive by hand, check its files, and add the release's "
                    "files to the folder as new files.",
                )
            total += m.file_size
            self._check_size(m, total)

    def _check_size(self, m: zipfile.ZipInfo, total: int) -> None:
        """A member past its size or ratio limit, or the members so far past the total: refused, naming the
        limit and how to raise it (limits.py)."""
        ratio = m.file_size / max(m.compress_size, 1)
        if m.file_size > limits.ZIP_MEMBER_MB.value * 1024**2:
            why, limit = f"would expand to {limits.mb(m.file_size)}", limits.ZIP_MEMBER_MB
        elif m.file_size > limits.RATIO_FLOOR_BYTES and ratio > limits.MAX_RATIO.value:
            why = (
                f"would expand {ratio:,.0f} times ({m.compress_size:,} bytes to {limits.mb(m.file_size)}: a zip bomb?)"
            )
            limit = limits.MAX_RATIO
        elif total > limits.ZIP_TOTAL_MB.value * 1024**2:
            why, limit = f"brings the members to {limits.mb(total)} in all", limits.ZIP_TOTAL_MB
        else:
            return
        raise SourceError(
            f"the archive member '{m.filename}' {why}, past the pipeline's safety limit; nothing was extracted.",
            file=self.display,
            hint=f"{limit.how_to_raise()} {EXTRACT_INTO_HINT}",
        )

    def readable(self, skipped: list[dict]) -> list[zipfile.ZipInfo]:
        """The members a reader may read; every other one is added to `skipped` with the reason."""
        readable = [
            m
            for m in self.members
            if kind_of(m.filename) in ("csv", "xlsx", "pdf")
            and not PurePosixPath(m.filename).name.startswith(".")
            and "__MACOSX" not in PurePosixPath(m.filename).parts
        ]
        for m in self.members:
            if m not in readable:
                why = (
                    "an archive inside the archive (not opened)"
                    if kind_of(m.filename) == "zip"
                    else "not a CSV, workbook or PDF (or a system file)"
                )
                skipped.append({"file": self.display, "sheet": None, "member": m.filename, "why": why})
        if not readable:
            nested = any(kind_of(m.filename) == "zip" for m in self.members)
            raise SourceError(
                f"the archive holds no CSV or workbook (members: {self.names() or 'none'}).",
                file=self.display,
                hint=(
                    "A zip inside the zip is not opened: extract it and add the inner archive as its own file."
                    if nested
                    else "Check that this is the archive the agency sent; ask for the data as CSV or XLSX."
                ),
            )
        return readable

    def extract_each(self, members: list[zipfile.ZipInfo], scratch: Path) -> Iterator[tuple[zipfile.ZipInfo, Path]]:
        """(member, extracted file) for each member in name order; the file is deleted after the caller's turn."""
        with tempfile.TemporaryDirectory(dir=scratch) as tmp:
            for m in sorted(members, key=lambda m: m.filename):
                target = Path(tmp) / f"member{Path(m.filename).suffix.lower()}"
                self._extract(m, target)
                yield m, target
                target.unlink()

    def _extract(self, m: zipfile.ZipInfo, target: Path) -> None:
        name = m.filename
        try:
            with self.zf.open(m) as src, open(target, "wb") as dst:
                copied = 0
                while block := src.read(1 << 20):
                    copied += len(block)
                    if copied > max(m.file_size, 0) + (1 << 20) or copied > limits.ZIP_MEMBER_MB.value * 1024**2:
                        # more than the archive declared (a forged size) or than the limit: stop at once
                        raise SourceError(
                            f"the archive member '{name}' expands past its declared size or the pipeline's "
                            "safety limit; it was not read.",
                            file=self.display,
                            hint=f"{limits.ZIP_MEMBER_MB.how_to_raise()} {EXTRACT_INTO_HINT}",
                        )
                    dst.write(block)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as e:
            raise SourceError(
                f"the archive member '{name}' cannot be extracted: the archive is damaged ({e}).",
                file=self.display,
                hint="Ask the agency for the archive again; it may have been cut short or corrupted in transfer.",
            ) from None
        except NotImplementedError as e:
            raise SourceError(
                f"the archive member '{name}' is compressed with a method this pipeline cannot open ({e}).",
                file=self.display,
                hint="Extract the archive with another tool and add its files instead.",
            ) from None
        except RuntimeError:  # zipfile: "File ... is encrypted, password required"
            raise SourceError(
                f"the archive member '{name}' is password-protected (encrypted).",
                file=self.display,
                hint="Extract it by hand with the password the agency gave and add its files as new files instead.",
            ) from None
