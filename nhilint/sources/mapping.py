"""Small helpers the format readers share: plain values out of parsed data, and locations."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

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


def sequence(value: Any) -> list:
    return value if isinstance(value, list) else []


class LazyLocations(Mapping[str, Location]):
    """Name -> Location, each made when a rule asks for it: most fields are never reported,
    and a repository-sized run reads tens of thousands of them."""

    __slots__ = ("doc", "of_keys", "pointers")

    def __init__(self, doc: Document, pointers: dict[str, tuple], of_keys: bool) -> None:
        self.doc = doc
        self.pointers = pointers
        # The location of the key (fields) or of the value (list items); not `keys`, which
        # would hide Mapping.keys().
        self.of_keys = of_keys

    def __getitem__(self, name: str) -> Location:
        pointer = self.pointers[name]
        return self.doc.key_location(pointer) if self.of_keys else self.doc.value_location(pointer)

    def __iter__(self) -> Iterator[str]:
        return iter(self.pointers)

    def __len__(self) -> int:
        return len(self.pointers)

    def __or__(self, other: LazyLocations) -> LazyLocations:
        assert self.doc is other.doc and self.of_keys == other.of_keys
        return LazyLocations(self.doc, {**self.pointers, **other.pointers}, self.of_keys)


def key_locations(doc: Document, pointer: tuple, data: dict, prefix: str = "") -> LazyLocations:
    """The location of each key of the mapping at `pointer`, by (prefixed) key name."""
    return LazyLocations(doc, {f"{prefix}{key}": pointer + (key,) for key in data if isinstance(key, str)},
                         of_keys=True)


def item_locations(doc: Document, field: str, pointers: Iterable[tuple]) -> LazyLocations:
    """`field[i]` -> the location of the i-th value, for items gathered from several places."""
    return LazyLocations(doc, {f"{field}[{index}]": pointer for index, pointer in enumerate(pointers)},
                         of_keys=False)


def list_pointers(pointer: tuple, value: Any) -> list[tuple]:
    """Pointers to the items of the list at `pointer` (a scalar: the value itself)."""
    if isinstance(value, list):
        return [pointer + (i,) for i, v in enumerate(value) if v is not None and not isinstance(v, (dict, list))]
    return [pointer] if text(value) is not None else []
