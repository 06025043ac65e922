"""The one reader of the project's YAML files (jurisdictions.yml, every rules file, the explorer's lists).

YAML allows more than a reviewed data file should: a key given twice silently keeps the last value, and
anchors and aliases (`&a` / `*a`) can make a few lines expand into gigabytes (the "billion laughs"). Here
both are refused, with the file and the line, before any value is used; a file is then checked against its
pydantic model (unknown keys, wrong types), and a failure names the file, the line and what was expected.

The round-trip writer of `pipeline add` (ruamel.yaml, which keeps comments) is the only other reader.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from pipeline.errors import RulesError


class Document:
    """A parsed YAML file: its data, and the line each value starts on (by its path of keys and indexes)."""

    def __init__(self, data: Any, lines: dict[tuple, int], shown: str):
        self.data = data
        self.lines = lines
        self.shown = shown

    def line(self, loc: tuple) -> int | None:
        """The line of the value at `loc`, or of its nearest enclosing value that has one."""
        loc = tuple(loc)
        while loc not in self.lines and loc:
            loc = loc[:-1]
        return self.lines.get(loc)

    def where(self, loc: tuple = ()) -> str:
        """'file, line N' for the value at `loc` (the file alone when the line is unknown)."""
        line = self.line(loc)
        return f"{self.shown}, line {line}" if line else self.shown


class _Refused(Exception):
    def __init__(self, line: int, what: str):
        super().__init__(what)
        self.line, self.what = line, what


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases as it composes (before anything could expand)."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(
                event.start_mark.line + 1,
                "an anchor or alias (& or *) is not allowed in a reviewed data file; write the value out",
            )
        return super().compose_node(parent, index)


def _walk(loader: _Loader, node: yaml.Node, loc: tuple, lines: dict[tuple, int]) -> None:
    """Record each value's line under its path, and refuse a key given twice in one mapping."""
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if isinstance(key, (list, dict)):
                raise _Refused(line, "a key must be a plain value")
            if key in seen:
                raise _Refused(line, f"the key '{key}' is given twice (first on line {seen[key]}); give each key once")
            if key == "<<":
                raise _Refused(line, "merge keys (<<) are not allowed in a reviewed data file; write the keys out")
            seen[key] = line
            _walk(loader, value_node, loc + (key,), lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(loader, item, loc + (i,), lines)


def shown_path(path: Path, root: Path | None = None) -> str:
    """The file as a message names it: relative to `root` when it lies inside it."""
    path = Path(path)
    if root is not None:
        try:
            return str(path.resolve().relative_to(Path(root).resolve()))
        except ValueError:
            pass
    return str(path)


def parse(path: Path, *, shown: str | None = None, error: type[Exception] = RulesError) -> Document:
    """Read and parse one YAML file, refusing duplicate keys, anchors and aliases (error names file and line)."""
    path = Path(path)
    shown = shown or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise error(f"{shown}: cannot be read ({e}).") from None
    loader = _Loader(text)
    lines: dict[tuple, int] = {}
    try:
        node = loader.get_single_node()
        if node is None:
            return Document(None, {}, shown)
        _walk(loader, node, (), lines)
        data = loader.construct_document(node)
    except _Refused as e:
        raise error(f"{shown}, line {e.line}: {e.what}.") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{shown}, line {mark.line + 1}" if mark else shown
        problem = getattr(e, "problem", None) or str(e)
        raise error(f"{where}: not valid YAML ({problem}).") from None
    finally:
        loader.dispose()
    return Document(data, lines, shown)


def _loc_text(loc: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(loc))


def validate(doc: Document, model: type[BaseModel], *, error: type[Exception] = RulesError, hint: str | None = None):
    """The document checked against its model; the first problems named with file, line and what was expected."""
    try:
        return model.model_validate(doc.data if doc.data is not None else {})
    except ValidationError as e:
        problems = []
        for err in e.errors()[:5]:
            loc = tuple(err["loc"])
            problems.append(f"{doc.where(loc)}: {_loc_text(loc) or 'the file'}: {err['msg']}")
        raise error("; ".join(problems) + "." + (f" {hint}" if hint else "")) from None


def read(
    path: Path,
    model: type[BaseModel] | None = None,
    *,
    shown: str | None = None,
    error: type[Exception] = RulesError,
) -> Any:
    """One YAML file as plain data: parsed strictly, then checked against `model` when one is given."""
    doc = parse(path, shown=shown, error=error)
    if model is None:
        return doc.data
    return validate(doc, model, error=error).model_dump()
