"""The rule catalogue as data: `nhilint rules --format json`, one document for tools
(a policy portal, a compliance mapping) that would otherwise scrape the Markdown."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from nhilint import __version__
from nhilint.rules import Rule
from nhilint.rules.references import REFERENCES


def rule_record(rule: Rule) -> dict[str, Any]:
    """Every piece of a rule's metadata; parameter defaults as a configuration writes them."""
    return {
        "id": rule.id, "name": rule.name, "category": rule.category,
        "severity": rule.severity.value, "enabled_by_default": rule.enabled_by_default,
        "summary": rule.summary, "rationale": rule.rationale, "remediation": rule.remediation,
        "parameters": [{"name": p.name, "kind": p.kind, "default": p.show(p.convert(p.default)),
                        "description": p.description} for p in rule.params],
        "references": [{"id": ref, "title": REFERENCES.get(ref, "")} for ref in rule.references],
    }


def render(rules: Iterable[Rule]) -> str:
    document = {"version": __version__, "rules": [rule_record(rule) for rule in rules]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
