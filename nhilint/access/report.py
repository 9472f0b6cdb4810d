"""What `nhilint access` returns: the effective access of every identity, and the problems
met on the way (a broken policy or entities file is its usual finding; the rest is reported)."""

from __future__ import annotations

from dataclasses import dataclass, field

from nhilint.facts import IdentityAccess
from nhilint.model import Finding

ACCESS_REPORT_VERSION = "1"


@dataclass
class AccessReport:
    identities: list[IdentityAccess] = field(default_factory=list)  # sorted by name, then location
    problems: list[Finding] = field(default_factory=list)  # sorted as lint findings are
    files: list[str] = field(default_factory=list)
    missing_paths: list[str] = field(default_factory=list)

    def to_dict(self, version: str) -> dict[str, object]:
        data: dict[str, object] = {"version": version,
                                   "identities": [identity.to_dict() for identity in self.identities]}
        if self.problems:
            data["problems"] = [finding.to_dict() for finding in self.problems]
        return data
