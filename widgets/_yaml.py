"""Read YAML data files with libyaml's C parser when PyYAML has it (about 10 times faster)."""

from __future__ import annotations

from typing import IO, Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(source: str | IO[str]) -> Any:
    """Parse YAML safely (no arbitrary objects), like ``yaml.safe_load``."""
    return yaml.load(source, Loader=_Loader)
