"""Stage 2, enrich: the reviewed rules applied to each search (reason categories, agency state and type, personal
data in reasons, searcher pseudonyms). Rules files live in pipeline/rules/; enrich never decides what a search is."""
