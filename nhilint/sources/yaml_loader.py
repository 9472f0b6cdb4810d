"""A safe YAML/JSON loader that keeps the position of every key and value.

It builds plain Python values from pyyaml's C event stream (libyaml), never constructing
anything but strings, numbers, booleans, null, lists and dicts, whatever tags the file
carries. Working from events, not from pyyaml's recursive composer, lets it bound
nesting depth and alias expansion as it goes: a "billion laughs" file stops after a few
thousand events instead of expanding. Aliases share the anchored value (no copy).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from nhilint.model import Location

_Loader: type[yaml.SafeLoader] | type[yaml.CSafeLoader]
try:  # the C loader is about six times faster; fall back when libyaml is missing
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the pyyaml build
    _Loader = yaml.SafeLoader

MAX_DEPTH = 64
MAX_ALIAS_EXPANSION = 100_000  # nodes that aliases may add beyond the file's own
# A number written longer than this stays text: no real value needs it, and Python's int()
# refuses decimal strings over 4,300 digits (str() of a bigger int raises ValueError), while
# hexadecimal, binary and sexagesimal forms would build unbounded integers.
MAX_NUMBER_CHARS = 256

Path = tuple  # of str | int
Span = tuple  # (line, column, end_line, end_column), 1-based


class LoadError(Exception):
    """Input that cannot be turned into data: `rule` is NHI001 (syntax) or NHI003 (bounds)."""

    def __init__(self, rule: str, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.line = line
        self.column = column


@dataclass
class Document:
    """One YAML document (or a JSON file): its data and where each part of it is."""

    path: str
    data: Any
    index: int = 0
    # path -> (key span or None for list items and the root, value span)
    positions: dict[Path, tuple[Span | None, Span]] = field(default_factory=dict, repr=False)

    def _span(self, pointer: Path, key: bool) -> Span:
        pointer = tuple(pointer)
        while pointer not in self.positions and pointer:
            pointer = pointer[:-1]  # through an alias, or a missing key: the nearest parent
        key_span, value_span = self.positions.get(pointer, (None, (1, 1, 1, 1)))
        return key_span if key and key_span is not None else value_span

    def key_location(self, pointer: Path) -> Location:
        """Where the key of `pointer` is (for a list item or the root: the value)."""
        return Location(self.path, *self._span(pointer, key=True))

    def value_location(self, pointer: Path) -> Location:
        return Location(self.path, *self._span(pointer, key=False))

    def has(self, pointer: Path) -> bool:
        return tuple(pointer) in self.positions


def _span(start: Any, end: Any) -> Span:
    return (start.line + 1, start.column + 1, end.line + 1, max(end.column, 1))


_BOOL_TRUE = {"yes", "true", "on", "y"}


# Implicit tags by (plain text, implicit flags): the resolver's answer depends on nothing
# else, and keys and values repeat across documents (`apiVersion`, `v1`, `get`).
_RESOLVED: dict[tuple[str, tuple[bool, bool]], str] = {}
_RESOLVED_BOUND = 8192


def _scalar(loader: Any, event: Any) -> Any:
    tag = event.tag
    value = event.value
    if tag is None or tag == "!":
        implicit = event.implicit
        if not (implicit[0] or (implicit[1] and not event.style)):  # quoted: a string
            return value
        key = (value, implicit)
        tag = _RESOLVED.get(key)
        if tag is None:
            tag = loader.resolve(yaml.ScalarNode, value, implicit)
            if len(_RESOLVED) >= _RESOLVED_BOUND:
                _RESOLVED.clear()
            _RESOLVED[key] = tag
        if tag == "tag:yaml.org,2002:str":
            return value
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return value.lower() in _BOOL_TRUE
    if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
        if not value or len(value) > MAX_NUMBER_CHARS:  # `!!int` with no value, or a huge number
            return value
        try:
            return loader.yaml_constructors[tag](loader, yaml.ScalarNode(tag, value))
        except (ValueError, IndexError, OverflowError, yaml.YAMLError):
            return value
    # strings, timestamps (kept as their text: schemas check `format: date`), binary and
    # any custom tag (`!Ref`): the plain text, never a constructed object
    return value


class _Frame:
    __slots__ = (
        "anchor",
        "container",
        "is_list",
        "key",
        "key_span",
        "merges",
        "pointer",
        "start",
        "weight",
    )

    def __init__(self, container: Any, pointer: Path, start: Any, anchor: str | None) -> None:
        self.container = container
        self.is_list = isinstance(container, list)
        self.pointer = pointer
        self.key: Any = _NO_KEY
        self.key_span: Span | None = None
        self.weight = 1
        self.start = start
        self.anchor = anchor
        self.merges: list[Any] = []


_NO_KEY = object()


MAX_KEY_TEXT = 256


def _hashable_key(value: Any, span: Span) -> Any:
    """A mapping or list used as a key (`? [a, b]`, `{{a: b}: c}`), as text: its repr when
    short, else its position. Never a long repr: each level of nested keys re-escapes the
    quotes of the one inside, so `{{{...}}}` 32 deep made a 3 GB string."""
    if isinstance(value, (dict, list)):
        text = repr(value)
        return text if len(text) <= MAX_KEY_TEXT else f"<key at line {span[0]}, column {span[1]}>"
    return value


def iter_documents(path: str, text: str, *, max_depth: int = MAX_DEPTH,
                   max_alias_expansion: int = MAX_ALIAS_EXPANSION) -> Iterator[Document]:
    """Yield each document of `text`. Raises LoadError for syntax or bound violations."""
    loader = _Loader(text)
    try:
        yield from _compose(loader, path, max_depth, max_alias_expansion)
    except _LibraryNestingLimit as exc:
        line, column = _deep_flow_position(text, exc.resume_index, exc.depth, max_depth)
        raise LoadError("NHI003", f"nesting deeper than {max_depth} levels", line, column) from None
    except yaml.MarkedYAMLError as exc:
        if path.endswith(".json"):
            _raise_json_error(text)
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        raise LoadError("NHI001", f"invalid YAML: {problem}{context}", line, column) from None
    except yaml.YAMLError as exc:
        raise LoadError("NHI001", f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()


def _compose(loader: Any, path: str, max_depth: int, max_alias: int) -> Iterator[Document]:
    anchors: dict[str, tuple[Any, int]] = {}
    stack: list[_Frame] = []
    doc: Document | None = None
    positions: dict[Path, tuple[Span | None, Span]] = {}
    index = 0
    alias_weight = 0

    def attach(value: Any, weight: int, span: Span) -> None:
        if not stack:
            assert doc is not None
            doc.data = value
            positions[()] = (None, span)
            return
        frame = stack[-1]
        frame.weight += weight
        if frame.is_list:
            container = frame.container
            positions[frame.pointer + (len(container),)] = (None, span)
            container.append(value)
        elif frame.key is _NO_KEY:
            frame.key = _hashable_key(value, span)
            frame.key_span = span
        else:
            key = frame.key
            if key == "<<" and isinstance(value, (dict, list)):
                frame.merges.append(value)  # YAML merge key: applied when the mapping ends
            else:
                frame.container[key] = value
                positions[frame.pointer + (key,)] = (frame.key_span, span)
            frame.key = _NO_KEY

    # The event classes, compared by identity: this loop runs once per node of every file.
    get_event = loader.get_event
    scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
    mapping_start, sequence_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    mapping_end, sequence_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
    document_start, document_end = yaml.DocumentStartEvent, yaml.DocumentEndEvent
    event = None
    while True:
        last_event = event
        try:
            event = get_event()
        except yaml.MarkedYAMLError as exc:
            if exc.problem and "maximum nesting depth" in exc.problem:
                resume = last_event.end_mark.index if last_event is not None else 0
                raise _LibraryNestingLimit(resume, len(stack)) from None
            raise
        kind = type(event)
        if kind is scalar_event:
            value = _scalar(loader, event)
            if event.anchor:
                anchors[event.anchor] = (value, 1)
            start, end = event.start_mark, event.end_mark
            attach(value, 1, (start.line + 1, start.column + 1, end.line + 1, end.column or 1))
        elif kind is mapping_start or kind is sequence_start:
            if len(stack) >= max_depth:
                raise LoadError("NHI003", f"nesting deeper than {max_depth} levels",
                                event.start_mark.line + 1, event.start_mark.column + 1)
            if not stack:
                pointer: Path = ()
            else:
                parent = stack[-1]
                if parent.is_list:
                    pointer = parent.pointer + (len(parent.container),)
                elif parent.key is not _NO_KEY:
                    pointer = parent.pointer + (parent.key,)
                else:
                    pointer = parent.pointer
            stack.append(_Frame({} if kind is mapping_start else [], pointer, event.start_mark,
                                event.anchor))
        elif kind is mapping_end or kind is sequence_end:
            frame = stack.pop()
            if frame.merges:
                _apply_merges(frame.container, frame.merges)
            if frame.anchor:
                anchors[frame.anchor] = (frame.container, frame.weight)
            attach(frame.container, frame.weight, _span(frame.start, event.end_mark))
        elif kind is document_start:
            positions = {}
            doc = Document(path=path, data=None, index=index, positions=positions)
            anchors.clear()
            alias_weight = 0
        elif kind is document_end:
            index += 1
            yield doc  # type: ignore[misc]
            doc = None
        elif kind is alias_event:
            if event.anchor not in anchors:
                raise LoadError("NHI001", f"invalid YAML: unknown alias '*{event.anchor}'",
                                event.start_mark.line + 1, event.start_mark.column + 1)
            value, weight = anchors[event.anchor]
            alias_weight += weight
            if alias_weight > max_alias:
                raise LoadError(
                    "NHI003",
                    f"aliases expand to more than {max_alias} nodes (a 'billion laughs' "
                    "pattern); refusing to expand",
                    event.start_mark.line + 1, event.start_mark.column + 1)
            attach(value, weight, _span(event.start_mark, event.end_mark))
        elif event is None or kind is yaml.StreamEndEvent:
            return


def _raise_json_error(text: str) -> None:
    """A `.json` file the YAML reader refused: say what is wrong in JSON's words, not YAML's."""
    import json  # only on this error path

    try:
        json.loads(text, parse_int=str, parse_float=str)  # only where it fails: no int() limit
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":
            message = ("invalid JSON: more than one value (JSON Lines?); a configuration file "
                       "holds one JSON document")
        else:
            message = f"invalid JSON: {exc.msg[:1].lower()}{exc.msg[1:]}"
        raise LoadError("NHI001", message, exc.lineno, exc.colno) from None
    except RecursionError:
        pass  # deeper than json's stack: the YAML reader's own message stands


class _LibraryNestingLimit(Exception):
    """libyaml's scanner stopped at its own nesting limit (1,000 in PyYAML 6.0.3 and later).

    Its scanner reads flow collections far ahead of the events, so it can meet its limit
    before our bound sees the level past `max_depth`; the finding must not depend on which
    library version stopped first.
    """

    def __init__(self, resume_index: int, depth: int) -> None:
        super().__init__(resume_index, depth)
        self.resume_index = resume_index
        self.depth = depth


_FLOW_TOKEN = re.compile(r"""[\[\]{}]|"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|#[^\n]*""")


def too_deep(tokens: re.Pattern[str], text: str, max_depth: int, start: int = 0,
             depth: int = 0) -> int | None:
    """The offset of the bracket that opens nesting level `max_depth + 1`, counting from
    `start` where `depth` levels are open, or None. `tokens` matches brackets and whatever
    holds brackets that do not count (strings, comments), which it skips."""
    for match in tokens.finditer(text, start):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > max_depth:
                return match.start()
        elif token in "]}":
            depth -= 1
    return None


def line_column(text: str, offset: int) -> tuple[int, int]:
    """The 1-based (line, column) of `offset` in `text`."""
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _deep_flow_position(text: str, start: int, depth: int, max_depth: int) -> tuple[int, int]:
    """(line, column) of the flow bracket that opens level `max_depth + 1`, counting from
    `start`, where `depth` levels are open; quoted scalars and comments are skipped."""
    index = too_deep(_FLOW_TOKEN, text, max_depth, start, depth)
    return line_column(text, start if index is None else index)


def _apply_merges(mapping: dict, merges: list[Any]) -> None:
    for merged in merges:
        for source in merged if isinstance(merged, list) else [merged]:
            if isinstance(source, dict):
                for key, value in source.items():
                    mapping.setdefault(key, value)


_JSON_STRING_OR_COMMENT = re.compile(r'"(?:[^"\\\n]|\\.)*"|//[^\n]*|/\*.*?\*/', re.DOTALL)


def _blank(match: re.Match[str]) -> str:
    text = match.group()
    if text.startswith('"'):
        return text
    return "".join(c if c == "\n" else " " for c in text)


def blank_json_comments(text: str) -> str:
    """JSONC to JSON: `//` and `/* */` comments become spaces, so every line and column stays."""
    if "//" not in text and "/*" not in text:
        return text
    return _JSON_STRING_OR_COMMENT.sub(_blank, text)


# UTF-32 first: its little-endian mark begins with UTF-16's.
_BYTE_ORDER_MARKS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                     (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


class NotRegularFile(OSError):
    """A path that names a FIFO, a socket or a device, not a file to read."""


def read_bounded(path: str | os.PathLike[str], limit: int) -> tuple[bytes, int]:
    """At most `limit` + 1 bytes of a regular file, and its size: a result longer than `limit`
    means the file is over the bound. Opened non-blocking (a FIFO, put in place after
    discovery, would wait for a writer) and checked to be a regular file with fstat (not a
    FIFO, a socket or a device such as /dev/zero: NotRegularFile, an OSError)."""
    with os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise NotRegularFile(errno.EINVAL, "not a regular file")
        raw = handle.read(limit + 1)
    return raw, max(status.st_size, len(raw))


def read_bounded_text(path: str | os.PathLike[str], limit: int) -> str:
    """The UTF-8 text (a byte order mark dropped) of a regular file of at most `limit` bytes;
    OSError (NotRegularFile for a FIFO or a device), UnicodeDecodeError, or ValueError naming
    the bound otherwise. For the files nhilint reads beside the linted ones (configuration,
    schemas, bundle manifests), which a symlink to /dev/zero must not make endless."""
    raw, size = read_bounded(path, limit)
    if len(raw) > limit:
        raise ValueError(f"{size:,} bytes, over the {limit:,}-byte bound")
    return raw.decode("utf-8-sig")


def decode(path: str, raw: bytes) -> str:
    """Bytes to text, or LoadError(NHI003) for binary and non-UTF-8 content, located.

    UTF-16 and UTF-32 are read when a byte order mark says so (YAML 1.2 allows them, and
    Windows editors save them); without one, NUL bytes mean a binary file.
    """
    for bom, encoding in _BYTE_ORDER_MARKS:
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(encoding)
            except UnicodeDecodeError as exc:
                raise LoadError("NHI003", f"not valid {encoding.upper()} (at byte offset "
                                f"{exc.start + len(bom)}); save the file as UTF-8") from None
    if b"\x00" in raw[:8192]:
        raise LoadError("NHI003", "binary file (contains NUL bytes); not a text format nhilint reads")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise LoadError(
            "NHI003", f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8", line, column) from None
