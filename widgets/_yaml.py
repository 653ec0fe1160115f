"""Reading the course's data files: one YAML parser and one error format for all of them.

Every data file the course loads (evidence, guideline list, question banks, cases, the course
manifest) reports a problem the same way, so that an author can fix it without reading Python::

    massage.yaml: entry 'massage-chronic-pain-inactive': field 'ci_high': Field required

YAML is parsed with libyaml's C parser when PyYAML has it (about 10 times faster).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
M = TypeVar("M", bound=BaseModel)


class DataFileError(ValueError):
    """A data file of the course is malformed; the message names the file, the entry and the field."""


def load_yaml(source: str | IO[str]) -> Any:
    """Parse YAML safely (no arbitrary objects), like ``yaml.safe_load``."""
    return yaml.load(source, Loader=_Loader)


def problem(path: Path, entry: str | Sequence[str] | None, field: str, reason: str) -> str:
    """The one error format: 'file: entry <id>: field <name>: reason'.

    ``entry`` is an id, or the chain of ids the problem lies in (shown outermost first, as
    'a' > 'b'); it is left out if None or empty.
    """
    names = [entry] if isinstance(entry, str) else list(entry or [])
    where = f"entry {' > '.join(repr(n) for n in names)}: " if names else ""
    return f"{path.name}: {where}field {field!r}: {reason}"


def read_yaml(path: Path, error: type[DataFileError] = DataFileError) -> Any:
    """The parsed contents of ``path``; ``error`` names the file if it is not valid YAML."""
    try:
        with path.open(encoding="utf-8") as handle:
            return load_yaml(handle)
    except yaml.YAMLError as err:
        raise error(f"{path.name}: not valid YAML: {err}") from None


def parse(model: type[M], path: Path, data: Any, error: type[DataFileError] = DataFileError) -> M:
    """``data`` validated as ``model``; ``error`` lists each problem in the one format."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise error(describe(path, data, err)) from None


def _name(node: Any) -> str | None:
    """The id of a data entry (or a guideline stance's body and year), if it has one."""
    if not isinstance(node, dict):
        return None
    if "id" in node:
        return str(node["id"])
    if "body" in node and "year" in node:
        return f"{node['body']} {node['year']}"
    return None


def describe(path: Path, data: Any, err: ValidationError) -> str:
    """A pydantic error as one line per problem, naming the entry and the field.

    The entry is the chain of ids the problem lies in (outermost first, below the file's own id);
    the field is its full path from the top of the file.
    """
    lines = []
    for issue in err.errors():
        loc = list(issue["loc"])
        names: list[str] = []
        node = data
        for key in loc:
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                break
            if (name := _name(node)) is not None:
                names.append(name)
        if not names and (top := _name(data)) is not None:
            names = [top]
        field = ".".join(str(k) for k in loc) or "(top level)"
        lines.append(problem(path, names, field, issue["msg"]))
    return "\n".join(lines)
