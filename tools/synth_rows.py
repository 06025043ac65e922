"""One release file's searches: the plan of its own searches, and each row formatted as Flock writes it.

Part of the synthetic generator; `tools/synth.py` is its command and `generate`."""

from __future__ import annotations

import csv
import datetime as dt
import pathlib
from zoneinfo import ZoneInfo

import numpy as np

from tools.synth_agencies import Agencies, TimeFmt, atomic, uuids
from tools.synth_vocab import (
    CATEGORIES,
    CHUNK,
    DASHES,
    DETAILS,
    DEV,
    FREE_TEXT,
    FREEFORM,
    HEADER,
    LETTERS,
    MASK,
    MODERATION,
    MODERATION_W,
    NO_PLATE,
    SEARCH_TYPE_W,
    SEARCH_TYPES,
    TEXT_PROMPTS,
)


# --------------------------------------------------------------------------------------------
# Search-level plan (one file's own searches) and row formatting
# --------------------------------------------------------------------------------------------
def hour_cells(days, tz, exclude=None, only=None):
    """(start of each local hour as UTC epoch, weight) over local `days` (list of date), weighted by
    weekday/holiday and hour of day. exclude/only: a (start_utc, end_utc) window to leave out / keep."""
    hour_w = np.array([2, 1.5, 1.2, 1, 1, 1.2, 2, 3.5, 5, 6, 6.5, 6.5, 6, 6.5, 6.5, 6, 5.5, 5, 4, 3.5, 3, 3, 2.5, 2.2])
    special = {(12, 24): 0.6, (12, 25): 0.4, (12, 31): 0.75, (1, 1): 0.5}
    starts, cw = [], []
    for day in days:
        wd = day.weekday()
        base = special.get((day.month, day.day), 0.72 if wd == 5 else 0.62 if wd == 6 else 1.0)
        tzinfo = ZoneInfo(tz)
        for h in range(24):
            s = int(dt.datetime(day.year, day.month, day.day, h, tzinfo=tzinfo).timestamp())
            inside = not (exclude is not None and exclude[0] <= s < exclude[1])
            inside &= only is None or only[0] <= s < only[1]
            starts.append(s)
            cw.append(base * hour_w[h] if inside else 0.0)
    return np.array(starts, dtype=np.int64), np.array(cw)


def draw_times(rng, n, cells) -> np.ndarray:
    starts, cw = cells
    idx = rng.choice(len(cw), size=n, p=cw / cw.sum())
    return np.sort(starts[idx] + rng.integers(0, 3600, size=n))


class Plan:
    """Per-search arrays of one file's own searches, in file (time) order."""

    def __init__(self, t, org):
        self.t = t
        self.org = org
        self.used = np.zeros(len(t), dtype=bool)  # reserved or planted
        self.planted: dict[int, str] = {}  # search index -> reason text
        self.kind: dict[int, str] = {}  # search index -> civil|criminal|unspecified|trap|slang|other
        self.display: dict[int, str] = {}  # search index -> Org Name as written (spaces)
        self.dups: list[tuple[int, int, int]] = []  # (after_index, source_index, device_delta)
        self.header_after: int | None = None  # repeated header row after this search index

    def pick(self, rng, k, lo_t=None, hi_t=None):
        ok = ~self.used
        if lo_t is not None:
            ok &= self.t >= lo_t
        if hi_t is not None:
            ok &= self.t < hi_t
        cand = np.flatnonzero(ok)
        if len(cand) < k:
            raise ValueError(f"not enough searches to plant {k} (have {len(cand)}); raise scale")
        idx = np.sort(rng.choice(cand, size=k, replace=False))
        self.used[idx] = True
        return idx

    def plant(self, rng, items, lo_t=None, hi_t=None):
        """items: list of (reason, kind, org index); placed on random free searches in the window."""
        if not items:
            return
        idx = self.pick(rng, len(items), lo_t, hi_t)
        order = rng.permutation(len(items))
        for i, j in zip(idx.tolist(), order.tolist()):
            reason, kind, org = items[j]
            self.planted[i] = reason
            self.kind[i] = kind
            self.org[i] = org

    def add_dups(self, rng, n_exact, n_conflict, lo=0, hi=None):
        hi = len(self.t) if hi is None else hi
        n = n_exact + n_conflict
        if n == 0:
            return
        src = np.sort(rng.choice(np.arange(lo, hi), size=n, replace=False))
        conflict = set(rng.choice(n, size=n_conflict, replace=False).tolist()) if n_conflict else set()
        for k, s in enumerate(src.tolist()):
            chunk_end = (s // CHUNK + 1) * CHUNK
            after = min(s + int(rng.integers(0, 40)), chunk_end - 1, len(self.t) - 1)
            delta = (1 if rng.random() < 0.5 else -1) if k in conflict else 0
            self.dups.append((after, s, delta))
        self.dups.sort()


def reason_pools(rng):
    """Per-run pools: case numbers, dropdown reason strings, free-text weights."""
    yy = ["25", "26"]
    cases = []
    for i in range(2000):
        f = int(rng.integers(5))
        y = yy[int(rng.integers(2))]
        if f == 0:
            cases.append(f"{y}-{int(rng.integers(0, 999999)):06d}")
        elif f == 1:
            cases.append(f"20{y}-{int(rng.integers(0, 99999999)):08d}")
        elif f == 2:
            cases.append(f"CR{y}-{int(rng.integers(0, 9999)):04d}")
        elif f == 3:
            cases.append(
                f"{y}{int(rng.integers(1, 13)):02d}{int(rng.integers(1, 29)):02d}-{int(rng.integers(0, 9999)):04d}"
            )
        else:
            cases.append(str(int(rng.integers(1000000, 99999999))))  # Excel ate the dashes
    cats = [c for c, _ in CATEGORIES]
    cw = np.array([w for _, w in CATEGORIES], dtype=float)
    cw /= cw.sum()
    dd = []
    for i in range(4000):
        c = cats[int(rng.choice(len(cats), p=cw))]
        r = rng.random()
        if r < 0.60:
            s = c
        elif r < 0.75:
            d = DETAILS[int(rng.integers(len(DETAILS)))]
            s = f"{c} - {cases[int(rng.integers(len(cases)))] if d == 'CASE' else d}"
        elif r < 0.83:
            s = f"{c} - "
        elif r < 0.92:
            k = 2 + int(rng.random() < 0.25)
            picks = rng.choice(len(cats), size=k, replace=False, p=cw)
            s = ", ".join(cats[int(p)] for p in picks)
        elif r < 0.97:
            s = c + " " * int(rng.integers(1, 4))
        else:
            s = c[: max(4, int(rng.integers(len(c) // 2, len(c))))]  # cut off
        dd.append(s)
    free = np.array([t for t, _ in FREE_TEXT], dtype=object)
    fw = np.array([w for _, w in FREE_TEXT], dtype=float)
    return {
        "cases": np.array(cases, dtype=object),
        "dropdown": np.array(dd, dtype=object),
        "free": free,
        "free_w": fw / fw.sum(),
        "case_i": FREE_TEXT.index(("CASE", 10)),
        "letter_i": [t for t, _ in FREE_TEXT].index("LETTER"),
        "letters": np.array(LETTERS, dtype=object),
        "prompts": np.array(TEXT_PROMPTS, dtype=object),
    }


class Formatter:
    """Turns a slice of a Plan into the 14 string columns of Flock's export."""

    def __init__(self, rng, ag: Agencies, pools, tfmt: TimeFmt, officers, free_xy):
        self.rng, self.ag, self.p, self.tfmt = rng, ag, pools, tfmt
        self.officers = np.array(officers, dtype=object)
        ow = 1.0 / np.arange(1, len(officers) + 1) ** 0.7
        self.officer_w = ow / ow.sum()
        self.free_xy = free_xy  # (x: utc epochs, y: probability of a free-text reason)
        self.nets_s = np.array([str(i) for i in range(6001)], dtype=object)
        self.names_used: set[str] = set()

    def rows(self, plan: Plan, lo: int, hi: int, force_numeric=()):
        rng, p = self.rng, self.p
        n = hi - lo
        t = plan.t[lo:hi]
        org = plan.org[lo:hi]
        prod = org == 0
        n_prod = int(prod.sum())
        ids = uuids(rng, n)
        # Name: masked except the producer's own officers
        name = np.full(n, MASK, dtype=object)
        picks = self.officers[rng.choice(len(self.officers), size=n_prod, p=self.officer_w)]
        name[prod] = picks
        self.names_used.update(picks.tolist())
        orgs = self.ag.names_arr[org]
        # networks / devices
        u = rng.random(n)
        nets = np.where(
            u < 0.005,
            0,
            np.where(
                u < 0.2,
                rng.integers(1, 6, n),
                np.where(
                    u < 0.4,
                    rng.integers(6, 101, n),
                    np.where(u < 0.6, rng.integers(101, 2001, n), rng.integers(2001, 6001, n)),
                ),
            ),
        )
        devs = nets * rng.integers(6, 31, n) + rng.integers(0, 6, n) * (nets > 0)
        dev_s = np.array(list(map(str, devs.tolist())), dtype=object)
        v = rng.random(n)
        dev_s[v < 0.02] = DASHES
        dev_s[(v >= 0.02) & (v < 0.027)] = "0"
        for i in force_numeric:
            if dev_s[i - lo] in (DASHES, "0"):
                dev_s[i - lo] = str(max(int(devs[i - lo]), 2))
        # times
        unp = rng.random(n) < 0.10
        st = self.tfmt(t, unp)
        w = rng.random(n)
        back = np.where(
            w < 0.15,
            1,
            np.where(
                w < 0.35,
                7,
                np.where(w < 0.65, 30, np.where(w < 0.92, rng.integers(1, 31, n), rng.integers(31, 366, n))),
            ),
        )
        jit = np.where(rng.random(n) < 0.6, 0, rng.integers(0, 900, n))
        endoff = np.where(rng.random(n) < 0.6, 0, rng.integers(1, 121, n))
        tf = self.tfmt(t - back * 86400 - jit, unp) + "\n" + self.tfmt(t - endoff, unp)
        # search type, prompt, moderation
        sti = rng.choice(len(SEARCH_TYPES), size=n, p=SEARCH_TYPE_W)
        stype = SEARCH_TYPES[sti]
        ff = sti == FREEFORM
        nff = int(ff.sum())
        prompt = np.full(n, "", dtype=object)
        prompt[ff] = p["prompts"][rng.integers(0, len(p["prompts"]), nff)]
        moder = np.full(n, "", dtype=object)
        moder[ff] = MODERATION[rng.choice(3, size=nff, p=MODERATION_W)]
        # plate
        plate = np.full(n, MASK, dtype=object)
        if n_prod:
            az = np.frombuffer(b"ABCDEFGHJKLMNPRSTVWXYZ", dtype=np.uint8)
            let = rng.integers(0, len(az), (n_prod, 3))
            dig = rng.integers(0, 10, (n_prod, 4))
            a = np.empty((n_prod, 7), dtype=np.uint8)
            a[:, :3] = az[let]
            a[:, 3:] = dig + ord("0")
            wild = rng.random(n_prod) < 0.05
            a[wild, rng.integers(0, 7, int(wild.sum()))] = ord("*")
            pl = a.view("S7").ravel().astype("U7").astype(object)
            nop = np.isin(sti[prod], NO_PLATE)
            pl[nop] = ""
            plate[prod] = pl
        # case number, filters
        case = np.where(rng.random(n) < 0.75, MASK, "").astype(object)
        if n_prod:
            pc = p["cases"][rng.integers(0, len(p["cases"]), n_prod)]
            pc = np.where(rng.random(n_prod) < 0.5, pc, "")
            case[prod] = pc
        filt = np.where(rng.random(n) < 0.4, MASK, "").astype(object)
        filt[prod] = ""
        # reasons
        pfree = np.interp(t, self.free_xy[0], self.free_xy[1])
        free = rng.random(n) < pfree
        nf = int(free.sum())
        reason = p["dropdown"][rng.integers(0, len(p["dropdown"]), n)]
        fi = rng.choice(len(p["free"]), size=nf, p=p["free_w"])
        fv = p["free"][fi]
        is_case = fi == p["case_i"]
        fv[is_case] = p["cases"][rng.integers(0, len(p["cases"]), int(is_case.sum()))]
        is_let = fi == p["letter_i"]
        fv[is_let] = p["letters"][rng.integers(0, len(p["letters"]), int(is_let.sum()))]
        reason[free] = fv
        cols = {
            "ID": ids,
            "Name": name,
            "Org Name": orgs,
            "Total Networks Searched": self.nets_s[nets],
            "Total Devices Searched": dev_s,
            "Time Frame": tf,
            "License Plate": plate,
            "Reason": reason,
            "Case #": case,
            "Filters": filt,
            "Search Time": st,
            "Search Type": stype,
            "Text Prompt": prompt,
            "Moderation": moder,
        }
        cols = {k: (v if isinstance(v, list) else v.tolist()) for k, v in cols.items()}
        for i in _keys_in(plan.planted, lo, hi):
            cols["Reason"][i - lo] = plan.planted[i]
        for i in _keys_in(plan.display, lo, hi):
            cols["Org Name"][i - lo] = plan.display[i]
        return cols


def _keys_in(d: dict, lo: int, hi: int):
    return sorted(k for k in d if lo <= k < hi)


def plan_csv(
    path: pathlib.Path,
    plan: Plan,
    fmt,
    n: int,
    conflict_src: list[int],
    first_header: list[str],
    repeated: list[str] | None = None,
    on_chunk=None,
) -> tuple[int, int, int]:
    """Write searches 0..n of `plan` to a CSV (atomically), a CHUNK at a time, in HEADER's column order;
    `repeated`: the header row inserted where the plan says; on_chunk(lo, hi, full) sees each chunk's
    full rows. Returns (data rows, duplicate rows, repeated-header rows) written."""
    data_rows = dup_rows = hdr_rows = 0
    with atomic(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(first_header)
        for lo in range(0, n, CHUNK):
            hi = min(n, lo + CHUNK)
            cols = fmt.rows(plan, lo, hi, [s for s in conflict_src if lo <= s < hi])
            rows, nd, nh, full = emit(plan, lo, hi, cols, HEADER, repeated)
            if on_chunk is not None:
                on_chunk(lo, hi, full)
            w.writerows(rows)
            data_rows += len(rows)
            dup_rows += nd
            hdr_rows += nh
            del rows, cols, full
    return data_rows, dup_rows, hdr_rows


def emit(plan: Plan, lo: int, hi: int, cols: dict, header: list[str], repeated: list[str] | None):
    """Rows of searches lo..hi in `header` order, with duplicates and a repeated header inserted.
    Returns (rows, n_dup_rows, n_header_rows, originals) where originals[i] is search lo+i's row
    as a full 14-column tuple (for cross-file copies)."""
    full = list(zip(*[cols[h] for h in HEADER]))
    pos = [HEADER.index(h.strip()) for h in header]
    ident = pos == list(range(len(HEADER)))
    rows = full if ident else [tuple(r[j] for j in pos) for r in full]
    extras: list[tuple[int, int, tuple]] = []
    for seq, (after, src, delta) in enumerate(plan.dups):
        if lo <= after < hi:
            r = list(full[src - lo])
            if delta:
                r[DEV] = str(int(r[DEV]) + delta)
            r = tuple(r) if ident else tuple(r[j] for j in pos)
            extras.append((after, seq, r))
    n_hdr = 0
    if repeated is not None and plan.header_after is not None and lo <= plan.header_after < hi:
        extras.append((plan.header_after, 10**9, tuple(repeated)))
        n_hdr = 1
    if not extras:
        return rows, 0, 0, full
    extras.sort(key=lambda e: (e[0], e[1]))
    out, prev = [], 0
    for after, _, r in extras:
        out.extend(rows[prev : after - lo + 1])
        out.append(r)
        prev = after - lo + 1
    out.extend(rows[prev:])
    return out, len(extras) - n_hdr, n_hdr, full
