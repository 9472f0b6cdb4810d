"""Inline suppressions: `# nhilint: ignore[NHI201] reason -- until=2027-03-31`.

In the comment syntax of the file (`#` in YAML, TOML and Rego, `//` in Cedar and JSONC),
on the finding's line or the line above it; `ignore-file[...]` anywhere covers the file.
A suppression needs a reason (else NHI004, and it suppresses nothing); an `until` date
in the past stops suppressing and is NHI005.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from nhilint.durations import parse_date
from nhilint.model import Location

_DIRECTIVE = re.compile(
    r"(?:#|//)\s*nhilint:\s*(?P<kind>ignore-file|ignore)\s*\[(?P<rules>[^\]]*)\]\s*(?P<rest>.*)$"
)
_UNTIL = re.compile(r"(?:--\s*)?until\s*=\s*(?P<date>\S+)\s*$")


@dataclass(frozen=True)
class Suppression:
    location: Location
    rules: tuple[str, ...]  # ids or id prefixes
    reason: str
    until: dt.date | None
    file_wide: bool
    until_text: str = ""

    def covers(self, rule: str) -> bool:
        return any(rule.startswith(r) for r in self.rules)


def parse(path: str, text: str) -> list[Suppression]:
    if "nhilint:" not in text:
        return []
    found: list[Suppression] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _DIRECTIVE.search(line)
        if not match:
            continue
        rest = match.group("rest").strip()
        until, until_text = None, ""
        until_match = _UNTIL.search(rest)
        if until_match:
            until_text = until_match.group("date")
            until = parse_date(until_text)
            rest = rest[: until_match.start()].strip()
        rules = tuple(r.strip().upper() for r in match.group("rules").split(",") if r.strip())
        found.append(Suppression(
            location=Location(path, number, match.start() + 1, number, len(line)),
            rules=rules, reason=rest.rstrip("-").strip(), until=until,
            file_wide=match.group("kind") == "ignore-file", until_text=until_text,
        ))
    return found


def active(suppression: Suppression, today: dt.date) -> bool:
    return bool(suppression.reason) and (suppression.until is None or suppression.until >= today)


def matching(suppressions: list[Suppression], rule: str, location: Location,
             today: dt.date) -> Suppression | None:
    """The active suppression covering a finding of `rule` at `location`, if any."""
    for sup in suppressions:
        if not sup.covers(rule) or not active(sup, today):
            continue
        if sup.file_wide or location.line in (sup.location.line, sup.location.line + 1):
            return sup
    return None
