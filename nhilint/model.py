"""The format-neutral model every source maps into and every rule reads.

Each object carries the `Location` of the place it was declared, and a map from its
field names to the location of that field's key, so a finding can point at the exact
key (`ttl`, `max_depth`, ...) or, when the key is missing, at the object itself.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypeVar


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


@dataclass(frozen=True, order=True)
class Location:
    """A span in a file. Lines and columns are 1-based; the end is inclusive of the last character."""

    path: str
    line: int = 1
    column: int = 1
    end_line: int = 0
    end_column: int = 0

    def __post_init__(self) -> None:
        if self.end_line < self.line:
            object.__setattr__(self, "end_line", self.line)
            object.__setattr__(self, "end_column", max(self.end_column, self.column))

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
        }


_L = TypeVar("_L", bound="Located")


@dataclass(frozen=True)
class Located:
    """Base of model objects: where the object is, and where each of its fields' keys is."""

    location: Location
    field_locations: Mapping[str, Location] = field(default_factory=dict, compare=False, repr=False)
    # Locations of list items, keyed "actions[0]", "delegates[2]": a finding about one
    # item (a wildcard, a missing delegate) points at that item.
    item_locations: Mapping[str, Location] = field(default_factory=dict, compare=False, repr=False)

    def joined(self: _L, **changes: Any) -> _L:
        """A copy with `changes`, as `dataclasses.replace` makes it, for the link step that
        joins objects of many files. Model objects have no `__post_init__` to re-run, so the
        fields are copied rather than passed through `__init__` again (1 µs, not 10)."""
        unknown = changes.keys() - self.__dict__.keys()
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {sorted(unknown)[0]}")
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__, **changes)
        return copy
    # How to fix a finding about this object in its own format, where a rule's advice names
    # manifest fields (`set delegation.max_depth`) that the format does not have.
    remedy: str = field(default="", compare=False, repr=False)

    def at(self, *names: str) -> Location:
        """The location of the first present field of `names`, else the object's own."""
        for name in names:
            loc = self.field_locations.get(name)
            if loc is not None:
                return loc
        return self.location


@dataclass(frozen=True)
class Credential(Located):
    identity: str = ""
    name: str = ""
    type: str | None = None
    issuance: str | None = None  # "jit" | "standing" | None (unknown)
    ttl: str | None = None  # the raw duration text; rules parse it with their parameters
    rotation: str | None = None
    source: str | None = None  # vault://..., env:NAME, file:PATH, inline, ...
    has_inline_value: bool = False  # never the value itself: the model holds no secret
    value_hint: str = ""  # a masked hint such as "ghp_****"
    scopes: tuple[str, ...] = ()
    # A stable key naming what the credential *is* (the secret source), used to find one
    # secret shared by several identities (NHI205). None when nothing identifies it.
    source_key: str | None = None


@dataclass(frozen=True)
class Grant(Located):
    """A tool (or role, permission) an identity may use: actions on resources."""

    identity: str = ""
    name: str = ""
    actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    risk: str | None = None  # low | medium | high | critical | None (unknown)
    requires_approval: bool | None = None
    admin: bool = False  # the source knows this grant is administrative (cluster-admin, write-all, ...)
    # The source's configuration runs these actions without asking a human (MCP
    # `alwaysAllow`/`autoApprove`, Gemini `trust: true`, Codex `approval_policy = "never"`).
    auto_approved: bool = False
    # How findings name the grant in its format's words ("Role default/pods rules[0]", "IAM
    # policy statement 0 of deployer"); empty for a manifest tool (see `title`).
    label: str = ""
    # What the grant covers in its format's words, when its actions and resources mean
    # something only together ("all verbs on all resources in all API groups"): a wildcard
    # finding then names the grant once, in these words, instead of each wildcard item.
    covers: str = ""
    # Its extent is a default set outside the file: a workflow with no `permissions` block
    # gets the repository's default GITHUB_TOKEN permissions.
    granted_by_default: bool = False

    @property
    def title(self) -> str:
        return self.label or f"tool '{self.name}'"


@dataclass(frozen=True)
class Delegation(Located):
    identity: str = ""
    allowed: bool = False
    max_depth: int | None = None
    delegates: tuple[str, ...] = ()
    attenuation: str | None = None  # subset | none | None (missing)


@dataclass(frozen=True)
class Audit(Located):
    sink: str | None = None
    binds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Revocation(Located):
    on_task_complete: bool | None = None
    max_session: str | None = None


# Aspects of governance an identity's source format can express. A rule about a missing
# governance field only fires where the format could have had it: an MCP config has no
# owner field, so "no owner" would be noise there.
ASPECTS = frozenset(
    {"owner", "purpose", "expiry", "workload_identity", "revocation", "audit", "delegation"}
)


@dataclass(frozen=True)
class Identity(Located):
    name: str = ""
    source_format: str = "manifest"
    declares: frozenset[str] = ASPECTS
    owner: str | None = None
    purpose: str | None = None
    expires: str | None = None  # raw text; rules parse it
    environment: str | None = None
    risk: str | None = None
    identity_type: str | None = None
    identity_id: str | None = None
    has_identity_block: bool = False
    credentials: tuple[Credential, ...] = ()
    grants: tuple[Grant, ...] = ()
    delegation: Delegation | None = None
    audit: Audit | None = None
    revocation: Revocation | None = None


@dataclass(frozen=True)
class Package(Located):
    """Third-party code an identity runs with its credentials: an MCP server package, an image."""

    identity: str = ""
    ecosystem: str = ""  # npm | pypi | oci
    name: str = ""
    version: str | None = None  # None when the launcher fetches whatever is newest
    launcher: str = ""  # npx, uvx, docker, ...


@dataclass(frozen=True)
class SecretCandidate(Located):
    """A value in a file that looks like a secret. Holds a masked hint, never the value."""

    kind: str = ""  # e.g. "GitHub token", "private key", "high-entropy value under 'api_key'"
    hint: str = ""
    key: str | None = None
    identity: str | None = None


@dataclass(frozen=True)
class Violation:
    """What a rule yields: the engine stamps the rule id, severity and references."""

    location: Location
    message: str
    identity: str | None = None
    # What the finding is about, independent of line numbers (a key path, a policy id):
    # baselines fingerprint by it, so moving code does not resurface a finding.
    subject: str = ""


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    location: Location
    identity: str | None = None
    references: tuple[str, ...] = ()
    subject: str = ""
    suppressed: str | None = None  # the justification, when a suppression matched
    # Where the suppression lives, in SARIF's terms: "inSource" (a comment or x-nhilint-ignore
    # in the file) or "external" (a baseline file).
    suppression_kind: str = "inSource"

    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.path, loc.line, loc.column, self.rule, self.message)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "location": self.location.to_dict(),
            "identity": self.identity,
            "references": list(self.references),
        }
        if self.suppressed is not None:
            data["suppressed"] = {"reason": self.suppressed}
        return data


def loaded_type(name: str) -> type | None:
    """The class named "package.module.Class", or None while that module is not loaded.

    Policy ASTs are costly to import; their objects exist only once a source has imported
    the module, so a rule can name such a type without importing it on every run.
    """
    module_name, _, class_name = name.rpartition(".")
    module = sys.modules.get(module_name)
    return getattr(module, class_name) if module is not None else None


@dataclass
class Inventory:
    """Everything read from the linted paths: the input to the rules.

    `objects` holds the typed model objects of every source (identities, their parts,
    secret candidates, Cedar and Rego ASTs); rules ask for them by type.
    """

    identities: list[Identity] = field(default_factory=list)
    objects: list[Any] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def add_identity(self, identity: Identity) -> None:
        self.identities.append(identity)
        self.objects.append(identity)
        self.objects.extend(identity.credentials)
        self.objects.extend(identity.grants)
        for part in (identity.delegation, identity.audit, identity.revocation):
            if part is not None:
                self.objects.append(part)

    def of_type(self, cls: type | str) -> list[Any]:
        """The objects of a type, given as a class or named "package.module.Class"."""
        if isinstance(cls, str):
            loaded = loaded_type(cls)
            if loaded is None:
                return []
            cls = loaded
        return [obj for obj in self.objects if isinstance(obj, cls)]

    def identity(self, name: str) -> Identity | None:
        for ident in self.identities:
            if ident.name == name:
                return ident
        return None


@dataclass(frozen=True)
class FileOutcome:
    """What became of one file: the formats it was read as, or why it was not read."""

    read_as: str = ""  # "agent-manifest", "kubernetes, agent-manifest", "config"
    skipped: str = ""
    # Read as one of nhilint's formats, or reported unreadable (NHI001, NHI003): what the
    # summary's "in N files" counts. Configuration files and unknown formats are not.
    checked: bool = False
    # Recognised, or meant to be read, but not judged: a Helm template, a Kustomize overlay
    # or patch, a broken symlink. The summary's "N skipped" counts these unless `read_as`
    # is set too (a file read up to a document that is a template: `skipped` says why).
    unjudged: bool = False


@dataclass
class LintResult:
    findings: list[Finding]
    files: list[str]
    missing_paths: list[str] = field(default_factory=list)
    rules: tuple[str, ...] = ()  # the ids of the enabled rules (JUnit has a testcase per rule and file)
    outcomes: dict[str, FileOutcome] = field(default_factory=dict)  # by path, in path order

    def checked_files(self) -> int:
        if not self.outcomes:  # a result a caller built from its own list of files
            return len(self.files)
        return sum(1 for outcome in self.outcomes.values() if outcome.checked)

    def counts(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Severity}
        for finding in self.findings:
            if finding.suppressed is None:
                counts[finding.severity.value] += 1
        return counts

    def fails(self, threshold: Severity) -> bool:
        return any(f.suppressed is None and f.severity.rank >= threshold.rank for f in self.findings)


SHOWN_IN_A_MESSAGE = 5


def first_few(items: Sequence[str], total: int) -> str:
    """The first of `items` and how many more of `total`: `a, b, c, d, e and 7 more`. A
    message that named every one of thousands (identities sharing a credential, credentials
    held beside each tool) made the output grow as the square of the input."""
    shown = list(items[:SHOWN_IN_A_MESSAGE])
    more = total - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")
