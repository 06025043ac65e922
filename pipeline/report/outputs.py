"""Every published file of one jurisdiction, found by globbing reports/<slug>/ (never a fixed list) and
labelled in words (templates/labels.yml, with a default made from the file name), as links relative to
reports/. The index shows them; a page that wants the same list can call `outputs` too."""

from __future__ import annotations

import functools
import urllib.parse
from pathlib import Path

from pipeline.io.rules import read_data_file

TEMPLATES = Path(__file__).with_name("templates")
NOTEBOOK_PAGE = "0[0-9]_*.html"
CHART_KINDS = (("html", "interactive"), ("png", "PNG"), ("svg", "SVG"), ("csv", "data (CSV)"))
NO_OUTPUTS = {"pages": [], "other_pages": [], "charts": [], "tables": [], "records": [], "history": [], "any": False}


@functools.cache
def labels() -> dict:
    """Words for the linked files, charts, pages and log kinds (templates/labels.yml)."""
    return read_data_file(TEMPLATES / "labels.yml")


def size_words(n: int) -> str:
    """A file's size as a reader says it: "27 MB", "880 KB", "4.2 MB", "170 bytes" (1 MB = 1,000,000 bytes)."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if n >= scale:
            value = n / scale
            return f"{value:.1f} {unit}" if value < 10 else f"{value:,.0f} {unit}"
    return f"{n:,} byte{'s' if n != 1 else ''}"


def in_words(stem: str) -> str:
    """'reasons_typed' -> 'Reasons typed': the default label of a file no mapping names."""
    words = stem.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def outputs(reports_dir: Path, slug: str, facts: dict | None = None) -> dict:
    """{"pages", "other_pages", "charts", "tables", "records", "history", "any"} for reports_dir/<slug>/.
    pages: [{label, short, editor, code}] (hrefs or None); charts: [{label, files: [{kind, href}]}];
    tables, records (CSV, JSON): [{label, name, href}]; history: the figures of earlier runs."""
    base = Path(reports_dir) / slug
    if not base.is_dir():
        return dict(NO_OUTPUTS)
    href = functools.partial(_href, slug)
    out = {
        "pages": _pages(base, href),
        "charts": _charts(base, href),
        "other_pages": [
            {"label": in_words(p.stem), "href": href(p.name)}
            for p in sorted(base.glob("*.html"))
            if not p.match(NOTEBOOK_PAGE)
        ],
        "tables": _files(base, "*.csv", href, facts),
        "records": _files(base, "*.json", href, facts),
        "history": [
            {"name": p.name, "href": href(f"history/{p.name}"), "label": p.name}
            for p in sorted(base.glob("history/*.json"))
        ],
    }
    out["any"] = any(out.values())
    return out


def index_href(page: Path, reports_root: Path) -> str:
    """The link from a page under reports/ back to reports/index.html ("../index.html" from
    reports/<slug>/03_analyze.html, "../../index.html" from a chart page)."""
    depth = len(Path(page).resolve().relative_to(Path(reports_root).resolve()).parts) - 1
    return "../" * depth + "index.html"


def _href(slug: str, rel: str) -> str:
    return urllib.parse.quote(slug, safe="/") + "/" + urllib.parse.quote(rel)  # "corpora/<name>" keeps its /


def _pages(base: Path, href) -> list[dict]:
    stems = sorted({p.name.removesuffix(".code.html").removesuffix(".html") for p in base.glob(NOTEBOOK_PAGE)})
    pages = []
    for stem in stems:
        editor, code = base / f"{stem}.html", base / f"{stem}.code.html"
        label = labels()["pages"].get(stem, in_words(stem))
        pages.append(
            {
                "label": f"{label} ({stem})",
                "short": label,
                "editor": href(editor.name) if editor.is_file() else None,
                "code": href(code.name) if code.is_file() else None,
            }
        )
    return pages


def _charts(base: Path, href) -> list[dict]:
    stems = sorted({p.stem for p in base.glob("charts/*") if p.suffix.lstrip(".") in dict(CHART_KINDS)})
    return [
        {
            "label": labels()["charts"].get(stem, in_words(stem)),
            "files": [
                {"kind": kind, "href": href(f"charts/{stem}.{ext}")}
                for ext, kind in CHART_KINDS
                if (base / "charts" / f"{stem}.{ext}").is_file()
            ],
        }
        for stem in stems
    ]


def _files(base: Path, pattern: str, href, facts: dict | None) -> list[dict]:
    """The CSV or JSON files of reports/<slug>/ and its folders, except charts/ and history/ (listed apart)."""
    categories = {c.get("csv"): c.get("label") for c in (facts or {}).get("reason_categories") or [] if c.get("csv")}
    files = []
    for p in sorted(base.rglob(pattern)):
        rel = p.relative_to(base).as_posix()
        if rel.split("/")[0] in ("charts", "history") or rel.startswith("."):
            continue
        label = labels()["files"].get(rel)
        if label is None and rel.startswith("reasons/"):
            label = f"Searches by reason category: {categories.get(rel) or in_words(p.stem)}"
        files.append({"label": label or in_words(p.stem), "name": rel, "href": href(rel)})
    return files
