"""Checking a configuration file against the schema and the rules' own metadata.

The shape of a file is the schema's (`shape_problems`); the rest comes from the rules: which
keys name rules (an id, an id prefix or a rule name, with a suggestion for a near miss), what
a `rules:` entry may set (on, off, a severity, the rule's own parameters, each converted by
its `Param`), and what a custom rule spec must hold (an id and name of its own, one Rego
module that compiles). Each check returns the value it validated or raises a `ConfigError`
naming every mistake it found.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nhilint.config.files import ConfigSource, display, read_text
from nhilint.config.settings import ConfigError, CustomRule
from nhilint.model import Location, Severity
from nhilint.rules import Rule, builtin_rules

_SEVERITIES = tuple(s.value for s in Severity)
_SWITCHES = {"off": False, "on": True}
_CUSTOM_ID = re.compile(r"^[A-Z][A-Z0-9]*[0-9]{3}$")
_RULE_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_PREFIX = re.compile(r"^[A-Z][A-Z0-9]*$")
_REGO_PACKAGE = re.compile(r"^\s*package\s+([A-Za-z_][\w.]*)", re.MULTILINE)


def shape_problems(source: ConfigSource) -> list[tuple[tuple, str]]:
    """(pointer, message) for each key that is not a string, then each schema violation of
    the rest (a value of the wrong type beside an integer key must not reach the resolver)."""
    from nhilint.schema_errors import problems, string_keyed

    odd_keys: list[tuple] = []
    data = string_keyed(source.data, (), odd_keys)
    found = [(pointer, f"key {pointer[-1]!r} is not a string; quote it, or use a rule id, name "
                       "or prefix") for pointer in odd_keys]
    return found + list(problems("config.schema.json", data))


def well_shaped_part(data: dict[str, Any], pointers: Iterable[tuple]) -> dict[str, Any] | None:
    """`data` without the entries the pointers name (a `rules:` entry, or a whole top-level
    key), so the rest of a misshapen file is still checked; None when the document itself is
    misshapen. List items are not removed one by one: later items would change index, and
    their problems line."""
    kept = dict(data)
    for pointer in pointers:
        if not pointer:
            return None
        inner = kept.get(pointer[0])
        if len(pointer) > 1 and isinstance(inner, dict):
            kept[pointer[0]] = {k: v for k, v in inner.items() if k != pointer[1]}
        else:
            kept.pop(pointer[0], None)
    return kept


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"did you mean '{close[0]}'? " if close else ""


def rules_selected(key: str, rules: dict[str, Rule]) -> list[str]:
    """The rule ids `key` selects: an id (any case), a rule name or an id prefix; [] for none."""
    if key in rules:
        return [key]
    named = [r.id for r in rules.values() if r.name == key]
    if named:
        return named
    upper = key.upper()
    if upper in rules:
        return [upper]
    if _PREFIX.match(upper):
        return [rule_id for rule_id in rules if rule_id.startswith(upper)]
    return []


def unknown_rule(key: str, rules: dict[str, Rule]) -> str:
    choices = [*rules, *(r.name for r in rules.values())]
    return (f"unknown rule '{key}'; {_suggest(key, choices)}expected a rule id (NHI202), an id "
            "prefix (NHI2) or a rule name (ttl-above-maximum); `nhilint rules` lists them")



def rule_keys(source: ConfigSource, pointer: tuple, key: str, rules: dict[str, Rule]) -> list[str]:
    """The rule ids `key` selects (an id, a name or an id prefix), or a ConfigError."""
    selected = rules_selected(key, rules)
    if not selected:
        raise source.error(pointer, unknown_rule(key, rules))
    return selected


def entry_value(source: ConfigSource, pointer: tuple, selected: list[str], value: Any,
                rules: dict[str, Rule]) -> tuple[bool, Severity | None, dict[str, Any]]:
    """(enabled, severity, converted parameters) of one `rules:` entry, or a ConfigError."""
    if isinstance(value, bool):
        return value, None, {}
    if isinstance(value, str):
        if value in _SWITCHES:
            return _SWITCHES[value], None, {}
        if value in _SEVERITIES:
            return True, Severity(value), {}
        raise source.error(pointer, f"'{value}' is not a rule setting; expected one of: off, on, "
                                    f"{', '.join(_SEVERITIES)}, or a mapping of severity and "
                                    "parameters")
    enabled, severity, params = True, None, {}
    rule = rules[selected[0]]
    problems: list[tuple[Location, str]] = []
    # Each key is checked on its own, so every mistake of the entry is reported at once.
    for name, item in value.items():
        where = (*pointer, name)
        if name == "severity":
            if item in _SEVERITIES:
                severity = Severity(item)
            else:
                problems.append((source.locate(where), f"severity '{item}' of {pointer[1]}; "
                                 f"expected one of: {', '.join(_SEVERITIES)}"))
        elif name == "enabled":
            if isinstance(item, bool):
                enabled = item
            else:
                problems.append((source.locate(where), f"enabled of {pointer[1]} must be true or false"))
        elif len(selected) > 1:
            problems.append((source.locate(where), f"'{name}': parameters belong to one "
                             f"rule, and '{pointer[1]}' selects {len(selected)} rules; set "
                             "them under the rule's id"))
        else:
            try:
                converted = _param(source, where, rule, name, item)
            except ConfigError as exc:
                problems.extend(exc.problems)
                continue
            if converted is not None:
                params[name] = converted
    if problems:
        raise ConfigError(problems)
    return enabled, severity, params


def _param(source: ConfigSource, where: tuple, rule: Rule, name: str, value: Any) -> Any:
    param = rule.param(name)
    valid = ["severity", "enabled", *(p.name for p in rule.params)]
    if param is None:
        raise source.error(where, f"{rule.id} ({rule.name}) has no parameter '{name}'; "
                                  f"{_suggest(name, valid)}expected one of: {', '.join(valid)}")
    try:
        return param.convert(value)
    except ValueError as exc:
        raise source.error(where, f"{rule.id} {name}: {exc}") from None


def custom_rule(source: ConfigSource, pointer: tuple, spec: dict[str, Any],
                 known: dict[str, Rule]) -> CustomRule:
    rule_id, name = spec["id"], spec["name"]
    bad_names = []  # both at once: every mistake of a file is listed in one run
    if not _CUSTOM_ID.match(rule_id) or rule_id.startswith("NHI"):
        bad_names.append((source.locate((*pointer, "id")), f"custom rule id '{rule_id}': use "
                          "capital letters then three digits, not starting with NHI (reserved "
                          "for nhilint's own rules), e.g. ACME101"))
    if not _RULE_NAME.match(name):
        bad_names.append((source.locate((*pointer, "name")), f"custom rule name '{name}': use "
                          "lowercase words joined by hyphens, e.g. no-password-credentials"))
    if bad_names:
        raise ConfigError(bad_names)
    existing = known.get(rule_id)
    if existing is not None and (existing.id in builtin_rules() or existing.name != name):
        raise source.error((*pointer, "id"), f"rule id {rule_id} is already taken by {existing.name}")
    has_inline, has_file = "rego" in spec, "file" in spec
    if has_inline == has_file:
        raise source.error(pointer, f"custom rule {rule_id} needs exactly one of 'rego' (the module "
                                    "inline) or 'file' (its path)")
    if has_file:
        file = Path(spec["file"])
        if not file.is_absolute():
            file = (source.base_dir or Path.cwd()) / file
        module_name = display(file)
        module = read_text(file, module_name, source.locate((*pointer, "file")))
    else:
        module_name, module = f"{source.path}#{rule_id}", spec["rego"]
    package = _REGO_PACKAGE.search(module)
    if "query" in spec:
        query = spec["query"]
    elif package:
        query = f"data.{package.group(1)}.violation"
    else:
        raise source.error(pointer, f"custom rule {rule_id}: the Rego module has no 'package' line")
    record = Rule(id=rule_id, name=name, category=spec.get("category", "custom"),
                  severity=Severity(spec.get("severity", "warning")), summary=spec["summary"],
                  rationale=spec.get("rationale", ""), remediation=spec.get("remediation", ""),
                  references=tuple(spec.get("references", ())))
    custom = CustomRule(rule=record, module_name=module_name, module=module, query=query,
                        declared_at=source.locate(pointer))
    from nhilint.custom_rules import compile_error

    problem = compile_error(custom)
    if problem:
        raise source.error(pointer, f"custom rule {rule_id}: the Rego does not compile: {problem}")
    return custom
