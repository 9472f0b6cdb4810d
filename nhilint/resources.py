"""Files shipped inside the package: JSON Schemas and ruleset presets."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


def data_file(package: str, name: str) -> Any:
    """A traversable for `name` in `nhilint.schemas` or `nhilint.rulesets`."""
    return resources.files(f"nhilint.{package}").joinpath(name)


@cache
def schema(name: str) -> dict[str, Any]:
    return json.loads(data_file("schemas", name).read_text(encoding="utf-8"))
