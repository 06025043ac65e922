"""Synthetic Flock Safety network-audit releases with planted, known truth.

`generate(slug, out_dir)` writes files that look like real public-records releases of a Flock
network audit (see /work/shared/FORMATS.md) and returns -- and writes to ``truth.json`` -- what it
planted, computed from the generator's own bookkeeping (never by re-reading the files).

Releases:

* ``alvin-isd``: calibrated to what The 74 / The Guardian reported for Alvin ISD (Texas): more than
  733,000 searches by more than 3,100 agencies in one month; at least 620 immigration-related
  searches by 30 agencies (among them agencies in FL, GA, IN and TN); civil/administrative
  immigration searches more than twice the criminal ones.
  ``SYNTHETIC_alvin-isd_network-audit_2025-12.csv`` (14 columns, leading space before every header
  but ``ID``, one repeated header row, in-file duplicates incl. +-1-device conflicts) and
  ``SYNTHETIC_alvin-isd_network-audit_2026-01.xlsx`` (sheet ``Network Audit``, 13 columns, all cells
  strings, starts with the December file's last six UTC hours = cross-file duplicates; plus a pivot
  sheet ``Summary`` that is not audit rows).
* ``huffman-isd``: ``SYNTHETIC_huffman-isd_network-audit_2026-02.csv``; U.S. Border Patrol searches
  as an agency of its own.

``network_audit_csvs(out_dir, rows=..., months=...)`` writes one large network audit as monthly CSV files
(CSV only), sized like the largest real releases, for the benchmark (bench/README.md).

The generator's parts, each a module of its own: `synth_vocab` (header, reasons, invented place names),
`synth_agencies` (helpers, writers, the agencies), `synth_rows` (one file's searches and rows), `synth_truth`
(planting and the truth bookkeeping), `synth_releases` (alvin-isd and huffman-isd), `synth_audit` (the
benchmark's large audits) and `synth_corpus` (the six-district corpus). This module is the command and
`generate`, and names the constants the tests compare against.

Everything is deterministic: one ``numpy.random.Generator`` seeded per slug, fixed chunk size,
no wall-clock, no set/dict-order dependence; XLSX zip entries get fixed timestamps.
Only numpy, openpyxl and the standard library are used (network_audit_csvs also uses pyarrow).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time

from tools.synth_agencies import atomic_text
from tools.synth_audit import AUDIT_CSV_VERSION, network_audit_csvs
from tools.synth_corpus import CORPUS, generate_corpus
from tools.synth_releases import ALVIN_MUSTS, gen_alvin, gen_huffman
from tools.synth_vocab import (
    CATEGORIES,
    CITIES,
    CIVIL,
    CRIMINAL,
    DASHES,
    DEFAULT_SEEDS,
    DETAILS,
    DRUG_SLANG,
    FREE_TEXT,
    HEADER,
    HEADER_13,
    LETTERS,
    SEARCH_TYPES,
    SLUGS,
    STATES,
    TEXT_PROMPTS,
    TRAPS,
    TX_CITIES,
    UNSPECIFIED_TEXTS,
)

# What callers and tests read from here (the generator's vocabulary and planted reasons, the benchmark's writer).
__all__ = [
    "ALVIN_MUSTS",
    "AUDIT_CSV_VERSION",
    "CATEGORIES",
    "CITIES",
    "CIVIL",
    "CRIMINAL",
    "DASHES",
    "DETAILS",
    "DRUG_SLANG",
    "FREE_TEXT",
    "HEADER",
    "HEADER_13",
    "LETTERS",
    "SEARCH_TYPES",
    "SLUGS",
    "STATES",
    "TEXT_PROMPTS",
    "TRAPS",
    "TX_CITIES",
    "UNSPECIFIED_TEXTS",
    "generate",
    "main",
    "network_audit_csvs",
]


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------
def generate(slug: str, out_dir: pathlib.Path, *, scale: float = 1.0, seed: int | None = None) -> dict:
    """Write the synthetic release of `slug` ("alvin-isd" or "huffman-isd") into out_dir (created if
    needed) and return the truth dict (also written to out_dir/truth.json)."""
    if slug not in SLUGS:
        raise ValueError(f"unknown slug {slug!r}; choose from {SLUGS}")
    if not scale > 0:
        raise ValueError("scale must be > 0")
    seed = DEFAULT_SEEDS[slug] if seed is None else int(seed)
    out_dir = pathlib.Path(out_dir)
    gen = gen_alvin if slug == "alvin-isd" else gen_huffman
    truth = gen(out_dir, float(scale), seed)
    atomic_text(out_dir / "truth.json", json.dumps(truth, indent=2, ensure_ascii=False) + "\n")
    return truth


def main(argv: list[str]) -> int:
    argv = list(argv)
    if argv and argv[0] == "synth":
        argv = argv[1:]
    ap = argparse.ArgumentParser(
        prog="synth",
        description="Write synthetic Flock network-audit releases "
        "(files named SYNTHETIC_*) and their truth.json into OUT/<slug>/.",
    )
    ap.add_argument(
        "slugs",
        nargs="*",
        metavar="SLUG",
        help=f"any of {', '.join(SLUGS)}, or the corpus {CORPUS} (its six members; default: all)",
    )
    ap.add_argument("--out", default="data/raw", help="output root (default data/raw)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies row counts (default 1.0)")
    ap.add_argument("--seed", type=int, default=None, help="default: a fixed seed per slug")
    a = ap.parse_args(argv)
    for s in a.slugs:
        if s not in SLUGS + (CORPUS,):
            ap.error(f"unknown slug {s!r}; choose from {', '.join(SLUGS + (CORPUS,))}")
    for slug in a.slugs or SLUGS + (CORPUS,):
        if slug == CORPUS:  # a corpus of six small districts (tools/synth_corpus.py); --scale does not apply
            tr = generate_corpus(pathlib.Path(a.out), **({"seed": a.seed} if a.seed is not None else {}))
            print(
                f"{CORPUS}: {tr['rows']:,} rows in {len(tr['members'])} SYNTHETIC logs, "
                f"{tr['distinct_searches']:,} distinct searches",
                flush=True,
            )
            continue
        t0 = time.perf_counter()
        out = pathlib.Path(a.out) / slug
        tr = generate(slug, out, scale=a.scale, seed=a.seed)
        print(
            f"{slug}: {tr['rows']:,} rows, {tr['searches']:,} searches, {tr['agencies']:,} agencies "
            f"in {time.perf_counter() - t0:.1f} s -> {out}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
