"""The two synthetic jurisdictions, alvin-isd and huffman-isd: what each plants, and its files.

Part of the synthetic generator; `tools/synth.py` is its command and `generate`."""

from __future__ import annotations

import datetime as dt
import pathlib

import numpy as np

from tools.synth_agencies import Agencies, TimeFmt, atomic_text, epoch_at, write_xlsx
from tools.synth_names import invent_name
from tools.synth_rows import Formatter, Plan, draw_times, emit, hour_cells, plan_csv, reason_pools
from tools.synth_truth import Truth, imm_agencies, immigration_items, scaled, spread, synthetic_md, trap_items
from tools.synth_vocab import (
    CHUNK,
    CIVIL,
    CRIMINAL,
    HEADER,
    HEADER_13,
    HEADER_LEADING_SPACE,
    OFFICERS,
    UNSPECIFIED_TEXTS,
)

# --------------------------------------------------------------------------------------------
# alvin-isd
# --------------------------------------------------------------------------------------------
ALVIN_TOP = [
    ("Houston TX PD", "TX"),
    ("Harris County TX SO", "TX"),
    ("Texas Dept. of Public Safety", "TX"),
    ("Pearland TX PD", "TX"),
    ("Brazoria County TX SO", "TX"),
    ("Alvin TX PD", "TX"),
    ("League City TX PD", "TX"),
    ("Friendswood TX PD", "TX"),
    ("Galveston County TX SO", "TX"),
    ("Fort Bend County TX SO", "TX"),
    ("Pasadena TX PD", "TX"),
    ("Manvel TX PD", "TX"),
    ("Sugar Land TX PD", "TX"),
    ("Lake Jackson TX PD", "TX"),
    ("Angleton TX PD", "TX"),
]
ALVIN_MUSTS = [
    ("Harris County SO (TX)", "TX"),
    ("Galveston County SO (TX)", "TX"),  # spelling variants
    ("Jacksonville FL PD", "FL"),
    ("Jacksonville PD (FL)", "FL"),
    ("Arlington PD (WA)", "WA"),
    ("Redding PD - CA", "CA"),
    ("CA - Napa Valley College Campus", "CA"),
    ("Windsor- IL- PD", "IL"),
    ("Georgia State Patrol GA PD", "GA"),
    ("Georgia Attorney General's Office - GA", "GA"),
    ("Michigan State Police", "MI"),
    ("Oklahoma Highway Patrol", "OK"),
    ("Indiana State Police", "IN"),
    ("Tennessee Highway Patrol", "TN"),
    ("MOCIC", ""),
    ("NCRIC", ""),
    ("Midwest HIDTA", ""),
    ("Home Depot Corporation", ""),
    ("Lowe's Home Centers LLC", ""),
    ("[Federal] ATF Houston Field Division", "TX"),
    ("[Federal] U.S. Marshals Service - Southern District of Texas", "TX"),
    ("[Federal] DEA Houston Division", "TX"),
    ("[Federal] U.S. Secret Service", ""),
    ("Hitchcock TX PD [Inactive]", "TX"),
    ("Ozark MO PD [Inactive]", "MO"),
    ("Blaine CO OK SO", "OK"),
    ("San Diego County CA SD", "CA"),
    ("Niceville FL PD", "FL"),
    ("Price UT PD", "UT"),
    ("Portland OR PD", "OR"),
    ("Portland ME PD", "ME"),
    ("Fort Wayne IN PD", "IN"),
    ("Hall County GA SO", "GA"),
    ("Knox County TN SO", "TN"),
    ("Polk County FL SO", "FL"),
]
ALVIN_IMM_STATES = ["FL", "GA", "IN", "TN"] + ["TX"] * 16 + ["OK", "LA", "AZ", "AL", "MO", "SC", "NC", "KS", "OH", "VA"]
SPACED = [  # (the agency as drawn, the Org Name cell as the file shows it: spaces around the invented name)
    (name, invent_name(cell))
    for name, cell in (
        ("Houston TX PD", "Houston TX PD "),
        ("Pearland TX PD", " Pearland TX PD"),
        ("Harris County TX SO", "Harris County TX SO  "),
    )
]


def gen_alvin(out_dir: pathlib.Path, scale: float, seed: int) -> dict:
    slug, tz = "alvin-isd", "America/Chicago"
    rng = np.random.default_rng(seed)
    # December alone is the story's month: "more than 733,000 searches" by "more than 3,100 agencies"
    n_dec = scaled(735_900, scale, 100)
    n_jan = scaled(52_000, scale, 30)
    n_ag = max(40, int(round(3150 * scale)), len(ALVIN_TOP) + len(ALVIN_MUSTS) + 11)
    ag = Agencies(rng, n_ag, ("Alvin ISD TX PD", "TX"), ALVIN_TOP, ALVIN_MUSTS)
    pools = reason_pools(rng)

    dec_lo, dec_hi = epoch_at(2025, 12, 1, tz), epoch_at(2026, 1, 1, tz)
    jan_lo, jan_hi = dec_hi, epoch_at(2026, 1, 8, tz)
    utc_jan1 = epoch_at(2026, 1, 1)
    dec_days = [dt.date(2025, 12, d) for d in range(1, 32)]
    jan_days = [dt.date(2026, 1, d) for d in range(1, 8)]
    # December: the last six UTC hours (local Dec 31 18:00-24:00) drawn apart so they exist at any scale
    w_all = hour_cells(dec_days, tz)[1].sum()
    w_tail = hour_cells(dec_days, tz, only=(utc_jan1, dec_hi))[1].sum()
    n_tail = max(3, int(round(n_dec * w_tail / w_all)))
    t_main = draw_times(rng, n_dec - n_tail, hour_cells(dec_days, tz, exclude=(utc_jan1, dec_hi)))
    t_tail = draw_times(rng, n_tail, hour_cells(dec_days, tz, only=(utc_jan1, dec_hi)))
    t_dec = np.concatenate([t_main, t_tail])
    t_jan = draw_times(rng, n_jan, hour_cells(jan_days, tz))

    def orgs(n):
        k = len(ag)
        if n >= k:
            o = np.concatenate([np.arange(k), rng.choice(k, size=n - k, p=ag.weights)])
        else:
            o = rng.choice(k, size=n, p=ag.weights)
        return rng.permutation(o)

    dec = Plan(t_dec, orgs(n_dec))
    jan = Plan(t_jan, rng.choice(len(ag), size=n_jan, p=ag.weights))
    # reserve one search of every agency so every agency keeps at least one search
    first = np.full(len(ag), -1)
    first[dec.org] = np.arange(n_dec)  # one occurrence of each agency
    dec.used[first[first >= 0]] = True

    # immigration
    n_imm_ag = 30 if scale >= 0.1 else max(4, min(30, int(round(300 * scale))))
    n_crim = scaled(150, scale, 5)
    n_civil = max(scaled(430, scale, 11), 2 * n_crim + 1)
    n_unspec = scaled(60, scale, len(UNSPECIFIED_TEXTS))
    spaced_idx = {ag.idx(a) for a, _ in SPACED}
    variant_idx = {ag.idx(n) for n, _ in ALVIN_MUSTS[:4]} | {ag.idx("Galveston County TX SO")}
    trap_names = {ag.idx(n) for n in ("Niceville FL PD", "Price UT PD", "Blaine CO OK SO", "San Diego County CA SD")}
    imm_ag = imm_agencies(rng, ag, ALVIN_IMM_STATES[:n_imm_ag], spaced_idx | variant_idx | trap_names)
    items = spread(rng, immigration_items(rng, n_civil, n_crim, n_unspec), imm_ag)
    dropdown_from = epoch_at(2025, 12, 3, tz)
    free_until = epoch_at(2025, 12, 15, tz)
    dec.plant(rng, [x for x in items if x[1] != "unspecified"], dropdown_from, dec_hi)
    dec.plant(rng, [x for x in items if x[1] == "unspecified"], dec_lo, free_until)
    dec.plant(rng, trap_items(rng, ag, scale), dec_lo, free_until)
    # a few rows carry leading/trailing spaces in Org Name (same agency once trimmed)
    for name, shown in SPACED:
        k = scaled(8, scale, 1)
        for i in dec.pick(rng, k, dec_lo, utc_jan1).tolist():
            dec.org[i] = ag.idx(name)
            dec.display[i] = shown
    # duplicates in the December CSV (exact, and +-1 device conflicts), the repeated header
    n_exact, n_conf = scaled(40, scale, 3), scaled(6, scale, 2)
    dec.add_dups(rng, n_exact, n_conf)
    dec.header_after = n_dec // 2
    n_jan_dups = scaled(5, scale, 1)
    jan.add_dups(rng, n_jan_dups, 0)

    free_xy = ([dec_lo, epoch_at(2025, 12, 8, tz), free_until, jan_lo, jan_hi], [0.85, 0.85, 0.05, 0.03, 0.03])
    tfmt = TimeFmt(int(t_dec.min()) - 400 * 86400, jan_hi)
    fmt = Formatter(rng, ag, pools, tfmt, OFFICERS[slug], free_xy)

    out_dir.mkdir(parents=True, exist_ok=True)
    csv_name = "SYNTHETIC_alvin-isd_network-audit_2025-12.csv"
    xlsx_name = "SYNTHETIC_alvin-isd_network-audit_2026-01.xlsx"
    conflict_src = sorted(s for _, s, d in dec.dups if d)
    overlap_rows = []  # full 14-column rows of December searches at/after 2026-01-01 00:00 UTC
    n_tail_first = int(np.searchsorted(dec.t, utc_jan1))

    def keep_overlap(lo: int, hi: int, full: list) -> None:
        if hi > n_tail_first:
            overlap_rows.extend(full[max(0, n_tail_first - lo) :])

    data_rows, dup_rows, hdr_rows = plan_csv(
        out_dir / csv_name,
        dec,
        fmt,
        n_dec,
        conflict_src,
        HEADER_LEADING_SPACE,
        repeated=HEADER_LEADING_SPACE,
        on_chunk=keep_overlap,
    )
    truth = Truth(slug, seed, scale, tz, ag)
    truth.plans = [dec, jan]
    truth.add_file(csv_name, None, data_rows, hdr_rows, n_dec, dup_rows)
    truth.conflicts = len(conflict_src)

    # January workbook: the UTC-cut overlap first (cross-file duplicates), then January's own searches
    dev_drop = [HEADER.index(h) for h in HEADER_13]
    pivot: dict[str, int] = {}
    xl_rows = {"n": 0, "dups": 0}

    def sheet_rows():
        yield list(HEADER_13)
        for r in overlap_rows:
            pivot[r[2].strip()] = pivot.get(r[2].strip(), 0) + 1
            xl_rows["n"] += 1
            yield [r[j] for j in dev_drop]
        for lo in range(0, n_jan, CHUNK):
            hi = min(n_jan, lo + CHUNK)
            cols = fmt.rows(jan, lo, hi)
            rows, nd, _, _ = emit(jan, lo, hi, cols, HEADER_13, None)
            xl_rows["dups"] += nd
            for r in rows:
                pivot[r[2].strip()] = pivot.get(r[2].strip(), 0) + 1
                xl_rows["n"] += 1
                yield list(r)

    def summary_rows():
        yield ["Org Name", "Count"]
        top = sorted(pivot.items(), key=lambda kv: (-kv[1], kv[0]))[:25]
        for k, v in top:
            yield [k, v]
        yield ["Grand Total", sum(pivot.values())]

    write_xlsx(out_dir / xlsx_name, [("Network Audit", sheet_rows()), ("Summary", summary_rows())])
    truth.cross = len(overlap_rows)
    truth.add_file(xlsx_name, "Network Audit", xl_rows["n"], 0, n_jan, len(overlap_rows) + xl_rows["dups"])
    truth.skipped = [{"file": xlsx_name, "sheet": "Summary"}]
    result = truth.build(fmt.names_used)
    result["agency_name_variants"] = [
        [invent_name(a), invent_name(b)]
        for a, b in (
            ("Harris County TX SO", "Harris County SO (TX)"),
            ("Galveston County TX SO", "Galveston County SO (TX)"),
            ("Jacksonville FL PD", "Jacksonville PD (FL)"),
        )
    ]
    result["org_names_with_spaces"] = [shown for _, shown in SPACED]
    atomic_text(
        out_dir / "SYNTHETIC.md",
        synthetic_md(
            slug,
            seed,
            scale,
            "in one month more than 733,000 searches of Alvin ISD's eight cameras by "
            "more than 3,100 agencies, at least 620 of them immigration-related by 30 agencies including "
            "agencies in Florida, Georgia, Indiana and Tennessee, civil immigration searches more than twice "
            "the criminal ones",
        ),
    )
    return result


# --------------------------------------------------------------------------------------------
# huffman-isd
# --------------------------------------------------------------------------------------------
HUFFMAN_TOP = [
    ("Houston TX PD", "TX"),
    ("Harris County TX SO", "TX"),
    ("Humble TX PD", "TX"),
    ("Montgomery County TX SO", "TX"),
    ("Baytown TX PD", "TX"),
    ("Liberty County TX SO", "TX"),
    ("Texas Dept. of Public Safety", "TX"),
    ("Harris County TX Constable Pct 4", "TX"),
]
HUFFMAN_MUSTS = [
    ("[Federal] U.S. Border Patrol", ""),
    ("[Federal] ATF Houston Field Division", "TX"),
    ("Hall County GA SO", "GA"),
    ("Polk County FL SO", "FL"),
    ("Fort Wayne IN PD", "IN"),
    ("Niceville FL PD", "FL"),
    ("Price UT PD", "UT"),
    ("Blaine CO OK SO", "OK"),
    ("San Diego County CA SD", "CA"),
    ("MOCIC", ""),
    ("Home Depot Corporation", ""),
    ("Michigan State Police", "MI"),
    ("Redding PD - CA", "CA"),
    ("Arlington PD (WA)", "WA"),
    ("Crosby ISD TX PD [Inactive]", "TX"),
]
BP_OTHER = [
    "narcotics",
    "Investigation",
    "Drugs/Narcotics",
    "Drugs/Narcotics - ",
    "Wanted Person (Arrest Warrant/Fugitive)",
    "Motor Vehicle Theft/Stolen - ",
]
BP_UNSPEC = ("Border Patrol", "USBP", "immigration violation", "ICE detainer", "removal order")


def gen_huffman(out_dir: pathlib.Path, scale: float, seed: int) -> dict:
    slug, tz = "huffman-isd", "America/Chicago"
    rng = np.random.default_rng(seed)
    n = scaled(50_000, scale, 100)
    n_ag = max(40, int(round(1200 * scale)), len(HUFFMAN_TOP) + len(HUFFMAN_MUSTS) + 11)
    ag = Agencies(rng, n_ag, ("Huffman ISD TX PD", "TX"), HUFFMAN_TOP, HUFFMAN_MUSTS)
    pools = reason_pools(rng)
    lo_t, hi_t = epoch_at(2026, 2, 1, tz), epoch_at(2026, 3, 1, tz)
    t = draw_times(rng, n, hour_cells([dt.date(2026, 2, d) for d in range(1, 29)], tz))
    k = len(ag)
    org = rng.permutation(
        np.concatenate([np.arange(k), rng.choice(k, size=n - k, p=ag.weights)])
        if n >= k
        else rng.choice(k, size=n, p=ag.weights)
    )
    plan = Plan(t, org)
    first = np.full(k, -1)
    first[plan.org] = np.arange(n)
    plan.used[first[first >= 0]] = True
    bp = ag.idx("[Federal] U.S. Border Patrol")
    # Border Patrol: a few hundred searches, some immigration (dropdown or free text), most not
    bp_civil, bp_crim = scaled(80, scale, 5), scaled(30, scale, 2)
    bp_unspec, bp_other = scaled(25, scale, len(BP_UNSPEC)), scaled(190, scale, len(BP_OTHER))
    items = [(r, k_, bp) for r, k_ in immigration_items(rng, bp_civil, bp_crim, bp_unspec, BP_UNSPEC)]
    items += [(BP_OTHER[i % len(BP_OTHER)], "other", bp) for i in range(bp_other)]
    # a handful of immigration searches by local agencies
    n_loc = scaled(8, scale, 3)
    loc_ag = imm_agencies(rng, ag, ["TX", "FL", "GA"], {bp})
    cycle = [
        ("civil", CIVIL),
        ("criminal", CRIMINAL + " - "),
        ("unspecified", "ICE investigation"),
        ("civil", CIVIL + " - "),
        ("civil", CIVIL + "  "),
        ("unspecified", "HSI"),
        ("civil", "Welfare Check, " + CIVIL),
        ("criminal", CRIMINAL),
    ]
    loc = [(cycle[i % len(cycle)][1], cycle[i % len(cycle)][0]) for i in range(n_loc)]
    items += spread(rng, loc, loc_ag[: min(len(loc_ag), n_loc)])
    plan.plant(rng, items)
    plan.plant(rng, trap_items(rng, ag, 0.08 * scale))
    plan.add_dups(rng, scaled(10, scale, 2), scaled(3, scale, 1))
    free_xy = ([lo_t, hi_t], [0.05, 0.03])
    tfmt = TimeFmt(int(t.min()) - 400 * 86400, hi_t)
    fmt = Formatter(rng, ag, pools, tfmt, OFFICERS[slug], free_xy)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = "SYNTHETIC_huffman-isd_network-audit_2026-02.csv"
    conflict_src = sorted(s for _, s, d in plan.dups if d)
    data_rows, dup_rows, _ = plan_csv(out_dir / name, plan, fmt, n, conflict_src, HEADER)
    truth = Truth(slug, seed, scale, tz, ag)
    truth.plans = [plan]
    truth.add_file(name, None, data_rows, 0, n, dup_rows)
    truth.conflicts = len(conflict_src)
    result = truth.build(fmt.names_used)
    result["border_patrol"] = {
        "org_name": "[Federal] U.S. Border Patrol",
        "searches": int((plan.org == bp).sum()),
        "immigration": sum(
            1 for i, k_ in plan.kind.items() if plan.org[i] == bp and k_ in ("civil", "criminal", "unspecified")
        ),
    }
    atomic_text(
        out_dir / "SYNTHETIC.md",
        synthetic_md(
            slug,
            seed,
            scale,
            "that U.S. Border Patrol itself searched Huffman ISD's cameras after a "
            "district employee granted it access; the volumes here are invented at a plausible scale",
        ),
    )
    return result


# --------------------------------------------------------------------------------------------
