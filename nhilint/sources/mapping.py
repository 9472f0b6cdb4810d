"""Small helpers the format readers share: plain values out of parsed data, and locations."""

from __future__ import annotations

from typing import Any, Iterable

from nhilint.model import Location
from nhilint.sources.yaml_loader import Document


def text(value: Any) -> str | None:
    """A scalar as text (None for missing values and containers)."""
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value)


def texts(value: Any) -> tuple[str, ...]:
    """The scalars of a list as text; a single scalar counts as a one-item list."""
    if isinstance(value, list):
        return tuple(str(v) for v in value if v is not None and not isinstance(v, (dict, list)))
    single = text(value)
    return (single,) if single is not None else ()


def mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def key_locations(doc: Document, pointer: tuple, data: dict, prefix: str = "") -> dict[str, Location]:
    """The location of each key of the mapping at `pointer`, by (prefixed) key name."""
    return {f"{prefix}{key}": doc.key_location(pointer + (key,)) for key in data if isinstance(key, str)}


def item_locations(doc: Document, field: str, pointers: Iterable[tuple]) -> dict[str, Location]:
    """`field[i]` -> the location of the i-th value, for items gathered from several places."""
    return {f"{field}[{index}]": doc.value_location(pointer) for index, pointer in enumerate(pointers)}


def list_pointers(pointer: tuple, value: Any) -> list[tuple]:
    """Pointers to the items of the list at `pointer` (a scalar: the value itself)."""
    if isinstance(value, list):
        return [pointer + (i,) for i, v in enumerate(value) if v is not None and not isinstance(v, (dict, list))]
    return [pointer] if text(value) is not None else []
