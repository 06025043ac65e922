"""Synthetic Flock Safety network-audit releases with planted, known truth.

`generate(slug, out_dir)` writes files that look like real public-records releases of a Flock
network audit (see /work/shared/FORMATS.md) and returns -- and writes to ``truth.json`` -- what it
planted, computed from the generator's own bookkeeping (never by re-reading the files).

Releases:

* ``alvin-isd``: calibrated to what The 74 / The Guardian reported for Alvin ISD (Texas): more than
  733,000 searches by more than 3,100 agencies in one month; at least 620 immigration-related
  searches by 30 agencies (among them agencies in FL, GA, IN and TN); civil/administrative
  immigration searches more than twice the criminal ones.
  ``SYNTHETIC_alvin-isd_network-audit_2025-12.csv`` (14 columns, leading space before every header
  but ``ID``, one repeated header row, in-file duplicates incl. +-1-device conflicts) and
  ``SYNTHETIC_alvin-isd_network-audit_2026-01.xlsx`` (sheet ``Network Audit``, 13 columns, all cells
  strings, starts with the December file's last six UTC hours = cross-file duplicates; plus a pivot
  sheet ``Summary`` that is not audit rows).
* ``huffman-isd``: ``SYNTHETIC_huffman-isd_network-audit_2026-02.csv``; U.S. Border Patrol searches
  as an agency of its own.

``network_audit_csvs(out_dir, rows=..., months=...)`` writes one large network audit as monthly CSV files
(CSV only), sized like the largest real releases, for the benchmark (bench/README.md).

Everything is deterministic: one ``numpy.random.Generator`` seeded per slug, fixed chunk size,
no wall-clock, no set/dict-order dependence; XLSX zip entries get fixed timestamps.
Only numpy, openpyxl and the standard library are used (network_audit_csvs also uses pyarrow).
"""

from __future__ import annotations

import argparse
import calendar
import contextlib
import csv
import datetime as dt
import io
import json
import os
import pathlib
import sys
import time
import zipfile
from zoneinfo import ZoneInfo

import numpy as np

from tools.synth_corpus import CORPUS, generate_corpus

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
_DEV = HEADER.index("Total Devices Searched")

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
_FREEFORM = 6
_NO_PLATE = (5, 6)  # visual, freeform

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


def _place(token: str) -> str:
    """Pool tokens use '_' for spaces; a suffix like _TX or _Co only keeps pool entries unique."""
    parts = token.split("_")
    while parts and parts[-1] in {"TX", "Co", "WA", "WI"} and len(parts) > 1:
        parts.pop()
    return " ".join(parts)


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------
def _alloc(total: int, weights, floor: int = 1) -> list[int]:
    """Split `total` into len(weights) integer parts, each >= floor, proportional otherwise."""
    w = np.asarray(weights, dtype=float)
    k = len(w)
    rest = max(0, total - floor * k)
    raw = w / w.sum() * rest
    base = np.floor(raw).astype(int)
    left = rest - int(base.sum())
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:left]] += 1
    return [int(floor + b) for b in base]


def _epoch(y: int, m: int, d: int, tz: str = "UTC", hour: int = 0) -> int:
    return int(dt.datetime(y, m, d, hour, tzinfo=ZoneInfo(tz)).timestamp())


def _iso(t: int) -> str:
    return dt.datetime.fromtimestamp(int(t), tz=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _local_date(t: int, tz: str) -> str:
    return dt.datetime.fromtimestamp(int(t), tz=ZoneInfo(tz)).date().isoformat()


def _uuids(rng: np.random.Generator, n: int) -> list[str]:
    """n random version-4 UUID strings (lowercase), drawn from rng."""
    b = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    b[:, 6] = (b[:, 6] & 0x0F) | 0x40
    b[:, 8] = (b[:, 8] & 0x3F) | 0x80
    hexd = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    nib = np.empty((n, 32), dtype=np.uint8)
    nib[:, 0::2] = b >> 4
    nib[:, 1::2] = b & 0x0F
    out = np.full((n, 36), ord("-"), dtype=np.uint8)
    pos = [i for i in range(36) if i not in (8, 13, 18, 23)]
    out[:, pos] = hexd[nib]
    return out.view("S36").ravel().astype("U36").tolist()


_TOD_CACHE: dict[str, np.ndarray] = {}


def _tod_tables() -> tuple[np.ndarray, np.ndarray]:
    if not _TOD_CACHE:
        pad, unp = [], []
        for s in range(86400):
            h, m, sec = s // 3600, s // 60 % 60, s % 60
            h12, ap = (h % 12 or 12), ("AM" if h < 12 else "PM")
            pad.append(f"{h12:02d}:{m:02d}:{sec:02d} {ap} UTC")
            unp.append(f"{h12}:{m:02d}:{sec:02d} {ap} UTC")
        _TOD_CACHE["pad"] = np.array(pad, dtype=object)
        _TOD_CACHE["unp"] = np.array(unp, dtype=object)
    return _TOD_CACHE["pad"], _TOD_CACHE["unp"]


class _TimeFmt:
    """Flock's `MM/DD/YYYY, hh:mm:ss AM UTC` (or unpadded month/day/hour) by table look-up."""

    def __init__(self, t_min: int, t_max: int):
        self.day0 = t_min // 86400 - 1
        days = range(self.day0, t_max // 86400 + 2)
        epoch = dt.date(1970, 1, 1)
        pad, unp = [], []
        for d in days:
            x = epoch + dt.timedelta(days=d)
            pad.append(f"{x.month:02d}/{x.day:02d}/{x.year}, ")
            unp.append(f"{x.month}/{x.day}/{x.year}, ")
        self.date_pad = np.array(pad, dtype=object)
        self.date_unp = np.array(unp, dtype=object)
        self.tod_pad, self.tod_unp = _tod_tables()

    def __call__(self, t: np.ndarray, unpadded: np.ndarray) -> np.ndarray:
        d = t // 86400 - self.day0
        s = t % 86400
        dates = np.where(unpadded, self.date_unp[d], self.date_pad[d])
        tods = np.where(unpadded, self.tod_unp[s], self.tod_pad[s])
        return dates + tods


# --------------------------------------------------------------------------------------------
# Agencies
# --------------------------------------------------------------------------------------------
# Agencies whose NAME does not carry the state the generator gives them: federal field offices named
# after a city. Their planted state still drives the generator's choices (so the files stay the same),
# but truth.json reports the state a reader can tell from the name alone under the documented rules
# (FORMATS.md §4, pipeline/rules/agencies.yml): "" for these. Every other name here carries its state:
# "<City> <ST> PD", "(ST)", "ST - ", " - ST", a full state name in a state-body form, or "District of
# <State>" ("U.S. Marshals Service - Southern District of Texas"); and MOCIC, NCRIC, Midwest HIDTA,
# businesses and "[Federal] U.S. Border Patrol" are planted with "" already.
STATE_NOT_IN_NAME = frozenset({"[Federal] ATF Houston Field Division", "[Federal] DEA Houston Division"})


class _Agencies:
    """The agency table: name (trimmed, unique), state code ('' = none), search weight.

    `states` is the planted state (it drives the generator's choices); `name_states` is the state the
    name itself reveals ('' when it does not), which is what truth.json reports."""

    def __init__(self, rng, n_total, producer, top, musts):
        self._index: dict[str, int] = {}
        self.names: list[str] = []
        self.states: list[str] = []
        self.name_states: list[str] = []
        self.kind: list[str] = []
        for name, st in [producer] + top:
            self._add(name, st, "top")
        for name, st in musts:
            self._add(name, st, "must")
        n_special = len(self.names)
        reserved = set()
        for name in self.names:
            for tok in name.replace("(", " ").replace(")", " ").replace("-", " ").split():
                reserved.add(tok)
        codes = [s[0] for s in STATES]
        sw = np.array([s[2] for s in STATES], dtype=float)
        sw /= sw.sum()
        keys = set()
        kinds = ["pd", "so", "pd_paren", "pd_dash", "pd_dash2", "campus", "isd", "da", "constable", "inactive"]
        kw = np.array([0.60, 0.23, 0.03, 0.03, 0.01, 0.01, 0.03, 0.02, 0.02, 0.02])
        kw /= kw.sum()
        while len(self.names) < n_total:
            st = codes[int(rng.choice(len(codes), p=sw))]
            kind = kinds[int(rng.choice(len(kinds), p=kw))]
            if kind in ("isd", "constable") and st != "TX":
                kind = "pd"
            county = kind in ("so", "da", "constable")
            if st == "TX" and rng.random() < 0.75:
                pool = TX_COUNTIES if county else TX_CITIES
            else:
                pool = COUNTIES if county else CITIES
            place = _place(pool[int(rng.integers(len(pool)))])
            if any(tok in reserved for tok in place.split()):
                continue
            pct = int(rng.integers(1, 9)) if kind == "constable" else 0
            key = (place, st, kind if kind in ("so", "da", "constable", "campus", "isd") else "pd", pct)
            if key in keys:
                continue
            name = {
                "pd": f"{place} {st} PD",
                "so": f"{place} County {st} SO",
                "pd_paren": f"{place} PD ({st})",
                "pd_dash": f"{place} PD - {st}",
                "pd_dash2": f"{place}- {st}- PD",
                "campus": f"{st} - {place} Community College Campus",
                "isd": f"{place} ISD {st} PD",
                "da": f"{place} County {st} DA",
                "constable": f"{place} County {st} Constable Pct {pct}",
                "inactive": f"{place} {st} PD [Inactive]",
            }[kind]
            if name in self._index:
                continue
            keys.add(key)
            self._add(name, st, "generic")
        # search weights: producer ~5%, the top list ~25% (Zipf), everyone else ~70% (Zipf, shuffled)
        n = len(self.names)
        w = np.zeros(n)
        w[0] = 0.05
        nt = len(top)
        zt = 1.0 / np.arange(1, nt + 1) ** 0.9
        w[1 : 1 + nt] = 0.25 * zt / zt.sum()
        rest = np.arange(1 + nt, n)
        perm = rng.permutation(rest)
        zr = 1.0 / (np.arange(len(rest)) + 10.0)
        w[perm] = 0.70 * zr / zr.sum()
        self.weights = w / w.sum()
        self.names_arr = np.array(self.names, dtype=object)
        self.n_special = n_special

    def _add(self, name, st, kind):
        assert name not in self._index, name
        self._index[name] = len(self.names)
        self.names.append(name)
        self.states.append(st)
        self.name_states.append("" if name in STATE_NOT_IN_NAME else st)
        self.kind.append(kind)

    def idx(self, name: str) -> int:
        return self._index[name]

    def __len__(self):
        return len(self.names)


# --------------------------------------------------------------------------------------------
# Search-level plan (one file's own searches) and row formatting
# --------------------------------------------------------------------------------------------
def _hour_cells(days, tz, exclude=None, only=None):
    """(start of each local hour as UTC epoch, weight) over local `days` (list of date), weighted by
    weekday/holiday and hour of day. exclude/only: a (start_utc, end_utc) window to leave out / keep."""
    hour_w = np.array([2, 1.5, 1.2, 1, 1, 1.2, 2, 3.5, 5, 6, 6.5, 6.5, 6, 6.5, 6.5, 6, 5.5, 5, 4, 3.5, 3, 3, 2.5, 2.2])
    special = {(12, 24): 0.6, (12, 25): 0.4, (12, 31): 0.75, (1, 1): 0.5}
    starts, cw = [], []
    for day in days:
        wd = day.weekday()
        base = special.get((day.month, day.day), 0.72 if wd == 5 else 0.62 if wd == 6 else 1.0)
        tzinfo = ZoneInfo(tz)
        for h in range(24):
            s = int(dt.datetime(day.year, day.month, day.day, h, tzinfo=tzinfo).timestamp())
            inside = not (exclude is not None and exclude[0] <= s < exclude[1])
            inside &= only is None or only[0] <= s < only[1]
            starts.append(s)
            cw.append(base * hour_w[h] if inside else 0.0)
    return np.array(starts, dtype=np.int64), np.array(cw)


def _draw_times(rng, n, cells) -> np.ndarray:
    starts, cw = cells
    idx = rng.choice(len(cw), size=n, p=cw / cw.sum())
    return np.sort(starts[idx] + rng.integers(0, 3600, size=n))


class _Plan:
    """Per-search arrays of one file's own searches, in file (time) order."""

    def __init__(self, t, org):
        self.t = t
        self.org = org
        self.used = np.zeros(len(t), dtype=bool)  # reserved or planted
        self.planted: dict[int, str] = {}  # search index -> reason text
        self.kind: dict[int, str] = {}  # search index -> civil|criminal|unspecified|trap|slang|other
        self.display: dict[int, str] = {}  # search index -> Org Name as written (spaces)
        self.dups: list[tuple[int, int, int]] = []  # (after_index, source_index, device_delta)
        self.header_after: int | None = None  # repeated header row after this search index

    def pick(self, rng, k, lo_t=None, hi_t=None):
        ok = ~self.used
        if lo_t is not None:
            ok &= self.t >= lo_t
        if hi_t is not None:
            ok &= self.t < hi_t
        cand = np.flatnonzero(ok)
        if len(cand) < k:
            raise ValueError(f"not enough searches to plant {k} (have {len(cand)}); raise scale")
        idx = np.sort(rng.choice(cand, size=k, replace=False))
        self.used[idx] = True
        return idx

    def plant(self, rng, items, lo_t=None, hi_t=None):
        """items: list of (reason, kind, org index); placed on random free searches in the window."""
        if not items:
            return
        idx = self.pick(rng, len(items), lo_t, hi_t)
        order = rng.permutation(len(items))
        for i, j in zip(idx.tolist(), order.tolist()):
            reason, kind, org = items[j]
            self.planted[i] = reason
            self.kind[i] = kind
            self.org[i] = org

    def add_dups(self, rng, n_exact, n_conflict, lo=0, hi=None):
        hi = len(self.t) if hi is None else hi
        n = n_exact + n_conflict
        if n == 0:
            return
        src = np.sort(rng.choice(np.arange(lo, hi), size=n, replace=False))
        conflict = set(rng.choice(n, size=n_conflict, replace=False).tolist()) if n_conflict else set()
        for k, s in enumerate(src.tolist()):
            chunk_end = (s // CHUNK + 1) * CHUNK
            after = min(s + int(rng.integers(0, 40)), chunk_end - 1, len(self.t) - 1)
            delta = (1 if rng.random() < 0.5 else -1) if k in conflict else 0
            self.dups.append((after, s, delta))
        self.dups.sort()


def _pools(rng):
    """Per-run pools: case numbers, dropdown reason strings, free-text weights."""
    yy = ["25", "26"]
    cases = []
    for i in range(2000):
        f = int(rng.integers(5))
        y = yy[int(rng.integers(2))]
        if f == 0:
            cases.append(f"{y}-{int(rng.integers(0, 999999)):06d}")
        elif f == 1:
            cases.append(f"20{y}-{int(rng.integers(0, 99999999)):08d}")
        elif f == 2:
            cases.append(f"CR{y}-{int(rng.integers(0, 9999)):04d}")
        elif f == 3:
            cases.append(
                f"{y}{int(rng.integers(1, 13)):02d}{int(rng.integers(1, 29)):02d}-{int(rng.integers(0, 9999)):04d}"
            )
        else:
            cases.append(str(int(rng.integers(1000000, 99999999))))  # Excel ate the dashes
    cats = [c for c, _ in CATEGORIES]
    cw = np.array([w for _, w in CATEGORIES], dtype=float)
    cw /= cw.sum()
    dd = []
    for i in range(4000):
        c = cats[int(rng.choice(len(cats), p=cw))]
        r = rng.random()
        if r < 0.60:
            s = c
        elif r < 0.75:
            d = DETAILS[int(rng.integers(len(DETAILS)))]
            s = f"{c} - {cases[int(rng.integers(len(cases)))] if d == 'CASE' else d}"
        elif r < 0.83:
            s = f"{c} - "
        elif r < 0.92:
            k = 2 + int(rng.random() < 0.25)
            picks = rng.choice(len(cats), size=k, replace=False, p=cw)
            s = ", ".join(cats[int(p)] for p in picks)
        elif r < 0.97:
            s = c + " " * int(rng.integers(1, 4))
        else:
            s = c[: max(4, int(rng.integers(len(c) // 2, len(c))))]  # cut off
        dd.append(s)
    free = np.array([t for t, _ in FREE_TEXT], dtype=object)
    fw = np.array([w for _, w in FREE_TEXT], dtype=float)
    return {
        "cases": np.array(cases, dtype=object),
        "dropdown": np.array(dd, dtype=object),
        "free": free,
        "free_w": fw / fw.sum(),
        "case_i": FREE_TEXT.index(("CASE", 10)),
        "letter_i": [t for t, _ in FREE_TEXT].index("LETTER"),
        "letters": np.array(LETTERS, dtype=object),
        "prompts": np.array(TEXT_PROMPTS, dtype=object),
    }


class _Formatter:
    """Turns a slice of a _Plan into the 14 string columns of Flock's export."""

    def __init__(self, rng, ag: _Agencies, pools, tfmt: _TimeFmt, officers, free_xy):
        self.rng, self.ag, self.p, self.tfmt = rng, ag, pools, tfmt
        self.officers = np.array(officers, dtype=object)
        ow = 1.0 / np.arange(1, len(officers) + 1) ** 0.7
        self.officer_w = ow / ow.sum()
        self.free_xy = free_xy  # (x: utc epochs, y: probability of a free-text reason)
        self.nets_s = np.array([str(i) for i in range(6001)], dtype=object)
        self.names_used: set[str] = set()

    def rows(self, plan: _Plan, lo: int, hi: int, force_numeric=()):
        rng, p = self.rng, self.p
        n = hi - lo
        t = plan.t[lo:hi]
        org = plan.org[lo:hi]
        prod = org == 0
        n_prod = int(prod.sum())
        ids = _uuids(rng, n)
        # Name: masked except the producer's own officers
        name = np.full(n, MASK, dtype=object)
        picks = self.officers[rng.choice(len(self.officers), size=n_prod, p=self.officer_w)]
        name[prod] = picks
        self.names_used.update(picks.tolist())
        orgs = self.ag.names_arr[org]
        # networks / devices
        u = rng.random(n)
        nets = np.where(
            u < 0.005,
            0,
            np.where(
                u < 0.2,
                rng.integers(1, 6, n),
                np.where(
                    u < 0.4,
                    rng.integers(6, 101, n),
                    np.where(u < 0.6, rng.integers(101, 2001, n), rng.integers(2001, 6001, n)),
                ),
            ),
        )
        devs = nets * rng.integers(6, 31, n) + rng.integers(0, 6, n) * (nets > 0)
        dev_s = np.array(list(map(str, devs.tolist())), dtype=object)
        v = rng.random(n)
        dev_s[v < 0.02] = DASHES
        dev_s[(v >= 0.02) & (v < 0.027)] = "0"
        for i in force_numeric:
            if dev_s[i - lo] in (DASHES, "0"):
                dev_s[i - lo] = str(max(int(devs[i - lo]), 2))
        # times
        unp = rng.random(n) < 0.10
        st = self.tfmt(t, unp)
        w = rng.random(n)
        back = np.where(
            w < 0.15,
            1,
            np.where(
                w < 0.35,
                7,
                np.where(w < 0.65, 30, np.where(w < 0.92, rng.integers(1, 31, n), rng.integers(31, 366, n))),
            ),
        )
        jit = np.where(rng.random(n) < 0.6, 0, rng.integers(0, 900, n))
        endoff = np.where(rng.random(n) < 0.6, 0, rng.integers(1, 121, n))
        tf = self.tfmt(t - back * 86400 - jit, unp) + "\n" + self.tfmt(t - endoff, unp)
        # search type, prompt, moderation
        sti = rng.choice(len(SEARCH_TYPES), size=n, p=SEARCH_TYPE_W)
        stype = SEARCH_TYPES[sti]
        ff = sti == _FREEFORM
        nff = int(ff.sum())
        prompt = np.full(n, "", dtype=object)
        prompt[ff] = p["prompts"][rng.integers(0, len(p["prompts"]), nff)]
        moder = np.full(n, "", dtype=object)
        moder[ff] = MODERATION[rng.choice(3, size=nff, p=MODERATION_W)]
        # plate
        plate = np.full(n, MASK, dtype=object)
        if n_prod:
            az = np.frombuffer(b"ABCDEFGHJKLMNPRSTVWXYZ", dtype=np.uint8)
            let = rng.integers(0, len(az), (n_prod, 3))
            dig = rng.integers(0, 10, (n_prod, 4))
            a = np.empty((n_prod, 7), dtype=np.uint8)
            a[:, :3] = az[let]
            a[:, 3:] = dig + ord("0")
            wild = rng.random(n_prod) < 0.05
            a[wild, rng.integers(0, 7, int(wild.sum()))] = ord("*")
            pl = a.view("S7").ravel().astype("U7").astype(object)
            nop = np.isin(sti[prod], _NO_PLATE)
            pl[nop] = ""
            plate[prod] = pl
        # case number, filters
        case = np.where(rng.random(n) < 0.75, MASK, "").astype(object)
        if n_prod:
            pc = p["cases"][rng.integers(0, len(p["cases"]), n_prod)]
            pc = np.where(rng.random(n_prod) < 0.5, pc, "")
            case[prod] = pc
        filt = np.where(rng.random(n) < 0.4, MASK, "").astype(object)
        filt[prod] = ""
        # reasons
        pfree = np.interp(t, self.free_xy[0], self.free_xy[1])
        free = rng.random(n) < pfree
        nf = int(free.sum())
        reason = p["dropdown"][rng.integers(0, len(p["dropdown"]), n)]
        fi = rng.choice(len(p["free"]), size=nf, p=p["free_w"])
        fv = p["free"][fi]
        is_case = fi == p["case_i"]
        fv[is_case] = p["cases"][rng.integers(0, len(p["cases"]), int(is_case.sum()))]
        is_let = fi == p["letter_i"]
        fv[is_let] = p["letters"][rng.integers(0, len(p["letters"]), int(is_let.sum()))]
        reason[free] = fv
        cols = {
            "ID": ids,
            "Name": name,
            "Org Name": orgs,
            "Total Networks Searched": self.nets_s[nets],
            "Total Devices Searched": dev_s,
            "Time Frame": tf,
            "License Plate": plate,
            "Reason": reason,
            "Case #": case,
            "Filters": filt,
            "Search Time": st,
            "Search Type": stype,
            "Text Prompt": prompt,
            "Moderation": moder,
        }
        cols = {k: (v if isinstance(v, list) else v.tolist()) for k, v in cols.items()}
        for i in _keys_in(plan.planted, lo, hi):
            cols["Reason"][i - lo] = plan.planted[i]
        for i in _keys_in(plan.display, lo, hi):
            cols["Org Name"][i - lo] = plan.display[i]
        return cols


def _keys_in(d: dict, lo: int, hi: int):
    return sorted(k for k in d if lo <= k < hi)


def _plan_csv(
    path: pathlib.Path,
    plan: _Plan,
    fmt,
    n: int,
    conflict_src: list[int],
    first_header: list[str],
    repeated: list[str] | None = None,
    on_chunk=None,
) -> tuple[int, int, int]:
    """Write searches 0..n of `plan` to a CSV (atomically), a CHUNK at a time, in HEADER's column order;
    `repeated`: the header row inserted where the plan says; on_chunk(lo, hi, full) sees each chunk's
    full rows. Returns (data rows, duplicate rows, repeated-header rows) written."""
    data_rows = dup_rows = hdr_rows = 0
    with _atomic(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(first_header)
        for lo in range(0, n, CHUNK):
            hi = min(n, lo + CHUNK)
            cols = fmt.rows(plan, lo, hi, [s for s in conflict_src if lo <= s < hi])
            rows, nd, nh, full = _emit(plan, lo, hi, cols, HEADER, repeated)
            if on_chunk is not None:
                on_chunk(lo, hi, full)
            w.writerows(rows)
            data_rows += len(rows)
            dup_rows += nd
            hdr_rows += nh
            del rows, cols, full
    return data_rows, dup_rows, hdr_rows


def _emit(plan: _Plan, lo: int, hi: int, cols: dict, header: list[str], repeated: list[str] | None):
    """Rows of searches lo..hi in `header` order, with duplicates and a repeated header inserted.
    Returns (rows, n_dup_rows, n_header_rows, originals) where originals[i] is search lo+i's row
    as a full 14-column tuple (for cross-file copies)."""
    full = list(zip(*[cols[h] for h in HEADER]))
    pos = [HEADER.index(h.strip()) for h in header]
    ident = pos == list(range(len(HEADER)))
    rows = full if ident else [tuple(r[j] for j in pos) for r in full]
    extras: list[tuple[int, int, tuple]] = []
    for seq, (after, src, delta) in enumerate(plan.dups):
        if lo <= after < hi:
            r = list(full[src - lo])
            if delta:
                r[_DEV] = str(int(r[_DEV]) + delta)
            r = tuple(r) if ident else tuple(r[j] for j in pos)
            extras.append((after, seq, r))
    n_hdr = 0
    if repeated is not None and plan.header_after is not None and lo <= plan.header_after < hi:
        extras.append((plan.header_after, 10**9, tuple(repeated)))
        n_hdr = 1
    if not extras:
        return rows, 0, 0, full
    extras.sort(key=lambda e: (e[0], e[1]))
    out, prev = [], 0
    for after, _, r in extras:
        out.extend(rows[prev : after - lo + 1])
        out.append(r)
        prev = after - lo + 1
    out.extend(rows[prev:])
    return out, len(extras) - n_hdr, n_hdr, full


# --------------------------------------------------------------------------------------------
# Writers (atomic)
# --------------------------------------------------------------------------------------------
@contextlib.contextmanager
def _atomic(path: pathlib.Path):
    """Yield `name.tmp` beside `path`; on success move it over `path`, on failure delete it."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _atomic_text(path: pathlib.Path, text: str):
    with _atomic(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def _write_xlsx(path: pathlib.Path, sheets: list[tuple[str, object]]):
    """sheets: (title, iterable of row lists). openpyxl write-only, fixed properties, then re-zipped
    with fixed entry timestamps so the bytes depend on the content only."""
    import openpyxl
    from openpyxl.writer.excel import ExcelWriter

    wb = openpyxl.Workbook(write_only=True)
    wb.properties.creator = "tools.synth (SYNTHETIC)"
    wb.properties.lastModifiedBy = "tools.synth (SYNTHETIC)"
    wb.properties.title = "SYNTHETIC - not a real release"
    wb.properties.created = FIXED_XLSX_TIME
    wb.properties.modified = FIXED_XLSX_TIME
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    raw = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED, allowZip64=True)).save()
    raw.seek(0)
    with _atomic(path) as tmp:
        with zipfile.ZipFile(raw) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
                zi.compress_type = zipfile.ZIP_DEFLATED
                zi.external_attr = 0o644 << 16
                dst.writestr(zi, src.read(info.filename))


# --------------------------------------------------------------------------------------------
# Planting
# --------------------------------------------------------------------------------------------
MULTI_TEMPLATES = [
    "Wanted Person (Arrest Warrant/Fugitive), {X}",
    "{X}, Motor Vehicle Theft/Stolen",
    "Drugs/Narcotics, {X}",
    "{X}, Larceny/Theft Offenses",
]
VARIANT_W = [0.45, 0.20, 0.10, 0.10, 0.15]


def _dropdown_variants(rng, base: str, n: int) -> list[str]:
    """n dropdown reasons for `base`: alone, blank detail, ' - ICE detainer', trailing spaces, in a
    multi-select list (each variant at least once when n >= 5)."""
    counts = _alloc(n, VARIANT_W, floor=1 if n >= 5 else 0)
    out = []
    for v, c in enumerate(counts):
        for _ in range(c):
            if v == 0:
                out.append(base)
            elif v == 1:
                out.append(base + " - ")
            elif v == 2:
                out.append(base + " - ICE detainer")
            elif v == 3:
                out.append(base + " " * int(rng.integers(1, 4)))
            else:
                out.append(MULTI_TEMPLATES[int(rng.integers(len(MULTI_TEMPLATES)))].replace("{X}", base))
    return out


def _imm_agencies(rng, ag: _Agencies, states: list[str], exclude: set[int]) -> list[int]:
    chosen: list[int] = []
    for st in states:
        cand = [
            i
            for i in range(1, len(ag))
            if ag.states[i] == st
            and i not in exclude
            and i not in chosen
            and ag.kind[i] in ("generic", "must")
            and not ag.names[i].startswith("[")
            and "[Inactive]" not in ag.names[i]
        ]
        if not cand:
            cand = [i for i in range(1, len(ag)) if i not in exclude and i not in chosen and ag.kind[i] == "generic"]
        chosen.append(int(cand[int(rng.integers(len(cand)))]))
    return chosen


def _spread(rng, items: list[tuple[str, str]], agencies: list[int]) -> list[tuple[str, str, int]]:
    """Give each (reason, kind) an agency: every agency at least one, otherwise heavy-tailed."""
    k = len(agencies)
    assert len(items) >= k
    w = 1.0 / np.arange(1, k + 1) ** 1.1
    w = w[rng.permutation(k)]
    ids = list(range(k)) + rng.choice(k, size=len(items) - k, p=w / w.sum()).tolist()
    ids = [ids[i] for i in rng.permutation(len(ids)).tolist()]
    return [(r, kind, agencies[a]) for (r, kind), a in zip(items, ids)]


def _immigration_items(rng, n_civil, n_crim, n_unspec, unspec_texts=UNSPECIFIED_TEXTS):
    items = [(r, "civil") for r in _dropdown_variants(rng, CIVIL, n_civil)]
    items += [(r, "criminal") for r in _dropdown_variants(rng, CRIMINAL, n_crim)]
    counts = _alloc(n_unspec, [1] * len(unspec_texts), floor=1 if n_unspec >= len(unspec_texts) else 0)
    for txt, c in zip(unspec_texts, counts):
        items += [(txt, "unspecified")] * c
    return items


def _trap_items(rng, ag: _Agencies, factor: float):
    items = []
    for txt, base in TRAPS.items():
        n = max(1, round(base * factor))
        for j in range(n):
            if j == 0 and txt == "Niceville burglary" and "Niceville FL PD" in ag._index:
                o = ag.idx("Niceville FL PD")
            elif j == 0 and txt == "Price check fraud" and "Price UT PD" in ag._index:
                o = ag.idx("Price UT PD")
            else:
                o = int(rng.choice(len(ag), p=ag.weights))
            items.append((txt, "trap", o))
    for j in range(max(1, round(DRUG_SLANG_N * factor))):
        items.append((DRUG_SLANG, "slang", int(rng.choice(len(ag), p=ag.weights))))
    return items


# --------------------------------------------------------------------------------------------
# Truth bookkeeping
# --------------------------------------------------------------------------------------------
class _Truth:
    def __init__(self, slug, seed, scale, tz, ag):
        self.slug, self.seed, self.scale, self.tz, self.ag = slug, seed, scale, tz, ag
        self.files = []
        self.skipped = []
        self.plans: list[_Plan] = []
        self.cross = 0
        self.conflicts = 0

    def add_file(self, name, sheet, data_rows, rep, kept, dups):
        self.files.append(
            {
                "file": name,
                "sheet": sheet,
                "data_rows": data_rows,
                "repeated_header_rows": rep,
                "kept": kept,
                "duplicates": dups,
                "rejected": rep,
            }
        )

    def build(self, names_used) -> dict:
        ag = self.ag
        t = np.concatenate([p.t for p in self.plans])
        org = np.concatenate([p.org for p in self.plans])
        kinds: dict[str, int] = {}
        imm_orgs: dict[int, int] = {}
        by_reason: dict[str, int] = {}
        traps = {k: 0 for k in TRAPS}
        slang = 0
        for p in self.plans:
            for i, k in p.kind.items():
                if k in ("civil", "criminal", "unspecified"):
                    kinds[k] = kinds.get(k, 0) + 1
                    o = int(p.org[i])
                    imm_orgs[o] = imm_orgs.get(o, 0) + 1
                    by_reason[p.planted[i]] = by_reason.get(p.planted[i], 0) + 1
                elif k == "trap":
                    traps[p.planted[i]] += 1
                elif k == "slang":
                    slang += 1
        states = np.array(ag.name_states, dtype=object)[org]  # the state each name reveals ('' = none)
        sbs: dict[str, int] = {}
        for s in states.tolist():
            sbs[s] = sbs.get(s, 0) + 1
        used = np.unique(org)
        hours, inv = np.unique(t // 900, return_inverse=True)  # local date per UTC quarter hour
        hour_date = np.array([_local_date(int(h) * 900, self.tz) for h in hours.tolist()], dtype=object)
        dates, n_by_date = np.unique(hour_date[inv].astype(str), return_counts=True)
        by_date = {str(d): int(c) for d, c in zip(dates.tolist(), n_by_date.tolist())}
        by_month: dict[str, int] = {}
        for d, c in by_date.items():
            by_month[d[:7]] = by_month.get(d[:7], 0) + c
        fed = np.array([n.startswith("[Federal]") for n in ag.names])
        rows = sum(f["data_rows"] for f in self.files)
        dup_rows = sum(f["duplicates"] for f in self.files)
        imm_states = sorted({ag.name_states[o] for o in imm_orgs if ag.name_states[o]})
        return {
            "slug": self.slug,
            "synthetic": True,
            "seed": self.seed,
            "scale": self.scale,
            "producer_timezone": self.tz,
            "producer": ag.names[0],
            "files": self.files,
            "skipped_sheets": self.skipped,
            "searches": int(len(t)),
            "rows": int(rows),
            "duplicate_rows": int(dup_rows),
            "cross_file_duplicates": int(self.cross),
            "conflicting_searches": int(self.conflicts),
            "agencies": int(len(used)),
            "first_search_utc": _iso(t.min()),
            "last_search_utc": _iso(t.max()),
            "first_local_date": _local_date(t.min(), self.tz),
            "last_local_date": _local_date(t.max(), self.tz),
            "searchers_present": len(names_used),
            "searches_by_local_month": by_month,
            "searches_by_local_date": by_date,
            "immigration": {
                "searches": int(sum(kinds.values())),
                "civil": kinds.get("civil", 0),
                "criminal": kinds.get("criminal", 0),
                "unspecified": kinds.get("unspecified", 0),
                "agencies": len(imm_orgs),
                "agency_states": imm_states,
                "by_agency": {ag.names[o]: imm_orgs[o] for o in sorted(imm_orgs, key=lambda o: ag.names[o])},
                "by_reason": {k: by_reason[k] for k in sorted(by_reason)},
            },
            "federal_searches": int(fed[org].sum()),
            "searches_by_state": {k: sbs[k] for k in sorted(sbs)},
            "state_by_agency": {
                ag.names[o]: ag.name_states[o] for o in sorted(used.tolist(), key=lambda o: ag.names[o])
            },
            "traps": traps,
            "trap_drug_slang": slang,
        }


def _synthetic_md(slug, seed, scale, extra):
    return (
        f"SYNTHETIC data ({slug}). Every file in this folder was generated by `python -m tools.synth {slug} --scale {scale} "
        f"--seed {seed}` (module `tools/synth.py`, seed {seed}, scale {scale}). It is NOT a real "
        f"public-records release and no row describes a real search, officer, plate or case: agency "
        f"names, IDs, times and reasons are random draws shaped like real Flock Safety network-audit "
        f"exports, calibrated to what The 74 and The Guardian published ({extra}). The quirks of real "
        f"releases are planted on purpose, and `truth.json` lists exactly what was planted so a "
        f"pipeline can be checked against it.\n"
    )


def _scaled(base: float, scale: float, floor: int) -> int:
    return max(int(floor), int(round(base * scale)))


# --------------------------------------------------------------------------------------------
# alvin-isd
# --------------------------------------------------------------------------------------------
ALVIN_TOP = [
    ("Houston TX PD", "TX"),
    ("Harris County TX SO", "TX"),
    ("Texas Dept. of Public Safety", "TX"),
    ("Pearland TX PD", "TX"),
    ("Brazoria County TX SO", "TX"),
    ("Alvin TX PD", "TX"),
    ("League City TX PD", "TX"),
    ("Friendswood TX PD", "TX"),
    ("Galveston County TX SO", "TX"),
    ("Fort Bend County TX SO", "TX"),
    ("Pasadena TX PD", "TX"),
    ("Manvel TX PD", "TX"),
    ("Sugar Land TX PD", "TX"),
    ("Lake Jackson TX PD", "TX"),
    ("Angleton TX PD", "TX"),
]
ALVIN_MUSTS = [
    ("Harris County SO (TX)", "TX"),
    ("Galveston County SO (TX)", "TX"),  # spelling variants
    ("Jacksonville FL PD", "FL"),
    ("Jacksonville PD (FL)", "FL"),
    ("Arlington PD (WA)", "WA"),
    ("Redding PD - CA", "CA"),
    ("CA - Napa Valley College Campus", "CA"),
    ("Windsor- IL- PD", "IL"),
    ("Georgia State Patrol GA PD", "GA"),
    ("Georgia Attorney General's Office - GA", "GA"),
    ("Michigan State Police", "MI"),
    ("Oklahoma Highway Patrol", "OK"),
    ("Indiana State Police", "IN"),
    ("Tennessee Highway Patrol", "TN"),
    ("MOCIC", ""),
    ("NCRIC", ""),
    ("Midwest HIDTA", ""),
    ("Home Depot Corporation", ""),
    ("Lowe's Home Centers LLC", ""),
    ("[Federal] ATF Houston Field Division", "TX"),
    ("[Federal] U.S. Marshals Service - Southern District of Texas", "TX"),
    ("[Federal] DEA Houston Division", "TX"),
    ("[Federal] U.S. Secret Service", ""),
    ("Hitchcock TX PD [Inactive]", "TX"),
    ("Ozark MO PD [Inactive]", "MO"),
    ("Blaine CO OK SO", "OK"),
    ("San Diego County CA SD", "CA"),
    ("Niceville FL PD", "FL"),
    ("Price UT PD", "UT"),
    ("Portland OR PD", "OR"),
    ("Portland ME PD", "ME"),
    ("Fort Wayne IN PD", "IN"),
    ("Hall County GA SO", "GA"),
    ("Knox County TN SO", "TN"),
    ("Polk County FL SO", "FL"),
]
ALVIN_IMM_STATES = ["FL", "GA", "IN", "TN"] + ["TX"] * 16 + ["OK", "LA", "AZ", "AL", "MO", "SC", "NC", "KS", "OH", "VA"]
SPACED = [
    ("Houston TX PD", "Houston TX PD "),
    ("Pearland TX PD", " Pearland TX PD"),
    ("Harris County TX SO", "Harris County TX SO  "),
]


def _gen_alvin(out_dir: pathlib.Path, scale: float, seed: int) -> dict:
    slug, tz = "alvin-isd", "America/Chicago"
    rng = np.random.default_rng(seed)
    # December alone is the story's month: "more than 733,000 searches" by "more than 3,100 agencies"
    n_dec = _scaled(735_900, scale, 100)
    n_jan = _scaled(52_000, scale, 30)
    n_ag = max(40, int(round(3150 * scale)), len(ALVIN_TOP) + len(ALVIN_MUSTS) + 11)
    ag = _Agencies(rng, n_ag, ("Alvin ISD TX PD", "TX"), ALVIN_TOP, ALVIN_MUSTS)
    pools = _pools(rng)

    dec_lo, dec_hi = _epoch(2025, 12, 1, tz), _epoch(2026, 1, 1, tz)
    jan_lo, jan_hi = dec_hi, _epoch(2026, 1, 8, tz)
    utc_jan1 = _epoch(2026, 1, 1)
    dec_days = [dt.date(2025, 12, d) for d in range(1, 32)]
    jan_days = [dt.date(2026, 1, d) for d in range(1, 8)]
    # December: the last six UTC hours (local Dec 31 18:00-24:00) drawn apart so they exist at any scale
    w_all = _hour_cells(dec_days, tz)[1].sum()
    w_tail = _hour_cells(dec_days, tz, only=(utc_jan1, dec_hi))[1].sum()
    n_tail = max(3, int(round(n_dec * w_tail / w_all)))
    t_main = _draw_times(rng, n_dec - n_tail, _hour_cells(dec_days, tz, exclude=(utc_jan1, dec_hi)))
    t_tail = _draw_times(rng, n_tail, _hour_cells(dec_days, tz, only=(utc_jan1, dec_hi)))
    t_dec = np.concatenate([t_main, t_tail])
    t_jan = _draw_times(rng, n_jan, _hour_cells(jan_days, tz))

    def orgs(n):
        k = len(ag)
        if n >= k:
            o = np.concatenate([np.arange(k), rng.choice(k, size=n - k, p=ag.weights)])
        else:
            o = rng.choice(k, size=n, p=ag.weights)
        return rng.permutation(o)

    dec = _Plan(t_dec, orgs(n_dec))
    jan = _Plan(t_jan, rng.choice(len(ag), size=n_jan, p=ag.weights))
    # reserve one search of every agency so every agency keeps at least one search
    first = np.full(len(ag), -1)
    first[dec.org] = np.arange(n_dec)  # one occurrence of each agency
    dec.used[first[first >= 0]] = True

    # immigration
    n_imm_ag = 30 if scale >= 0.1 else max(4, min(30, int(round(300 * scale))))
    n_crim = _scaled(150, scale, 5)
    n_civil = max(_scaled(430, scale, 11), 2 * n_crim + 1)
    n_unspec = _scaled(60, scale, len(UNSPECIFIED_TEXTS))
    spaced_idx = {ag.idx(a) for a, _ in SPACED}
    variant_idx = {ag.idx(n) for n, _ in ALVIN_MUSTS[:4]} | {ag.idx("Galveston County TX SO")}
    trap_names = {ag.idx(n) for n in ("Niceville FL PD", "Price UT PD", "Blaine CO OK SO", "San Diego County CA SD")}
    imm_ag = _imm_agencies(rng, ag, ALVIN_IMM_STATES[:n_imm_ag], spaced_idx | variant_idx | trap_names)
    items = _spread(rng, _immigration_items(rng, n_civil, n_crim, n_unspec), imm_ag)
    dropdown_from = _epoch(2025, 12, 3, tz)
    free_until = _epoch(2025, 12, 15, tz)
    dec.plant(rng, [x for x in items if x[1] != "unspecified"], dropdown_from, dec_hi)
    dec.plant(rng, [x for x in items if x[1] == "unspecified"], dec_lo, free_until)
    dec.plant(rng, _trap_items(rng, ag, scale), dec_lo, free_until)
    # a few rows carry leading/trailing spaces in Org Name (same agency once trimmed)
    for name, shown in SPACED:
        k = _scaled(8, scale, 1)
        for i in dec.pick(rng, k, dec_lo, utc_jan1).tolist():
            dec.org[i] = ag.idx(name)
            dec.display[i] = shown
    # duplicates in the December CSV (exact, and +-1 device conflicts), the repeated header
    n_exact, n_conf = _scaled(40, scale, 3), _scaled(6, scale, 2)
    dec.add_dups(rng, n_exact, n_conf)
    dec.header_after = n_dec // 2
    n_jan_dups = _scaled(5, scale, 1)
    jan.add_dups(rng, n_jan_dups, 0)

    free_xy = ([dec_lo, _epoch(2025, 12, 8, tz), free_until, jan_lo, jan_hi], [0.85, 0.85, 0.05, 0.03, 0.03])
    tfmt = _TimeFmt(int(t_dec.min()) - 400 * 86400, jan_hi)
    fmt = _Formatter(rng, ag, pools, tfmt, OFFICERS[slug], free_xy)

    out_dir.mkdir(parents=True, exist_ok=True)
    csv_name = "SYNTHETIC_alvin-isd_network-audit_2025-12.csv"
    xlsx_name = "SYNTHETIC_alvin-isd_network-audit_2026-01.xlsx"
    conflict_src = sorted(s for _, s, d in dec.dups if d)
    overlap_rows = []  # full 14-column rows of December searches at/after 2026-01-01 00:00 UTC
    n_tail_first = int(np.searchsorted(dec.t, utc_jan1))

    def keep_overlap(lo: int, hi: int, full: list) -> None:
        if hi > n_tail_first:
            overlap_rows.extend(full[max(0, n_tail_first - lo) :])

    data_rows, dup_rows, hdr_rows = _plan_csv(
        out_dir / csv_name,
        dec,
        fmt,
        n_dec,
        conflict_src,
        HEADER_LEADING_SPACE,
        repeated=HEADER_LEADING_SPACE,
        on_chunk=keep_overlap,
    )
    truth = _Truth(slug, seed, scale, tz, ag)
    truth.plans = [dec, jan]
    truth.add_file(csv_name, None, data_rows, hdr_rows, n_dec, dup_rows)
    truth.conflicts = len(conflict_src)

    # January workbook: the UTC-cut overlap first (cross-file duplicates), then January's own searches
    dev_drop = [HEADER.index(h) for h in HEADER_13]
    pivot: dict[str, int] = {}
    xl_rows = {"n": 0, "dups": 0}

    def sheet_rows():
        yield list(HEADER_13)
        for r in overlap_rows:
            pivot[r[2].strip()] = pivot.get(r[2].strip(), 0) + 1
            xl_rows["n"] += 1
            yield [r[j] for j in dev_drop]
        for lo in range(0, n_jan, CHUNK):
            hi = min(n_jan, lo + CHUNK)
            cols = fmt.rows(jan, lo, hi)
            rows, nd, _, _ = _emit(jan, lo, hi, cols, HEADER_13, None)
            xl_rows["dups"] += nd
            for r in rows:
                pivot[r[2].strip()] = pivot.get(r[2].strip(), 0) + 1
                xl_rows["n"] += 1
                yield list(r)

    def summary_rows():
        yield ["Org Name", "Count"]
        top = sorted(pivot.items(), key=lambda kv: (-kv[1], kv[0]))[:25]
        for k, v in top:
            yield [k, v]
        yield ["Grand Total", sum(pivot.values())]

    _write_xlsx(out_dir / xlsx_name, [("Network Audit", sheet_rows()), ("Summary", summary_rows())])
    truth.cross = len(overlap_rows)
    truth.add_file(xlsx_name, "Network Audit", xl_rows["n"], 0, n_jan, len(overlap_rows) + xl_rows["dups"])
    truth.skipped = [{"file": xlsx_name, "sheet": "Summary"}]
    result = truth.build(fmt.names_used)
    result["agency_name_variants"] = [
        ["Harris County TX SO", "Harris County SO (TX)"],
        ["Galveston County TX SO", "Galveston County SO (TX)"],
        ["Jacksonville FL PD", "Jacksonville PD (FL)"],
    ]
    result["org_names_with_spaces"] = [shown for _, shown in SPACED]
    _atomic_text(
        out_dir / "SYNTHETIC.md",
        _synthetic_md(
            slug,
            seed,
            scale,
            "in one month more than 733,000 searches of Alvin ISD's eight cameras by "
            "more than 3,100 agencies, at least 620 of them immigration-related by 30 agencies including "
            "agencies in Florida, Georgia, Indiana and Tennessee, civil immigration searches more than twice "
            "the criminal ones",
        ),
    )
    return result


# --------------------------------------------------------------------------------------------
# huffman-isd
# --------------------------------------------------------------------------------------------
HUFFMAN_TOP = [
    ("Houston TX PD", "TX"),
    ("Harris County TX SO", "TX"),
    ("Humble TX PD", "TX"),
    ("Montgomery County TX SO", "TX"),
    ("Baytown TX PD", "TX"),
    ("Liberty County TX SO", "TX"),
    ("Texas Dept. of Public Safety", "TX"),
    ("Harris County TX Constable Pct 4", "TX"),
]
HUFFMAN_MUSTS = [
    ("[Federal] U.S. Border Patrol", ""),
    ("[Federal] ATF Houston Field Division", "TX"),
    ("Hall County GA SO", "GA"),
    ("Polk County FL SO", "FL"),
    ("Fort Wayne IN PD", "IN"),
    ("Niceville FL PD", "FL"),
    ("Price UT PD", "UT"),
    ("Blaine CO OK SO", "OK"),
    ("San Diego County CA SD", "CA"),
    ("MOCIC", ""),
    ("Home Depot Corporation", ""),
    ("Michigan State Police", "MI"),
    ("Redding PD - CA", "CA"),
    ("Arlington PD (WA)", "WA"),
    ("Crosby ISD TX PD [Inactive]", "TX"),
]
BP_OTHER = [
    "narcotics",
    "Investigation",
    "Drugs/Narcotics",
    "Drugs/Narcotics - ",
    "Wanted Person (Arrest Warrant/Fugitive)",
    "Motor Vehicle Theft/Stolen - ",
]
BP_UNSPEC = ("Border Patrol", "USBP", "immigration violation", "ICE detainer", "removal order")


def _gen_huffman(out_dir: pathlib.Path, scale: float, seed: int) -> dict:
    slug, tz = "huffman-isd", "America/Chicago"
    rng = np.random.default_rng(seed)
    n = _scaled(50_000, scale, 100)
    n_ag = max(40, int(round(1200 * scale)), len(HUFFMAN_TOP) + len(HUFFMAN_MUSTS) + 11)
    ag = _Agencies(rng, n_ag, ("Huffman ISD TX PD", "TX"), HUFFMAN_TOP, HUFFMAN_MUSTS)
    pools = _pools(rng)
    lo_t, hi_t = _epoch(2026, 2, 1, tz), _epoch(2026, 3, 1, tz)
    t = _draw_times(rng, n, _hour_cells([dt.date(2026, 2, d) for d in range(1, 29)], tz))
    k = len(ag)
    org = rng.permutation(
        np.concatenate([np.arange(k), rng.choice(k, size=n - k, p=ag.weights)])
        if n >= k
        else rng.choice(k, size=n, p=ag.weights)
    )
    plan = _Plan(t, org)
    first = np.full(k, -1)
    first[plan.org] = np.arange(n)
    plan.used[first[first >= 0]] = True
    bp = ag.idx("[Federal] U.S. Border Patrol")
    # Border Patrol: a few hundred searches, some immigration (dropdown or free text), most not
    bp_civil, bp_crim = _scaled(80, scale, 5), _scaled(30, scale, 2)
    bp_unspec, bp_other = _scaled(25, scale, len(BP_UNSPEC)), _scaled(190, scale, len(BP_OTHER))
    items = [(r, k_, bp) for r, k_ in _immigration_items(rng, bp_civil, bp_crim, bp_unspec, BP_UNSPEC)]
    items += [(BP_OTHER[i % len(BP_OTHER)], "other", bp) for i in range(bp_other)]
    # a handful of immigration searches by local agencies
    n_loc = _scaled(8, scale, 3)
    loc_ag = _imm_agencies(rng, ag, ["TX", "FL", "GA"], {bp})
    cycle = [
        ("civil", CIVIL),
        ("criminal", CRIMINAL + " - "),
        ("unspecified", "ICE investigation"),
        ("civil", CIVIL + " - "),
        ("civil", CIVIL + "  "),
        ("unspecified", "HSI"),
        ("civil", "Welfare Check, " + CIVIL),
        ("criminal", CRIMINAL),
    ]
    loc = [(cycle[i % len(cycle)][1], cycle[i % len(cycle)][0]) for i in range(n_loc)]
    items += _spread(rng, loc, loc_ag[: min(len(loc_ag), n_loc)])
    plan.plant(rng, items)
    plan.plant(rng, _trap_items(rng, ag, 0.08 * scale))
    plan.add_dups(rng, _scaled(10, scale, 2), _scaled(3, scale, 1))
    free_xy = ([lo_t, hi_t], [0.05, 0.03])
    tfmt = _TimeFmt(int(t.min()) - 400 * 86400, hi_t)
    fmt = _Formatter(rng, ag, pools, tfmt, OFFICERS[slug], free_xy)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = "SYNTHETIC_huffman-isd_network-audit_2026-02.csv"
    conflict_src = sorted(s for _, s, d in plan.dups if d)
    data_rows, dup_rows, _ = _plan_csv(out_dir / name, plan, fmt, n, conflict_src, HEADER)
    truth = _Truth(slug, seed, scale, tz, ag)
    truth.plans = [plan]
    truth.add_file(name, None, data_rows, 0, n, dup_rows)
    truth.conflicts = len(conflict_src)
    result = truth.build(fmt.names_used)
    result["border_patrol"] = {
        "org_name": "[Federal] U.S. Border Patrol",
        "searches": int((plan.org == bp).sum()),
        "immigration": sum(
            1 for i, k_ in plan.kind.items() if plan.org[i] == bp and k_ in ("civil", "criminal", "unspecified")
        ),
    }
    _atomic_text(
        out_dir / "SYNTHETIC.md",
        _synthetic_md(
            slug,
            seed,
            scale,
            "that U.S. Border Patrol itself searched Huffman ISD's cameras after a "
            "district employee granted it access; the volumes here are invented at a plausible scale",
        ),
    )
    return result


# --------------------------------------------------------------------------------------------
# Large CSV-only network audits (for the benchmark, bench/README.md)
# --------------------------------------------------------------------------------------------
# One network audit as monthly CSV files, shaped like the releases above (14 columns, Flock's time
# format, two-line quoted Time Frame cells, masks, free-text reasons until December 2025 and the
# dropdown after it, in-file duplicates incl. +-1-device conflicts, planted immigration reasons and
# trap words), but written column-wise with pyarrow so that 17 million rows take minutes, not an hour.
# It does not touch the generators above: their files stay byte-identical.
AUDIT_CSV_VERSION = 1
AUDIT_CSV_TOP = [
    ("Frisco TX PD", "TX"),
    ("Little Elm TX PD", "TX"),
    ("Lewisville TX PD", "TX"),
    ("Denton County TX SO", "TX"),
    ("Plano TX PD", "TX"),
    ("Carrollton TX PD", "TX"),
    ("Texas Dept. of Public Safety", "TX"),
    ("Dallas County TX SO", "TX"),
    ("Allen TX PD", "TX"),
    ("McKinney TX PD", "TX"),
    ("Collin County TX SO", "TX"),
    ("Garland TX PD", "TX"),
]
AUDIT_CSV_CHUNK = 250_000
_AUDIT_DUP_RATE, _AUDIT_CONFLICT_RATE = 0.003, 0.0001  # of a month's rows
_AUDIT_IMM_RATE_FREE, _AUDIT_IMM_RATE_DROPDOWN = 0.0003, 0.00085  # of a month's searches
_AUDIT_TRAP_RATE = 0.0003


def _csv_cell(s: str) -> str:
    """A cell as the csv module writes it (QUOTE_MINIMAL, lineterminator '\\n')."""
    return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\n\r') else s


def _pa_vocab(values) -> "object":
    import pyarrow as pa

    return pa.array([_csv_cell(v) for v in values], pa.string())


def _pa_fixed(a: np.ndarray) -> "object":
    """A uint8 array of shape (n, w) -> a pyarrow string array of n ASCII strings of width w."""
    import pyarrow as pa

    n, w = a.shape
    offsets = np.arange(0, (n + 1) * w, w, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(a).tobytes()))


def _write_lines(f, lines) -> None:
    """Write a pyarrow string array's characters (each element already ends with a newline)."""
    bufs = lines.buffers()
    offs = np.frombuffer(bufs[1], dtype=np.int32, count=lines.offset + len(lines) + 1)
    f.write(memoryview(bufs[2])[int(offs[lines.offset]) : int(offs[lines.offset + len(lines)])])


class _AuditCsvWriter:
    """Formats searches into CSV lines column by column (numpy draws, pyarrow take/join)."""

    def __init__(self, rng, ag: _Agencies, pools, t_min: int, t_max: int, officers, free_xy):
        import pyarrow as pa

        self.pa = pa
        self.rng, self.ag, self.p, self.free_xy = rng, ag, pools, free_xy
        self.officers = list(officers)
        ow = 1.0 / np.arange(1, len(officers) + 1) ** 0.7
        self.officer_w = ow / ow.sum()
        tf = _TimeFmt(t_min, t_max)
        self.day0, self.n_days = tf.day0, len(tf.date_pad)
        dates = list(tf.date_pad) + list(tf.date_unp)
        tods = list(tf.tod_pad) + list(tf.tod_unp)
        self.date_open = pa.array(['"' + d for d in dates], pa.string())
        self.date_plain = pa.array(dates, pa.string())
        self.tod_plain = pa.array(tods, pa.string())
        self.tod_close = pa.array([t + '"' for t in tods], pa.string())
        self.v_name = _pa_vocab([MASK] + self.officers)
        self.v_org = _pa_vocab(ag.names)
        self.v_nets = _pa_vocab([str(i) for i in range(6001)])
        self.v_mask_blank = _pa_vocab([MASK, ""])
        self.v_stype = _pa_vocab(list(SEARCH_TYPES))
        self.v_prompt = _pa_vocab([""] + list(pools["prompts"]))
        self.v_moder = _pa_vocab([""] + list(MODERATION))
        self.v_case = _pa_vocab([MASK, ""] + list(pools["cases"]))
        self.free_texts = list(pools["free"])
        self.reason_base = [*pools["dropdown"], *self.free_texts, *pools["cases"], *pools["letters"]]
        self.off_free = len(pools["dropdown"])
        self.off_cases = self.off_free + len(self.free_texts)
        self.off_letters = self.off_cases + len(pools["cases"])
        self.planted_texts: dict[str, int] = {}
        self.v_reason = _pa_vocab(self.reason_base)

    def planted_index(self, text: str) -> int:
        if text not in self.planted_texts:
            self.planted_texts[text] = len(self.reason_base) + len(self.planted_texts)
            self.v_reason = None
        return self.planted_texts[text]

    def _times(self, t, unp, open_quote: bool, close_quote: bool):
        d = (t // 86400 - self.day0) + unp * self.n_days
        s = t % 86400 + unp * 86400
        return (self.date_open if open_quote else self.date_plain).take(d), (
            self.tod_close if close_quote else self.tod_plain
        ).take(s)

    def lines(self, t, org, reason_fix: dict[int, int], n_dups: int, n_conflicts: int):
        """CSV lines (pyarrow string array) for searches (t, org), with n_dups exact copies and
        n_conflicts copies differing by one device inserted a few rows after their original."""
        import pyarrow.compute as pc

        pa, rng, p = self.pa, self.rng, self.p
        n = len(t)
        prod = org == 0
        n_prod = int(prod.sum())
        b = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
        b[:, 6] = (b[:, 6] & 0x0F) | 0x40
        b[:, 8] = (b[:, 8] & 0x3F) | 0x80
        hexd = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
        u = np.full((n, 36), ord("-"), dtype=np.uint8)
        nib = np.empty((n, 32), dtype=np.uint8)
        nib[:, 0::2], nib[:, 1::2] = b >> 4, b & 0x0F
        u[:, [i for i in range(36) if i not in (8, 13, 18, 23)]] = hexd[nib]
        ids = _pa_fixed(u)
        name_i = np.zeros(n, dtype=np.int64)
        name_i[prod] = 1 + rng.choice(len(self.officers), size=n_prod, p=self.officer_w)
        names = self.v_name.take(name_i)
        orgs = self.v_org.take(org)
        w = rng.random(n)
        nets = np.where(
            w < 0.005,
            0,
            np.where(
                w < 0.2,
                rng.integers(1, 6, n),
                np.where(
                    w < 0.4,
                    rng.integers(6, 101, n),
                    np.where(w < 0.6, rng.integers(101, 2001, n), rng.integers(2001, 6001, n)),
                ),
            ),
        )
        devs = nets * rng.integers(6, 31, n) + rng.integers(0, 6, n) * (nets > 0)
        v = rng.random(n)
        dev_kind = np.where(v < 0.02, 1, np.where(v < 0.027, 2, 0))  # 1: dashes, 2: "0"
        dev_s = pc.if_else(
            pa.array(dev_kind == 1),
            DASHES,
            pc.if_else(pa.array(dev_kind == 2), "0", pc.cast(pa.array(devs), pa.string())),
        )
        unp = (rng.random(n) < 0.10).astype(np.int64)
        w = rng.random(n)
        back = np.where(
            w < 0.15,
            1,
            np.where(
                w < 0.35,
                7,
                np.where(w < 0.65, 30, np.where(w < 0.92, rng.integers(1, 31, n), rng.integers(31, 366, n))),
            ),
        )
        jit = np.where(rng.random(n) < 0.6, 0, rng.integers(0, 900, n))
        endoff = np.where(rng.random(n) < 0.6, 0, rng.integers(1, 121, n))
        st_d, st_s = self._times(t, unp, True, True)
        a_d, a_s = self._times(t - back * 86400 - jit, unp, True, False)
        b_d, b_s = self._times(t - endoff, unp, False, True)
        search_time = pc.binary_join_element_wise(st_d, st_s, "")
        time_frame = pc.binary_join_element_wise(a_d, a_s, pa.scalar("\n"), b_d, b_s, "")
        sti = rng.choice(len(SEARCH_TYPES), size=n, p=SEARCH_TYPE_W)
        ff = sti == _FREEFORM
        nff = int(ff.sum())
        prompt_i = np.zeros(n, dtype=np.int64)
        prompt_i[ff] = 1 + rng.integers(0, len(p["prompts"]), nff)
        moder_i = np.zeros(n, dtype=np.int64)
        moder_i[ff] = 1 + rng.choice(3, size=nff, p=MODERATION_W)
        plate_vocab = [MASK, ""]
        plate_i = np.zeros(n, dtype=np.int64)
        if n_prod:
            az = np.frombuffer(b"ABCDEFGHJKLMNPRSTVWXYZ", dtype=np.uint8)
            a = np.empty((n_prod, 7), dtype=np.uint8)
            a[:, :3] = az[rng.integers(0, len(az), (n_prod, 3))]
            a[:, 3:] = rng.integers(0, 10, (n_prod, 4)) + ord("0")
            wild = rng.random(n_prod) < 0.05
            a[wild, rng.integers(0, 7, int(wild.sum()))] = ord("*")
            plate_vocab += a.view("S7").ravel().astype("U7").tolist()
            pi = 2 + np.arange(n_prod)
            pi[np.isin(sti[prod], _NO_PLATE)] = 1
            plate_i[prod] = pi
        plates = self.pa.array(plate_vocab, pa.string()).take(plate_i)
        case_i = np.where(rng.random(n) < 0.75, 0, 1)
        if n_prod:
            pc_i = 2 + rng.integers(0, len(p["cases"]), n_prod)
            case_i[prod] = np.where(rng.random(n_prod) < 0.5, pc_i, 1)
        filt_i = np.where(rng.random(n) < 0.4, 0, 1)
        filt_i[prod] = 1
        pfree = np.interp(t, self.free_xy[0], self.free_xy[1])
        free = rng.random(n) < pfree
        nf = int(free.sum())
        reason_i = rng.integers(0, len(p["dropdown"]), n)
        fi = rng.choice(len(self.free_texts), size=nf, p=p["free_w"])
        ri = self.off_free + fi
        is_case = fi == p["case_i"]
        ri[is_case] = self.off_cases + rng.integers(0, len(p["cases"]), int(is_case.sum()))
        is_let = fi == p["letter_i"]
        ri[is_let] = self.off_letters + rng.integers(0, len(p["letters"]), int(is_let.sum()))
        reason_i[free] = ri
        for i, k in reason_fix.items():
            reason_i[i] = k
        if self.v_reason is None:
            self.v_reason = _pa_vocab(self.reason_base + list(self.planted_texts))
        cols = [
            ids,
            names,
            orgs,
            self.v_nets.take(nets),
            dev_s,
            time_frame,
            plates,
            self.v_reason.take(reason_i),
            self.v_case.take(case_i),
            self.v_mask_blank.take(filt_i),
            search_time,
            self.v_stype.take(sti),
            self.v_prompt.take(prompt_i),
            self.v_moder.take(moder_i),
        ]
        nl = pa.scalar("")
        rows = pc.binary_join_element_wise(pc.binary_join_element_wise(*cols, ","), nl, "\n")
        # duplicates: exact copies, and copies whose device count differs by one (numeric ones only)
        n_dups = min(n_dups, n // 2)
        numeric = np.flatnonzero((dev_kind == 0) & (devs >= 2))
        n_conflicts = min(n_conflicts, len(numeric))
        conf_src = (
            np.sort(rng.choice(numeric, size=n_conflicts, replace=False))
            if n_conflicts
            else np.zeros(0, dtype=np.int64)
        )
        pool = np.setdiff1d(np.arange(n), conf_src, assume_unique=True)
        exact_src = rng.choice(pool, size=n_dups, replace=False) if n_dups else np.zeros(0, dtype=np.int64)
        extra = rows
        if n_conflicts:
            delta = np.where(rng.random(n_conflicts) < 0.5, 1, -1)
            cc = [c.take(conf_src) for c in cols]
            cc[4] = pc.cast(pa.array(devs[conf_src] + delta), pa.string())
            extra = pa.concat_arrays(
                [rows, pc.binary_join_element_wise(pc.binary_join_element_wise(*cc, ","), nl, "\n")]
            )
        src = np.concatenate([exact_src, n + np.arange(n_conflicts)])
        orig = np.concatenate([exact_src, conf_src])
        if len(src):
            after = np.minimum(orig + rng.integers(0, 40, len(src)), n - 1)
            o = np.argsort(after, kind="stable")
            order = np.insert(np.arange(n), after[o] + 1, src[o])
            return extra.take(order)
        return rows


def network_audit_csvs(
    out_dir: pathlib.Path,
    *,
    rows: int,
    months: int = 1,
    start: tuple[int, int] = (2024, 1),
    agencies: int = 3150,
    seed: int = 20260801,
    slug: str = "bench-network",
    producer: tuple[str, str] = ("The Colony TX PD", "TX"),
    tz: str = "America/Chicago",
    progress=None,
) -> dict:
    """Write one large synthetic network audit as `months` monthly CSV files (CSV only, 14 columns).

    `rows` data rows in all (duplicates included), spread over the months with volume growing ~2x from
    the first month to the last. Reasons are free text before December 2025 and mostly Flock's dropdown
    from mid-December 2025 on. Returns the planted truth (also written to out_dir/truth.json). Files are
    written atomically, one chunk of AUDIT_CSV_CHUNK searches at a time (memory stays bounded), and are
    byte-identical for the same arguments. Needs pyarrow (unlike the generators above)."""
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    progress = progress or (lambda msg: None)
    rng = np.random.default_rng(seed)
    ag = _Agencies(rng, max(agencies, len(AUDIT_CSV_TOP) + len(ALVIN_MUSTS) + 11), producer, AUDIT_CSV_TOP, ALVIN_MUSTS)
    pools = _pools(rng)
    month_list = []
    y, m = start
    for _ in range(months):
        month_list.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    bounds = [_epoch(y, m, 1, tz) for y, m in month_list]
    ye, me = (month_list[-1][0] + 1, 1) if month_list[-1][1] == 12 else (month_list[-1][0], month_list[-1][1] + 1)
    bounds.append(_epoch(ye, me, 1, tz))
    days_in = [(bounds[i + 1] - bounds[i]) / 86400 for i in range(months)]
    growth = np.linspace(1.0, 2.0, months) if months > 1 else np.ones(1)
    per_month = _alloc(rows, np.array(days_in) * growth, floor=1)
    dropdown_from = _epoch(2025, 12, 1, tz)
    free_xy = (
        [dropdown_from, _epoch(2025, 12, 8, tz), _epoch(2025, 12, 15, tz), _epoch(2026, 1, 8, tz)],
        [1.0, 0.85, 0.10, 0.03],
    )
    writer = _AuditCsvWriter(rng, ag, pools, bounds[0] - 400 * 86400, bounds[-1], OFFICERS["alvin-isd"], free_xy)
    imm_ag = _imm_agencies(rng, ag, ALVIN_IMM_STATES + ["TX"] * 10, set())
    conflicts = 0
    files, totals = [], {"civil": 0, "criminal": 0, "unspecified": 0, "trap": 0, "slang": 0}
    imm_orgs: set[int] = set()
    header = ",".join(HEADER) + "\n"
    for k, (y, m) in enumerate(month_list):
        n_rows = per_month[k]
        n_conf = int(round(n_rows * _AUDIT_CONFLICT_RATE))
        n_dup = int(round(n_rows * _AUDIT_DUP_RATE))
        n = max(1, n_rows - n_dup - n_conf)
        days = [dt.date(y, m, d) for d in range(1, calendar.monthrange(y, m)[1] + 1)]
        t = _draw_times(rng, n, _hour_cells(days, tz))
        org = rng.choice(len(ag), size=n, p=ag.weights)
        # planted reasons (immigration, traps) on random searches of the month
        dropdown_month = bounds[k] >= dropdown_from
        n_imm = int(round(n * (_AUDIT_IMM_RATE_DROPDOWN if dropdown_month else _AUDIT_IMM_RATE_FREE)))
        if dropdown_month:
            n_crim = int(round(n_imm * 0.23))
            n_unspec = int(round(n_imm * 0.10))
            items = _immigration_items(rng, n_imm - n_crim - n_unspec, n_crim, n_unspec)
        else:
            items = _immigration_items(rng, 0, 0, n_imm)
        traps = list(TRAPS) + [DRUG_SLANG]
        n_trap = int(round(n * _AUDIT_TRAP_RATE))
        items += [
            (traps[i % len(traps)], "slang" if traps[i % len(traps)] == DRUG_SLANG else "trap") for i in range(n_trap)
        ]
        items = [items[i] for i in rng.permutation(len(items)).tolist()]
        pos = np.sort(rng.choice(n, size=min(len(items), n), replace=False))
        fix: dict[int, int] = {}
        for i, (text, kind) in zip(pos.tolist(), items):
            fix[i] = writer.planted_index(text)
            totals[kind] += 1
            if kind in ("civil", "criminal", "unspecified"):
                org[i] = imm_ag[int(rng.integers(len(imm_ag)))]
                imm_orgs.add(int(org[i]))
        name = f"SYNTHETIC_{slug}_network-audit_{y:04d}-{m:02d}.csv"
        written = dups = 0
        with _atomic(out_dir / name) as tmp, open(tmp, "wb") as f:
            f.write(header.encode())
            n_chunks = -(-n // AUDIT_CSV_CHUNK)
            for c in range(n_chunks):
                lo, hi = c * AUDIT_CSV_CHUNK, min(n, (c + 1) * AUDIT_CSV_CHUNK)
                d_c = n_dup * (c + 1) // n_chunks - n_dup * c // n_chunks
                f_c = n_conf * (c + 1) // n_chunks - n_conf * c // n_chunks
                chunk_fix = {i - lo: v for i, v in fix.items() if lo <= i < hi}
                lines = writer.lines(t[lo:hi], org[lo:hi], chunk_fix, d_c, f_c)
                _write_lines(f, lines)
                written += len(lines)
                dups += len(lines) - (hi - lo)
                conflicts += f_c
        files.append(
            {
                "file": name,
                "data_rows": written,
                "kept": n,
                "duplicates": dups,
                "first_search_utc": _iso(t.min()),
                "last_search_utc": _iso(t.max()),
            }
        )
        progress(f"{name}: {written:,} rows")
    imm = totals["civil"] + totals["criminal"] + totals["unspecified"]
    truth = {
        "slug": slug,
        "synthetic": True,
        "generator": "tools.synth.network_audit_csvs",
        "version": AUDIT_CSV_VERSION,
        "seed": seed,
        "producer": producer[0],
        "producer_timezone": tz,
        "months": months,
        "start": f"{start[0]:04d}-{start[1]:02d}",
        "agencies_in_table": len(ag),
        "files": files,
        "rows": sum(f["data_rows"] for f in files),
        "searches": sum(f["kept"] for f in files),
        "duplicate_rows": sum(f["duplicates"] for f in files),
        "conflicting_searches": conflicts,
        "immigration": {
            "searches": imm,
            "civil": totals["civil"],
            "criminal": totals["criminal"],
            "unspecified": totals["unspecified"],
            "agencies": len(imm_orgs),
        },
        "traps": totals["trap"],
        "trap_drug_slang": totals["slang"],
    }
    _atomic_text(
        out_dir / "SYNTHETIC.md",
        (
            f"SYNTHETIC data ({slug}). Every file in this folder was generated by "
            f"`tools.synth.network_audit_csvs` (seed {seed}, {months} month(s) from {truth['start']}, "
            f"{truth['rows']:,} rows) for the benchmark (bench/README.md). It is NOT a real public-records release "
            f"and no row describes a real search, officer, plate or case; it is sized like the largest real network "
            f"audits, and `truth.json` lists what was planted.\n"
        ),
    )
    _atomic_text(out_dir / "truth.json", json.dumps(truth, indent=2, ensure_ascii=False) + "\n")
    return truth


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------
def generate(slug: str, out_dir: pathlib.Path, *, scale: float = 1.0, seed: int | None = None) -> dict:
    """Write the synthetic release of `slug` ("alvin-isd" or "huffman-isd") into out_dir (created if
    needed) and return the truth dict (also written to out_dir/truth.json)."""
    if slug not in SLUGS:
        raise ValueError(f"unknown slug {slug!r}; choose from {SLUGS}")
    if not scale > 0:
        raise ValueError("scale must be > 0")
    seed = DEFAULT_SEEDS[slug] if seed is None else int(seed)
    out_dir = pathlib.Path(out_dir)
    gen = _gen_alvin if slug == "alvin-isd" else _gen_huffman
    truth = gen(out_dir, float(scale), seed)
    _atomic_text(out_dir / "truth.json", json.dumps(truth, indent=2, ensure_ascii=False) + "\n")
    return truth


def main(argv: list[str]) -> int:
    argv = list(argv)
    if argv and argv[0] == "synth":
        argv = argv[1:]
    ap = argparse.ArgumentParser(
        prog="synth",
        description="Write synthetic Flock network-audit releases "
        "(files named SYNTHETIC_*) and their truth.json into OUT/<slug>/.",
    )
    ap.add_argument(
        "slugs",
        nargs="*",
        metavar="SLUG",
        help=f"any of {', '.join(SLUGS)}, or the corpus {CORPUS} (its six members; default: all)",
    )
    ap.add_argument("--out", default="data/raw", help="output root (default data/raw)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies row counts (default 1.0)")
    ap.add_argument("--seed", type=int, default=None, help="default: a fixed seed per slug")
    a = ap.parse_args(argv)
    for s in a.slugs:
        if s not in SLUGS + (CORPUS,):
            ap.error(f"unknown slug {s!r}; choose from {', '.join(SLUGS + (CORPUS,))}")
    for slug in a.slugs or SLUGS + (CORPUS,):
        if slug == CORPUS:  # a corpus of six small districts (tools/synth_corpus.py); --scale does not apply
            tr = generate_corpus(pathlib.Path(a.out), **({"seed": a.seed} if a.seed is not None else {}))
            print(
                f"{CORPUS}: {tr['rows']:,} rows in {len(tr['members'])} SYNTHETIC logs, "
                f"{tr['distinct_searches']:,} distinct searches",
                flush=True,
            )
            continue
        t0 = time.perf_counter()
        out = pathlib.Path(a.out) / slug
        tr = generate(slug, out, scale=a.scale, seed=a.seed)
        print(
            f"{slug}: {tr['rows']:,} rows, {tr['searches']:,} searches, {tr['agencies']:,} agencies "
            f"in {time.perf_counter() - t0:.1f} s -> {out}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
