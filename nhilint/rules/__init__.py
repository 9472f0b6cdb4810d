"""The rule registry: every rule's metadata is declared once, on the rule.

A rule is a `Rule` record made by the `@rule(...)` decorator over a pure check function.
Each category module lists its rules in a `RULES` tuple; `CATEGORY_MODULES` lists the
modules. `nhilint rules`, `nhilint explain`, config validation, the presets, SARIF rule
descriptors and `docs/rules/` all read these records and nothing else.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from nhilint.durations import format_duration, parse_parameter_duration
from nhilint.model import SHOWN_IN_A_MESSAGE as SHOWN_IN_A_MESSAGE  # re-exported: how rule messages name a few of many
from nhilint.model import Inventory, Severity, Violation
from nhilint.model import first_few as first_few

# Hosts that never leave the machine (0.0.0.0, as a client's address, is this host)
_LOOPBACK = re.compile(r"^(?:localhost|127(?:\.\d{1,3}){3}|::1|0\.0\.0\.0)$|\.localhost$")


def plain_http_host(url: str, templates: tuple[str, ...] = ("${",)) -> str:
    """The host of a plain `http://` URL that leaves the machine, or "" (https, loopback, a
    URL with one of `templates` in it such as `${HOST}`, or no URL at all)."""
    import urllib.parse  # only the rules that read URLs need it

    try:
        parts = urllib.parse.urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:
        return ""
    if parts.scheme.lower() != "http" or not host or _LOOPBACK.search(host) or any(t in url for t in templates):
        return ""
    return host


CATEGORY_MODULES: tuple[str, ...] = (
    "nhilint.rules.input",
    "nhilint.rules.inventory",
    "nhilint.rules.credentials",
    "nhilint.rules.privilege",
    "nhilint.rules.kubernetes",
    "nhilint.rules.aws",
    "nhilint.rules.platform",
    "nhilint.rules.mcp",
    "nhilint.rules.agent_cards",
    "nhilint.rules.delegation",
    "nhilint.rules.oversight",
    "nhilint.rules.cedar",
    "nhilint.rules.rego",
    "nhilint.rules.workflows",
)

RULE_ID = re.compile(r"^NHI\d{3}$")
RULE_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Param:
    """A rule parameter: its default, its kind (which decides how a value is checked), and what it does."""

    name: str
    default: Any
    kind: str  # duration | int | bool | str | list
    description: str

    def convert(self, value: Any) -> Any:
        """The value a check receives (durations in seconds); ValueError names what was expected."""
        if self.kind == "duration":
            return parse_parameter_duration(value)
        if self.kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"'{value}' is not an integer")
            return value
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"'{value}' is not true or false")
            return value
        if self.kind == "list":
            if isinstance(value, str) or not isinstance(value, (list, tuple)):
                raise ValueError(f"'{value}' is not a list")
            return tuple(str(item) for item in value)
        if not isinstance(value, str):
            raise ValueError(f"'{value}' is not a string")
        return value

    def show(self, value: Any) -> str:
        if self.kind == "duration" and isinstance(value, (int, float)):
            return format_duration(value)
        if isinstance(value, (list, tuple)):
            return ", ".join(str(v) for v in value)
        return str(value).lower() if isinstance(value, bool) else str(value)


@dataclass(frozen=True)
class RuleContext:
    """What a check may know beyond its target: resolved parameters, the whole inventory, today."""

    params: Mapping[str, Any]
    inventory: Inventory
    today: dt.date


Check = Callable[[Any, RuleContext], Iterable[Violation]]


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    category: str
    severity: Severity
    summary: str
    rationale: str
    remediation: str
    references: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    # The model types whose objects the engine passes to `check`, one at a time
    # (`Inventory` for rules that need every file). Empty for rules that sources and the
    # engine report themselves (parse errors, suppression problems). A type may be named
    # "package.module.Class" when its module is costly to import (a policy AST): objects of
    # it exist only once a source has imported the module, so the engine looks for them only then.
    targets: tuple[type | str, ...] = ()
    check: Check | None = field(default=None, compare=False)
    bad_example: str = ""
    good_example: str = ""
    example_language: str = "yaml"
    enabled_by_default: bool = True

    def default_params(self) -> dict[str, Any]:
        return {p.name: p.convert(p.default) for p in self.params}

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


def rule(*, id: str, name: str, category: str, severity: str, summary: str, rationale: str,
         remediation: str, references: Iterable[str] = (), params: Iterable[Param] = (),
         targets: Iterable[type | str] = (), bad: str = "", good: str = "", language: str = "yaml",
         enabled: bool = True) -> Callable[[Check | None], Rule]:
    """Declare a rule over a check function (or, with no targets, a rule reported elsewhere)."""

    def make(check: Check | None) -> Rule:
        if not RULE_ID.match(id) or not RULE_NAME.match(name):
            raise ValueError(f"bad rule id or name: {id} {name}")
        return Rule(id=id, name=name, category=category, severity=Severity(severity),
                    summary=summary, rationale=rationale, remediation=remediation,
                    references=tuple(references), params=tuple(params), targets=tuple(targets),
                    check=check, bad_example=bad.strip("\n"), good_example=good.strip("\n"),
                    example_language=language, enabled_by_default=enabled)

    return make


class LazyModule:
    """A module imported on first attribute access: lets a rule module refer to a costly
    policy AST (`ast.Binary`) without loading it on runs that read no such policy."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        module = importlib.import_module(self._name)
        self.__dict__.update(vars(module))
        return getattr(module, attribute)


def reported(**meta: Any) -> Rule:
    """A rule with no check of its own: a source or the engine reports it (parse errors, ...)."""
    return rule(**meta)(None)


# Rules that rulesets define in Rego (nhilint.config registers them when it loads one), so
# reporters, `explain` and SARIF descriptors see them like built-in rules.
_CUSTOM_RULES: dict[str, Rule] = {}


def register_custom_rules(rules: Iterable[Rule]) -> None:
    for item in rules:
        _CUSTOM_RULES[item.id] = item


def all_rules() -> dict[str, Rule]:
    """Every rule by id, in id order: the built-in ones and any registered custom rules."""
    if not _CUSTOM_RULES:
        return builtin_rules()
    return dict(sorted({**_CUSTOM_RULES, **builtin_rules()}.items()))


@lru_cache(maxsize=1)
def builtin_rules() -> dict[str, Rule]:
    """Every built-in rule by id, in id order. Importing a category module is cheap: checks
    import heavy libraries (if any) only when they run."""
    rules: dict[str, Rule] = {}
    for module_name in CATEGORY_MODULES:
        for item in importlib.import_module(module_name).RULES:
            if item.id in rules:
                raise ValueError(f"duplicate rule id {item.id}")
            rules[item.id] = item
    return dict(sorted(rules.items()))


def get(rule_id: str) -> Rule:
    return all_rules()[rule_id]
