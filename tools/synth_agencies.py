"""Small helpers of the synthetic releases (allocation, times, UUIDs, atomic and XLSX writers) and the agencies that search.

Part of the synthetic generator; `tools/synth.py` is its command and `generate`."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import pathlib
import zipfile
from zoneinfo import ZoneInfo

import numpy as np

from tools.synth_names import invent_name, invent_place
from tools.synth_vocab import (
    CITIES,
    COUNTIES,
    FIXED_XLSX_TIME,
    FIXED_ZIP_TIME,
    STATES,
    TX_CITIES,
    TX_COUNTIES,
    place_name,
)


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------
def alloc(total: int, weights, floor: int = 1) -> list[int]:
    """Split `total` into len(weights) integer parts, each >= floor, proportional otherwise."""
    w = np.asarray(weights, dtype=float)
    k = len(w)
    rest = max(0, total - floor * k)
    raw = w / w.sum() * rest
    base = np.floor(raw).astype(int)
    left = rest - int(base.sum())
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:left]] += 1
    return [int(floor + b) for b in base]


def epoch_at(y: int, m: int, d: int, tz: str = "UTC", hour: int = 0) -> int:
    return int(dt.datetime(y, m, d, hour, tzinfo=ZoneInfo(tz)).timestamp())


def iso(t: int) -> str:
    return dt.datetime.fromtimestamp(int(t), tz=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_date(t: int, tz: str) -> str:
    return dt.datetime.fromtimestamp(int(t), tz=ZoneInfo(tz)).date().isoformat()


def uuids(rng: np.random.Generator, n: int) -> list[str]:
    """n random version-4 UUID strings (lowercase), drawn from rng."""
    b = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    b[:, 6] = (b[:, 6] & 0x0F) | 0x40
    b[:, 8] = (b[:, 8] & 0x3F) | 0x80
    hexd = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    nib = np.empty((n, 32), dtype=np.uint8)
    nib[:, 0::2] = b >> 4
    nib[:, 1::2] = b & 0x0F
    out = np.full((n, 36), ord("-"), dtype=np.uint8)
    pos = [i for i in range(36) if i not in (8, 13, 18, 23)]
    out[:, pos] = hexd[nib]
    return out.view("S36").ravel().astype("U36").tolist()


_TOD_CACHE: dict[str, np.ndarray] = {}


def _tod_tables() -> tuple[np.ndarray, np.ndarray]:
    if not _TOD_CACHE:
        pad, unp = [], []
        for s in range(86400):
            h, m, sec = s // 3600, s // 60 % 60, s % 60
            h12, ap = (h % 12 or 12), ("AM" if h < 12 else "PM")
            pad.append(f"{h12:02d}:{m:02d}:{sec:02d} {ap} UTC")
            unp.append(f"{h12}:{m:02d}:{sec:02d} {ap} UTC")
        _TOD_CACHE["pad"] = np.array(pad, dtype=object)
        _TOD_CACHE["unp"] = np.array(unp, dtype=object)
    return _TOD_CACHE["pad"], _TOD_CACHE["unp"]


class TimeFmt:
    """Flock's `MM/DD/YYYY, hh:mm:ss AM UTC` (or unpadded month/day/hour) by table look-up."""

    def __init__(self, t_min: int, t_max: int):
        self.day0 = t_min // 86400 - 1
        days = range(self.day0, t_max // 86400 + 2)
        epoch = dt.date(1970, 1, 1)
        pad, unp = [], []
        for d in days:
            x = epoch + dt.timedelta(days=d)
            pad.append(f"{x.month:02d}/{x.day:02d}/{x.year}, ")
            unp.append(f"{x.month}/{x.day}/{x.year}, ")
        self.date_pad = np.array(pad, dtype=object)
        self.date_unp = np.array(unp, dtype=object)
        self.tod_pad, self.tod_unp = _tod_tables()

    def __call__(self, t: np.ndarray, unpadded: np.ndarray) -> np.ndarray:
        d = t // 86400 - self.day0
        s = t % 86400
        dates = np.where(unpadded, self.date_unp[d], self.date_pad[d])
        tods = np.where(unpadded, self.tod_unp[s], self.tod_pad[s])
        return dates + tods


# --------------------------------------------------------------------------------------------
# Agencies
# --------------------------------------------------------------------------------------------
# Agencies whose NAME does not carry the state the generator gives them: federal field offices named
# after a city. Their planted state still drives the generator's choices (so the files stay the same),
# but truth.json reports the state a reader can tell from the name alone under the documented rules
# (FORMATS.md §4, pipeline/rules/agencies.yml): "" for these. Every other name here carries its state:
# "<City> <ST> PD", "(ST)", "ST - ", " - ST", a full state name in a state-body form, or "District of
# <State>" ("U.S. Marshals Service - Southern District of Texas"); and MOCIC, NCRIC, Midwest HIDTA,
# businesses and "[Federal] U.S. Border Patrol" are planted with "" already.
STATE_NOT_IN_NAME = frozenset({"[Federal] ATF Houston Field Division", "[Federal] DEA Houston Division"})


# How a drawn agency is named, by kind (the forms of FORMATS.md §4 that real network audits use).
NAME_FORMS = {
    "pd": "{place} {st} PD",
    "so": "{place} County {st} SO",
    "pd_paren": "{place} PD ({st})",
    "pd_dash": "{place} PD - {st}",
    "pd_dash2": "{place}- {st}- PD",
    "campus": "{st} - {place} Community College Campus",
    "isd": "{place} ISD {st} PD",
    "da": "{place} County {st} DA",
    "constable": "{place} County {st} Constable Pct {pct}",
    "inactive": "{place} {st} PD [Inactive]",
}


class Agencies:
    """The agency table: name (trimmed, unique), state code ('' = none), search weight.

    `states` is the planted state (it drives the generator's choices); `name_states` is the state the
    name itself reveals ('' when it does not), which is what truth.json reports."""

    def __init__(self, rng, n_total, producer, top, musts):
        self._index: dict[str, int] = {}
        self.names: list[str] = []  # as the files show them (tools/synth_names.py)
        self.drawn: list[str] = []  # as drawn from the vocabulary
        self._shown: set[str] = set()
        self.states: list[str] = []
        self.name_states: list[str] = []
        self.kind: list[str] = []
        self._add(*producer, "top", shown=producer[0])  # the jurisdiction itself, named in jurisdictions.yml
        for name, st in top:
            self._add(name, st, "top")
        for name, st in musts:
            self._add(name, st, "must")
        n_special = len(self.names)
        reserved = set()
        for name in self.drawn:  # the choices are made on the drawn names; the files show the invented ones
            for tok in name.replace("(", " ").replace(")", " ").replace("-", " ").split():
                reserved.add(tok)
        codes = [s[0] for s in STATES]
        sw = np.array([s[2] for s in STATES], dtype=float)
        sw /= sw.sum()
        keys = set()
        kinds = ["pd", "so", "pd_paren", "pd_dash", "pd_dash2", "campus", "isd", "da", "constable", "inactive"]
        kw = np.array([0.60, 0.23, 0.03, 0.03, 0.01, 0.01, 0.03, 0.02, 0.02, 0.02])
        kw /= kw.sum()
        while len(self.names) < n_total:
            st = codes[int(rng.choice(len(codes), p=sw))]
            kind = kinds[int(rng.choice(len(kinds), p=kw))]
            if kind in ("isd", "constable") and st != "TX":
                kind = "pd"
            county = kind in ("so", "da", "constable")
            if st == "TX" and rng.random() < 0.75:
                pool = TX_COUNTIES if county else TX_CITIES
            else:
                pool = COUNTIES if county else CITIES
            place = place_name(pool[int(rng.integers(len(pool)))])
            if any(tok in reserved for tok in place.split()):
                continue
            pct = int(rng.integers(1, 9)) if kind == "constable" else 0
            key = (place, st, kind if kind in ("so", "da", "constable", "campus", "isd") else "pd", pct)
            if key in keys:
                continue
            name = NAME_FORMS[kind].format(place=place, st=st, pct=pct)
            if name in self._index:
                continue
            keys.add(key)
            self._add(name, st, "generic", shown=NAME_FORMS[kind].format(place=invent_place(place), st=st, pct=pct))
        # search weights: producer ~5%, the top list ~25% (Zipf), everyone else ~70% (Zipf, shuffled)
        n = len(self.names)
        w = np.zeros(n)
        w[0] = 0.05
        nt = len(top)
        zt = 1.0 / np.arange(1, nt + 1) ** 0.9
        w[1 : 1 + nt] = 0.25 * zt / zt.sum()
        rest = np.arange(1 + nt, n)
        perm = rng.permutation(rest)
        zr = 1.0 / (np.arange(len(rest)) + 10.0)
        w[perm] = 0.70 * zr / zr.sum()
        self.weights = w / w.sum()
        self.names_arr = np.array(self.names, dtype=object)
        self.n_special = n_special

    def _add(self, name, st, kind, shown=None):
        """`name` as drawn (the generator's choices and `idx` use it); `shown` as the files show it."""
        shown = invent_name(name) if shown is None else shown
        assert name not in self._index and shown not in self._shown, (name, shown)
        self._shown.add(shown)
        self._index[name] = len(self.names)
        self.drawn.append(name)
        self.names.append(shown)
        self.states.append(st)
        self.name_states.append("" if name in STATE_NOT_IN_NAME else st)
        self.kind.append(kind)

    def idx(self, name: str) -> int:
        return self._index[name]

    def __len__(self):
        return len(self.names)


# --------------------------------------------------------------------------------------------
# Writers (atomic)
# --------------------------------------------------------------------------------------------
@contextlib.contextmanager
def atomic(path: pathlib.Path):
    """Yield `name.tmp` beside `path`; on success move it over `path`, on failure delete it."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def atomic_text(path: pathlib.Path, text: str):
    with atomic(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def write_xlsx(path: pathlib.Path, sheets: list[tuple[str, object]]):
    """sheets: (title, iterable of row lists). openpyxl write-only, fixed properties, then re-zipped
    with fixed entry timestamps so the bytes depend on the content only."""
    import openpyxl
    from openpyxl.writer.excel import ExcelWriter

    wb = openpyxl.Workbook(write_only=True)
    wb.properties.creator = "tools.synth (SYNTHETIC)"
    wb.properties.lastModifiedBy = "tools.synth (SYNTHETIC)"
    wb.properties.title = "SYNTHETIC - not a real release"
    wb.properties.created = FIXED_XLSX_TIME
    wb.properties.modified = FIXED_XLSX_TIME
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    raw = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED, allowZip64=True)).save()
    raw.seek(0)
    with atomic(path) as tmp:
        with zipfile.ZipFile(raw) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
                zi.compress_type = zipfile.ZIP_DEFLATED
                zi.external_attr = 0o644 << 16
                dst.writestr(zi, src.read(info.filename))
