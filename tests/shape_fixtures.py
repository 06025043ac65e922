"""Release shapes known to exist but with no real file in the project, generated from their descriptions
(issue 24, docs/formats.md). Each generator returns (files {name: text}, truth {figure: value}): the
truth is what was planted, counted here as the rows are written, never read back from the pipeline.

Every file is SYNTHETIC (made here; no value comes from a real release).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

from builders import EXPORT_COLUMNS, uid

IMM_CIVIL = "Immigration (civil/administrative)"
IMM_CRIMINAL = "Immigration (criminal)"
WANTED = "Wanted Person (Arrest Warrant/Fugitive)"
# dropdown cells as Flock writes them: one value, value - detail (a detail holding a comma), multi-select (a
# value with parentheses first), trailing spaces, the detail left blank; and the values each selects
DROPDOWN_CELLS = [
    ("Motor Vehicle Theft/Stolen", ["Motor Vehicle Theft/Stolen"]),
    ("Welfare Check  ", ["Welfare Check"]),
    (f"{WANTED}, Sex Offenses", [WANTED, "Sex Offenses"]),
    ("Burglary/Breaking & Entering - suspect vehicle, white van", ["Burglary/Breaking & Entering"]),
    (f"{IMM_CIVIL} - ", [IMM_CIVIL]),
    (IMM_CRIMINAL, [IMM_CRIMINAL]),
    (f"Drugs/Narcotics, {IMM_CRIMINAL}", ["Drugs/Narcotics", IMM_CRIMINAL]),
]
UNKNOWN_VALUE = "Traffic Enforcement"  # not on Flock's list in rules/dropdown.yml: must be named, never classed
T0 = dt.datetime(2026, 3, 10, 4, 31, 52, 901000)


def _iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def _portal_2025(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S.") + f"{t.microsecond // 1000:03d}"


def offense_export(n: int = 60, unknown: int = 2, seed: int = 24) -> tuple[dict, dict]:
    """The 2026 portal export with both reasons and no userId: `id,searchDate,networkCount,reason,offenseType`.

    Free-text reasons are mostly "Investigation"; a few say "ICE detainer" beside a dropdown value that is
    not immigration; `unknown` rows hold a value not on the list."""
    rng = random.Random(seed)
    lines = ['"id","searchDate","networkCount","reason","offenseType"']
    picked: Counter = Counter()
    imm = Counter()
    imm_from = Counter()
    unknown_rows = 0
    for i in range(n):
        t = T0 + dt.timedelta(minutes=37 * i)
        if i < unknown:
            cell, values = UNKNOWN_VALUE, []
            unknown_rows += 1
        else:
            cell, values = DROPDOWN_CELLS[i % len(DROPDOWN_CELLS)]
        reason = "ICE detainer" if i % 11 == 5 else rng.choice(["Investigation", "BOL", "Stolen"])
        picked.update(values)
        by_offense = IMM_CIVIL in values or IMM_CRIMINAL in values
        by_reason = reason == "ICE detainer"
        if by_offense or by_reason:
            imm["civil" if IMM_CIVIL in values else "criminal" if IMM_CRIMINAL in values else "unspecified"] += 1
            imm_from["both" if by_offense and by_reason else "offense_type" if by_offense else "reason"] += 1
        lines.append(f'"{uid(2400 + i)}","{_iso(t)}","{rng.choice([2, 449])}","{reason}","{cell}"')
    truth = {
        "searches": n,
        "offense_values": dict(picked),
        "unknown_value": UNKNOWN_VALUE,
        "unknown_searches": unknown_rows,
        "immigration": sum(imm.values()),
        "immigration_types": dict(imm),
        "immigration_from": dict(imm_from),
        "first_utc": _iso(T0),
    }
    return {"offense.csv": "\n".join(lines) + "\n"}, truth


# the 14 columns less Time Frame, Total Devices Searched, Text Prompt and Moderation: 10, in the export's order
FEDERAL_HEADER = [
    c for c in EXPORT_COLUMNS if c not in ("Total Devices Searched", "Time Frame", "Text Prompt", "Moderation")
]
FEDERAL_AGENCIES = ["[Federal] U.S. Border Patrol", "[Federal] HSI Houston", "Harris County TX SO", "Dallas TX PD"]


def federal_export(n: int = 40) -> tuple[dict, dict]:
    """The 10-column "federal searches" export: no Time Frame, no Total Devices Searched."""
    lines = [",".join(FEDERAL_HEADER)]
    by_agency: Counter = Counter()
    max_networks = 0
    for i in range(n):
        org = FEDERAL_AGENCIES[i % len(FEDERAL_AGENCIES)]
        networks = 1 + (i * 97) % 3100
        max_networks = max(max_networks, networks)
        t = dt.datetime(2026, 1, 5, 14, 3, 21) + dt.timedelta(hours=5 * i)
        when = t.strftime("%m/%d/%Y, %I:%M:%S %p UTC")
        lines.append(f'{uid(900 + i)},***,{org},{networks},***,"Investigation",***,,"{when}",search')
        by_agency[org] += 1
    truth = {
        "searches": n,
        "agencies": len(by_agency),
        "by_agency": dict(by_agency),
        "federal_searches": sum(v for k, v in by_agency.items() if k.startswith("[Federal]")),
        "max_networks": max_networks,
        "columns": len(FEDERAL_HEADER),
    }
    return {"federal.csv": "\n".join(lines) + "\n"}, truth


OWN_CAMERAS = 3  # the producer's own cameras, as a rules file would state them


def merged_portal(n: int = 30) -> tuple[dict, dict]:
    """The merged 6-column portal header `id,userId,searchDate,cameraCount,reason,networkCount`: one date
    column mixing the 2025 and 2026 formats, a row filling one count column or the other."""
    lines = ["id,userId,searchDate,cameraCount,reason,networkCount"]
    times, cameras, networks = [], {}, {}
    for i in range(n):
        if i % 2 == 0:  # a 2025 row: its date without a zone, cameraCount filled
            t = dt.datetime(2025, 6, 18, 0, 2, 4, 789000) + dt.timedelta(days=3 * i)
            cell, cam, net = _portal_2025(t), str(OWN_CAMERAS if i % 4 == 0 else 2510 + i), ""
            cameras[uid(3000 + i)] = int(cam)
        else:  # a 2026 row: ISO with Z, networkCount filled
            t = dt.datetime(2026, 1, 5, 14, 3, 21, 361000) + dt.timedelta(days=i)
            cell, cam, net = _iso(t), "", str(400 + i)
            networks[uid(3000 + i)] = int(net)
        times.append(t)
        lines.append(f"{uid(3000 + i)},{uid(7000 + i % 4)},{cell},{cam},Investigation,{net}")
    truth = {
        "searches": n,
        "first_utc": min(times),
        "last_utc": max(times),
        "camera_count": cameras,
        "total_networks": networks,
        "own_cameras": OWN_CAMERAS,
        "cameras_local_only": sum(1 for v in cameras.values() if 1 <= v <= OWN_CAMERAS),
        "searchers": 4,
    }
    return {"merged.csv": "\n".join(lines) + "\n"}, truth


def masked_users(n: int = 24) -> tuple[dict, dict]:
    """`userId` holding Flock's mask ***, an agency's REDACTED and raw per-user UUIDs in one file."""
    lines = ['"id","userId","searchDate","networkCount","reason"']
    states: Counter = Counter()
    users = set()
    for i in range(n):
        user = ["***", "REDACTED", uid(8000 + i % 5)][i % 3]
        states["present" if user.count("-") == 4 else "masked"] += 1
        if user.count("-") == 4:
            users.add(user)
        t = T0 + dt.timedelta(hours=i)
        lines.append(f'"{uid(5000 + i)}","{user}","{_iso(t)}","2","Investigation"')
    truth = {"searches": n, "present": states["present"], "masked": states["masked"], "searchers": len(users)}
    return {"users.csv": "\n".join(lines) + "\n"}, truth


def eras_without_newline(n: int = 12) -> tuple[dict, dict]:
    """Two portal files with no newline after the last record: the 2025 era with counts unquoted
    (cameraCount), the 2026 era with every cell quoted (networkCount)."""
    old = ['"id","userId","searchDate","cameraCount","reason"']
    new = ['"id","userId","searchDate","networkCount","reason"']
    cameras, networks = {}, {}
    for i in range(n):
        t = dt.datetime(2025, 7, 1, 8, 0, 0, 125000) + dt.timedelta(hours=7 * i)
        cameras[uid(6000 + i)] = 94 + i
        old.append(f'"{uid(6000 + i)}","{uid(8100 + i % 3)}","{_portal_2025(t)}",{94 + i},"Stolen vehicle"')
        t2 = T0 + dt.timedelta(hours=7 * i)
        networks[uid(6500 + i)] = 300 + i
        new.append(f'"{uid(6500 + i)}","***","{_iso(t2)}","{300 + i}","BOL"')
    files = {"a_2025.csv": "\n".join(old), "b_2026.csv": "\r\n".join(new)}  # (no final line break in either)
    truth = {
        "searches": 2 * n,
        "camera_count": cameras,
        "total_networks": networks,
        "last_reason_2025": "Stolen vehicle",
    }
    return files, truth


def two_releases(n: int = 20, shared: int = 8) -> tuple[dict, dict]:
    """The same searches in two releases: the first with `reason` only (2025 layout, read first), the
    second with `offenseType` too. Copies de-duplicate by ID and the dropdown value is kept."""
    first = ['"id","userId","searchDate","networkCount","reason"']
    second = ['"id","searchDate","networkCount","reason","offenseType"']
    offense = {}
    for i in range(n):
        t = T0 + dt.timedelta(hours=3 * i)
        first.append(f'"{uid(4000 + i)}","***","{_iso(t)}","2","Investigation"')
    for i in range(n - shared, 2 * n - shared):
        t = T0 + dt.timedelta(hours=3 * i)
        cell = DROPDOWN_CELLS[i % len(DROPDOWN_CELLS)][0]
        offense[uid(4000 + i)] = cell
        second.append(f'"{uid(4000 + i)}","{_iso(t)}","2","Investigation","{cell}"')
    files = {"a_first.csv": "\n".join(first) + "\n", "b_second.csv": "\n".join(second) + "\n"}
    truth = {"searches": 2 * n - shared, "duplicates": shared, "offense_type": offense, "conflicts": 0}
    return files, truth
