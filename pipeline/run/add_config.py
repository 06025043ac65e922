"""jurisdictions.yml as add edits it: round-trip (ruamel.yaml), keeping its comments, order and layout, with
the new entry appended or the new file names added to an entry's inputs, and nothing else changed; the edited
file is checked as a run would load it before it replaces the old one."""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from pathlib import Path

import yaml

from pipeline.config import load
from pipeline.errors import ConfigError
from pipeline.run.add_files import AddError


def _yaml():
    from ruamel.yaml import YAML

    y = YAML()
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap the folded source texts
    return y


# (mapping, sequence, offset) indents tried in turn: the first that gives the file back unchanged is kept,
# so an edit touches only the lines it adds.
_INDENTS = [(2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0), (2, 3, 1)]


def load_round_trip(text: str):
    for mapping, sequence, offset in _INDENTS:
        y = _yaml()
        y.indent(mapping=mapping, sequence=sequence, offset=offset)
        doc = y.load(text)
        if _dump(y, doc) == text:
            return y, doc
    raise AddError(
        "jurisdictions.yml is laid out in a way this command cannot edit without changing other "
        "lines; add the entry by hand (see the keys at the top of the file)."
    )


def _dump(y, doc) -> str:
    buf = io.StringIO()
    y.dump(doc, buf)
    return buf.getvalue()


def flow_list(items):
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def make_entry(slug, name, producer, timezone, log_kind, producer_state, synthetic, source):
    from ruamel.yaml.comments import CommentedMap

    e = CommentedMap()
    e["slug"], e["name"], e["producer"] = slug, name, producer
    e["log_kind"], e["timezone"] = log_kind, timezone
    if producer_state:
        e["producer_state"] = producer_state
    if synthetic:
        e["synthetic"] = True
    e["inputs"] = flow_list([])
    if source:
        e["source"] = source
    return e


def edited_config(text: str, slug: str, new_entry, names: list[str]) -> str:
    """jurisdictions.yml with the new entry appended, or `names` added to the entry's inputs."""
    y, doc = load_round_trip(text)
    entries = doc["jurisdictions"]
    if new_entry is not None:
        new_entry["inputs"].extend(names)
        entries.append(new_entry)
    else:
        entry = next(e for e in entries if e.get("slug") == slug)
        inputs = entry["inputs"]
        if isinstance(inputs, str):
            entry["inputs"] = inputs = flow_list([inputs])
        inputs.extend(names)
    out = _dump(y, doc)
    if new_entry is not None and re.search(r"\n\n[ \t]*- slug:", text):
        # Keep the file's blank line between entries for the new one too.
        out = re.sub(rf"\n([ \t]*- slug: {re.escape(slug)}\n)", r"\n\n\1", out, count=1)
    # The edit changes what was asked and nothing else: the same data, plus the entry or the names.
    expected = yaml.safe_load(text)
    if new_entry is not None:
        expected["jurisdictions"].append(json.loads(json.dumps(new_entry)))
    else:
        entry = next(e for e in expected["jurisdictions"] if e.get("slug") == slug)
        entry["inputs"] = ([entry["inputs"]] if isinstance(entry["inputs"], str) else entry["inputs"]) + names
    if yaml.safe_load(out) != expected:
        raise AddError(
            "editing jurisdictions.yml would change more than the new release; add it by hand "
            "(see the keys at the top of the file)."
        )
    return out


# --------------------------------------------------------------------------------------------------
# SOURCE.md


def check_config(text: str, config: Path, root: Path) -> None:
    """The edited jurisdictions.yml loads as a run would load it (files are checked once copied, by the run)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{config.name}.check-", suffix=".yml", dir=config.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        load(tmp, root=root, check_files=False)
    except ConfigError as e:
        raise AddError(f"the edited {config.name} would not load ({e}); nothing was written.") from None
    finally:
        os.unlink(tmp)
