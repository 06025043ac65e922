"""Builders the tests share: the columns of a Flock network / organization export, IDs, time frames."""

from __future__ import annotations

# The 14 columns of a current Flock network or organization audit export (FORMATS.md §1), in order.
EXPORT_COLUMNS = [
    "ID",
    "Name",
    "Org Name",
    "Total Networks Searched",
    "Total Devices Searched",
    "Time Frame",
    "License Plate",
    "Reason",
    "Case #",
    "Filters",
    "Search Time",
    "Search Type",
    "Text Prompt",
    "Moderation",
]
EXPORT_HEADER = ",".join(EXPORT_COLUMNS)
# An older export without devices, text prompt or moderation (11 columns).
OLD_EXPORT_HEADER = ",".join(
    c for c in EXPORT_COLUMNS if c not in ("Total Devices Searched", "Text Prompt", "Moderation")
)
# A Time Frame cell as Flock writes it: two UTC times on two lines, quoted.
TIME_FRAME = '"11/01/2025, 05:30:00 AM UTC\n12/01/2025, 05:29:00 AM UTC"'


def uid(i: int) -> str:
    """A UUID-shaped Flock ID, distinct for each i."""
    return f"0f8b6c1e-0000-4000-8000-{i:012d}"


def csv_text(*rows: str, header: str | None = EXPORT_HEADER) -> str:
    return "\n".join(([header] if header else []) + list(rows)) + "\n"
