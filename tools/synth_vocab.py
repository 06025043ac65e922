"""The vocabulary of the synthetic releases: Flock's header, the planted immigration reasons and traps,
the background reasons, search types, states and the invented place names agencies are made from.

Part of the synthetic generator; `tools/synth.py` is its command and `generate`."""

from __future__ import annotations

import datetime as dt

import numpy as np

SLUGS = ("alvin-isd", "huffman-isd")
DEFAULT_SEEDS = {"alvin-isd": 20251231, "huffman-isd": 20260228}
CHUNK = 100_000
MASK = "***"
DASHES = "\u2014\u2014"  # two em dashes, Flock's "no device count"
FIXED_XLSX_TIME = dt.datetime(2026, 1, 8, 12, 0, 0)
FIXED_ZIP_TIME = (2026, 1, 8, 12, 0, 0)

HEADER = [
    "ID",
    "Name",
    "Org Name",
    "Total Networks Searched",
    "Total Devices Searched",
    "Time Frame",
    "License Plate",
    "Reason",
    "Case #",
    "Filters",
    "Search Time",
    "Search Type",
    "Text Prompt",
    "Moderation",
]
HEADER_LEADING_SPACE = [HEADER[0]] + [" " + h for h in HEADER[1:]]
HEADER_13 = [h for h in HEADER if h != "Total Devices Searched"]
DEV = HEADER.index("Total Devices Searched")

CIVIL = "Immigration (civil/administrative)"
CRIMINAL = "Immigration (criminal)"
UNSPECIFIED_TEXTS = (
    "ICE investigation",
    "CBP Investigation",
    "HSI",
    "ERO",
    "Border Patrol",
    "USBP",
    "ICE detainer",
    "deportation",
    "removal order",
    "immigration violation",
    "287(g)",
)
# trap reason -> planted searches at scale 1.0 (alvin-isd); none of them is immigration-related
TRAPS = {
    "police report": 60,
    "warrant service": 45,
    "call for service": 70,
    "expired license": 25,
    "Niceville burglary": 3,
    "Price check fraud": 2,
    "vice unit": 6,
    "icy roads crash": 5,
    "black ice collision": 4,
    "ice cream truck theft": 2,
    "DHS welfare check": 12,
    "office burglary": 15,
    "justice court warrant": 10,
    "device theft": 8,
    "notice to appear": 6,
    "herod st burglary": 3,
    "zero plate": 4,
}
DRUG_SLANG = "selling ice meth"  # 'ice' as drug slang: planted as a trap, reported apart
DRUG_SLANG_N = 5

# --------------------------------------------------------------------------------------------
# Vocabulary. Background (non-planted) reasons never contain an immigration term or a trap
# text; tests/test_synth.py checks that.
# --------------------------------------------------------------------------------------------
SEARCH_TYPES = np.array(
    ["search", "search - Mobile", "lookup", "lookup - Mobile", "convoy", "visual", "freeform", "multiGeo"], dtype=object
)
SEARCH_TYPE_W = np.array([0.70, 0.07, 0.10, 0.02, 0.03, 0.04, 0.03, 0.01])
FREEFORM = 6
NO_PLATE = (5, 6)  # visual, freeform

CATEGORIES = [
    ("Wanted Person (Arrest Warrant/Fugitive)", 20),
    ("Motor Vehicle Theft/Stolen", 18),
    ("Larceny/Theft Offenses", 12),
    ("Burglary/Breaking & Entering", 8),
    ("Assault/Battery Offenses", 8),
    ("Drugs/Narcotics", 8),
    ("Missing/Endangered Person/Runaway", 5),
    ("Welfare Check", 5),
    ("Robbery", 4),
    ("Fraud Offenses", 4),
    ("Hit and Run", 3),
    ("Homicide Offenses", 2),
    ("Weapon Law Violations", 2),
    ("Destruction/Damage/Vandalism of Property", 2),
    ("Kidnapping/Abduction", 1),
    ("Sex Offenses", 1),
]
DETAILS = [
    "suspect vehicle",
    "BOLO",
    "attempt to locate",
    "stolen from residence",
    "per detective",
    "unknown",
    "follow up",
    "witness vehicle",
    "victim vehicle",
    "CASE",
]
FREE_TEXT = [  # (text, weight); "CASE" -> a case number, "LETTER" -> a single letter
    ("investigation", 20),
    ("Investigation", 15),
    ("inv", 3),
    ("stolen vehicle", 6),
    ("Stolen Vehicle", 4),
    ("theft", 4),
    ("burglary", 4),
    ("robbery", 2),
    ("narcotics", 3),
    ("missing person", 2),
    ("homicide", 1),
    ("hit and run", 2),
    ("assault", 2),
    ("fraud", 2),
    ("suspicious vehicle", 3),
    ("welfare check", 2),
    ("BOLO", 2),
    ("shoplifting", 1),
    ("Stolen+vehicle", 1),
    ("Person+Crime", 1),
    ("criminal mischief", 1),
    ("runaway", 1),
    ("wanted person", 2),
    ("evading", 1),
    ("agg assault", 1),
    ("UUMV", 1),
    ("felony warrant", 1),
    ("case follow up", 1),
    ("Daytime search for best result", 3),
    ("test", 1),
    (".", 1),
    ("LETTER", 1),
    ("n/a", 1),
    ("NA", 1),
    ("null", 0.5),
    ("0001", 0.5),
    ("", 3),
    ("CASE", 10),
]
LETTERS = list("abcdkmnstxABCDKMNSTX")
TEXT_PROMPTS = [
    "white pickup truck with ladder rack",
    "red sedan with damaged rear bumper",
    "black SUV with roof rack",
    "silver minivan",
    "blue Honda Civic",
    "motorcycle",
    "tow truck",
    "gray Ford F-150 with toolbox",
    "white box truck",
    "green Jeep Wrangler",
    "dark colored sedan no front plate",
    "maroon pickup with trailer",
]
MODERATION = np.array(["allow", "warn", "block"], dtype=object)
MODERATION_W = np.array([0.88, 0.08, 0.04])

OFFICERS = {
    "alvin-isd": [
        "Daniel Reyes",
        "Amanda Whitfield",
        "Marcus Bell",
        "Laura Nguyen",
        "Kevin Pruitt",
        "Erica Salinas",
        "Jason Moody",
        "Tanya Brooks",
        "Ryan Castillo",
        "Melissa Hart",
        "Chris Oyelaran",
        "Brandon Tate",
    ],
    "huffman-isd": [
        "Steven Ruiz",
        "Kayla Dempsey",
        "Aaron Whitley",
        "Monica Flores",
        "Derek Lang",
        "Patrice Holloway",
        "Tyler Benson",
        "Gina Marsh",
    ],
}

STATES = [  # (code, full name, weight among generated agencies)
    ("TX", "Texas", 18),
    ("CA", "California", 8),
    ("FL", "Florida", 7),
    ("GA", "Georgia", 6),
    ("OH", "Ohio", 4),
    ("IL", "Illinois", 4),
    ("NC", "North Carolina", 4),
    ("TN", "Tennessee", 4),
    ("IN", "Indiana", 3),
    ("MI", "Michigan", 3),
    ("AZ", "Arizona", 3),
    ("CO", "Colorado", 3),
    ("WA", "Washington", 3),
    ("VA", "Virginia", 3),
    ("MO", "Missouri", 3),
    ("SC", "South Carolina", 3),
    ("AL", "Alabama", 3),
    ("LA", "Louisiana", 3),
    ("OK", "Oklahoma", 3),
    ("KY", "Kentucky", 2),
    ("KS", "Kansas", 2),
    ("MN", "Minnesota", 2),
    ("WI", "Wisconsin", 2),
    ("PA", "Pennsylvania", 2),
    ("OR", "Oregon", 2),
    ("UT", "Utah", 2),
    ("AR", "Arkansas", 2),
    ("NY", "New York", 1),
    ("NJ", "New Jersey", 1),
    ("NV", "Nevada", 1),
    ("NM", "New Mexico", 1),
    ("MS", "Mississippi", 1),
    ("IA", "Iowa", 1),
    ("NE", "Nebraska", 1),
    ("ID", "Idaho", 1),
    ("WV", "West Virginia", 1),
    ("MD", "Maryland", 1),
    ("MT", "Montana", 0.5),
    ("WY", "Wyoming", 0.5),
    ("SD", "South Dakota", 0.5),
    ("ND", "North Dakota", 0.5),
    ("CT", "Connecticut", 0.5),
    ("MA", "Massachusetts", 0.5),
    ("NH", "New Hampshire", 0.5),
    ("ME", "Maine", 0.5),
    ("DE", "Delaware", 0.3),
    ("VT", "Vermont", 0.2),
    ("RI", "Rhode Island", 0.2),
]
CITIES = """Springfield Franklin Clinton Greenville Madison Georgetown Salem Fairview Bristol Oxford
Ashland Dover Milton Riverside Centerville Lebanon Kingston Marion Jackson Burlington Manchester
Clayton Hudson Auburn Dayton Lexington Newport Mount_Vernon Monroe Winchester Shelbyville
Columbia Hamilton Troy Florence Cleveland Chester Lancaster Jefferson Warren Liberty Union
Plymouth Lincoln Washington Quincy Camden Milford Farmington Hillsboro Danville Albany Athens
Bedford Belmont Benton Berlin Brookfield Canton Carlisle Carrollton Cedar_Rapids Charleston
Chesterfield Cleburne Columbus Concord Conway Covington Crawford Cumberland Decatur Dublin
Easton Edgewood Elkton Elmwood Emporia Eureka Fayetteville Flora Frankfort Fremont Fulton
Gainesville Galena Garland Glendale Glenwood Goshen Grafton Granville Greenfield Greenwood
Hampton Hanover Harrison Hartford Haven Highland Hollywood Homer Hope Huntington Independence
Irving Jasper Jonesboro Kent Lakewood Lawrence Leesburg Lewisburg Linden Livingston Logan
Lyons Malvern Mansfield Marshall Maysville Medina Midway Milan Millbrook Monticello Montgomery
Morgantown Morris Mount_Pleasant Murray Nashville Newark Newton Norwood Oakland Oakwood
Orange Oxford_Mills Paris Perry Piedmont Pleasant_Hill Princeton Raleigh Richmond Ripley
Rochester Rockford Rome Roseville Rushville Sandy_Springs Sharon Sheridan Sidney Somerset
Stanton Sterling Stratford Sullivan Summit Sumner Taylor Trenton Tyrone Vernon Vienna Waverly
Wayne Westfield Weston Wheaton Whitehall Williamsburg Wilmington Windham Woodland Woodstock
York Yorktown Zion Aurora Bloomington Brighton Brownsville Cambridge Cary Chandler Cherokee
Chillicothe Coldwater Corinth Corning Cortland Crestview Denton Dixon Douglas Duncan Elgin
Ellisville Enterprise Evansville Exeter Fairfield Fort_Scott Gilbert Girard Greer Hartsville
Henderson Hickory Holly_Springs Jamestown Kenton Lafayette Laurel Lenoir Lowell Lynchburg
Macon Marietta Mayfield Meridian Middletown Mobile Moline Muncie Nevada Norman Ocala Olathe
Opelika Ottawa Pella Peoria Pikeville Prescott Pueblo Reno Rolla Ruston Sanford Selma Seneca
Sparta Stillwater Sumter Tifton Tupelo Urbana Valdosta Waco_Springs Warsaw Wausau Yuma""".split()
TX_CITIES = """Baytown League_City Friendswood Pasadena Manvel Sugar_Land Missouri_City Rosenberg
Richmond_Hill Katy Conroe Humble Kingwood_Heights La_Porte Deer_Park Seabrook Webster Kemah
Dickinson Texas_City La_Marque Hitchcock_Park Santa_Fe Freeport Clute Richwood Brazoria West_Columbia
Sweeny Bay_City El_Campo Wharton Needville Fulshear Sealy Bellville Hempstead Tomball Magnolia
Montgomery_Village Willis Cleveland_TX Dayton_TX Liberty_Hill Mont_Belvieu Anahuac Crosby_Park
Beaumont Port_Arthur Orange_TX Nederland Vidor Lumberton Silsbee Jasper_TX Lufkin Nacogdoches
Huntsville Livingston_TX Crockett Palestine Tyler Longview Marshall_TX Texarkana Sherman Denison
McKinney Frisco Plano Allen Wylie Garland_TX Mesquite Rowlett Rockwall Forney Terrell Kaufman
Corsicana Ennis Waxahachie Midlothian Cedar_Hill DeSoto Duncanville Lancaster_TX Arlington_TX
Grand_Prairie Irving_TX Euless Bedford_TX Hurst Keller Southlake Grapevine Coppell Lewisville
Flower_Mound Denton_TX Little_Elm The_Colony Carrollton_TX Farmers_Branch Addison Richardson
Waco Temple Killeen Copperas_Cove Harker_Heights Belton Round_Rock Georgetown_TX Pflugerville
Cedar_Park Leander Hutto Taylor_TX Bastrop Kyle Buda San_Marcos New_Braunfels Seguin Schertz
Converse Universal_City Boerne Kerrville Fredericksburg Victoria Port_Lavaca Corpus_Christi
Portland_TX Kingsville Alice Robstown Laredo McAllen Edinburg Pharr Mission Weslaco Harlingen
Brownsville_TX Midland Odessa Lubbock Amarillo Abilene San_Angelo El_Paso Wichita_Falls""".split()
# county names that exist in many states, so "<County> County <ST> SO" stays plausible anywhere
COUNTIES = """Washington Jefferson Franklin Jackson Lincoln Madison Montgomery Clay Monroe Marion
Union Wayne Warren Greene Grant Clark Lee Carroll Adams Johnson Lake Marshall Crawford Douglas
Hamilton Henry Lawrence Morgan Scott Benton Calhoun Fayette Howard Perry Pike Randolph Shelby
Sullivan Taylor Brown Butler Cass Boone Hancock Hardin Logan Mercer Putnam Pulaski Allen
Cherokee Decatur Delaware Floyd Jasper Sumter White Wilson Wood Webster Cumberland Clinton
Columbia Richland Lafayette Orange Harrison Mitchell Dodge Bedford Hardy Hill Houston_Co
Knox_Co Polk_Co Lewis Macon Newton Ohio_Co Owen Pope Ray Russell Saline Sevier Stone Tipton
Trigg Walker Wheeler Wright""".split()
TX_COUNTIES = """Brazoria Fort_Bend Montgomery_TX Liberty Chambers Jefferson_TX Orange_Co_TX
Hardin_TX Wharton Matagorda Austin Waller Grimes Walker_TX San_Jacinto Polk_TX Tyler_Co Jasper_Co
Newton_Co Hidalgo Cameron Webb Nueces Bexar Travis Williamson Hays Comal Guadalupe Bastrop_Co
Caldwell McLennan Bell_TX Brazos Smith Gregg Collin Denton_Co Tarrant Dallas Ellis Johnson_TX
Parker Kaufman_Co Rockwall_Co Hunt Grayson Lubbock_Co Midland_Co Ector Potter Randall Taylor_TX
Tom_Green El_Paso_Co Wichita Victoria_Co Calhoun_TX Jackson_TX Colorado Lavaca Fayette_TX
Washington_TX Burleson Robertson Leon Madison_TX Houston_TX Trinity Angelina Nacogdoches_Co
Rusk Cherokee_TX Anderson Henderson Van_Zandt Wood_TX Upshur Harrison Panola Shelby_TX
Sabine San_Augustine Hopkins Lamar_TX Fannin Cooke Wise Palo_Pinto Erath Hood Somervell
Navarro Freestone Limestone Falls Milam Lee_TX Gonzales DeWitt Karnes Wilson_TX Atascosa
Medina Bandera Kerr Kendall Gillespie Llano Burnet Lampasas Coryell Hamilton_TX""".split()


def place_name(token: str) -> str:
    """Pool tokens use '_' for spaces; a suffix like _TX or _Co only keeps pool entries unique."""
    parts = token.split("_")
    while parts and parts[-1] in {"TX", "Co", "WA", "WI"} and len(parts) > 1:
        parts.pop()
    return " ".join(parts)
