"""discover -> read -> Inventory -> rules -> suppressions -> sorted findings."""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from nhilint import custom_rules, suppressions
from nhilint.config import Configuration, Settings, as_configuration
from nhilint.discovery import discover, display_path
from nhilint.model import Finding, Inventory, Location, SecretCandidate, Severity, Violation
from nhilint.rules import RuleContext, all_rules
from nhilint.secrets import classify, walk_strings
from nhilint.sources import (STRUCTURED_SUFFIXES, SourceOutput, candidate_document_formats,
                             file_format_for, link_project)
from nhilint.sources.yaml_loader import (Document, LoadError, blank_json_comments, decode,
                                         iter_documents)

MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass
class LintResult:
    findings: list[Finding]
    files: list[str]
    missing_paths: list[str] = field(default_factory=list)
    rules: tuple[str, ...] = ()  # the ids of the enabled rules (JUnit has a testcase per rule and file)

    def counts(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Severity}
        for finding in self.findings:
            if finding.suppressed is None:
                counts[finding.severity.value] += 1
        return counts

    def fails(self, threshold: Severity) -> bool:
        return any(f.suppressed is None and f.severity.rank >= threshold.rank for f in self.findings)


@dataclass
class _FileRecord:
    path: str
    suppressions: list[suppressions.Suppression]
    settings: Settings  # its project's


# A rule's violation, with the settings of the project it was found in.
_Raw = tuple[str, Violation, Settings]


def _module(name: str) -> Any:
    return importlib.import_module(name)


def _scan_secrets(doc: Document, identity: str | None, out: SourceOutput) -> None:
    for pointer, key, value in walk_strings(doc.data):
        shape = classify(value, key)
        if shape:
            out.objects.append(SecretCandidate(location=doc.value_location(pointer), kind=shape[0],
                                               hint=shape[1], key=key, identity=identity))


def read_structured(path: str, text: str, out: SourceOutput) -> None:
    formats = candidate_document_formats(path, text)
    if not formats:
        return
    try:
        if path.endswith(".json"):
            text = blank_json_comments(text)  # JSONC: VS Code and Cursor configs carry comments
        out.documents = []
        for doc in iter_documents(path, text):
            out.documents.append(doc)
            fmt = next((f for f in formats if f.matches(path, doc.data)), None)
            if fmt is None:
                continue
            before = len(out.identities)
            _module(fmt.module).read(doc, out)
            produced = out.identities[before:]
            if not out.context_only:
                _scan_secrets(doc, produced[0].name if len(produced) == 1 else None, out)
    except LoadError as exc:
        if "{{" in text and all(f.templated for f in formats):
            return  # a Helm (or other) template: not YAML until rendered
        out.problem(exc.rule, Location(path, exc.line, exc.column), exc.message)


def read_file(file: Path, path: str, out: SourceOutput) -> str | None:
    """Read one file into `out`; returns its text (for suppressions) when it could be read."""
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            out.problem("NHI003", Location(path), f"file is {size:,} bytes, over the "
                        f"{MAX_FILE_BYTES:,}-byte bound; exclude it or split it")
            return None
        text = decode(path, file.read_bytes())
    except LoadError as exc:
        out.problem(exc.rule, Location(path, exc.line, exc.column), exc.message)
        return None
    except OSError as exc:
        out.problem("NHI003", Location(path), f"cannot read the file: {exc.strerror or exc}")
        return None
    file_format = file_format_for(path)
    if file_format is not None:
        _module(file_format.module).read_file(path, text, out)
    elif path.endswith(STRUCTURED_SUFFIXES):
        read_structured(path, text, out)
    return text


PROJECT_MARKERS = (".nhilint.yaml", ".nhilint.yml", "pyproject.toml", ".git")


def project_root(file: Path, cache: dict[Path, Path]) -> Path:
    """The nearest directory above `file` holding a project marker (a config file or .git).

    Cross-file rules (delegation graphs, shared credentials) see one project at a time, so
    two projects in one run (a monorepo, or insecure and fixed examples side by side) may
    use the same agent names without mixing their graphs.
    """
    directory = file.resolve().parent
    start = directory
    while directory not in cache:
        if any((directory / marker).exists() for marker in PROJECT_MARKERS) or directory.parent == directory:
            cache[directory] = directory
            break
        directory = directory.parent
    cache[start] = cache[directory]
    return cache[start]


def lint(paths: Iterable[str], settings: Settings | Configuration, today: dt.date | None = None,
         context: Iterable[Path] = ()) -> LintResult:
    """Lint the files under `paths`. Files in `context` are read for cross-file rules (the rest
    of a project when pre-commit passes a few changed files) but not reported on.

    `settings` applies to every file; a `Configuration` gives each project the settings of
    its nearest configuration file (raising ConfigError for a bad one)."""
    today = today or dt.date.today()
    configuration = as_configuration(settings)
    files, missing = discover(paths)
    linted = {display_path(file) for file in files}
    context_only = {path: file for file in context if (path := display_path(file)) not in linted}
    files += [context_only[path] for path in sorted(context_only)]
    projects: dict[Path, Inventory] = {}
    roots: dict[Path, Path] = {}
    problems: list[_Raw] = []
    records: dict[str, _FileRecord] = {}
    scanned: list[str] = []
    for file in files:
        path = display_path(file)
        root = project_root(file, roots)
        project_settings = configuration.for_directory(root)
        if project_settings.excludes(path):
            continue
        out = SourceOutput(context_only=path in context_only,
                           cedar_schema=project_settings.cedar_schema)
        text = read_file(file, path, out)
        if path not in context_only:
            scanned.append(path)
        inventory = projects.setdefault(root, Inventory())
        inventory.files.append(path)
        for identity in out.identities:
            inventory.add_identity(identity)
        inventory.objects.extend(out.objects)
        problems.extend((rule_id, violation, project_settings) for rule_id, violation in out.problems)
        found = (suppressions.parse(path, text, project_settings.rules, out.documents)
                 if text and project_settings.inline_ignores else [])
        records[path] = _FileRecord(path, found, project_settings)

    raw: list[_Raw] = list(problems)
    for root in sorted(projects):
        link_project(projects[root])
        root_settings = configuration.for_directory(root)
        raw.extend((rule_id, violation, root_settings)
                   for rule_id, violation in run_rules(projects[root], root_settings, today))
    findings = [f for f in _finalize(raw, records, today)
                if f.location.path not in context_only]
    enabled = tuple(sorted({rule_id for used in configuration.used()
                            for rule_id, rule in used.rules.items() if rule.enabled}))
    return LintResult(findings=findings, files=scanned, missing_paths=missing, rules=enabled)


def run_rules(inventory: Inventory, settings: Settings, today: dt.date) -> list[tuple[str, Violation]]:
    """Every enabled rule over one project's inventory, each check on each of its targets."""
    raw: list[tuple[str, Violation]] = []
    by_type: dict[type | str, list[Any]] = {}
    for rule_id, rule in all_rules().items():
        rule_settings = settings.rules.get(rule_id)
        if rule_settings is None or not rule_settings.enabled or rule.check is None:
            continue
        context = RuleContext(rule_settings.params, inventory, today)
        for target in rule.targets:
            objects = [inventory] if target is Inventory else by_type.setdefault(
                target, inventory.of_type(target))
            for obj in objects:
                raw.extend((rule_id, v) for v in rule.check(obj, context))
    raw.extend(custom_rules.run([c for c in settings.custom_rules if settings.rules[c.rule.id].enabled],
                                inventory))
    return raw


def _finalize(raw: list[_Raw], records: dict[str, _FileRecord], today: dt.date) -> list[Finding]:
    """Drop disabled and per-file-ignored findings, mark suppressed ones, and report the
    suppressions themselves: invalid (NHI007), without reason (NHI004), expired (NHI005)
    and unused (NHI006)."""
    for record in records.values():
        raw.extend((rule_id, violation, record.settings) for rule_id, violation
                   in suppressions.problems(record.suppressions, today))
    used: set[suppressions.Suppression] = set()
    findings = _findings(raw, records, today, used)
    unused = [(rule_id, violation, record.settings) for record in records.values()
              for rule_id, violation in suppressions.unused(record.suppressions, used, today)]
    findings += _findings(unused, records, today, used)
    findings.sort(key=Finding.sort_key)
    return findings


def _findings(raw: list[_Raw], records: dict[str, _FileRecord], today: dt.date,
              used: set[suppressions.Suppression]) -> list[Finding]:
    rules = all_rules()
    findings: list[Finding] = []
    seen: set[tuple] = set()
    for rule_id, violation, settings in raw:
        rule_settings = settings.rules.get(rule_id)
        path = violation.location.path
        if rule_settings is None or not rule_settings.enabled or settings.ignores(rule_id, path):
            continue
        key = (rule_id, violation.location, violation.message)
        if key in seen:
            continue
        seen.add(key)
        record = records.get(path)
        # A suppression cannot excuse its own problems.
        sup = (suppressions.matching(record.suppressions, rule_id, violation.location, today)
               if record and rule_id not in suppressions.SUPPRESSION_RULES else None)
        if sup is not None:
            used.add(sup)
        findings.append(Finding(
            rule=rule_id, severity=rule_settings.severity, message=violation.message,
            location=violation.location, identity=violation.identity,
            references=rules[rule_id].references, subject=violation.subject,
            suppressed=sup.reason if sup else None,
        ))
    return findings
