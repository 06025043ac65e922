"""A SYNTHETIC corpus: six school districts' network audits that share nationwide searches by known amounts.

`generate_corpus(raw_root)` writes data/raw/<member>/SYNTHETIC_*.csv for each member (CSV in Flock's
network-audit layout; two members export no ID column, one no Total Devices column) and
data/raw/<corpus>/truth.json: every corpus figure, computed from the generator's own bookkeeping (the
list of planted searches and which producer's log holds a copy), never by reading the files back.

What is planted (and why, see pipeline/analyze/corpus.py):
* shared searches in exactly k producers' logs for k = 2..6 (SHARED_BY_K); each producer's own local
  searches; every search time is a distinct second, so two searches share a fingerprint only where planted;
* ID-less logs (aspen-sd, peach-sd): their copies of shared searches link by fingerprint; some searches
  lie only in the two ID-less logs (linked by fingerprint alone); AMBIGUOUS_PAIRS pairs of distinct
  searches share one fingerprint (same agency, second, networks and time frame) and both reach aspen-sd:
  those copies cannot be told apart and stay unlinked (the fingerprint's planted limit);
* agency spellings: mesa-usd writes two agencies the way the reviewed alias table lists them
  (pipeline/rules/corpus/agency_aliases.yml); bayou-psd and peach-sd each spell one agency in a way the
  table does not list (they must come out as variants to review, not merged);
* differences that are legitimate between producers' copies (local day, masked names and plates, a column
  one export lacks, a redacted case number) and CONFLICTS copies that disagree in a field that must agree.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import pathlib

import numpy as np

from tools import synth_vocab

CORPUS = "six-districts"
SEED = 20260301
MASK = "***"
# The 12 columns of a network audit before Flock added Text Prompt and Moderation (the generator's full header).
HEADER = [h for h in synth_vocab.HEADER if h not in ("Text Prompt", "Moderation")]
# slug, producer, IANA zone, own local searches, exports the ID column, exports Total Devices
MEMBERS = [
    ("pecan-isd", "Pecan Independent School District", "America/Chicago", 2400, True, True),
    ("mesa-usd", "Mesa Verde Unified School District", "America/Phoenix", 1200, True, False),
    ("aspen-sd", "Aspen Valley School District", "America/Denver", 700, False, True),
    ("bayou-psd", "Bayou Parish School District", "America/Chicago", 1700, True, True),
    ("harbor-usd", "Harbor Unified School District", "America/Los_Angeles", 500, True, True),
    ("peach-sd", "Peach County School District", "America/New_York", 900, False, True),
]
ID_LESS = ("aspen-sd", "peach-sd")
SHARED_BY_K = {2: 300, 3: 200, 4: 120, 5: 60, 6: 30}
ONLY_ID_LESS = 25  # searches in both ID-less logs and no other: linked by fingerprint alone
AMBIGUOUS_PAIRS = 2  # pairs sharing one fingerprint, each in pecan-isd (ID) and aspen-sd (no ID)
CONFLICTS = {"total_networks": 4, "reason_clean": 3}  # shared ID searches whose copies disagree
# Reviewed aliases (as in the rules table) and unreviewed variants: (canonical, spelling, who spells it)
ALIASED = [
    ("Harris County TX SO", "Harris County SO (TX)", "mesa-usd"),
    ("Maricopa County AZ SO", "Maricopa Co. AZ SO", "mesa-usd"),
]
UNREVIEWED = [
    ("Austin TX PD", "Austin PD (TX)", "bayou-psd"),
    ("Fulton County GA SO", "Fulton County SO (GA)", "peach-sd"),
]
FEDERAL = [("[Federal] U.S. Border Patrol", ""), ("[Federal] HSI Special Agent in Charge", "")]
CITIES = [
    ("Houston", "TX"),
    ("Dallas", "TX"),
    ("Austin", "TX"),
    ("Phoenix", "AZ"),
    ("Tucson", "AZ"),
    ("Denver", "CO"),
    ("Aurora", "CO"),
    ("Atlanta", "GA"),
    ("Macon", "GA"),
    ("Baton Rouge", "LA"),
    ("Shreveport", "LA"),
    ("Fresno", "CA"),
    ("Oakland", "CA"),
    ("Tampa", "FL"),
    ("Orlando", "FL"),
    ("Nashville", "TN"),
    ("Memphis", "TN"),
    ("Gary", "IN"),
    ("Columbus", "OH"),
    ("Omaha", "NE"),
]
COUNTIES = [
    ("Harris", "TX"),
    ("Maricopa", "AZ"),
    ("Fulton", "GA"),
    ("Jefferson", "LA"),
    ("Polk", "FL"),
    ("Adams", "CO"),
    ("Kern", "CA"),
    ("Lake", "IN"),
]
BACKGROUND = [
    "Stolen Vehicle",
    "Missing Person",
    "Robbery",
    "Burglary",
    "Homicide",
    "Assault",
    "Wanted Person (Arrest Warrant/Fugitive)",
    "Motor Vehicle Theft/Stolen",
    "Hit and Run",
    "Fraud",
]
IMMIGRATION = {
    "civil": "Immigration (civil/administrative)",
    "criminal": "Immigration (criminal)",
    "unspecified": "ICE detainer",
}
IMM_SHARE = {"civil": 0.012, "criminal": 0.005, "unspecified": 0.004}
T0 = int(dt.datetime(2026, 2, 2, tzinfo=dt.timezone.utc).timestamp())  # inside February in every zone
T1 = int(dt.datetime(2026, 2, 27, tzinfo=dt.timezone.utc).timestamp())


def _agencies() -> list[tuple[str, str]]:
    names = [(f"{c} {s} PD", s) for c, s in CITIES] + [(f"{c} County {s} SO", s) for c, s in COUNTIES]
    return names + FEDERAL


def _flock_time(t: int) -> str:
    d = dt.datetime.fromtimestamp(t, tz=dt.timezone.utc)
    return d.strftime("%m/%d/%Y, %I:%M:%S %p UTC")


def _uuid(rng) -> str:
    b = bytearray(rng.integers(0, 256, 16, dtype=np.uint8).tobytes())
    b[6], b[8] = (b[6] & 0x0F) | 0x40, (b[8] & 0x3F) | 0x80
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _searches(rng) -> list[dict]:
    """Every planted search: its true fields and the members whose logs hold a copy."""
    agencies, slugs = _agencies(), [m[0] for m in MEMBERS]
    sets = [frozenset([m[0]]) for m in MEMBERS for _ in range(m[3])]
    for k, n in SHARED_BY_K.items():
        sets += [frozenset(rng.choice(slugs, size=k, replace=False).tolist()) for _ in range(n)]
    sets += [frozenset(ID_LESS)] * ONLY_ID_LESS
    times = rng.choice(np.arange(T0, T1), size=len(sets) + AMBIGUOUS_PAIRS, replace=False)
    w = np.linspace(2.0, 0.5, len(agencies))
    out = []
    for i, members in enumerate(sets):
        a = int(rng.choice(len(agencies), p=w / w.sum()))
        out.append(_search(rng, members, agencies[a], int(times[i])))
    for p in range(AMBIGUOUS_PAIRS):  # twins: one fingerprint, two searches (different reasons)
        first = _search(rng, frozenset({"pecan-isd", "aspen-sd"}), agencies[p], int(times[len(sets) + p]))
        twin = dict(
            first, id=_uuid(rng), reason=BACKGROUND[(BACKGROUND.index(first["reason"]) + 1) % len(BACKGROUND)], imm=None
        )
        first["twin"] = twin["twin"] = True  # kept out of immigration: their reasons must stay different
        out += [first, twin]
    _plant_immigration(rng, out)
    return out


def _search(rng, members, agency, t) -> dict:
    back = int(rng.choice([1, 7, 30]))
    return {
        "id": _uuid(rng),
        "members": members,
        "agency": agency[0],
        "state": agency[1],
        "t": t,
        "networks": int(rng.integers(1, 3000)),
        "devices": int(rng.integers(10, 90000)),
        "tf": (t - back * 86400, t - int(rng.integers(0, 120))),
        "reason": BACKGROUND[int(rng.integers(len(BACKGROUND)))],
        "type": str(rng.choice(["search", "lookup", "search - Mobile"])),
        "imm": None,
        "conflict": None,
        "plate": "".join(rng.choice(list("ABCDEFGHJKLMNPRSTVWXYZ0123456789"), 7).tolist()),
    }


def _plant_immigration(rng, searches) -> None:
    eligible = [s for s in searches if not s.get("twin")]
    _plant_conflicts(rng, eligible)
    eligible = [s for s in eligible if s["conflict"] is None]
    for kind, share in IMM_SHARE.items():
        for i in rng.choice(len(eligible), size=int(len(eligible) * share), replace=False).tolist():
            if eligible[i]["imm"] is None:
                eligible[i]["imm"] = kind
                eligible[i]["reason"] = IMMIGRATION[kind]


def _plant_conflicts(rng, searches) -> None:
    """One ID copy of a shared search changed in one field (ID-less copies keep the true value)."""
    ids = {m[0] for m in MEMBERS if m[4]}
    pool = [s for s in searches if len(s["members"] & ids) >= 2]
    picks = rng.choice(len(pool), size=sum(CONFLICTS.values()), replace=False).tolist()
    fields = [f for f, n in CONFLICTS.items() for _ in range(n)]
    for i, field in zip(picks, fields):
        s = pool[i]
        s["conflict"] = (field, sorted(s["members"] & ids)[-1])


def _spelling(s: dict, slug: str) -> str:
    for canonical, variant, who in ALIASED:
        if s["agency"] == canonical and slug == who:
            return variant
    for canonical, variant, who in UNREVIEWED:  # only on the producer's own searches: never linked elsewhere
        if s["agency"] == canonical and slug == who and s["members"] == {who}:
            return variant
    return s["agency"]


def _row(s: dict, slug: str, has_devices: bool) -> list[str]:
    networks, reason = s["networks"], s["reason"]
    if s["conflict"] and s["conflict"][1] == slug:
        field = s["conflict"][0]
        networks = networks + 1 if field == "total_networks" else networks
        reason = reason + " (per dispatch)" if field == "reason_clean" else reason
    own = slug == "pecan-isd"  # an older export: names and plates not yet blanked, case numbers redacted
    return [
        s["id"],
        f"Officer {s['t'] % 97}" if own else MASK,
        _spelling(s, slug),
        str(networks),
        str(s["devices"]) if has_devices else None,
        _flock_time(s["tf"][0]) + "\n" + _flock_time(s["tf"][1]),
        s["plate"] if own else MASK,
        reason,
        MASK if own else "",
        "",
        _flock_time(s["t"]),
        s["type"],
    ]


def _write_member(raw_root: pathlib.Path, member, searches: list[dict]) -> dict:
    slug, producer, tz, _, has_id, has_devices = member
    rows = sorted((s for s in searches if slug in s["members"]), key=lambda s: -s["t"])
    header = [h for h in HEADER if (has_id or h != "ID") and (has_devices or h != "Total Devices Searched")]
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for s in rows:
        cells = dict(zip(HEADER, _row(s, slug, has_devices)))
        w.writerow([cells[h] for h in header])
    out = raw_root / slug
    out.mkdir(parents=True, exist_ok=True)
    name = f"SYNTHETIC_{slug}_network-audit_2026-02.csv"
    _write(out / name, buf.getvalue())
    _write(
        out / "SYNTHETIC.md",
        f"SYNTHETIC data ({slug}, member of the synthetic corpus {CORPUS}). Generated by "
        f"`python -m tools.synth {CORPUS}` (seed {SEED}); NOT a real public-records release. "
        f"data/raw/{CORPUS}/truth.json gives the planted corpus figures.\n",
    )
    truth = {
        "slug": slug,
        "synthetic": True,
        "producer": producer,
        "producer_timezone": tz,
        "rows": len(rows),
        "searches": len(rows),
        "has_id": has_id,
        "files": [name],
    }
    _write(out / "truth.json", json.dumps(truth, indent=2) + "\n")
    return truth


def _write(path: pathlib.Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8", newline="")
    tmp.replace(path)


def generate_corpus(raw_root: pathlib.Path, seed: int = SEED) -> dict:
    """Write every member's release and the corpus truth; return the truth."""
    rng = np.random.default_rng(seed)
    searches = _searches(rng)
    members = {m[0]: _write_member(pathlib.Path(raw_root), m, searches) for m in MEMBERS}
    truth = corpus_truth(searches)
    truth["members"] = members
    out = pathlib.Path(raw_root) / CORPUS
    out.mkdir(parents=True, exist_ok=True)
    _write(
        out / "SYNTHETIC.md",
        f"SYNTHETIC corpus {CORPUS}: truth.json holds the planted corpus figures "
        "(tools/synth_corpus.py). Not a real release; this folder is not a jurisdiction.\n",
    )
    _write(out / "truth.json", json.dumps(truth, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return truth


def _canonical(s: dict, slug: str) -> str:
    """The agency as the reviewed alias table names it: aliased spellings unified, unreviewed ones kept apart."""
    spelled = _spelling(s, slug)
    return next((c for c, v, _ in ALIASED if v == spelled), spelled)


def _units(searches: list[dict]) -> list[dict]:
    """The searches as the method must count them: twins' ID-less copies cannot be linked and stay apart."""
    ids = {m[0] for m in MEMBERS if m[4]}
    units = []
    for s in searches:
        holders = sorted(s["members"])
        linked = [m for m in holders if m in ids or not s.get("twin")]
        with_id = [m for m in linked if m in ids]
        link = (
            "id"
            if len(with_id) == len(linked)
            else "id_and_fingerprint"
            if with_id
            else "fingerprint"
            if len(linked) > 1
            else "id_less_single"
        )
        units.append({"s": s, "members": linked, "link": link, "agency": _canonical(s, linked[0])})
        units += [
            {"s": s, "members": [m], "link": "ambiguous", "agency": _canonical(s, m)}
            for m in holders
            if m not in linked
        ]
    return units


def corpus_truth(searches: list[dict]) -> dict:
    """Every corpus figure, from the planted searches (pipeline/analyze/corpus.py must reproduce it)."""
    units, slugs = _units(searches), [m[0] for m in MEMBERS]
    producers = {m[0]: m[1] for m in MEMBERS}
    dist, overlap, agencies, links = {}, {a: {b: 0 for b in slugs} for a in slugs}, {}, {}
    imm = {"searches": 0, "civil": 0, "criminal": 0, "unspecified": 0, "by_agency": {}, "by_state": {}}
    for u in units:
        n = len(u["members"])
        dist[str(n)] = dist.get(str(n), 0) + 1
        links[u["link"]] = links.get(u["link"], 0) + 1
        for a, b in itertools.product(u["members"], repeat=2):
            overlap[a][b] += 1
        ag = agencies.setdefault(u["agency"], {"searches": 0, "producers": set()})
        ag["searches"] += 1
        ag["producers"].update(u["members"])
        kind = u["s"]["imm"]
        if kind:
            imm["searches"] += 1
            imm[kind] += 1
            imm["by_agency"][u["agency"]] = imm["by_agency"].get(u["agency"], 0) + 1
            st = u["s"]["state"] or ""
            imm["by_state"][st] = imm["by_state"].get(st, 0) + 1
    conflicts = {}
    for s in searches:
        if s["conflict"]:
            conflicts[s["conflict"][0]] = conflicts.get(s["conflict"][0], 0) + 1
    per_agency = {a: {"searches": v["searches"], "producers": len(v["producers"])} for a, v in agencies.items()}
    return {
        "corpus": CORPUS,
        "synthetic": True,
        "seed": SEED,
        "generator": "tools.synth_corpus",
        "members": [m[0] for m in MEMBERS],
        "producers": producers,
        "rows": sum(len(s["members"]) for s in searches),
        "searches_true": len(searches),
        "distinct_searches": len(units),
        "links": links,
        "id_less_copies_ambiguous": links.get("ambiguous", 0),
        "producers_per_search": dict(sorted(dist.items())),
        "overlap": overlap,
        "agencies": len(per_agency),
        "per_agency": per_agency,
        "immigration": imm,
        "federal": {a: v for a, v in per_agency.items() if a.startswith("[Federal]")},
        "conflicts": {"searches": sum(conflicts.values()), "by_field": conflicts},
        "alias_review": sorted(sorted([c, v]) for c, v, _ in UNREVIEWED),
        "aliases_applied": sorted(v for _, v, _ in ALIASED),
    }
