"""discover -> read -> Inventory -> rules -> suppressions -> sorted findings."""

from __future__ import annotations

import datetime as dt
import importlib
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nhilint import custom_rules, suppressions
from nhilint.config import Configuration, Settings, as_configuration
from nhilint.discovery import (
    HELM_TEMPLATE,
    KUSTOMIZATION,
    KUSTOMIZATION_NAMES,
    KUSTOMIZE_PATCH,
    NOT_REGULAR,
    OUTSIDE_TREE,
    TEMPLATE,
    display_path,
    has_template_actions,
    is_helm_template,
    not_linted_reason,
    walk,
)
from nhilint.model import FileOutcome, Finding, Inventory, LintResult, Location, SecretCandidate, Violation, loaded_type
from nhilint.rules import RuleContext, all_rules
from nhilint.secrets import find_secrets, mask_text
from nhilint.sources import STRUCTURED_SUFFIXES, SourceOutput, candidate_document_formats, file_format_for, link_project
from nhilint.sources.detect import PROJECT_FILES
from nhilint.sources.yaml_loader import Document, LoadError, blank_json_comments, decode, iter_documents, read_bounded
from nhilint.suppressions import LineIndex

MAX_FILE_BYTES = 5 * 1024 * 1024
CONFIG_FORMAT = "config"  # how a .nhilint.yaml is listed: read (for its suppressions), not linted
CONFIG_FILE_NAMES = frozenset(name for name in PROJECT_FILES if name != "pyproject.toml")


@dataclass
class _FileRecord:
    path: str
    suppressions: list[suppressions.Suppression]
    settings: Settings  # its project's
    index: LineIndex = field(init=False)

    def __post_init__(self) -> None:
        self.index = LineIndex(self.suppressions)


# A rule's violation, with the settings of the project it was found in.
_Raw = tuple[str, Violation, Settings]


def _module(name: str) -> Any:
    return importlib.import_module(name)


def _scan_secrets(doc: Document, identity: str | None, out: SourceOutput) -> None:
    for pointer, key, shape in find_secrets(doc.data):
        out.objects.append(SecretCandidate(location=doc.value_location(pointer), kind=shape[0],
                                           hint=shape[1], key=key, identity=identity))


@dataclass
class FileReading:
    """What reading one file gave: its text (for suppressions) when it could be read, and the
    formats it was read as, or why it was not read."""

    text: str | None = None
    formats: list[str] = field(default_factory=list)
    skipped: str = ""
    unjudged: bool = False  # recognised (a template, say) but not read: the summary counts it skipped

    def read_as(self, name: str) -> None:
        if name not in self.formats:
            self.formats.append(name)


def read_structured(path: str, text: str, out: SourceOutput) -> FileReading:
    reading = FileReading(text)
    formats = candidate_document_formats(path, text)
    if not formats:
        return reading
    try:
        if path.endswith(".json"):
            text = blank_json_comments(text)  # JSONC: VS Code and Cursor configs carry comments
        out.documents = []
        for whole in iter_documents(path, text):
            out.documents.append(whole)
            for doc in list_items(whole):  # a `kind: List` is read as its items
                fmt = next((f for f in formats if f.matches(path, doc.data)), None)
                if fmt is None:
                    continue
                reading.read_as(fmt.name)
                before = len(out.identities)
                _module(fmt.module).read(doc, out)
                produced = out.identities[before:]
                if not out.context_only:
                    _scan_secrets(doc, produced[0].name if len(produced) == 1 else None, out)
    except LoadError as exc:
        # A template (Helm, say) is not YAML until rendered: listed as skipped, not NHI001.
        if has_template_actions(text) and (not path.endswith(".json") or all(f.templated for f in formats)):
            reading.skipped = HELM_TEMPLATE if is_helm_template(path) else TEMPLATE
            reading.unjudged = True
            return reading
        out.problem(exc.rule, Location(path, exc.line, exc.column), exc.message)
        reading.skipped = f"{exc.message} ({exc.rule})"
    return reading


def read_file(file: Path, path: str, out: SourceOutput) -> FileReading:
    """Read one file into `out`."""
    try:
        # at most the bound (and a byte) of a regular file: a file swapped for a FIFO or
        # /dev/zero after discovery can neither hang the run nor fill its memory
        raw, size = read_bounded(file, MAX_FILE_BYTES)
        if len(raw) > MAX_FILE_BYTES:
            bound = f"{size:,} bytes, over the {MAX_FILE_BYTES:,}-byte bound"
            out.problem("NHI003", Location(path), f"file is {bound}; exclude it or split it")
            return FileReading(skipped=f"too large: {bound} (NHI003)")
        text = decode(path, raw)
    except LoadError as exc:
        out.problem(exc.rule, Location(path, exc.line, exc.column), exc.message)
        return FileReading(skipped=f"{exc.message} ({exc.rule})")
    except OSError as exc:
        reason = f"cannot read the file: {exc.strerror or exc}"
        out.problem("NHI003", Location(path), reason)
        return FileReading(skipped=f"{reason} (NHI003)")
    file_format = file_format_for(path)
    if file_format is not None:
        _module(file_format.module).read_file(path, text, out)
        return FileReading(text, [file_format.name])
    if path.endswith(STRUCTURED_SUFFIXES):
        return read_structured(path, text, out)
    return FileReading(text)


def _outcome(path: str, reading: FileReading, out: SourceOutput) -> FileOutcome:
    if reading.formats:  # with the reason the rest was not read, when a document stopped it
        return FileOutcome(read_as=", ".join(reading.formats), checked=True,
                           skipped=mask_text(reading.skipped), unjudged=reading.unjudged)
    if reading.skipped:  # a parse error's text: masked as a message is
        return FileOutcome(skipped=mask_text(reading.skipped), checked=bool(out.problems),
                           unjudged=reading.unjudged)
    name = posixpath.basename(path)
    if name in CONFIG_FILE_NAMES:
        return FileOutcome(read_as=CONFIG_FORMAT)
    if name in KUSTOMIZATION_NAMES:
        return FileOutcome(skipped=KUSTOMIZATION, unjudged=True)
    if is_helm_template(path):  # it parsed, but holds nothing nhilint reads as written
        return FileOutcome(skipped=HELM_TEMPLATE, unjudged=True)
    return FileOutcome(skipped=not_linted_reason(path))


def list_items(doc: Document) -> list[Document]:
    """The documents to read in `doc`: a `kind: List` (`kubectl get -o yaml`) or a typed list
    (`RoleList`) gives its items, each located where it is; any other document is itself."""
    from nhilint.sources.kubernetes import list_items as kubernetes_items

    return kubernetes_items(doc) if _is_list(doc.data) else [doc]


def _is_list(data: Any) -> bool:
    return (isinstance(data, dict) and isinstance(data.get("items"), list)
            and isinstance(data.get("kind"), str) and data["kind"].endswith("List")
            and isinstance(data.get("apiVersion"), str))


def _kustomize_patches(files: list[Path]) -> dict[str, str]:
    """The patch files the Kustomize overlays among `files` name (display path -> reason):
    a patch is applied by kustomize, and is no whole object on its own."""
    patches: dict[str, str] = {}
    for file in files:
        if file.name not in KUSTOMIZATION_NAMES:
            continue
        try:
            raw, _size = read_bounded(file, MAX_FILE_BYTES)
            documents = list(iter_documents(str(file), decode(str(file), raw)))
        except (LoadError, OSError):
            continue  # reading it as a file reports it
        for doc in documents:
            for name in _patch_paths(doc.data):
                patches[display_path(file.parent / name)] = KUSTOMIZE_PATCH
    return patches


def _patch_paths(data: Any) -> list[str]:
    if not isinstance(data, dict):
        return []
    names: list[Any] = []
    if isinstance(data.get("patchesStrategicMerge"), list):
        names += data["patchesStrategicMerge"]
    for key in ("patches", "patchesJson6902"):
        if isinstance(data.get(key), list):
            names += [p.get("path") for p in data[key] if isinstance(p, dict)]
    # an entry of patchesStrategicMerge may be an inline patch, not a file name
    return [name for name in names if isinstance(name, str) and name and "\n" not in name]


# Why discovery did not read a file it would have: the summary counts these as skipped.
_UNREAD = frozenset({OUTSIDE_TREE, NOT_REGULAR, "symlink loop", "broken symlink (its target is missing)"})


def _unread(reason: str) -> bool:
    return reason in _UNREAD or reason.startswith("cannot be read")


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
         context: Iterable[Path] = (), listing: bool = False) -> LintResult:
    """Lint the files under `paths`. Files in `context` are read for cross-file rules (the rest
    of a project when pre-commit passes a few changed files) but not reported on.

    `settings` applies to every file; a `Configuration` gives each project the settings of
    its nearest configuration file (raising ConfigError for a bad one). With `listing`, the
    files are read but no rule runs: the result says what became of each file (--list-files),
    the folders and files skipped by name included."""
    today = today or dt.date.today()
    configuration = as_configuration(settings)
    discovery = walk(paths, list_skipped=listing, follow_symlinks=configuration.follow_symlinks)
    files = discovery.files
    linted = {display_path(file) for file in files}
    context_only = {path: file for file in context if (path := display_path(file)) not in linted}
    files += [context_only[path] for path in sorted(context_only)]
    projects: dict[Path, Inventory] = {}
    roots: dict[Path, Path] = {}
    problems: list[_Raw] = []
    records: dict[str, _FileRecord] = {}
    scanned: list[str] = []
    outcomes = {path: FileOutcome(skipped=reason, unjudged=_unread(reason))
                for path, reason in discovery.skipped}
    patches = _kustomize_patches(files)
    for file in files:
        path = display_path(file)
        if path in patches:
            if path not in context_only:
                outcomes[path] = FileOutcome(skipped=patches[path], unjudged=True)
            continue
        root = project_root(file, roots)
        project_settings = configuration.for_directory(root)
        exclusion = project_settings.exclusion(path)
        if exclusion:
            if path not in context_only:
                outcomes[path] = FileOutcome(skipped=exclusion)
            continue
        out = SourceOutput(context_only=path in context_only,
                           cedar_schema=project_settings.cedar_schema)
        reading = read_file(file, path, out)
        if path not in context_only:
            scanned.append(path)
            outcomes[path] = _outcome(path, reading, out)
        inventory = projects.setdefault(root, Inventory())
        inventory.files.append(path)
        for identity in out.identities:
            inventory.add_identity(identity)
        inventory.objects.extend(out.objects)
        problems.extend((rule_id, violation, project_settings) for rule_id, violation in out.problems)
        found = (suppressions.parse(path, reading.text, project_settings.rules, out.documents)
                 if reading.text and project_settings.inline_ignores else [])
        records[path] = _FileRecord(path, found, project_settings)
    outcomes = dict(sorted(outcomes.items()))
    if listing:
        return LintResult(findings=[], files=scanned, missing_paths=discovery.missing,
                          outcomes=outcomes)

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
    return LintResult(findings=findings, files=scanned, missing_paths=discovery.missing,
                      rules=enabled, outcomes=outcomes)


def run_rules(inventory: Inventory, settings: Settings, today: dt.date) -> list[tuple[str, Violation]]:
    """Every enabled rule over one project's inventory, each check on each of its targets."""
    raw: list[tuple[str, Violation]] = []
    by_type: dict[type | str, list[Any]] = {}
    # The objects grouped by their exact type in one pass: some fifty rule targets each
    # scanning every object was a tenth of a large Kubernetes run.
    groups: dict[type, list[Any]] = {}
    for obj in inventory.objects:
        groups.setdefault(type(obj), []).append(obj)

    def objects_of(target: type | str) -> list[Any]:
        cls = loaded_type(target) if isinstance(target, str) else target
        if cls is None:
            return []
        matching = [kind for kind in groups if issubclass(kind, cls)]
        if len(matching) == 1:
            return groups[matching[0]]
        return inventory.of_type(cls)  # several types: their objects in inventory order

    for rule_id, rule in all_rules().items():
        rule_settings = settings.rules.get(rule_id)
        if rule_settings is None or not rule_settings.enabled or rule.check is None:
            continue
        context = RuleContext(rule_settings.params, inventory, today)
        for target in rule.targets:
            if target is not Inventory and target not in by_type:
                by_type[target] = objects_of(target)
            objects = [inventory] if target is Inventory else by_type[target]
            check = rule.check
            for obj in objects:  # (most checks find nothing: no generator made per object)
                for violation in check(obj, context):
                    raw.append((rule_id, violation))
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
        sup = (record.index.matching(rule_id, violation.location, today)
               if record and rule_id not in suppressions.SUPPRESSION_RULES else None)
        if sup is not None:
            used.add(sup)
        # The one place every message passes on its way to an output: text taken from an
        # input (a package spec, a parse error's token, a suppression's reason) is masked here.
        findings.append(Finding(
            rule=rule_id, severity=rule_settings.severity, message=mask_text(violation.message),
            location=violation.location,
            identity=mask_text(violation.identity) if violation.identity else violation.identity,
            references=rules[rule_id].references, subject=mask_text(violation.subject),
            suppressed=mask_text(sup.reason) if sup else None,
        ))
    return findings
