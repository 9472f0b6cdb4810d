"""Suppressions: justified, expiring exceptions written next to what they excuse.

* Inline comments, in the comment syntax of the file (`#` in YAML, TOML and Rego, `//` in
  Cedar and JSONC): `# nhilint: ignore[NHI201,NHI202] reason -- until=2027-03-31` covers
  the finding's line when it trails it, or the next line when it stands above it. In YAML,
  a comment standing above a mapping or list item covers every finding inside that item
  (a missing key has no line of its own: its finding sits on the item).
  `ignore-file[...]` anywhere covers the whole file.
* In-band, for JSON (which has no comments) and YAML alike: `x-nhilint-ignore:
  [{rule, reason, until}]` on an object covers every finding inside that object.

A suppression needs a reason (else NHI004, and it suppresses nothing); an `until` date in
the past stops suppressing and is NHI005; one that cannot be understood is NHI007; one that
matched no finding is NHI006.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from nhilint.durations import parse_date
from nhilint.model import Location, Violation

IN_BAND_KEY = "x-nhilint-ignore"
SUPPRESSION_RULES = ("NHI004", "NHI005", "NHI006", "NHI007")
# `# nhilint: ignore[RULES] reason`, read as the directive's head, then up to the next `]`:
# one pattern with `[^\]]*\]` retried at every head of a line with no `]` after it
# (`# nhilint: ignore[` repeated), scanning to the end each time: quadratic.
_DIRECTIVE_HEAD = re.compile(r"(?:#|//)\s*nhilint:\s*(?P<kind>ignore-file|ignore)\s*\[")
_UNTIL = re.compile(r"(?:--\s*)?until\s*=\s*(?P<date>\S+)\s*$")
_YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Suppression:
    location: Location
    rules: tuple[str, ...]  # ids or id prefixes
    reason: str
    until: dt.date | None
    file_wide: bool
    until_text: str = ""
    first_line: int = 0  # the first line covered; 0: the directive's line
    last_line: int = 0  # the last line covered; 0: the directive's line and the next
    problem: str = ""  # why it cannot be understood (NHI007); it then suppresses nothing

    def covers(self, rule: str) -> bool:
        return any(rule.startswith(r) for r in self.rules)

    def covers_line(self, line: int) -> bool:
        first = self.first_line or self.location.line
        return self.file_wide or first <= line <= (self.last_line or self.location.line + 1)


def _comment_directives(path: str, text: str) -> Iterator[tuple[int, bool, Suppression]]:
    """(line, stands alone on its line, suppression) for each comment directive."""
    for number, line in enumerate(text.splitlines(), start=1):
        close = line.rfind("]")
        match = _DIRECTIVE_HEAD.search(line, 0, close) if close > 0 else None
        if not match:
            continue
        end = line.index("]", match.end())
        rules_text, rest = line[match.end():end], line[end + 1:].strip()
        until_text = ""
        until_match = _UNTIL.search(rest)
        if until_match:
            until_text = until_match.group("date")
            rest = rest[: until_match.start()].strip()
        rules = tuple(r.strip().upper() for r in rules_text.split(",") if r.strip())
        sup = _make(Location(path, number, match.start() + 1, number, len(line)), rules,
                    rest.rstrip("-").strip(), until_text, match.group("kind") == "ignore-file")
        yield number, not line[: match.start()].strip(), sup


def _make(location: Location, rules: tuple[str, ...], reason: str, until_text: str,
          file_wide: bool, first_line: int = 0, last_line: int = 0) -> Suppression:
    until = parse_date(until_text) if until_text else None
    problem = ""
    if not rules:
        problem = "names no rule; write the ids or prefixes in the brackets, e.g. ignore[NHI201]"
    elif until_text and until is None:
        problem = f"until date '{until_text}' is not a date; write it as YYYY-MM-DD"
    return Suppression(location=location, rules=rules, reason=reason, until=until,
                       file_wide=file_wide, until_text=until_text, first_line=first_line,
                       last_line=last_line, problem=problem)


def _documents(path: str, text: str) -> list[Any]:
    from nhilint.sources.yaml_loader import LoadError, iter_documents

    try:
        return list(iter_documents(path, text))
    except LoadError:  # the file's own finding (NHI001/NHI003) says why
        return []


def _item_ends(docs: list[Any]) -> dict[int, int]:
    """First line of each YAML mapping entry or list item -> the last line of its content."""
    ends: dict[int, int] = {}
    for doc in docs:
        parents = {pointer[:-1] for pointer in doc.positions if pointer}
        last_of: dict[tuple, int] = {}
        for pointer, (key_span, value_span) in doc.positions.items():
            # a block collection's own end mark lies on the next token's line: use its leaves'
            end = value_span[2] if pointer not in parents else key_span[2] if key_span else 0
            for depth in range(len(pointer) + 1):
                prefix = pointer[:depth]
                last_of[prefix] = max(last_of.get(prefix, 0), end)
        for pointer, (key_span, value_span) in doc.positions.items():
            if pointer:
                first = (key_span or value_span)[0]
                ends[first] = max(ends.get(first, 0), last_of[pointer])
    return ends


def _next_content_line(lines: list[str], after: int) -> int:
    """The first line after `after` (1-based) that is not blank and not only a comment."""
    for number in range(after + 1, len(lines) + 1):
        stripped = lines[number - 1].strip()
        if stripped and not stripped.startswith("#"):
            return number
    return 0


def _in_band(docs: list[Any]) -> Iterator[Suppression]:
    """`x-nhilint-ignore: [{rule, reason, until}]` entries, each covering its whole object."""
    for doc in docs:
        for pointer, entries in _walk_in_band(doc.data, ()):
            span = doc.value_location(pointer)
            listed = isinstance(entries, list)
            for index, entry in enumerate(entries if listed else [entries]):
                where = doc.key_location((*pointer, IN_BAND_KEY, *((index,) if listed else ())))
                entry = entry if isinstance(entry, dict) else {}
                rules = entry.get("rule", entry.get("rules", ()))
                rules = [rules] if isinstance(rules, str) else rules if isinstance(rules, list) else []
                until = entry.get("until")
                sup = _make(where, tuple(str(r).strip().upper() for r in rules if str(r).strip()),
                            str(entry.get("reason") or "").strip(),
                            "" if until is None else str(until), False,
                            first_line=span.line, last_line=span.end_line)
                if not entry:
                    sup = replace(sup, problem=f"{IN_BAND_KEY} takes a list of mappings "
                                               "{rule, reason, until}")
                yield sup


def _walk_in_band(data: Any, pointer: tuple) -> Iterator[tuple[tuple, Any]]:
    if isinstance(data, dict):
        if IN_BAND_KEY in data:
            yield pointer, data[IN_BAND_KEY]
        for key, value in data.items():
            if key != IN_BAND_KEY:
                yield from _walk_in_band(value, (*pointer, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _walk_in_band(value, (*pointer, index))


def parse(path: str, text: str, known_rules: Iterable[str] = (),
          documents: list[Any] | None = None) -> list[Suppression]:
    """Every suppression in a file's text, with the lines each covers. One naming something
    that is neither an id nor an id prefix of `known_rules` (when given) is invalid.
    `documents` are the file's parsed YAML/JSON documents, when the caller has them."""
    has_comments = "nhilint:" in text
    has_in_band = IN_BAND_KEY in text
    if not has_comments and not has_in_band:
        return []
    structured = path.endswith((*_YAML_SUFFIXES, ".json"))
    directives = list(_comment_directives(path, text)) if has_comments else []
    needs_items = path.endswith(_YAML_SUFFIXES) and any(alone for _, alone, _ in directives)
    wanted = structured and (needs_items or has_in_band)
    docs = (documents if documents is not None else _documents(path, text)) if wanted else []
    found: list[Suppression] = []
    ends = _item_ends(docs) if needs_items else {}
    lines = text.splitlines()
    for number, alone, sup in directives:
        if alone and not sup.file_wide and ends:
            item_line = _next_content_line(lines, number)
            if item_line in ends:
                sup = replace(sup, last_line=ends[item_line])
        found.append(sup)
    if has_in_band:
        found.extend(_in_band(docs))
    known = tuple(known_rules)
    return [_check_rules(sup, known) for sup in found] if known else found


def _check_rules(sup: Suppression, known: tuple[str, ...]) -> Suppression:
    unknown = [r for r in sup.rules if not any(k.startswith(r) for k in known)]
    if sup.problem or not unknown:
        return sup
    return replace(sup, problem=f"names {', '.join(unknown)}, which is not a rule id or prefix; "
                                "`nhilint rules` lists them")


def active(suppression: Suppression, today: dt.date) -> bool:
    return (bool(suppression.reason) and not suppression.problem
            and (suppression.until is None or suppression.until >= today))


# A suppression covering more lines than this is kept in one list that every finding scans
# (a file-wide one, an in-band one over a long object); shorter ones are filed by line.
_FILED_SPAN = 256


class LineIndex:
    """A file's suppressions by the lines they cover: a finding looks at those that may cover
    its line, not at every suppression of the file (1,500 manifests with a few directives
    each made that quadratic: 49 s)."""

    def __init__(self, suppressions: list[Suppression]) -> None:
        self.wide: list[tuple[int, Suppression]] = []
        self.by_line: dict[int, list[tuple[int, Suppression]]] = {}
        for order, sup in enumerate(suppressions):
            first = sup.first_line or sup.location.line
            last = sup.last_line or sup.location.line + 1
            if sup.file_wide or last - first > _FILED_SPAN:
                self.wide.append((order, sup))
            else:
                for line in range(first, last + 1):
                    self.by_line.setdefault(line, []).append((order, sup))

    def matching(self, rule: str, location: Location, today: dt.date) -> Suppression | None:
        """The first active suppression, in file order, covering a finding of `rule` at `location`."""
        candidates = self.by_line.get(location.line, [])
        if self.wide:
            candidates = sorted(candidates + self.wide, key=lambda item: item[0])
        for _, sup in candidates:
            if sup.covers(rule) and active(sup, today) and sup.covers_line(location.line):
                return sup
        return None


def _named(sup: Suppression) -> str:
    return ", ".join(sup.rules) or "no rule"


def problems(suppressions: Iterable[Suppression], today: dt.date) -> Iterator[tuple[str, Violation]]:
    """NHI007 (cannot be understood), NHI004 (no reason), NHI005 (expired), in that order of
    precedence: each suppression has at most one problem."""
    for sup in suppressions:
        subject = f"suppression {_named(sup)}"
        if sup.problem:
            yield "NHI007", Violation(sup.location, f"suppression {sup.problem}; it suppresses "
                                      "nothing", subject=subject)
        elif not sup.reason:
            yield "NHI004", Violation(sup.location, f"suppression of {_named(sup)} has no reason, "
                                      "so it suppresses nothing; write why after the rule list",
                                      subject=subject)
        elif sup.until is not None and sup.until < today:
            yield "NHI005", Violation(sup.location, f"suppression of {_named(sup)} expired on "
                                      f"{sup.until.isoformat()}; fix the finding or renew the "
                                      "suppression", subject=subject)


def unused(suppressions: Iterable[Suppression], used: set[Suppression],
           today: dt.date) -> Iterator[tuple[str, Violation]]:
    """NHI006 for each active suppression that matched no finding."""
    for sup in suppressions:
        if active(sup, today) and sup not in used:
            yield "NHI006", Violation(sup.location, f"suppression of {_named(sup)} matches no "
                                      "finding; delete it", subject=f"suppression {_named(sup)}")
