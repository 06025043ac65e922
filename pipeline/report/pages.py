"""The pages around the notebooks: the navigation bar of every notebook page and each jurisdiction's files
page (reports/<slug>/files.html: every published file, in words, with its size in words; an empty CSV is
said to be empty, not linked; the SHA-256 of each file in a section for fact-checkers, folded).

A notebook page is rendered as soon as its notebook ran, before the next notebook has written anything, so
its navigation bar is written again (`refresh`) when the jurisdiction's run ends: every link then points at
a file that exists, and a page the run did not reach is named without a link. The bar sits between two
comment markers, so refreshing it changes nothing else on the page.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.io.atomic import write_text
from pipeline.io.hashing import sha256_file
from pipeline.report.outputs import CHART_KINDS, in_words, labels, size_words

TEMPLATES = Path(__file__).parent / "templates"
NOTEBOOK_PAGES = (("01_clean", "01 Clean"), ("02_validate", "02 Validate"), ("03_analyze", "03 Analyze"))


@dataclass(frozen=True)
class Site:
    """The pages of one folder under reports/ and the way back to the index from it."""

    pages: tuple[tuple[str, str], ...]
    index_href: str


JURISDICTION = Site(NOTEBOOK_PAGES, "../index.html")  # reports/<slug>/
CORPUS = Site(
    (("04_corpus", "04 Corpus: one search counted once across producers"),), "../../index.html"
)  # reports/corpora/<name>/
NAV_START, NAV_END = "<!-- pipeline-nav -->", "<!-- /pipeline-nav -->"
SYNTHETIC_BANNER_TEXT = "SYNTHETIC DATA — generated for testing and demonstration; not a real public-records release."
# No scripts, no remote anything: styles inline, images inline (data:) or beside the page.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data: 'self'; font-src data:; "
    "base-uri 'none'; form-action 'none'"
)
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
_NAV_RE = re.compile(re.escape(NAV_START) + ".*?" + re.escape(NAV_END), re.DOTALL)


@functools.cache
def environment():
    """Jinja2 with autoescape: every value from a release (agency names, file names) is shown as text.
    Imported here, where a page is written, so that a rerun with nothing to write never loads it."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@functools.cache
def stylesheet() -> str:
    return (TEMPLATES / "page.css").read_text(encoding="utf-8")


def page_title(jurisdiction_name: str, stem: str, *, code: bool = False, site: Site = JURISDICTION) -> str:
    """The tab title: the jurisdiction (or corpus) and the page ("Alvin ISD — 03 Analyze")."""
    label = dict(site.pages).get(stem, stem.replace("_", " "))
    return f"{jurisdiction_name} — {label}" + (" (with code)" if code else "")


def nav(out_dir: Path, name: str, current: str | None, *, code: bool = False, site: Site = JURISDICTION) -> str:
    """The navigation bar of one page of the folder (current: a notebook stem, or None on files.html)."""
    suffix = ".code.html" if code else ".html"
    pages = [
        {
            "label": label,
            "href": stem + suffix,
            "exists": (out_dir / (stem + suffix)).exists() or stem == current,
            "current": stem == current,
        }
        for stem, label in site.pages
    ]
    if current is None:
        last = site.pages[-1][0] + ".code.html"
        other = {"href": last if (out_dir / last).exists() else "files.html", "label": "Pages with code"}
    else:
        other = {
            "href": current + (".html" if code else ".code.html"),
            "label": "This page without code" if code else "This page with its code",
        }
    html = (
        environment()
        .get_template("nav.html.j2")
        .render(
            name=name,
            pages=pages,
            other=other,
            current_files=current is None,
            files=len(published_files(out_dir)),
            index_href=site.index_href,
        )
    )
    return f"{NAV_START}\n{html}\n{NAV_END}"


def refresh(
    out_dir: Path, name: str, *, synthetic: bool, site: Site = JURISDICTION, manifest: bool | None = None
) -> None:
    """Write every notebook page's navigation bar again, now that the run has ended, then the files page."""
    for stem, _ in site.pages:
        for code in (False, True):
            page = out_dir / (stem + (".code.html" if code else ".html"))
            if page.exists():
                text = page.read_text(encoding="utf-8")
                new = _NAV_RE.sub(lambda _m: nav(out_dir, name, stem, code=code, site=site), text, count=1)
                if new != text:
                    write_text(page, new)
    if any((out_dir / f"{stem}.html").exists() for stem, _ in site.pages):  # a run that never got a page
        write_files_page(out_dir, name, synthetic=synthetic, site=site, manifest=manifest)  # publishes none


@dataclass(frozen=True)
class Published:
    path: str  # relative to reports/<slug>/, with /
    group: str
    label: str
    bytes: int
    empty: bool = False  # a CSV with no row: listed as "none", never linked as data


def csv_is_empty(path: Path) -> bool:
    """A published CSV with its header and no row (write_csv writes nothing before the header)."""
    if path.suffix != ".csv":
        return False
    with path.open("rb") as f:
        f.readline()
        return not f.readline().strip()


GROUPS = {
    "pages": "Pages for editors",
    "charts": "Charts",
    "tables": "Tables (CSV)",
    "records": "Figures and records (JSON)",
    "code": "For fact-checkers",
    "other": "Other files",
}


def describe(relpath: str) -> tuple[str, str]:
    """(group, label) of a published file, in the words of templates/labels.yml (the index's words);
    a file no rule names is still listed, by its name in words."""
    words = labels()
    path = Path(relpath)
    stem = path.name.removesuffix(".code.html").removesuffix(".html").removesuffix(".ipynb")
    page = words["pages"].get(stem)
    if path.parts[0] == "charts" and len(path.parts) == 2:
        kind = dict(CHART_KINDS).get(path.suffix.lstrip("."), path.suffix.lstrip("."))
        return "charts", f"{words['charts'].get(path.stem, in_words(path.stem))}: {kind}"
    if path.parts[0] == "history":
        return "records", "the figures of an earlier run"
    if page and relpath.endswith(".code.html"):
        return "code", f"{page}, with its code"
    if page and relpath.endswith(".ipynb"):
        return "code", f"{page}: the executed notebook (opens in Jupyter)"
    if page and relpath.endswith(".html"):
        return "pages", page
    if relpath.endswith(".csv.gz"):
        plain = relpath.removesuffix(".gz")
        return "tables", (words["files"].get(plain) or in_words(Path(plain).stem)) + ", every row (compressed)"
    group = {".csv": "tables", ".json": "records"}.get(path.suffix, "other")
    return group, words["files"].get(relpath) or in_words(path.stem)


def published_files(out_dir: Path) -> list[Published]:
    """Every file under reports/<slug>/ but the files page itself and temporary files, in path order."""
    out = []
    for p in sorted(out_dir.rglob("*")):
        rel = p.relative_to(out_dir).as_posix()
        if not p.is_file() or rel == "files.html" or p.name.startswith("."):
            continue
        group, label = describe(rel)
        out.append(Published(rel, group, label, p.stat().st_size, csv_is_empty(p)))
    return out


def write_files_page(
    out_dir: Path, name: str, *, synthetic: bool, site: Site = JURISDICTION, manifest: bool | None = None
) -> Path:
    """reports/<slug>/files.html: every published file, grouped, with what it is, its size and SHA-256.
    manifest: whether manifest.json will sit beside it (default: whether it does now)."""
    files = published_files(out_dir)
    grouped = [
        (
            title,
            [
                dict(f.__dict__, sha256=sha256_file(out_dir / f.path), size=size_words(f.bytes))
                for f in files
                if f.group == key
            ],
        )
        for key, title in GROUPS.items()
    ]
    html = (
        environment()
        .get_template("files.html.j2")
        .render(
            name=name,
            groups=[g for g in grouped if g[1]],
            css=stylesheet(),
            nav=nav(out_dir, name, None, site=site),
            synthetic=synthetic,
            synthetic_text=SYNTHETIC_BANNER_TEXT,
            csp=CSP,
            manifest=(out_dir / "manifest.json").exists() if manifest is None else manifest,
            period=_period_words(out_dir),
        )
    )
    target = out_dir / "files.html"
    write_text(target, html)
    return target


def _period_words(out_dir: Path) -> str | None:
    """The period the release covers, from facts.json ("December 1, 2025 – January 7, 2026"), if computed."""
    import json

    try:
        return json.loads((out_dir / "facts.json").read_text(encoding="utf-8")).get("period_words")
    except (OSError, ValueError, AttributeError):
        return None
