"""Stage 5, report: executed notebooks rendered as HTML for editors and fact-checkers, the index page, and the
small display tables the notebooks show."""
