"""Planting the known searches (immigration reasons, traps), and the truth bookkeeping.

Part of the synthetic generator; `tools/synth.py` is its command and `generate`."""

from __future__ import annotations

import numpy as np

from tools.synth_agencies import Agencies, alloc, iso, local_date
from tools.synth_rows import Plan
from tools.synth_vocab import CIVIL, CRIMINAL, DRUG_SLANG, DRUG_SLANG_N, TRAPS, UNSPECIFIED_TEXTS

# --------------------------------------------------------------------------------------------
# Planting
# --------------------------------------------------------------------------------------------
MULTI_TEMPLATES = [
    "Wanted Person (Arrest Warrant/Fugitive), {X}",
    "{X}, Motor Vehicle Theft/Stolen",
    "Drugs/Narcotics, {X}",
    "{X}, Larceny/Theft Offenses",
]
VARIANT_W = [0.45, 0.20, 0.10, 0.10, 0.15]


def _dropdown_variants(rng, base: str, n: int) -> list[str]:
    """n dropdown reasons for `base`: alone, blank detail, ' - ICE detainer', trailing spaces, in a
    multi-select list (each variant at least once when n >= 5)."""
    counts = alloc(n, VARIANT_W, floor=1 if n >= 5 else 0)
    out = []
    for v, c in enumerate(counts):
        for _ in range(c):
            if v == 0:
                out.append(base)
            elif v == 1:
                out.append(base + " - ")
            elif v == 2:
                out.append(base + " - ICE detainer")
            elif v == 3:
                out.append(base + " " * int(rng.integers(1, 4)))
            else:
                out.append(MULTI_TEMPLATES[int(rng.integers(len(MULTI_TEMPLATES)))].replace("{X}", base))
    return out


def imm_agencies(rng, ag: Agencies, states: list[str], exclude: set[int]) -> list[int]:
    chosen: list[int] = []
    for st in states:
        cand = [
            i
            for i in range(1, len(ag))
            if ag.states[i] == st
            and i not in exclude
            and i not in chosen
            and ag.kind[i] in ("generic", "must")
            and not ag.names[i].startswith("[")
            and "[Inactive]" not in ag.names[i]
        ]
        if not cand:
            cand = [i for i in range(1, len(ag)) if i not in exclude and i not in chosen and ag.kind[i] == "generic"]
        chosen.append(int(cand[int(rng.integers(len(cand)))]))
    return chosen


def spread(rng, items: list[tuple[str, str]], agencies: list[int]) -> list[tuple[str, str, int]]:
    """Give each (reason, kind) an agency: every agency at least one, otherwise heavy-tailed."""
    k = len(agencies)
    assert len(items) >= k
    w = 1.0 / np.arange(1, k + 1) ** 1.1
    w = w[rng.permutation(k)]
    ids = list(range(k)) + rng.choice(k, size=len(items) - k, p=w / w.sum()).tolist()
    ids = [ids[i] for i in rng.permutation(len(ids)).tolist()]
    return [(r, kind, agencies[a]) for (r, kind), a in zip(items, ids)]


def immigration_items(rng, n_civil, n_crim, n_unspec, unspec_texts=UNSPECIFIED_TEXTS):
    items = [(r, "civil") for r in _dropdown_variants(rng, CIVIL, n_civil)]
    items += [(r, "criminal") for r in _dropdown_variants(rng, CRIMINAL, n_crim)]
    counts = alloc(n_unspec, [1] * len(unspec_texts), floor=1 if n_unspec >= len(unspec_texts) else 0)
    for txt, c in zip(unspec_texts, counts):
        items += [(txt, "unspecified")] * c
    return items


def trap_items(rng, ag: Agencies, factor: float):
    items = []
    for txt, base in TRAPS.items():
        n = max(1, round(base * factor))
        for j in range(n):
            if j == 0 and txt == "Niceville burglary" and "Niceville FL PD" in ag._index:
                o = ag.idx("Niceville FL PD")
            elif j == 0 and txt == "Price check fraud" and "Price UT PD" in ag._index:
                o = ag.idx("Price UT PD")
            else:
                o = int(rng.choice(len(ag), p=ag.weights))
            items.append((txt, "trap", o))
    for j in range(max(1, round(DRUG_SLANG_N * factor))):
        items.append((DRUG_SLANG, "slang", int(rng.choice(len(ag), p=ag.weights))))
    return items


# --------------------------------------------------------------------------------------------
# Truth bookkeeping
# --------------------------------------------------------------------------------------------
class Truth:
    def __init__(self, slug, seed, scale, tz, ag):
        self.slug, self.seed, self.scale, self.tz, self.ag = slug, seed, scale, tz, ag
        self.files = []
        self.skipped = []
        self.plans: list[Plan] = []
        self.cross = 0
        self.conflicts = 0

    def add_file(self, name, sheet, data_rows, rep, kept, dups):
        self.files.append(
            {
                "file": name,
                "sheet": sheet,
                "data_rows": data_rows,
                "repeated_header_rows": rep,
                "kept": kept,
                "duplicates": dups,
                "rejected": rep,
            }
        )

    def build(self, names_used) -> dict:
        ag = self.ag
        t = np.concatenate([p.t for p in self.plans])
        org = np.concatenate([p.org for p in self.plans])
        kinds: dict[str, int] = {}
        imm_orgs: dict[int, int] = {}
        by_reason: dict[str, int] = {}
        traps = {k: 0 for k in TRAPS}
        slang = 0
        for p in self.plans:
            for i, k in p.kind.items():
                if k in ("civil", "criminal", "unspecified"):
                    kinds[k] = kinds.get(k, 0) + 1
                    o = int(p.org[i])
                    imm_orgs[o] = imm_orgs.get(o, 0) + 1
                    by_reason[p.planted[i]] = by_reason.get(p.planted[i], 0) + 1
                elif k == "trap":
                    traps[p.planted[i]] += 1
                elif k == "slang":
                    slang += 1
        states = np.array(ag.name_states, dtype=object)[org]  # the state each name reveals ('' = none)
        sbs: dict[str, int] = {}
        for s in states.tolist():
            sbs[s] = sbs.get(s, 0) + 1
        used = np.unique(org)
        hours, inv = np.unique(t // 900, return_inverse=True)  # local date per UTC quarter hour
        hour_date = np.array([local_date(int(h) * 900, self.tz) for h in hours.tolist()], dtype=object)
        dates, n_by_date = np.unique(hour_date[inv].astype(str), return_counts=True)
        by_date = {str(d): int(c) for d, c in zip(dates.tolist(), n_by_date.tolist())}
        by_month: dict[str, int] = {}
        for d, c in by_date.items():
            by_month[d[:7]] = by_month.get(d[:7], 0) + c
        fed = np.array([n.startswith("[Federal]") for n in ag.names])
        rows = sum(f["data_rows"] for f in self.files)
        dup_rows = sum(f["duplicates"] for f in self.files)
        imm_states = sorted({ag.name_states[o] for o in imm_orgs if ag.name_states[o]})
        return {
            "slug": self.slug,
            "synthetic": True,
            "seed": self.seed,
            "scale": self.scale,
            "producer_timezone": self.tz,
            "producer": ag.names[0],
            "files": self.files,
            "skipped_sheets": self.skipped,
            "searches": int(len(t)),
            "rows": int(rows),
            "duplicate_rows": int(dup_rows),
            "cross_file_duplicates": int(self.cross),
            "conflicting_searches": int(self.conflicts),
            "agencies": int(len(used)),
            "first_search_utc": iso(t.min()),
            "last_search_utc": iso(t.max()),
            "first_local_date": local_date(t.min(), self.tz),
            "last_local_date": local_date(t.max(), self.tz),
            "searchers_present": len(names_used),
            "searches_by_local_month": by_month,
            "searches_by_local_date": by_date,
            "immigration": {
                "searches": int(sum(kinds.values())),
                "civil": kinds.get("civil", 0),
                "criminal": kinds.get("criminal", 0),
                "unspecified": kinds.get("unspecified", 0),
                "agencies": len(imm_orgs),
                "agency_states": imm_states,
                "by_agency": {ag.names[o]: imm_orgs[o] for o in sorted(imm_orgs, key=lambda o: ag.names[o])},
                "by_reason": {k: by_reason[k] for k in sorted(by_reason)},
            },
            "federal_searches": int(fed[org].sum()),
            "searches_by_state": {k: sbs[k] for k in sorted(sbs)},
            "state_by_agency": {
                ag.names[o]: ag.name_states[o] for o in sorted(used.tolist(), key=lambda o: ag.names[o])
            },
            "traps": traps,
            "trap_drug_slang": slang,
        }


def synthetic_md(slug, seed, scale, extra):
    return (
        f"SYNTHETIC data ({slug}). Every file in this folder was generated by `python -m tools.synth {slug} --scale {scale} "
        f"--seed {seed}` (module `tools/synth.py`, seed {seed}, scale {scale}). It is NOT a real "
        f"public-records release and no row describes a real search, officer, plate or case: agency "
        f"names, IDs, times and reasons are random draws shaped like real Flock Safety network-audit "
        f"exports, calibrated to what The 74 and The Guardian published ({extra}). The quirks of real "
        f"releases are planted on purpose, and `truth.json` lists exactly what was planted so a "
        f"pipeline can be checked against it.\n"
    )


def scaled(base: float, scale: float, floor: int) -> int:
    return max(int(floor), int(round(base * scale)))
