"""Input formats: how a file is recognised, and which module turns it into the model.

Two kinds of format:

* a `DocumentFormat` reads one parsed YAML/JSON document (an agent manifest, a Kubernetes
  object, an MCP config, ...). It is tried on a file only when one of its `hints` occurs
  in the text or its `file_names` match, so unrelated YAML in a repository costs a
  substring search, not a parse. `matches(path, data)` then decides on the parsed data.
* a `FileFormat` reads a whole file in a language of its own (Cedar, Rego, TOML).

Format modules are named, not imported: a run imports only the modules its files need,
so linting one manifest never loads Cedar, Rego or lark.
"""

from __future__ import annotations

import fnmatch
import posixpath
from dataclasses import dataclass, field
from typing import Any, Callable

from nhilint.model import Identity, Location, Violation

STRUCTURED_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class SourceOutput:
    """What reading one file produced: model objects and input problems (rule id, violation)."""

    identities: list[Identity] = field(default_factory=list)
    objects: list[Any] = field(default_factory=list)
    problems: list[tuple[str, Violation]] = field(default_factory=list)

    def problem(self, rule: str, location: Location, message: str, subject: str = "") -> None:
        self.problems.append((rule, Violation(location, message, subject=subject or message)))


@dataclass(frozen=True)
class DocumentFormat:
    name: str
    module: str  # defines read(doc: Document, out: SourceOutput) -> None
    matches: Callable[[str, Any], bool]
    hints: tuple[str, ...] = ()
    file_names: tuple[str, ...] = ()  # glob patterns on the file name (or a path suffix)


@dataclass(frozen=True)
class FileFormat:
    name: str
    module: str  # defines read_file(path: str, text: str, out: SourceOutput) -> None
    patterns: tuple[str, ...]  # glob patterns on the file name


def _is_manifest(path: str, data: Any) -> bool:
    return (isinstance(data, dict) and str(data.get("apiVersion", "")).startswith("nhilint/")
            and data.get("kind") == "AgentManifest")


DOCUMENT_FORMATS: list[DocumentFormat] = [
    DocumentFormat("agent-manifest", "nhilint.sources.manifest", _is_manifest,
                   hints=("AgentManifest",)),
]

FILE_FORMATS: list[FileFormat] = [
    FileFormat("cedar", "nhilint.sources.cedar", ("*.cedar",)),
    FileFormat("rego", "nhilint.sources.rego", ("*.rego",)),
]


def name_matches(path: str, patterns: tuple[str, ...]) -> bool:
    base = posixpath.basename(path)
    return any(fnmatch.fnmatchcase(base, p) or fnmatch.fnmatchcase(path, "*/" + p)
               or fnmatch.fnmatchcase(path, p) for p in patterns)


def file_format_for(path: str) -> FileFormat | None:
    for fmt in FILE_FORMATS:
        if name_matches(path, fmt.patterns):
            return fmt
    return None


def candidate_document_formats(path: str, text: str) -> list[DocumentFormat]:
    """The document formats worth trying on this structured file (by name, then by content)."""
    return [fmt for fmt in DOCUMENT_FORMATS
            if name_matches(path, fmt.file_names) or any(h in text for h in fmt.hints)]


def is_candidate(path: str) -> bool:
    """Whether discovery should consider the file at all."""
    return path.endswith(STRUCTURED_SUFFIXES) or file_format_for(path) is not None
