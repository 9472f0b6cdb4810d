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
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from nhilint.model import Identity, Inventory, Location, Violation
from nhilint.sources import detect

STRUCTURED_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class SourceOutput:
    """What reading one file produced: model objects and input problems (rule id, violation)."""

    identities: list[Identity] = field(default_factory=list)
    objects: list[Any] = field(default_factory=list)
    problems: list[tuple[str, Violation]] = field(default_factory=list)
    # Read only so cross-file rules see the file (pre-commit's --project-context): nothing
    # is reported on it, so checks that only report on this file (schema) are skipped.
    context_only: bool = False
    # The Cedar schema the project's configuration names (`cedar: {schema: ...}`); when
    # unset, the Cedar source looks for one beside each policy file.
    cedar_schema: str | None = None
    # The YAML/JSON documents parsed from the file, kept so suppressions can scope to an
    # item without parsing the file a second time. None when the file was not parsed.
    documents: list[Any] | None = None

    def problem(self, rule: str, location: Location, message: str, subject: str = "") -> None:
        self.problems.append((rule, Violation(location, message, subject=subject or message)))


@dataclass(frozen=True)
class DocumentFormat:
    name: str
    module: str  # defines read(doc: Document, out: SourceOutput) -> None
    matches: Callable[[str, Any], bool]
    hints: tuple[str, ...] = ()
    file_names: tuple[str, ...] = ()  # glob patterns on the file name (or a path suffix)
    # Files of this format are often templates (Helm charts): one with `{{` that does not
    # parse is a template, not YAML yet, and is skipped rather than reported (NHI001).
    templated: bool = False


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
    DocumentFormat("kubernetes", "nhilint.sources.kubernetes", detect.is_kubernetes,
                   hints=("apiVersion",), templated=True),
    DocumentFormat("github-actions", "nhilint.sources.github_actions", detect.is_workflow,
                   file_names=(detect.WORKFLOW_DIR + "*.yml", detect.WORKFLOW_DIR + "*.yaml")),
    DocumentFormat("mcp-config", "nhilint.sources.mcp", detect.is_mcp_config,
                   hints=("mcpServers",),
                   file_names=("*mcp*.json", "claude_desktop_config.json", ".claude.json",
                               "settings.json", "settings.local.json", "managed-settings.json")),
    # Other agent clients' server lists, read by the same module (named apart in --list-files)
    DocumentFormat("continue-config", "nhilint.sources.mcp", detect.is_continue_config,
                   hints=("mcpServers",)),
    DocumentFormat("zed-settings", "nhilint.sources.mcp", detect.is_zed_settings,
                   hints=("context_servers",)),
    DocumentFormat("opencode-config", "nhilint.sources.mcp", detect.is_opencode_config,
                   hints=('"mcp"',), file_names=("opencode.json",)),
    DocumentFormat("goose-config", "nhilint.sources.mcp", detect.is_goose_config,
                   hints=("extensions",)),
    DocumentFormat("a2a-agent-card", "nhilint.sources.a2a", detect.is_agent_card,
                   hints=('"skills"',), file_names=("agent-card.json", "agent.json")),
    DocumentFormat("spire", "nhilint.sources.spire", detect.is_spire,
                   hints=("spiffe_id", "ClusterSPIFFEID", "agent.conf"), templated=True),
    DocumentFormat("aws-iam", "nhilint.sources.aws_iam", detect.is_aws_iam,
                   hints=("Statement", "AccessKeyId")),
    DocumentFormat("aws-iam-export", "nhilint.sources.aws_iam", detect.is_aws_account_export,
                   hints=tuple(detect.AWS_EXPORT_LISTS)),
]

FILE_FORMATS: list[FileFormat] = [
    FileFormat("codex-config", "nhilint.sources.mcp", (".codex/config.toml",)),
    FileFormat("spire-server-conf", "nhilint.sources.spire", ("server.conf",)),
    FileFormat("spire-agent-conf", "nhilint.sources.spire", ("agent.conf",)),
    FileFormat("cedar", "nhilint.sources.cedar", ("*.cedar",)),
    FileFormat("rego", "nhilint.sources.rego", ("*.rego",)),
]

# Formats whose facts join across documents and files (a RoleBinding in one file, its
# Role in another): after a project is read, each such module that some file needed
# gets `link(inventory)`, in this order: aws_iam joins an EKS ServiceAccount's role-arn
# credential, which kubernetes puts on the account, to the IAM role it names.
LINKERS: tuple[str, ...] = ("nhilint.sources.kubernetes", "nhilint.sources.aws_iam")


def name_matches(path: str, patterns: tuple[str, ...]) -> bool:
    """Whether the file name, a path suffix or the whole path matches one of `patterns`."""
    if not patterns:
        return False
    matcher = _name_matcher(patterns)
    return bool(matcher(posixpath.basename(path)) or matcher(path))


@cache
def _name_matcher(patterns: tuple[str, ...]) -> Callable[[str], Any]:
    # One regex for all of a format's patterns, each as written and below any folder: a
    # run asks this for every format of every file.
    alternatives = [fnmatch.translate(p) for p in patterns] + [fnmatch.translate("*/" + p) for p in patterns]
    return re.compile("|".join(f"(?:{a})" for a in alternatives)).match


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


def link_project(inventory: Inventory) -> None:
    """Join facts across the files of one project, for the formats this run read."""
    for name in LINKERS:
        module = sys.modules.get(name)  # imported only when a file needed it
        if module is not None:
            module.link(inventory)
