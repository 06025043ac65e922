"""Nothing published leaks a plate or a searcher, free text cannot run, personal data in reasons is redacted."""
import re

import pandas as pd

from conftest import HOSTILE_LEAKS

TEXT_SUFFIXES = {".html", ".csv", ".json", ".ipynb", ".svg", ".md", ".txt"}
DATA_URI = re.compile(r"data:[a-z/+.-]+;base64,[A-Za-z0-9+/=]+")


def report_texts(root):
    for f in sorted((root / "reports").rglob("*")):
        if f.is_file() and f.suffix in TEXT_SUFFIXES:
            yield f, DATA_URI.sub("", f.read_text(encoding="utf-8", errors="replace"))


def secrets_in_inputs(root) -> set[str]:
    """Every unmasked searcher and plate in every processed table, and the planted hostile values."""
    found = set(HOSTILE_LEAKS)
    for p in root.glob("data/processed/*/searches.parquet"):
        df = pd.read_parquet(p, columns=["searcher", "name_state", "license_plate", "plate_state"])
        found |= set(df.loc[df["name_state"] == "present", "searcher"])
        found |= {x for x in df.loc[df["plate_state"] == "present", "license_plate"] if len(x.strip("*")) >= 5}
    return found


def test_no_plate_searcher_name_or_user_id_in_any_report_file(e2e):
    root, _, _ = e2e
    secrets = secrets_in_inputs(root)
    assert {"Jane Quimby", "QZX4821"} <= secrets and len(secrets) > 20      # the scan has something to find
    files = list(report_texts(root))
    assert len(files) > 30
    leaks = [(str(f.relative_to(root)), s) for f, text in files for s in secrets if s in text]
    assert not leaks, leaks[:10]


def test_searchers_get_stable_pseudonyms_in_processed_data_only(e2e):
    root, _, _ = e2e
    df = pd.read_parquet(root / "data/processed/hostile-pd/searches.parquet")
    pseudo = df.groupby("searcher")["searcher_pseudonym"].unique()
    assert all(len(v) == 1 and v[0].startswith("S-") for v in pseudo)      # one pseudonym per searcher
    assert pseudo["Jane Quimby"][0] != pseudo["Robert Fakename"][0]


def test_free_text_is_escaped_in_every_html_page(e2e):
    root, _, _ = e2e
    pages = [(f, t) for f, t in report_texts(root) if f.suffix == ".html"]
    for f, text in pages:
        for raw in ("<script>alert", "<img src=x onerror", "<b>PD</b>"):
            assert raw not in text, (f, raw)
    index = (root / "reports/index.html").read_text()
    assert "Hostile &lt;b&gt;PD&lt;/b&gt;" in index


def test_spreadsheet_files_neutralise_formulas_and_redact_personal_data(e2e):
    root, _, _ = e2e
    imm = pd.read_csv(root / "reports/hostile-pd/immigration_searches.csv", keep_default_na=False)
    reasons = list(imm["reason"])
    assert any(r.startswith("'=HYPERLINK(") for r in reasons)            # shown as text, value kept after the '
    assert not any(r.startswith(("=", "+", "-", "@")) for r in reasons)
    detainer = next(r for r in reasons if r.startswith("ICE detainer"))
    assert "[REDACTED name_and_dob]" in detainer and "Juan Testcase" not in detainer and "QZX4821" not in detainer
    assert "name_and_dob" in imm.loc[imm["reason"] == detainer, "reason_flagged_personal_data"].iloc[0]


def test_spreadsheet_safe_marks_exactly_the_cells_the_cell_by_cell_rule_marks():
    """The vectorised guard against the plain rule it replaced, on every formula start, text that only
    contains one, blanks, missing values, numbers mixed into text, and a column of non-text objects."""
    import numpy as np

    from pipeline.io.publish import FORMULA_START, spreadsheet_safe
    starts = [c + "SUM(A1)" for c in FORMULA_START]
    df = pd.DataFrame({
        "text": starts + ["a=1", "", None, "'=already"],
        "mixed": pd.Series(["=1", 5, None, np.nan, "-2", "x", 3.5, "@x", "ok", "\tt"], dtype=object),
        "lists": pd.Series([["=x"], ("+",), {"a": 1}, None, 1, 2, 3, 4, 5, 6], dtype=object),
        "pa_text": pd.Series(starts + ["b", None, "c", "+d"], dtype="string[pyarrow]"),
        "n": range(10),
    })

    def by_cell(v):
        return "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v
    got = spreadsheet_safe(df)
    for col in ["text", "mixed", "lists", "pa_text"]:
        want = [by_cell(v) for v in df[col]]
        assert [None if (v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))) else v
                for v in got[col]] == [None if (v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)))
                                       else v for v in want], col
    assert got["text"].tolist()[:6] == ["'" + s for s in starts]
    assert list(got["n"]) == list(range(10)) and df["text"][0] == "=SUM(A1)"   # the input is not changed
