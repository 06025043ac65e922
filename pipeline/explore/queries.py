"""The canned queries of the explore database: the story's questions, as Datasette shows them (each one
a page with its SQL, a form for its parameters, and JSON/CSV like any table)."""

from __future__ import annotations

QUERIES = {
    "immigration_by_agency": {
        "title": "Immigration-related searches by agency",
        "description": "Per jurisdiction and agency, the searches whose published reason is immigration-related "
        "(pipeline/rules/reasons.yml), by type. SYNTHETIC rows say so.",
        "sql": """SELECT jurisdiction, synthetic, agency, agency_state, agency_federal,
       count(*) AS immigration_searches,
       sum(immigration_type = 'civil') AS civil,
       sum(immigration_type = 'criminal') AS criminal,
       sum(immigration_type = 'unspecified') AS unspecified
FROM searches WHERE immigration = 1
GROUP BY jurisdiction, agency
ORDER BY immigration_searches DESC, jurisdiction, agency""",
    },
    "agencies_most_producers": {
        "title": "Agencies that searched the most producers",
        "description": "Agencies (names as released) by how many producers' logs hold their searches. A "
        "search over many networks appears in every producer's log it covered, so the searches "
        "column adds logs, not distinct searches (the corpus tables count each search once).",
        "sql": """SELECT agency, count(DISTINCT producer) AS producers,
       group_concat(DISTINCT jurisdiction) AS jurisdictions,
       sum(searches) AS searches_in_these_logs, sum(immigration_searches) AS immigration_searches,
       max(synthetic) AS synthetic
FROM agencies
GROUP BY agency
ORDER BY producers DESC, searches_in_these_logs DESC, agency
LIMIT 200""",
    },
    "agency_per_day": {
        "title": "One agency's searches per day",
        "description": "The searches of the agency named (exactly as released, e.g. from the agencies table) "
        "per local day of the producer and jurisdiction.",
        "sql": """SELECT searched_local_date, jurisdiction, synthetic, count(*) AS searches,
       sum(immigration) AS immigration_searches
FROM searches WHERE agency = :agency
GROUP BY searched_local_date, jurisdiction
ORDER BY searched_local_date, jurisdiction""",
    },
}
