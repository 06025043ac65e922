"""Large CSV-only network audits for the benchmark (bench/README.md): monthly files of millions of rows.

Part of the synthetic generator; `tools/synth.py` is its command and `generate`."""

from __future__ import annotations

import calendar
import datetime as dt
import json
import pathlib

import numpy as np

from tools.synth_agencies import Agencies, TimeFmt, alloc, atomic, atomic_text, epoch_at, iso
from tools.synth_releases import ALVIN_IMM_STATES, ALVIN_MUSTS
from tools.synth_rows import draw_times, hour_cells, reason_pools
from tools.synth_truth import imm_agencies, immigration_items
from tools.synth_vocab import (
    DASHES,
    DRUG_SLANG,
    FREEFORM,
    HEADER,
    MASK,
    MODERATION,
    MODERATION_W,
    NO_PLATE,
    OFFICERS,
    SEARCH_TYPE_W,
    SEARCH_TYPES,
    TRAPS,
)

# Large CSV-only network audits (for the benchmark, bench/README.md)
# --------------------------------------------------------------------------------------------
# One network audit as monthly CSV files, shaped like the releases above (14 columns, Flock's time
# format, two-line quoted Time Frame cells, masks, free-text reasons until December 2025 and the
# dropdown after it, in-file duplicates incl. +-1-device conflicts, planted immigration reasons and
# trap words), but written column-wise with pyarrow so that 17 million rows take minutes, not an hour.
# It does not touch the generators above: their files stay byte-identical.
AUDIT_CSV_VERSION = 1
AUDIT_CSV_TOP = [
    ("Frisco TX PD", "TX"),
    ("Little Elm TX PD", "TX"),
    ("Lewisville TX PD", "TX"),
    ("Denton County TX SO", "TX"),
    ("Plano TX PD", "TX"),
    ("Carrollton TX PD", "TX"),
    ("Texas Dept. of Public Safety", "TX"),
    ("Dallas County TX SO", "TX"),
    ("Allen TX PD", "TX"),
    ("McKinney TX PD", "TX"),
    ("Collin County TX SO", "TX"),
    ("Garland TX PD", "TX"),
]
AUDIT_CSV_CHUNK = 250_000
_AUDIT_DUP_RATE, _AUDIT_CONFLICT_RATE = 0.003, 0.0001  # of a month's rows
_AUDIT_IMM_RATE_FREE, _AUDIT_IMM_RATE_DROPDOWN = 0.0003, 0.00085  # of a month's searches
_AUDIT_TRAP_RATE = 0.0003


def _csv_cell(s: str) -> str:
    """A cell as the csv module writes it (QUOTE_MINIMAL, lineterminator '\\n')."""
    return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\n\r') else s


def _pa_vocab(values) -> "object":
    import pyarrow as pa

    return pa.array([_csv_cell(v) for v in values], pa.string())


def _pa_fixed(a: np.ndarray) -> "object":
    """A uint8 array of shape (n, w) -> a pyarrow string array of n ASCII strings of width w."""
    import pyarrow as pa

    n, w = a.shape
    offsets = np.arange(0, (n + 1) * w, w, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(a).tobytes()))


def _write_lines(f, lines) -> None:
    """Write a pyarrow string array's characters (each element already ends with a newline)."""
    bufs = lines.buffers()
    offs = np.frombuffer(bufs[1], dtype=np.int32, count=lines.offset + len(lines) + 1)
    f.write(memoryview(bufs[2])[int(offs[lines.offset]) : int(offs[lines.offset + len(lines)])])


class _AuditCsvWriter:
    """Formats searches into CSV lines column by column (numpy draws, pyarrow take/join)."""

    def __init__(self, rng, ag: Agencies, pools, t_min: int, t_max: int, officers, free_xy):
        import pyarrow as pa

        self.pa = pa
        self.rng, self.ag, self.p, self.free_xy = rng, ag, pools, free_xy
        self.officers = list(officers)
        ow = 1.0 / np.arange(1, len(officers) + 1) ** 0.7
        self.officer_w = ow / ow.sum()
        tf = TimeFmt(t_min, t_max)
        self.day0, self.n_days = tf.day0, len(tf.date_pad)
        dates = list(tf.date_pad) + list(tf.date_unp)
        tods = list(tf.tod_pad) + list(tf.tod_unp)
        self.date_open = pa.array(['"' + d for d in dates], pa.string())
        self.date_plain = pa.array(dates, pa.string())
        self.tod_plain = pa.array(tods, pa.string())
        self.tod_close = pa.array([t + '"' for t in tods], pa.string())
        self.v_name = _pa_vocab([MASK] + self.officers)
        self.v_org = _pa_vocab(ag.names)
        self.v_nets = _pa_vocab([str(i) for i in range(6001)])
        self.v_mask_blank = _pa_vocab([MASK, ""])
        self.v_stype = _pa_vocab(list(SEARCH_TYPES))
        self.v_prompt = _pa_vocab([""] + list(pools["prompts"]))
        self.v_moder = _pa_vocab([""] + list(MODERATION))
        self.v_case = _pa_vocab([MASK, ""] + list(pools["cases"]))
        self.free_texts = list(pools["free"])
        self.reason_base = [*pools["dropdown"], *self.free_texts, *pools["cases"], *pools["letters"]]
        self.off_free = len(pools["dropdown"])
        self.off_cases = self.off_free + len(self.free_texts)
        self.off_letters = self.off_cases + len(pools["cases"])
        self.planted_texts: dict[str, int] = {}
        self.v_reason = _pa_vocab(self.reason_base)

    def planted_index(self, text: str) -> int:
        if text not in self.planted_texts:
            self.planted_texts[text] = len(self.reason_base) + len(self.planted_texts)
            self.v_reason = None
        return self.planted_texts[text]

    def _times(self, t, unp, open_quote: bool, close_quote: bool):
        d = (t // 86400 - self.day0) + unp * self.n_days
        s = t % 86400 + unp * 86400
        return (self.date_open if open_quote else self.date_plain).take(d), (
            self.tod_close if close_quote else self.tod_plain
        ).take(s)

    def lines(self, t, org, reason_fix: dict[int, int], n_dups: int, n_conflicts: int):
        """CSV lines (pyarrow string array) for searches (t, org), with n_dups exact copies and
        n_conflicts copies differing by one device inserted a few rows after their original."""
        import pyarrow.compute as pc

        pa, rng, p = self.pa, self.rng, self.p
        n = len(t)
        prod = org == 0
        n_prod = int(prod.sum())
        b = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
        b[:, 6] = (b[:, 6] & 0x0F) | 0x40
        b[:, 8] = (b[:, 8] & 0x3F) | 0x80
        hexd = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
        u = np.full((n, 36), ord("-"), dtype=np.uint8)
        nib = np.empty((n, 32), dtype=np.uint8)
        nib[:, 0::2], nib[:, 1::2] = b >> 4, b & 0x0F
        u[:, [i for i in range(36) if i not in (8, 13, 18, 23)]] = hexd[nib]
        ids = _pa_fixed(u)
        name_i = np.zeros(n, dtype=np.int64)
        name_i[prod] = 1 + rng.choice(len(self.officers), size=n_prod, p=self.officer_w)
        names = self.v_name.take(name_i)
        orgs = self.v_org.take(org)
        w = rng.random(n)
        nets = np.where(
            w < 0.005,
            0,
            np.where(
                w < 0.2,
                rng.integers(1, 6, n),
                np.where(
                    w < 0.4,
                    rng.integers(6, 101, n),
                    np.where(w < 0.6, rng.integers(101, 2001, n), rng.integers(2001, 6001, n)),
                ),
            ),
        )
        devs = nets * rng.integers(6, 31, n) + rng.integers(0, 6, n) * (nets > 0)
        v = rng.random(n)
        dev_kind = np.where(v < 0.02, 1, np.where(v < 0.027, 2, 0))  # 1: dashes, 2: "0"
        dev_s = pc.if_else(
            pa.array(dev_kind == 1),
            DASHES,
            pc.if_else(pa.array(dev_kind == 2), "0", pc.cast(pa.array(devs), pa.string())),
        )
        unp = (rng.random(n) < 0.10).astype(np.int64)
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
        st_d, st_s = self._times(t, unp, True, True)
        a_d, a_s = self._times(t - back * 86400 - jit, unp, True, False)
        b_d, b_s = self._times(t - endoff, unp, False, True)
        search_time = pc.binary_join_element_wise(st_d, st_s, "")
        time_frame = pc.binary_join_element_wise(a_d, a_s, pa.scalar("\n"), b_d, b_s, "")
        sti = rng.choice(len(SEARCH_TYPES), size=n, p=SEARCH_TYPE_W)
        ff = sti == FREEFORM
        nff = int(ff.sum())
        prompt_i = np.zeros(n, dtype=np.int64)
        prompt_i[ff] = 1 + rng.integers(0, len(p["prompts"]), nff)
        moder_i = np.zeros(n, dtype=np.int64)
        moder_i[ff] = 1 + rng.choice(3, size=nff, p=MODERATION_W)
        plate_vocab = [MASK, ""]
        plate_i = np.zeros(n, dtype=np.int64)
        if n_prod:
            az = np.frombuffer(b"ABCDEFGHJKLMNPRSTVWXYZ", dtype=np.uint8)
            a = np.empty((n_prod, 7), dtype=np.uint8)
            a[:, :3] = az[rng.integers(0, len(az), (n_prod, 3))]
            a[:, 3:] = rng.integers(0, 10, (n_prod, 4)) + ord("0")
            wild = rng.random(n_prod) < 0.05
            a[wild, rng.integers(0, 7, int(wild.sum()))] = ord("*")
            plate_vocab += a.view("S7").ravel().astype("U7").tolist()
            pi = 2 + np.arange(n_prod)
            pi[np.isin(sti[prod], NO_PLATE)] = 1
            plate_i[prod] = pi
        plates = self.pa.array(plate_vocab, pa.string()).take(plate_i)
        case_i = np.where(rng.random(n) < 0.75, 0, 1)
        if n_prod:
            pc_i = 2 + rng.integers(0, len(p["cases"]), n_prod)
            case_i[prod] = np.where(rng.random(n_prod) < 0.5, pc_i, 1)
        filt_i = np.where(rng.random(n) < 0.4, 0, 1)
        filt_i[prod] = 1
        pfree = np.interp(t, self.free_xy[0], self.free_xy[1])
        free = rng.random(n) < pfree
        nf = int(free.sum())
        reason_i = rng.integers(0, len(p["dropdown"]), n)
        fi = rng.choice(len(self.free_texts), size=nf, p=p["free_w"])
        ri = self.off_free + fi
        is_case = fi == p["case_i"]
        ri[is_case] = self.off_cases + rng.integers(0, len(p["cases"]), int(is_case.sum()))
        is_let = fi == p["letter_i"]
        ri[is_let] = self.off_letters + rng.integers(0, len(p["letters"]), int(is_let.sum()))
        reason_i[free] = ri
        for i, k in reason_fix.items():
            reason_i[i] = k
        if self.v_reason is None:
            self.v_reason = _pa_vocab(self.reason_base + list(self.planted_texts))
        cols = [
            ids,
            names,
            orgs,
            self.v_nets.take(nets),
            dev_s,
            time_frame,
            plates,
            self.v_reason.take(reason_i),
            self.v_case.take(case_i),
            self.v_mask_blank.take(filt_i),
            search_time,
            self.v_stype.take(sti),
            self.v_prompt.take(prompt_i),
            self.v_moder.take(moder_i),
        ]
        nl = pa.scalar("")
        rows = pc.binary_join_element_wise(pc.binary_join_element_wise(*cols, ","), nl, "\n")
        # duplicates: exact copies, and copies whose device count differs by one (numeric ones only)
        n_dups = min(n_dups, n // 2)
        numeric = np.flatnonzero((dev_kind == 0) & (devs >= 2))
        n_conflicts = min(n_conflicts, len(numeric))
        conf_src = (
            np.sort(rng.choice(numeric, size=n_conflicts, replace=False))
            if n_conflicts
            else np.zeros(0, dtype=np.int64)
        )
        pool = np.setdiff1d(np.arange(n), conf_src, assume_unique=True)
        exact_src = rng.choice(pool, size=n_dups, replace=False) if n_dups else np.zeros(0, dtype=np.int64)
        extra = rows
        if n_conflicts:
            delta = np.where(rng.random(n_conflicts) < 0.5, 1, -1)
            cc = [c.take(conf_src) for c in cols]
            cc[4] = pc.cast(pa.array(devs[conf_src] + delta), pa.string())
            extra = pa.concat_arrays(
                [rows, pc.binary_join_element_wise(pc.binary_join_element_wise(*cc, ","), nl, "\n")]
            )
        src = np.concatenate([exact_src, n + np.arange(n_conflicts)])
        orig = np.concatenate([exact_src, conf_src])
        if len(src):
            after = np.minimum(orig + rng.integers(0, 40, len(src)), n - 1)
            o = np.argsort(after, kind="stable")
            order = np.insert(np.arange(n), after[o] + 1, src[o])
            return extra.take(order)
        return rows


def network_audit_csvs(
    out_dir: pathlib.Path,
    *,
    rows: int,
    months: int = 1,
    start: tuple[int, int] = (2024, 1),
    agencies: int = 3150,
    seed: int = 20260801,
    slug: str = "bench-network",
    producer: tuple[str, str] = ("The Colony TX PD", "TX"),
    tz: str = "America/Chicago",
    progress=None,
) -> dict:
    """Write one large synthetic network audit as `months` monthly CSV files (CSV only, 14 columns).

    `rows` data rows in all (duplicates included), spread over the months with volume growing ~2x from
    the first month to the last. Reasons are free text before December 2025 and mostly Flock's dropdown
    from mid-December 2025 on. Returns the planted truth (also written to out_dir/truth.json). Files are
    written atomically, one chunk of AUDIT_CSV_CHUNK searches at a time (memory stays bounded), and are
    byte-identical for the same arguments. Needs pyarrow (unlike the generators above)."""
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    progress = progress or (lambda msg: None)
    rng = np.random.default_rng(seed)
    ag = Agencies(rng, max(agencies, len(AUDIT_CSV_TOP) + len(ALVIN_MUSTS) + 11), producer, AUDIT_CSV_TOP, ALVIN_MUSTS)
    pools = reason_pools(rng)
    month_list = []
    y, m = start
    for _ in range(months):
        month_list.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    bounds = [epoch_at(y, m, 1, tz) for y, m in month_list]
    ye, me = (month_list[-1][0] + 1, 1) if month_list[-1][1] == 12 else (month_list[-1][0], month_list[-1][1] + 1)
    bounds.append(epoch_at(ye, me, 1, tz))
    days_in = [(bounds[i + 1] - bounds[i]) / 86400 for i in range(months)]
    growth = np.linspace(1.0, 2.0, months) if months > 1 else np.ones(1)
    per_month = alloc(rows, np.array(days_in) * growth, floor=1)
    dropdown_from = epoch_at(2025, 12, 1, tz)
    free_xy = (
        [dropdown_from, epoch_at(2025, 12, 8, tz), epoch_at(2025, 12, 15, tz), epoch_at(2026, 1, 8, tz)],
        [1.0, 0.85, 0.10, 0.03],
    )
    writer = _AuditCsvWriter(rng, ag, pools, bounds[0] - 400 * 86400, bounds[-1], OFFICERS["alvin-isd"], free_xy)
    imm_ag = imm_agencies(rng, ag, ALVIN_IMM_STATES + ["TX"] * 10, set())
    conflicts = 0
    files, totals = [], {"civil": 0, "criminal": 0, "unspecified": 0, "trap": 0, "slang": 0}
    imm_orgs: set[int] = set()
    header = ",".join(HEADER) + "\n"
    for k, (y, m) in enumerate(month_list):
        n_rows = per_month[k]
        n_conf = int(round(n_rows * _AUDIT_CONFLICT_RATE))
        n_dup = int(round(n_rows * _AUDIT_DUP_RATE))
        n = max(1, n_rows - n_dup - n_conf)
        days = [dt.date(y, m, d) for d in range(1, calendar.monthrange(y, m)[1] + 1)]
        t = draw_times(rng, n, hour_cells(days, tz))
        org = rng.choice(len(ag), size=n, p=ag.weights)
        # planted reasons (immigration, traps) on random searches of the month
        dropdown_month = bounds[k] >= dropdown_from
        n_imm = int(round(n * (_AUDIT_IMM_RATE_DROPDOWN if dropdown_month else _AUDIT_IMM_RATE_FREE)))
        if dropdown_month:
            n_crim = int(round(n_imm * 0.23))
            n_unspec = int(round(n_imm * 0.10))
            items = immigration_items(rng, n_imm - n_crim - n_unspec, n_crim, n_unspec)
        else:
            items = immigration_items(rng, 0, 0, n_imm)
        traps = list(TRAPS) + [DRUG_SLANG]
        n_trap = int(round(n * _AUDIT_TRAP_RATE))
        items += [
            (traps[i % len(traps)], "slang" if traps[i % len(traps)] == DRUG_SLANG else "trap") for i in range(n_trap)
        ]
        items = [items[i] for i in rng.permutation(len(items)).tolist()]
        pos = np.sort(rng.choice(n, size=min(len(items), n), replace=False))
        fix: dict[int, int] = {}
        for i, (text, kind) in zip(pos.tolist(), items):
            fix[i] = writer.planted_index(text)
            totals[kind] += 1
            if kind in ("civil", "criminal", "unspecified"):
                org[i] = imm_ag[int(rng.integers(len(imm_ag)))]
                imm_orgs.add(int(org[i]))
        name = f"SYNTHETIC_{slug}_network-audit_{y:04d}-{m:02d}.csv"
        written = dups = 0
        with atomic(out_dir / name) as tmp, open(tmp, "wb") as f:
            f.write(header.encode())
            n_chunks = -(-n // AUDIT_CSV_CHUNK)
            for c in range(n_chunks):
                lo, hi = c * AUDIT_CSV_CHUNK, min(n, (c + 1) * AUDIT_CSV_CHUNK)
                d_c = n_dup * (c + 1) // n_chunks - n_dup * c // n_chunks
                f_c = n_conf * (c + 1) // n_chunks - n_conf * c // n_chunks
                chunk_fix = {i - lo: v for i, v in fix.items() if lo <= i < hi}
                lines = writer.lines(t[lo:hi], org[lo:hi], chunk_fix, d_c, f_c)
                _write_lines(f, lines)
                written += len(lines)
                dups += len(lines) - (hi - lo)
                conflicts += f_c
        files.append(
            {
                "file": name,
                "data_rows": written,
                "kept": n,
                "duplicates": dups,
                "first_search_utc": iso(t.min()),
                "last_search_utc": iso(t.max()),
            }
        )
        progress(f"{name}: {written:,} rows")
    imm = totals["civil"] + totals["criminal"] + totals["unspecified"]
    truth = {
        "slug": slug,
        "synthetic": True,
        "generator": "tools.synth.network_audit_csvs",
        "version": AUDIT_CSV_VERSION,
        "seed": seed,
        "producer": producer[0],
        "producer_timezone": tz,
        "months": months,
        "start": f"{start[0]:04d}-{start[1]:02d}",
        "agencies_in_table": len(ag),
        "files": files,
        "rows": sum(f["data_rows"] for f in files),
        "searches": sum(f["kept"] for f in files),
        "duplicate_rows": sum(f["duplicates"] for f in files),
        "conflicting_searches": conflicts,
        "immigration": {
            "searches": imm,
            "civil": totals["civil"],
            "criminal": totals["criminal"],
            "unspecified": totals["unspecified"],
            "agencies": len(imm_orgs),
        },
        "traps": totals["trap"],
        "trap_drug_slang": totals["slang"],
    }
    atomic_text(
        out_dir / "SYNTHETIC.md",
        (
            f"SYNTHETIC data ({slug}). Every file in this folder was generated by "
            f"`tools.synth.network_audit_csvs` (seed {seed}, {months} month(s) from {truth['start']}, "
            f"{truth['rows']:,} rows) for the benchmark (bench/README.md). It is NOT a real public-records release "
            f"and no row describes a real search, officer, plate or case; it is sized like the largest real network "
            f"audits, and `truth.json` lists what was planted.\n"
        ),
    )
    atomic_text(out_dir / "truth.json", json.dumps(truth, indent=2, ensure_ascii=False) + "\n")
    return truth
