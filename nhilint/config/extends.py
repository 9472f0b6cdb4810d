"""Resolving `extends`: the chain of rulesets a project file names, applied onto the defaults.

Each file's bases are applied before the file itself, in order, so a later value wins and
remembers its origin; a ruleset reached twice (a diamond) applies once, a cycle is a
problem naming the chain. Every file is checked (`validation`) on its way in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nhilint.config.files import ConfigSource, display, load_file, resolve_ref
from nhilint.config.settings import ConfigError, CustomRule, RuleSettings, Settings, default_settings
from nhilint.config.validation import custom_rule, entry_value, rule_keys, shape_problems, well_shaped_part
from nhilint.model import Location, Severity
from nhilint.rules import Rule, builtin_rules, register_custom_rules


def _extends(source: ConfigSource) -> list[tuple[str, tuple]]:
    value = source.data.get("extends", [])
    if isinstance(value, str):
        return [(value, ("extends",))]
    return [(ref, ("extends", index)) for index, ref in enumerate(value)]


def _short(key: str) -> str:
    return display(Path(key)) if key.startswith("/") else key


class _Resolver:
    """Applies a chain of files onto the defaults, base rulesets first.

    Problems are collected, not raised one at a time: `result()` raises them all at once, so
    a user fixing a file sees every mistake in one run.
    """

    def __init__(self, validated: set[str] | None = None) -> None:
        # keys of files already checked against the schema (shared across the projects of a
        # run: forty projects extending one org ruleset validate it once)
        self.validated = validated if validated is not None else set()
        self.settings = default_settings()
        self.rules: dict[str, Rule] = dict(builtin_rules())
        self.applied: set[str] = set()
        self.sources: list[str] = []
        self.custom: dict[str, CustomRule] = {}
        self.problems: list[tuple[Location, str]] = []

    def _collect(self, step: Callable[..., Any], *args: Any) -> Any:
        """`step(*args)`, or None after recording its ConfigError."""
        try:
            return step(*args)
        except ConfigError as exc:
            self.problems.extend(exc.problems)
            return None

    def apply(self, source: ConfigSource, chain: tuple[str, ...] = (),
              named_at: Location | None = None) -> None:
        if source.key in chain:
            names = [*chain[chain.index(source.key):], source.key]
            self.problems.append((named_at or source.locate(()), "extends cycle: " + " -> ".join(
                _short(k) for k in names) + "; remove one of these extends"))
            return
        if source.key not in self.validated:
            misshapen = shape_problems(source)
            self.problems.extend((source.locate(pointer), message) for pointer, message in misshapen)
            if misshapen:  # check what can still be read, so every mistake is listed at once
                data = well_shaped_part(source.data, (pointer for pointer, _ in misshapen))
                if data is None:
                    return
                source = dataclasses.replace(source, data=data)
            else:
                self.validated.add(source.key)
        for ref, pointer in _extends(source):
            at = source.locate(pointer)
            parent = self._collect(resolve_ref, ref, source, at)
            if parent is not None:
                self.apply(parent, (*chain, source.key), at)
        if source.key in self.applied:  # a ruleset reached twice (a diamond) applies once
            return
        self.applied.add(source.key)
        self.sources.append(source.label)
        self._custom_rules(source)
        self._top_level(source)
        self._rule_entries(source)

    def _top_level(self, source: ConfigSource) -> None:
        data, settings = source.data, self.settings
        if "fail_on" in data:
            settings.fail_on = Severity(data["fail_on"])
            settings.origins["fail_on"] = source.origin(("fail_on",))
        if data.get("exclude"):
            settings.exclude = (*settings.exclude, *data["exclude"])
            settings.origins["exclude"] = source.origin(("exclude",))
        for pattern, ids in data.get("per_file_ignores", {}).items():
            for index, rule_id in enumerate(ids):
                self._collect(rule_keys, source, ("per_file_ignores", pattern, index), rule_id, self.rules)
            settings.per_file_ignores[pattern] = tuple(i.upper() for i in ids)
            settings.origins[f"per_file_ignores.{pattern}"] = source.origin(("per_file_ignores", pattern))
        schema = data.get("cedar", {}).get("schema")
        if schema:
            settings.cedar_schema = display((source.base_dir or Path.cwd()) / schema)
            settings.origins["cedar.schema"] = source.origin(("cedar", "schema"))

    def _rule_entries(self, source: ConfigSource) -> None:
        entries = []
        for key, value in source.data.get("rules", {}).items():
            selected = self._collect(rule_keys, source, ("rules", key), str(key), self.rules)
            if selected:
                entries.append((key, value, selected))
        # Broad selections first, so `NHI2: off` with `NHI204: on` keeps NHI204 whatever the order.
        for key, value, selected in sorted(entries, key=lambda entry: len(entry[2]), reverse=True):
            pointer = ("rules", key)
            setting = self._collect(entry_value, source, pointer, selected, value, self.rules)
            if setting is None:
                continue
            enabled, severity, params = setting
            origin = source.origin(pointer)
            for rule_id in selected:
                current = self.settings.rules[rule_id]
                current.enabled = enabled
                self.settings.origins[f"rules.{rule_id}.enabled"] = origin
                if severity is not None:
                    current.severity = severity
                    self.settings.origins[f"rules.{rule_id}.severity"] = origin
                for name, converted in params.items():
                    current.params[name] = converted
                    self.settings.origins[f"rules.{rule_id}.{name}"] = source.origin((*pointer, name))

    def _custom_rules(self, source: ConfigSource) -> None:
        for index, spec in enumerate(source.data.get("custom_rules", [])):
            custom = self._collect(custom_rule, source, ("custom_rules", index), spec, self.rules)
            if custom is None:
                continue
            self.rules[custom.rule.id] = custom.rule
            self.custom[custom.rule.id] = custom
            self.settings.rules[custom.rule.id] = RuleSettings(True, custom.rule.severity, {})
            self.settings.origins[f"rules.{custom.rule.id}.enabled"] = source.origin(("custom_rules", index))

    def result(self, base_dir: Path | None) -> Settings:
        if self.problems:
            raise ConfigError(self.problems)
        self.settings.sources = tuple(self.sources)
        self.settings.base_dir = base_dir
        self.settings.custom_rules = tuple(self.custom[k] for k in sorted(self.custom))
        register_custom_rules(c.rule for c in self.settings.custom_rules)
        return self.settings


def resolve(file: Path | None, validated: set[str] | None = None) -> Settings:
    """The settings a project file (None: the defaults) and its rulesets resolve to."""
    resolver = _Resolver(validated)
    if file is None:
        return resolver.result(None)
    source = load_file(file)
    resolver.apply(source)
    return resolver.result(source.base_dir)
