"""A chart page loads the one shared Vega runtime under reports/assets/ (it used to embed 1 MB of it, 78 times)
and links back to the page that made it and to the index, from a jurisdiction's and from a corpus's charts."""

from pathlib import Path

from pipeline.analyze import chart_page
from pipeline.analyze.chart_page import ChartPage

SPEC = '{"mark": "bar", "data": {"values": [{"a": 1}]}}'


def _write(path: Path) -> str:
    chart_page.write_page(path, SPEC, ChartPage("x", "A title", "Alvin ISD", False, "A description"))
    return path.read_text(encoding="utf-8")


def test_chart_pages_share_one_runtime_file_and_stay_small(tmp_path):
    reports = tmp_path / "reports"
    pages = [reports / "a-isd" / "charts" / "x.html", reports / "corpora" / "six" / "charts" / "x.html"]
    for page in pages:
        html = _write(page)
        assert len(html.encode()) < 20_000, "the page must not embed the runtime"
        src = html.split('<script src="')[1].split('"')[0]
        runtime = (page.parent / src).resolve()
        assert runtime.parent == (reports / "assets").resolve() and runtime.stat().st_size > 500_000
        assert "vegaEmbed" in runtime.read_text(encoding="utf-8")
    assert len(list((reports / "assets").iterdir())) == 1


def test_every_link_of_a_chart_page_leads_to_its_page_and_the_index(tmp_path):
    reports = tmp_path / "reports"
    for folder, made_by in (("a-isd", "03_analyze.html"), ("corpora/six", "04_corpus.html")):
        (reports / folder).mkdir(parents=True, exist_ok=True)
        (reports / folder / made_by).write_text("x")
    (reports / "index.html").write_text("x")
    for page in (reports / "a-isd" / "charts" / "x.html", reports / "corpora" / "six" / "charts" / "x.html"):
        html = _write(page)
        hrefs = [h.split('"')[0] for h in html.split('href="')[1:]]
        local = [h for h in hrefs if not h.startswith(("x.", "#"))]
        assert len(local) == 2
        for h in local:
            assert (page.parent / h).is_file(), (page, h)  # ../03_analyze.html did not exist for a corpus


def test_a_chart_page_outside_reports_keeps_its_runtime_beside_it(tmp_path):
    html = _write(tmp_path / "x.html")
    src = html.split('<script src="')[1].split('"')[0]
    assert (tmp_path / src).is_file() and "/" not in src


def test_a_notebook_shows_the_published_svg_by_reference_not_a_copy(tmp_path, monkeypatch):
    import altair as alt
    import IPython.display
    import pandas as pd

    from pipeline.report import show

    chart = alt.Chart(pd.DataFrame({"a": [1, 2]}), description="Two bars").mark_bar().encode(x="a:Q")
    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)  # show.chart imports it when it runs
    show.chart(chart, pd.DataFrame({"a": [1, 2]}), tmp_path / "charts", "bars")
    data, _ = shown[0]._repr_mimebundle_()
    assert 'src="charts/bars.svg"' in data["text/html"] and 'alt="Two bars"' in data["text/html"]
    assert "image/png" not in data and "base64" not in data["text/html"] and len(data["text/html"]) < 300
    assert (tmp_path / "charts" / "bars.svg").is_file()
