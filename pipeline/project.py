"""Every path of a project, spelled once: where raw releases, processed tables, published reports and
scratch work live. Imports no stage, so every stage can find the others' files without importing them.

A project is a folder holding jurisdictions.yml, data/raw/, data/processed/, reports/ and build/ (this
checkout by default; `run --root DIR` names another).
"""

from __future__ import annotations

from pathlib import Path


def raw_dir(root: Path, slug: str) -> Path:
    """data/raw/<slug>/: the release exactly as received; read, never written."""
    return Path(root) / "data" / "raw" / slug


def processed_dir(root: Path, slug: str) -> Path:
    """data/processed/<slug>/: the cleaned tables (they hold plates and names: never published)."""
    return Path(root) / "data" / "processed" / slug


def reports_root(root: Path) -> Path:
    """reports/: everything that may be published."""
    return Path(root) / "reports"


def reports_dir(root: Path, slug: str) -> Path:
    """reports/<slug>/: one jurisdiction's pages, figures, charts and published CSVs."""
    return reports_root(root) / slug


def corpus_dir(root: Path, name: str) -> Path:
    """reports/corpora/<name>/: one corpus's pages, figures and published CSVs."""
    return reports_root(root) / CORPORA / name


def explore_dir(root: Path) -> Path:
    """reports/explore/: the explore database, its Datasette metadata and its build record."""
    return reports_root(root) / EXPLORE


def explore_work(root: Path) -> Path:
    """build/explore/: the explore database while it is built (renamed into reports/explore/ when whole)."""
    return build_dir(root) / EXPLORE


# The names the project itself writes beside the jurisdictions' folders: under reports/ (the explorer, the
# corpora, the index and its shared-agencies table) and under data/ (the raw, processed and reference
# folders). A slug names reports/<slug>/, data/raw/<slug>/ and data/processed/<slug>/, so a slug equal to one
# of these would write into a shared folder (`-j corpora` swallowed the corpus pages, `-j explore` broke
# the explorer). Files with a dot (index.html, shared_agencies.csv, .pseudonym-key) can never be slugs
# (config.SLUG_RE), but their stems are kept out too, so that no slug reads like them.
EXPLORE = "explore"
CORPORA = "corpora"
RESERVED_SLUGS = frozenset(
    {
        EXPLORE,
        CORPORA,
        "index",  # reports/index.html
        "shared-agencies",  # reports/shared_agencies.csv
        "raw",  # data/raw/
        "processed",  # data/processed/
        "reference",  # data/reference/
        "pseudonym-key",  # data/processed/.pseudonym-key
        "build",  # build/, the scratch folder beside reports/
        "history",  # reports/<slug>/history/
        "charts",  # reports/<slug>/charts/
        "reasons",  # reports/<slug>/reasons/
        "assets",  # reports/assets/, the chart pages' shared Vega runtime
        "notebook",  # reports/notebook.css, the notebook pages' shared styling
    }
)


def display_path(path: Path, root: Path) -> str:
    """A file as a citation names it: relative to the project when inside it, else as given."""
    try:
        return str(Path(path).resolve().relative_to(Path(root).resolve()))
    except ValueError:
        return str(path)


def build_dir(root: Path) -> Path:
    """build/: scratch work, tool state, and what is kept out of reports/ (failed notebooks, screenshots)."""
    return Path(root) / "build"


def failed_notebook(root: Path, slug: str, notebook: str) -> Path:
    """A notebook that stopped, as far as it ran: for diagnosis, never published."""
    return build_dir(root) / "failed" / slug / f"{notebook}.ipynb"


def rerun_stamps(root: Path) -> Path:
    """What the last run's trail, corpus pages and index were made from (pipeline/run/stamps.py)."""
    return build_dir(root) / "rerun-stamps.json"


def pseudonym_key_file(root: Path) -> Path:
    return Path(root) / "data" / "processed" / ".pseudonym-key"
