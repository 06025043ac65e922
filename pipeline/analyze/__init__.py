"""Stage 4, analyze: the only place a published figure is computed (facts), the claims checked against them, and
the charts drawn from their tables (notebook 03)."""
