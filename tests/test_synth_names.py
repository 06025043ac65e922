"""Synthetic releases never put an invented figure on a real department (issue 23 item 8): no agency the
generator writes is one of ICE's 287(g) agencies (the participating and pending lists in
/work/shared/data/reference/ice-287g/) or an agency named in the real releases under data/raw/, except the
kinds tools/synth_names.py keeps real on purpose (state and federal agencies, named task forces, businesses)."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pypdfium2
import pytest

from pipeline import ROOT
from pipeline.enrich.agencies import load_rules
from tools import synth
from tools.synth_names import PLACES, invent_name, invent_place

# ICE's lists: in the project once another branch brings them, else the shared reference folder of this machine.
ICE_287G = next(
    (p for p in (ROOT / "data" / "reference" / "ice-287g", Path("/work/shared/data/reference/ice-287g")) if p.is_dir()),
    Path("/work/shared/data/reference/ice-287g"),
)
REAL = ROOT / "data" / "raw"
REAL_SLUGS = ("eugene-or-pd", "belmont-ca-pd", "foster-city-ca-pd", "okaloosa-fl-so")
# Words that say what kind of body an agency is, not where it is.
KIND_WORDS = set(
    "county parish sheriff sheriffs s office police department dept pd so sd da isd constable pct precinct city of "
    "town township village the inactive federal community college campus district attorney corrections jail "
    "detention center marshal public safety state patrol highway bureau investigation division services".split()
)


def _states() -> dict[str, str]:
    return {name.upper(): code for code, name in load_rules()["states"].items()}


def place_key(name: str, state: str) -> tuple[str, frozenset[str]]:
    """(state, the words of the name that say where): how two spellings of one agency are the same agency."""
    states = _states()
    words = re.findall(r"[a-z0-9]+", name.lower())
    state_words = {w for n in states for w in n.lower().split()} | {c.lower() for c in states.values()}
    return state, frozenset(w for w in words if w not in KIND_WORDS and w not in state_words and not w.isdigit())


def ice_287g_agencies() -> set[tuple[str, frozenset[str]]]:
    states, out = _states(), set()
    for path in sorted(ICE_287G.glob("*.xlsx")):
        sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        for row in sheet.iter_rows(min_row=2, values_only=True):
            if row[0] and row[1] and str(row[0]).strip().upper() in states:
                out.add(place_key(str(row[1]), states[str(row[0]).strip().upper()]))
    return out


def real_release_text() -> str:
    parts = []
    for slug in REAL_SLUGS:
        for path in sorted((REAL / slug).iterdir()):
            if path.suffix.lower() == ".pdf":
                pdf = pypdfium2.PdfDocument(path)
                parts += [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
            elif path.suffix.lower() == ".csv":
                parts.append(path.read_text(encoding="utf-8", errors="replace"))
    return re.sub(r"\s+", " ", " ".join(parts)).lower()


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = {}
    for slug in synth.SLUGS:
        truth = synth.generate(slug, tmp_path_factory.mktemp(slug), scale=0.02)
        out[slug] = truth["state_by_agency"]
    return out


def kept_real(name: str) -> bool:
    """The kinds tools/synth_names.py keeps real on purpose (its docstring says which and why)."""
    return (
        name.startswith("[Federal]")
        or name in {"MOCIC", "NCRIC", "Midwest HIDTA", "Home Depot Corporation", "Lowe's Home Centers LLC"}
        or bool(re.search(r"State Police|State Patrol|Highway Patrol|Dept\. of Public Safety|Attorney General", name))
        or name.endswith(" ISD TX PD")  # each jurisdiction's own producer, named in jurisdictions.yml
    )


def test_no_generated_agency_is_on_ices_287g_lists(generated):
    listed = ice_287g_agencies()
    assert len(listed) > 1000  # the lists were read
    found = {
        name
        for agencies in generated.values()
        for name, state in agencies.items()
        if not kept_real(name) and place_key(name, state or _code(name)) in listed
    }
    assert not found, sorted(found)


def _code(name: str) -> str:
    m = re.search(r"\b([A-Z]{2})\b", name)
    return m.group(1) if m else ""


def test_no_generated_agency_is_named_in_a_real_release(generated):
    text = real_release_text()
    assert "okaloosa" in text  # the PDF was read
    found = {n for a in generated.values() for n in a if not kept_real(n) and n.strip().lower() in text}
    assert not found, sorted(found)


def test_the_287g_check_would_find_a_real_sheriff():
    # Polk County FL SO (a 287(g) agency) was an agency of the generator before its places were invented.
    assert place_key("Polk County FL SO", "FL") in ice_287g_agencies()
    assert place_key(invent_name("Polk County FL SO"), "FL") not in ice_287g_agencies()


def test_invented_places_are_one_to_one():
    assert len(set(PLACES.values())) == len(PLACES)
    assert invent_place("Richwood") != "Richwood" and invent_place("Mount Vernon").count(" ") == 1
    assert invent_name(" Pearland TX PD") == f" {PLACES['Pearland']} TX PD"  # the spaces of the cell kept
