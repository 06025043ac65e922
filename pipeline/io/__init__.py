"""The shared base every stage may use: atomic writes, hashing, progress, the DuckDB connection, spreadsheet-safe CSV."""
