"""Resolved settings for a run: which rules are on, at what severity, with what parameters.

Built from the rules' own metadata (the defaults), then adjusted by configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nhilint.model import Severity
from nhilint.rules import all_rules


@dataclass
class RuleSettings:
    enabled: bool
    severity: Severity
    params: dict[str, Any]


@dataclass
class Settings:
    rules: dict[str, RuleSettings]
    fail_on: Severity = Severity.WARNING
    exclude: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    inline_ignores: bool = True


def default_settings() -> Settings:
    return Settings(rules={
        rule.id: RuleSettings(rule.enabled_by_default, rule.severity, rule.default_params())
        for rule in all_rules().values()
    })
