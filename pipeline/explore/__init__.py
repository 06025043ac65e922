"""Explore every search in a browser: the published, redacted searches of every jurisdiction (and the
corpora) as one SQLite database, reports/explore/flock.db, served read-only by Datasette.

It reads the other stages' outputs through files only (data/processed/<slug>/searches.parquet, reports/<slug>/
facts.json, reports/corpora/<name>/), like report: `columns` (what of a search may be published:
columns.yml), `inputs` (what the database is built from, and its content key), `build` (the database,
written atomically), `tables` (agencies, categories, jurisdictions, corpora), `metadata` (Datasette's
titles, sources, licences, facets and canned queries), `scan` (the leak scan of the built file), `serve`
(Datasette on loopback, immutable), `command` (python -m pipeline explore).
"""
