"""Columns a release does not have, said once on page 01 (from the manifest the build wrote).

A column that is not in the export is neither blank nor masked: its searches are `not_exported`, no
expectation warns about it, and the figures that need it are "not measurable", never 0. Page 01 says it
once, here, in words ("this export has no searcher column").
"""

from __future__ import annotations

# The columns worth a sentence, with the words for them and the headers that would have held them.
NAMED = {
    "searcher": ("searcher", "Name / userId"),
    "org_name": ("agency", "Org Name"),
    "reason": ("free-text reason", "Reason / reason"),
    "offense_type": ("dropdown reason", "offenseType"),
    "total_networks": ("networks-searched", "Total Networks Searched / networkCount"),
    "total_devices": ("devices-searched", "Total Devices Searched"),
    "time_frame": ("time-frame", "Time Frame"),
    "license_plate": ("licence plate", "License Plate"),
}
TIME_FRAME = {"time_frame", "time_frame_start", "time_frame_end"}


def _has(source: dict, column: str) -> bool:
    cols = {c for c in source.get("canonical_columns") or [] if c}
    return bool(cols & TIME_FRAME) if column == "time_frame" else column in cols


def sentences(manifest: dict) -> list[str]:
    """One sentence per column some or all of the release's files lack: 'This export has no searcher
    column (Name / userId): its searches' searcher is not_exported, not blank.'"""
    sources = manifest.get("sources") or []
    if not sources:
        return []
    out = []
    for column, (what, headers) in NAMED.items():
        lacking = [s for s in sources if not _has(s, column)]
        if not lacking:
            continue
        if column == "offense_type" and len(lacking) == len(sources):
            continue  # (only 2026 portal exports have it: its absence says nothing)
        scope = (
            "This export has"
            if len(lacking) == len(sources)
            else f"{len(lacking):,} of its {len(sources):,} files or sheets have"
        )
        if column == "searcher":
            tail = (
                ": the searcher of those searches is not_exported (not blank, not masked), and no check warns about it."
            )
        elif column == "total_networks" and any(_has(s, "camera_count") for s in lacking):
            tail = (
                ": its 2025 cameraCount is kept as released, as camera_count, and is not a count of networks (page 03)."
            )
        else:
            tail = ": the figures that need it are not measurable, never 0."
        out.append(f"{scope} no {what} column ({headers}){tail}")
    return out
