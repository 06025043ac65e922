"""Benchmark row for PDF releases: the reader's pages per second on the 809-page Okaloosa PDF against the
fastest plain text extraction of the same file in the same run (the floor).

    python -m bench.bench --pdf        # this row only (about half a minute); `make bench` runs it too

Each method runs in a fresh Python process (bench.bench.measure: seconds of its own work, peak RSS);
the page cache is warm (the file is read once first); each runs REPEAT times and the best time is kept:

  floor_pdf_text   pypdfium2: every page's text page and its text in reading order (no positions), the
                   fastest plain extraction available here (pdfplumber/pdfminer are ~10x slower; PyMuPDF is
                   AGPL and not installed)
  pdf_reader       pipeline.ingest.pdf_reader.read_pdf: words by position, rows, the self-check
  pdf_build        pipeline.clean.build.build on a project holding only the PDF: ingest + clean + classify

Target (issue #11): the reader within 3x the floor, peak RSS under 500 MB.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from pipeline import ROOT

PDF = ROOT / "data" / "raw" / "okaloosa-fl-so" / "11_1_2025-12_8_2025-Okaloosa_County_FL_SO-Audit.pdf"
METHODS = ("floor_pdf_text", "pdf_reader", "pdf_build")
TARGET_RATIO = 3.0
TARGET_RSS = 500 * 1024**2
REPEAT = 3


def child_floor_pdf_text(a: dict) -> dict:
    import pypdfium2 as pdfium

    t0 = time.perf_counter()
    doc = pdfium.PdfDocument(a["pdf"])
    chars = 0
    for i in range(len(doc)):
        page = doc[i]
        textpage = page.get_textpage()
        chars += len(textpage.get_text_range())
        textpage.close()
        page.close()
    pages = len(doc)
    doc.close()
    return {"seconds": time.perf_counter() - t0, "pages": pages, "chars": chars}


def child_pdf_reader(a: dict) -> dict:
    from pipeline.ingest.pdf_reader import read_pdf

    t0 = time.perf_counter()
    pages = rows = 0
    for page in read_pdf(Path(a["pdf"]), Path(a["pdf"]).name):
        pages += 1
        rows += len(page.rows)
    return {"seconds": time.perf_counter() - t0, "pages": pages, "rows": rows}


def child_pdf_build(a: dict) -> dict:
    from pipeline.clean.build import build
    from pipeline.config import load, select

    (j,) = select(load(Path(a["root"]) / "jurisdictions.yml", root=Path(a["root"])), ["bench-pdf"])
    t0 = time.perf_counter()
    m = build(j, progress=lambda msg: None, force=True)
    return {
        "seconds": time.perf_counter() - t0,
        "pages": len(m["sources"]),
        "rows": m["totals"]["rows_read"],
        "searches": m["totals"]["searches"],
    }


CHILDREN = {"floor_pdf_text": child_floor_pdf_text, "pdf_reader": child_pdf_reader, "pdf_build": child_pdf_build}


def _project(data_dir: Path) -> Path:
    import yaml

    root = data_dir / "pdf-project"
    raw = root / "data" / "raw" / "bench-pdf"
    raw.mkdir(parents=True, exist_ok=True)
    if not (raw / PDF.name).exists():
        shutil.copyfile(PDF, raw / PDF.name)
    entry = {
        "slug": "bench-pdf",
        "name": "Okaloosa PDF (bench)",
        "producer": "Okaloosa County Sheriff's Office",
        "log_kind": "organization",
        "timezone": "America/Chicago",
        "inputs": [PDF.name],
    }
    (root / "jurisdictions.yml").write_text(yaml.safe_dump({"jurisdictions": [entry]}, sort_keys=False))
    return root


def run(out_dir: Path, data_dir: Path, echo=print, repeat: int = REPEAT) -> dict:
    """Measure the three methods; write pdf.json and PDF.md to out_dir; return the results."""
    from bench.harness import measure

    out_dir.mkdir(parents=True, exist_ok=True)
    logs = data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    root = _project(data_dir)
    PDF.read_bytes()  # warm the page cache
    runs = []
    for k in range(repeat):
        for method in METHODS:
            rec = measure(method, {"pdf": str(PDF), "root": str(root)}, logs / f"pdf.{method}.{k}.log")
            rec["repeat"] = k
            runs.append(rec)
            echo(
                f"  {method:<15} {rec.get('seconds', float('nan')):6.2f} s  {rec.get('pages', '?')} pages  "
                f"peak RSS {rec['peak_rss'] / 1024**2:6.0f} MB  {'ok' if rec.get('ok') else rec.get('error')}"
            )
    best = {
        m: min((r for r in runs if r["method"] == m and r.get("ok")), key=lambda r: r["seconds"], default=None)
        for m in METHODS
    }
    result = {
        "file": str(PDF.relative_to(ROOT)),
        "pages": (best["pdf_reader"] or {}).get("pages"),
        "runs": runs,
        "best": best,
    }
    floor, reader = best["floor_pdf_text"], best["pdf_reader"]
    if floor and reader:
        ratio = reader["seconds"] / floor["seconds"]
        peak = max(reader["peak_rss"], (best["pdf_build"] or {}).get("peak_rss", 0))
        result["target"] = {
            "ratio_to_floor": round(ratio, 2),
            "ratio_target": TARGET_RATIO,
            "reader_pages_per_second": round(reader["pages"] / reader["seconds"]),
            "floor_pages_per_second": round(floor["pages"] / floor["seconds"]),
            "peak_rss": peak,
            "rss_target": TARGET_RSS,
            "met": ratio <= TARGET_RATIO and peak < TARGET_RSS,
        }
    (out_dir / "pdf.json").write_text(json.dumps(result, indent=1, default=str) + "\n")
    (out_dir / "PDF.md").write_text(markdown(result))
    echo(f"PDF row: {out_dir / 'pdf.json'} and {out_dir / 'PDF.md'}")
    return result


def markdown(result: dict) -> str:
    L = [
        "# PDF releases: the reader against the floor",
        "",
        f"File: `{result['file']}` ({result['pages']} pages, every one rotated 90°). Best of "
        f"{max((r['repeat'] for r in result['runs']), default=0) + 1} runs, each method in a fresh process.",
        "",
        "| method | seconds | pages/s | peak RSS |",
        "|---|---:|---:|---:|",
    ]
    for m, r in result["best"].items():
        if r:
            L.append(
                f"| {m} | {r['seconds']:.2f} | {r['pages'] / r['seconds']:,.0f} | {r['peak_rss'] / 1024**2:,.0f} MB |"
            )
        else:
            L.append(f"| {m} | failed | | |")
    t = result.get("target")
    if t:
        L += [
            "",
            f"Reader: {t['reader_pages_per_second']:,} pages/s, floor {t['floor_pages_per_second']:,} pages/s: "
            f"**{t['ratio_to_floor']}x the floor** (target at most {t['ratio_target']}x); peak RSS "
            f"{t['peak_rss'] / 1024**2:,.0f} MB (target under {t['rss_target'] / 1024**2:,.0f} MB): "
            f"**{'met' if t['met'] else 'NOT met'}**.",
        ]
    return "\n".join(L) + "\n"
