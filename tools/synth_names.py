"""Invented place names for the synthetic releases, so that no real department is shown with a figure the
generator made up (issue 23 item 8: a cropped chart read "Richwood TX PD ran 25% of ... searches").

The generator still draws from its vocabulary of US place names (tools/synth_vocab.py), so every choice it
makes, and every figure it plants, stays as it was; what a file shows is the name made here from it:
- a place drawn from the pools becomes invented words, one per word (`invent_place`), the same word always
  giving the same invented word, so two agencies of one place in two states still share it;
- the named local agencies of the releases (`PLACES`) get invented places by hand, keeping what each one
  tests: `Niceville` and `Price` keep the letters "ice" (a word that is not ICE), `Portland` OR and ME stay
  one place in two states, `Jacksonville FL PD` and `Jacksonville PD (FL)` stay two spellings of one agency.
What stays real, on purpose: each jurisdiction's own producer, state agencies (their form is what the rules
read), federal agencies and named task forces (MOCIC, NCRIC, Midwest HIDTA), and businesses.
tests/test_synth_names.py checks that no agency of the generated releases is one of ICE's 287(g) agencies or
an agency of the real releases.
"""

from __future__ import annotations

import functools
import re

from tools.synth_vocab import CITIES, COUNTIES, TX_CITIES, TX_COUNTIES, place_name

# The named local agencies' places -> invented places (longest first when applied).
PLACES = {
    "Houston": "Quarrington",
    "Harris": "Vellmoor",
    "Pearland": "Brisketon",
    "Brazoria": "Caldrena",
    "Alvin": "Ostervale",
    "League City": "Wendlow City",
    "Friendswood": "Fernholt",
    "Galveston": "Marrowick",
    "Fort Bend": "Tamsford Bend",
    "Pasadena": "Pelloria",
    "Manvel": "Drumvel",
    "Sugar Land": "Saffron Reach",
    "Lake Jackson": "Lake Corvish",
    "Angleton": "Yarlingham",
    "Humble": "Thrumley",
    "Montgomery": "Hollenbrae",
    "Baytown": "Quayburrow",
    "Liberty": "Ashenmoor",
    "Jacksonville": "Glenkestry",
    "Arlington": "Varnholt",
    "Redding": "Skellbrook",
    "Napa Valley": "Orvane Valley",
    "Windsor": "Kestwold",
    "Hitchcock": "Brackmire",
    "Ozark": "Zellmarch",
    "Blaine": "Dunkelby",
    "San Diego": "Santa Verrow",
    "Niceville": "Nicewater",  # keeps "ice" inside a word
    "Price": "Pricemoor",  # keeps "ice" inside a word
    "Portland": "Lornhaven",  # one place in two states (OR, ME)
    "Fort Wayne": "Fort Tavrin",
    "Hall": "Mirrick",
    "Knox": "Jorvath",
    "Polk": "Quenby",
    "Crosby": "Wexcombe",
    "Frisco": "Fellisgrove",
    "Little Elm": "Little Brynmoor",
    "Lewisville": "Hasketville",
    "Denton": "Gormley",
    "Plano": "Ulvara",
    "Carrollton": "Pennoway",
    "Dallas": "Rusketh",
    "Allen": "Nesmere",
    "McKinney": "Aldersby",
    "Collin": "Corvale",
    "Garland": "Thistlemark",
}
_ONSETS = ["Br", "Cr", "Dr", "Fl", "Gl", "Kr", "Pl", "Qu", "Sk", "Sn", "Tr", "Vr", "Wr", "Zh", "Thr", "Sh"]
_VOWELS = ["a", "e", "i", "o", "u", "ae", "oa", "ei"]
_ENDINGS = ["mbrook", "ndale", "skett", "rnholt", "lvane", "ddick", "xmoor", "rrow", "vesby", "nquist"]


def coined(i: int) -> str:
    """The i-th invented word (injective: onset, vowel and ending are read off i's digits)."""
    onset, rest = _ONSETS[i % len(_ONSETS)], i // len(_ONSETS)
    vowel, rest = _VOWELS[rest % len(_VOWELS)], rest // len(_VOWELS)
    if rest >= len(_ENDINGS):
        raise ValueError(f"only {len(_ONSETS) * len(_VOWELS) * len(_ENDINGS)} invented words")
    return onset + vowel + _ENDINGS[rest]


@functools.cache
def _words() -> dict[str, str]:
    """Every word of the pools' places -> its invented word (sorted, so the same on every machine)."""
    words = sorted({w for pool in (CITIES, TX_CITIES, COUNTIES, TX_COUNTIES) for w in place_name_words(pool)})
    return {w: coined(i) for i, w in enumerate(words)}


def place_name_words(pool: list[str]) -> set[str]:
    return {w for token in pool for w in place_name(token).split()}


def invent_place(place: str) -> str:
    """A place drawn from the pools, as the files show it."""
    return " ".join(_words()[w] for w in place.split())


_PLACE_RE = re.compile(r"\b(" + "|".join(re.escape(p) for p in sorted(PLACES, key=len, reverse=True)) + r")\b")


def invent_name(name: str) -> str:
    """A named agency as the files show it: its place invented, its form (codes, suffix, spaces) kept."""
    return _PLACE_RE.sub(lambda m: PLACES[m.group(1)], name)
