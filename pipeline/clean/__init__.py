"""Stage 1b, clean: the only place that decides what a search is (types, UTC and local time, masks, de-duplication,
reconciliation), and `build`, which runs ingest, clean and enrich for notebook 01 and writes the manifest."""
