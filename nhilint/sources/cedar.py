"""Cedar policy files (`*.cedar`): located policies, cedarpy's verdict, schema validation.

nhilint's own reader (`nhilint.cedar.parser`) gives every policy, scope element,
condition and annotation its span; cedarpy (the Rust Cedar engine) decides whether the
text is Cedar (NHI607, with its message) and validates the policies against the schema
found beside them (NHI605, with the validator's messages). This module is imported only
when a `.cedar` file is read, so linting anything else never loads cedarpy.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from pathlib import Path

from nhilint.cedar import ast, parser
from nhilint.engines import cedar as engine
from nhilint.model import Location
from nhilint.sources import SourceOutput
from nhilint.sources.yaml_loader import read_bounded_text

SCHEMA_SUFFIXES = (".cedarschema", ".cedarschema.json")
MAX_SCHEMA_BYTES = 5 * 1024 * 1024  # the bound the linter puts on the files it reads
_POLICY_PREFIX = re.compile(r"^for policy `[^`]*`,\s*")
_QUOTED = re.compile(r"`([^`]+)`")

# Parsed schemas by file identity (path, modification time, size): a run that reads many
# policy files beside one schema parses it once.
_SCHEMAS: dict[tuple[str, int, int], tuple[object | None, str | None]] = {}


def _error_location(path: str, parsed: parser.ParsedFile, message: str) -> Location:
    """Where Cedar's error is, when only Cedar rejects the text: the first policy Cedar
    rejects on its own, at the first spot it names (`foo` in "`foo` is not a valid method")."""
    for policy, source in zip(parsed.policies, parsed.sources):
        if engine.syntax_error(source) is None:
            continue
        for quoted in _QUOTED.findall(message):
            offset = source.find(quoted)
            if offset >= 0:
                return _offset_location(path, policy.location, source, offset, len(quoted))
        return policy.location
    return Location(path)


def _offset_location(path: str, start: Location, source: str, offset: int, size: int) -> Location:
    before = source[:offset]
    line = start.line + before.count("\n")
    column = offset - before.rfind("\n") if "\n" in before else start.column + offset
    return Location(path, line, column, line, column + size - 1)


def _parse(path: str, text: str, out: SourceOutput) -> parser.ParsedFile | None:
    """The located policies; None after reporting NHI607 when Cedar or nhilint's reader
    rejects the text (Cedar's message, at nhilint's position)."""
    try:
        parsed = parser.parse(path, text)
        failure = None
    except parser.NestedTooDeep as exc:
        out.problem("NHI607", Location(path, exc.line, exc.column), f"{exc.message}; simplify it "
                    "(nhilint does not hand such a file to Cedar, whose parser can crash on it)")
        return None
    except parser.CedarSyntaxError as exc:
        failure = exc
    cedar_message = engine.syntax_error(text)
    if failure is not None:
        where = Location(path, failure.line, failure.column)
        if cedar_message is None:
            out.problem("NHI607", where, f"nhilint cannot read this Cedar ({failure.message}), though "
                        "Cedar accepts it, so no policy in the file was checked; please report it")
        else:
            out.problem("NHI607", where, f"Cedar cannot parse the file: {cedar_message}; fix the "
                        "syntax here (no policy in the file was checked)")
        return None
    if cedar_message is not None:
        out.problem("NHI607", _error_location(path, parsed, cedar_message),
                    f"Cedar cannot parse the file: {cedar_message}; fix it here (no policy in the "
                    "file was checked)")
        return None
    return parsed


def find_schema(path: str) -> str | None:
    """The schema beside a policy file: `<name>.cedarschema` / `<name>.cedarschema.json`,
    else the only schema file in its directory (none when there are several)."""
    policy_file = Path(path)
    stem = policy_file.name[: -len(".cedar")] if policy_file.name.endswith(".cedar") else policy_file.name
    for suffix in SCHEMA_SUFFIXES:
        if policy_file.with_name(stem + suffix).is_file():
            return posixpath.join(posixpath.dirname(path), stem + suffix)
    try:
        found = sorted(p.name for p in policy_file.parent.iterdir()
                       if p.name.endswith(SCHEMA_SUFFIXES) and p.is_file())
    except OSError:
        return None
    return posixpath.join(posixpath.dirname(path), found[0]) if len(found) == 1 else None


def _parse_schema(schema_path: str, text: str) -> tuple[object | None, str | None]:
    try:
        return engine.schema(text, json=schema_path.endswith(".json")), None
    except engine.NestedTooDeep:  # cedarpy's schema parser can overflow its stack on deeper text
        return None, f"nests types more than {parser.MAX_NESTING} levels deep"
    except ValueError as exc:
        return None, f"cannot be parsed: {exc}"


def _load_schema(schema_path: str) -> tuple[object | None, str | None]:
    """(the parsed schema, None) or (None, why it cannot be used)."""
    file = Path(schema_path)
    try:
        stat = file.stat()
        key = (str(file.resolve()), stat.st_mtime_ns, stat.st_size)
        if stat.st_size > MAX_SCHEMA_BYTES:
            return None, f"is {stat.st_size:,} bytes, over the {MAX_SCHEMA_BYTES:,}-byte bound"
        if key not in _SCHEMAS:
            _SCHEMAS[key] = _parse_schema(schema_path, read_bounded_text(file, MAX_SCHEMA_BYTES))
        return _SCHEMAS[key]
    except (OSError, ValueError) as exc:
        return None, f"cannot be read: {getattr(exc, 'strerror', None) or exc}"


def _validate(text: str, schema: object, count: int) -> tuple[list[list[str]], list[str]]:
    """Validator messages per policy index, and those naming no policy."""
    per_policy: list[list[str]] = [[] for _ in range(count)]
    general: list[str] = []
    try:
        errors = engine.validate(text, schema)
    except (ValueError, engine.NestedTooDeep) as exc:
        return per_policy, [str(exc)]
    for error in errors:
        message = _POLICY_PREFIX.sub("", error.error)
        index = error.policy_id[len("policy"):] if error.policy_id.startswith("policy") else ""
        if index.isdigit() and int(index) < count:
            per_policy[int(index)].append(message)
        else:
            general.append(message)
    return per_policy, general


def _report_validation(path: str, schema_path: str, schema_error: str | None,
                       policies: list[ast.CedarPolicy], general: list[str], out: SourceOutput) -> None:
    """NHI605: each validator message at its policy; an unusable schema at the schema file."""
    if schema_error:
        out.problem("NHI605", Location(schema_path), f"schema {schema_path} {schema_error}; the "
                    f"policies of {path} were not validated", subject=schema_error)
    for error in general:
        out.problem("NHI605", Location(path), f"validation against {schema_path} failed: {error}",
                    subject=error)
    for policy in policies:
        for error in policy.validation_errors:
            out.problem("NHI605", policy.location, f"{policy.describe()} fails validation against "
                        f"{schema_path}: {error}; fix the policy or the schema",
                        subject=f"{policy.id}: {error}")


def read_file(path: str, text: str, out: SourceOutput) -> None:
    """The file's CedarPolicySet and its policies, validated against the schema the
    configuration names, else the one beside the file (if any)."""
    parsed = _parse(path, text, out)
    if parsed is None:
        return
    policies = parsed.policies
    schema_path = out.cedar_schema or find_schema(path)
    if schema_path is not None:
        schema, schema_error = _load_schema(schema_path)
        general: list[str] = []
        if schema is not None and policies:
            per_policy, general = _validate(text, schema, len(policies))
            policies = [dataclasses.replace(p, schema=schema_path, validation_errors=tuple(errors))
                        for p, errors in zip(policies, per_policy)]
        _report_validation(path, schema_path, schema_error, policies, general, out)
    out.objects.append(ast.CedarPolicySet(location=Location(path), policies=tuple(policies),
                                          schema=schema_path))
    out.objects.extend(policies)
