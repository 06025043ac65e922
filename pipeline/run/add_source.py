"""data/raw/<slug>/SOURCE.md as add writes it: one block per file (name, bytes, SHA-256, dates, request), the
heading line being how a later add knows the file is recorded."""

from __future__ import annotations

import re

from pipeline.run.add_files import Planned

SOURCE_SECTION = "## Files added with `python -m pipeline add`"
# One block per file in SOURCE.md; the heading line is how a later add knows the file is recorded.
_RECORDED_RE = re.compile(r"^### `(?P<name>[^`]+)`", re.MULTILINE)
_SHA_RE = re.compile(r"^- SHA-256: `(?P<sha>[0-9a-f]{64})`", re.MULTILINE)


def recorded(source_md: str) -> dict[str, set[str]]:
    """File name -> SHA-256 values that SOURCE.md already records under that name (by this command)."""
    out: dict[str, set[str]] = {}
    blocks = list(_RECORDED_RE.finditer(source_md))
    for k, m in enumerate(blocks):
        body = source_md[m.end() : blocks[k + 1].start() if k + 1 < len(blocks) else len(source_md)]
        sha = _SHA_RE.search(body)
        out.setdefault(m["name"], set()).update({sha["sha"]} if sha else set())
    return out


def one_line(text: str) -> str:
    """Free text in SOURCE.md stays one Markdown line (a newline could forge another file's record)."""
    return " ".join(str(text).split())


def source_block(p: Planned, today: str, received: str | None, request: str | None, note: str | None) -> str:
    lines = [f"### `{p.name}`", "", f"- Bytes: {p.bytes:,}", f"- SHA-256: `{p.sha256}`", f"- Added: {today}"]
    if received:
        lines.append(f"- Received: {received}")
    if request:
        lines.append(f"- Request: {one_line(request)}")
    if note:
        lines.append(f"- Note: {one_line(note)}")
    return "\n".join(lines) + "\n"


def updated_source_md(existing: str | None, slug: str, synthetic: bool, blocks: list[str]) -> str:
    text = existing
    if text is None:
        label = "SYNTHETIC data: generated, not a real public-records release. " if synthetic else ""
        text = (
            f"# {slug}: where these files came from\n\n{label}Every file below was copied here byte-identical "
            "by `python -m pipeline add`; its SHA-256 is what every citation of its rows refers to.\n"
        )
    if SOURCE_SECTION not in text:
        text = text.rstrip("\n") + f"\n\n{SOURCE_SECTION}\n"
    return text.rstrip("\n") + "\n\n" + "\n".join(blocks)


# --------------------------------------------------------------------------------------------------
# Checks
