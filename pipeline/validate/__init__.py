"""Stage 3, validate: the Great Expectations suites in expectations/ run over the processed table (notebook 02),
with the GREEN / YELLOW / RED verdict."""
