"""The corpus rules (pipeline/rules/corpus/): the reviewed agency alias table, how likely variants are
proposed for review, and which fields of one search must agree between producers' copies."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline import RULES
from pipeline.errors import RulesError
from pipeline.io.rules import read_data_file

CORPUS_RULES = RULES / "corpus"


@dataclass(frozen=True)
class CorpusRules:
    aliases: dict[str, str]  # variant spelling -> canonical spelling
    synonyms: dict[str, str]  # word -> word ("" drops it), for proposing variants
    must_agree: tuple[str, ...]  # fields compared between copies of one search


def _read(path: Path) -> dict:
    try:
        doc = read_data_file(path)
    except (OSError, yaml.YAMLError) as e:
        raise RulesError(f"{path.name}: cannot be read ({e}).") from None
    if not isinstance(doc, dict):
        raise RulesError(f"{path.name}: expected a mapping.")
    return doc


def load(folder: Path = CORPUS_RULES) -> CorpusRules:
    """Read and check the two files; a mistake names the file and the entry."""
    doc = _read(folder / "agency_aliases.yml")
    aliases: dict[str, str] = {}
    for k, e in enumerate(doc.get("aliases") or []):
        where = f"agency_aliases.yml, alias {k + 1}"
        if (
            not isinstance(e, dict)
            or set(e) - {"canonical", "variants", "reviewed"}
            or not e.get("canonical")
            or not isinstance(e.get("variants"), list)
            or not e.get("reviewed")
        ):
            raise RulesError(f"{where}: an alias is {{canonical, variants: [...], reviewed}}.")
        for v in e["variants"]:
            if v in aliases or v == e["canonical"]:
                raise RulesError(f"{where}: spelling '{v}' is listed twice.")
            aliases[str(v)] = str(e["canonical"])
    canon = set(aliases.values())
    chained = sorted(v for v in aliases if v in canon)
    if chained:
        raise RulesError(f"agency_aliases.yml: {', '.join(chained)} is both a variant and a canonical spelling.")
    synonyms = (doc.get("likely_variants") or {}).get("synonyms") or {}
    fields = _read(folder / "fields.yml").get("must_agree") or {}
    if not fields:
        raise RulesError("fields.yml: must_agree lists no field.")
    return CorpusRules(
        aliases=aliases, synonyms={str(k): str(v or "") for k, v in synonyms.items()}, must_agree=tuple(fields)
    )


def name_key(name: str, synonyms: dict[str, str]) -> str:
    """The words of an agency name, normalised and sorted: equal keys (with equal states) are likely variants."""
    words = re.sub(r"[^a-z0-9]+", " ", name.lower()).split()
    words = [synonyms.get(w, w) for w in words]
    return " ".join(sorted(w for w in words if w))
