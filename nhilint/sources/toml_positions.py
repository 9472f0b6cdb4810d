"""TOML with positions: `tomllib` (or `tomli` before Python 3.11) for the data, and a
scan of the text for where each key and value is, so TOML findings point at lines too.

`tomllib` validates the file first, so the scan may assume well-formed TOML. The result
is a `Document`, the same positioned data a YAML or JSON file gives.
"""

from __future__ import annotations

import re
import sys

from nhilint.model import Location
from nhilint.sources.yaml_loader import Document, line_column, too_deep

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10
    import tomli as tomllib

MAX_DEPTH = 64  # nested arrays and inline tables, as in YAML; tomllib recurses per level
# TOML integers are 64-bit: "if an integer cannot be represented losslessly, an error must be
# thrown" (tomllib accepts any size, and str() of one over 4,300 digits raises ValueError).
INT_RANGE = (-(2**63), 2**63 - 1)
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
# What can hold a bracket that is not one: strings (multi-line first) and comments.
_NESTING_TOKEN = re.compile(r'"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*'
                            r"|[\[\]{}]", re.DOTALL)
_LONG_NUMBER = re.compile(r"[0-9][0-9_]{4299,}")
_ERROR_POSITION = re.compile(r"\(at (?:line (\d+), column (\d+)|end of document)\)")
_SCALAR_END = re.compile(r"[,\]}\n#]")


class TomlError(Exception):
    def __init__(self, message: str, location: Location) -> None:
        super().__init__(message)
        self.message = message
        self.location = location


class TomlBoundError(ValueError):
    """A TOML file past nhilint's bounds (nesting, integer size); the message ends in
    "(at line N, column M)" like tomllib's own errors, and it is a ValueError like them."""


def _check_nesting(text: str) -> None:
    offset = too_deep(_NESTING_TOKEN, text, MAX_DEPTH)
    if offset is not None:
        line, column = line_column(text, offset)
        raise TomlBoundError(f"nesting deeper than {MAX_DEPTH} levels (at line {line}, column {column})")


def _out_of_range(data: object, pointer: tuple) -> tuple | None:
    """The pointer of the first integer outside 64 bits in `data` (depth already bounded)."""
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        if isinstance(value, int) and not INT_RANGE[0] <= value <= INT_RANGE[1]:
            return (*pointer, key)
        if isinstance(value, (dict, list)):
            found = _out_of_range(value, (*pointer, key))
            if found is not None:
                return found
    return None


def loads(text: str) -> dict:
    """tomllib.loads within nhilint's bounds: TomlBoundError (a ValueError, located in its
    message) for nesting deeper than MAX_DEPTH (tomllib would raise RecursionError) or a
    decimal integer too long for int(); integers past 64 bits are left to the caller."""
    _check_nesting(text)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        raise
    except ValueError:  # int() of a decimal over 4,300 digits: its message has no position
        found = _LONG_NUMBER.search(text)
        line, column = line_column(text, found.start()) if found else (1, 1)
        raise TomlBoundError(f"integer too large for 64 bits (at line {line}, column {column})") from None


def load_toml(path: str, text: str) -> Document:
    """The data of `text` with the position of every key and value; TomlError when invalid."""
    try:
        data = loads(text)
    except ValueError as exc:  # tomllib.TOMLDecodeError or TomlBoundError
        found = _ERROR_POSITION.search(str(exc))
        if found and found.group(1):
            line, column = int(found.group(1)), int(found.group(2))
        else:  # at the end of the document: its last line
            line, column = max(text.rstrip("\n").count("\n") + 1, 1), 1
        message = _ERROR_POSITION.sub("", str(exc)).strip()
        raise TomlError(message, Location(path, line, column)) from None
    doc = Document(path=path, data=data)
    _Scanner(text, doc.positions).scan()
    doc.positions[()] = (None, (1, 1, 1, 1))
    huge = _out_of_range(data, ())
    if huge is not None:
        raise TomlError("integer too large for 64 bits", doc.value_location(huge))
    return doc


class _Scanner:
    def __init__(self, text: str, positions: dict) -> None:
        self.text = text
        self.positions = positions
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.array_tables: dict[tuple, int] = {}

    def where(self, offset: int) -> tuple[int, int]:
        low, high = 0, len(self.line_starts) - 1
        while low < high:  # the last line start at or before `offset`
            middle = (low + high + 1) // 2
            if self.line_starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        return low + 1, offset - self.line_starts[low] + 1

    def span(self, start: int, end: int) -> tuple[int, int, int, int]:
        return (*self.where(start), *self.where(max(end - 1, start)))

    def skip(self, i: int, newlines: bool = True) -> int:
        """Past whitespace (and comments and newlines, when allowed)."""
        text = self.text
        while i < len(text):
            c = text[i]
            if c in " \t\r" or (newlines and c == "\n"):
                i += 1
            elif c == "#":
                end = text.find("\n", i)
                i = len(text) if end < 0 else end
            else:
                break
        return i

    def key(self, i: int) -> tuple[tuple[str, ...], int]:
        """A dotted key starting at `i`: its parts and the offset after it."""
        parts = []
        while True:
            i = self.skip(i, newlines=False)
            if self.text.startswith(('"', "'"), i):
                end = self.string_end(i)
                raw = self.text[i:end]
                parts.append(tomllib.loads(f"k = {raw}")["k"])
                i = end
            else:
                match = _BARE_KEY.match(self.text, i)
                if not match:
                    return tuple(parts), i
                parts.append(match.group())
                i = match.end()
            after = self.skip(i, newlines=False)
            if not self.text.startswith(".", after):
                return tuple(parts), i
            i = after + 1

    def string_end(self, i: int) -> int:
        text = self.text
        for quote in ('"""', "'''"):
            if text.startswith(quote, i):
                end = i + 3
                while True:
                    end = text.find(quote, end)
                    if end < 0:
                        return len(text)
                    if quote == "'''" or not _escaped(text, end):
                        while text.startswith(quote[0], end + 3):
                            end += 1  # up to two quotes may close the content
                        return end + 3
                    end += 1
        quote = text[i]
        end = i + 1
        while end < len(text) and text[end] != quote and text[end] != "\n":
            end += 2 if quote == '"' and text[end] == "\\" else 1
        return end + 1

    def value(self, i: int, pointer: tuple) -> int:
        """Scan the value at `i` (recording its items' positions); return the offset after it."""
        text = self.text
        c = text[i] if i < len(text) else ""
        if c == "[":
            i, index = i + 1, 0
            while True:
                i = self.skip(i)
                if i >= len(text) or text[i] == "]":
                    return i + 1
                start = i
                i = self.value(i, pointer + (index,))
                self.positions[pointer + (index,)] = (None, self.span(start, i))
                index += 1
                i = self.skip(i)
                if text.startswith(",", i):
                    i += 1
        if c == "{":
            i += 1
            while True:
                i = self.skip(i)
                if i >= len(text) or text[i] == "}":
                    return i + 1
                i = self.pair(i, pointer)
                i = self.skip(i)
                if text.startswith(",", i):
                    i += 1
        if c in ('"', "'"):
            return self.string_end(i)
        match = _SCALAR_END.search(text, i)
        end = match.start() if match else len(text)
        while end > i and text[end - 1] in " \t\r":
            end -= 1
        return end

    def pair(self, i: int, table: tuple) -> int:
        key_start = i
        parts, i = self.key(i)
        key_end = i
        i = self.skip(i, newlines=False)
        i = self.skip(i + 1, newlines=False)  # past '='
        value_start = i
        end = self.value(i, table + parts)
        for depth in range(1, len(parts)):  # dotted keys make tables: point them at the key
            self.positions.setdefault(table + parts[:depth], (self.span(key_start, key_end),) * 2)
        self.positions[table + parts] = (self.span(key_start, key_end), self.span(value_start, end))
        return end

    def scan(self) -> None:
        text = self.text
        table: tuple = ()
        i = self.skip(0)
        while i < len(text):
            if text.startswith("[", i):
                array = text.startswith("[[", i)
                start = i
                parts, i = self.key(i + (2 if array else 1))
                i = text.find("\n", i)
                i = len(text) if i < 0 else i
                header = self.span(start, i)
                if array:
                    index = self.array_tables.get(parts, -1) + 1
                    self.array_tables[parts] = index
                    self.positions.setdefault(parts, (header, header))
                    table = parts + (index,)
                else:
                    table = parts
                self.positions[table] = (header, header)
            else:
                i = self.pair(i, table)
            i = self.skip(i)


def _escaped(text: str, offset: int) -> bool:
    backslashes = 0
    while offset - backslashes - 1 >= 0 and text[offset - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1
