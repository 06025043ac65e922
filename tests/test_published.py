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
    assert {"Jane Quimby", "QZX4821"} <= secrets and len(secrets) > 20  # the scan has something to find
    files = list(report_texts(root))
    assert len(files) > 30
    leaks = [(str(f.relative_to(root)), s) for f, text in files for s in secrets if s in text]
    assert not leaks, leaks[:10]


def test_searchers_get_stable_pseudonyms_in_processed_data_only(e2e):
    root, _, _ = e2e
    df = pd.read_parquet(root / "data/processed/hostile-pd/searches.parquet")
    pseudo = df.groupby("searcher")["searcher_pseudonym"].unique()
    assert all(len(v) == 1 and v[0].startswith("S-") for v in pseudo)  # one pseudonym per searcher
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
    assert any(r.startswith("'=HYPERLINK(") for r in reasons)  # shown as text, value kept after the '
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
    df = pd.DataFrame(
        {
            "text": starts + ["a=1", "", None, "'=already"],
            "mixed": pd.Series(["=1", 5, None, np.nan, "-2", "x", 3.5, "@x", "ok", "\tt"], dtype=object),
            "lists": pd.Series([["=x"], ("+",), {"a": 1}, None, 1, 2, 3, 4, 5, 6], dtype=object),
            "pa_text": pd.Series(starts + ["b", None, "c", "+d"], dtype="string[pyarrow]"),
            "n": range(10),
        }
    )

    def by_cell(v):
        return "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v

    got = spreadsheet_safe(df)
    for col in ["text", "mixed", "lists", "pa_text"]:
        want = [by_cell(v) for v in df[col]]
        assert [
            None if (v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))) else v for v in got[col]
        ] == [None if (v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))) else v for v in want], col
    assert got["text"].tolist()[:6] == ["'" + s for s in starts]
    assert list(got["n"]) == list(range(10)) and df["text"][0] == "=SUM(A1)"  # the input is not changed


def test_a_query_written_by_duckdb_has_the_bytes_pandas_writes(tmp_path, monkeypatch):
    """write_query_csv (DuckDB's COPY, for the long reason lists) against write_csv (pandas): every
    character from 1 to 255 alone, first, last and inside a cell, formula starts, blanks, NULLs and
    integers, with and without the synthetic label; DuckDB must really have written the first table, and
    a table with a carriage return (quoted by DuckDB, not by Python) goes through pandas."""
    import duckdb

    from pipeline.io import publish

    chars = [chr(i) for i in range(1, 256) if i != 13]
    texts = [v for c in chars for v in (c, "a" + c, c + "a", "a" + c + "b")] + [
        'say "hi"',
        "line\nbreak",
        " lead",
        "",
        None,
        "ünïcode – ok",
        "NULL",
        "x" * 300,
    ]
    df = pd.DataFrame(
        {
            "reason": texts,
            "n": pd.array([None if i % 5 == 0 else i for i in range(len(texts))], dtype="Int64"),
            "agency, name": [f"A{i}" if i % 3 else None for i in range(len(texts))],
        }
    )
    con = duckdb.connect()
    con.register("df", df)
    query = 'SELECT reason, n, "agency, name" FROM df'
    order = ("n", "reason")
    through_pandas = []
    for synthetic in (True, False):
        want = publish.write_csv(
            con.sql(f"{query} ORDER BY n, reason").df(), tmp_path / f"pandas-{synthetic}.csv", synthetic=synthetic
        )
        with monkeypatch.context() as m:
            m.setattr(publish, "write_csv", lambda *a, **k: through_pandas.append(a))
            got = tmp_path / f"duckdb-{synthetic}.csv"
            publish.write_query_csv(con, query, got, order_by=order, synthetic=synthetic)
        assert got.read_bytes() == want.read_bytes(), synthetic
    assert not through_pandas and got.read_bytes().count(b"\n'=a,") == 1
    con.register("cr", pd.DataFrame({"reason": ["a\rb", "=x"], "n": [1, 2]}))
    want = publish.write_csv(con.sql("SELECT * FROM cr").df(), tmp_path / "cr-pandas.csv", synthetic=False)
    got = tmp_path / "cr.csv"
    publish.write_query_csv(con, "SELECT * FROM cr", got, order_by=("n",), synthetic=False)
    assert got.read_bytes() == want.read_bytes() == b"reason,n\na\rb,1\n'=x,2\n"


def test_a_query_written_by_duckdb_keeps_its_order_on_any_connection(tmp_path):
    """The file is in the order asked for, by a column that is not written, over more rows than one of
    DuckDB's row groups, on a connection that does not keep insertion order (pipeline.io.db's) and on one
    that does. (With the ORDER BY inside the query, DuckDB 2.0.1 wrote about 1 file in 4 out of order.)"""
    import duckdb

    from pipeline.io import publish

    for keep in ("false", "true"):
        con = duckdb.connect()
        con.execute(f"SET preserve_insertion_order = {keep}")
        query = "SELECT i, 'r' || (i * 7919 % 1000003) AS reason, i * 7919 % 1000003 AS _k FROM range(300000) t(i)"
        want = publish.write_csv(
            con.sql("SELECT i, reason FROM (" + query + ") ORDER BY _k").df(), tmp_path / "pandas.csv", synthetic=False
        )
        for k in range(3):
            got = tmp_path / "duckdb.csv"
            publish.write_query_csv(con, query, got, order_by=("_k",), synthetic=False)
            assert got.read_bytes() == want.read_bytes(), (keep, k)
