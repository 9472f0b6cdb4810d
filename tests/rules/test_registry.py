"""Tests over the whole rule set: ids, names, metadata, registration, and the documented examples."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import nhilint.rules
from nhilint.api import lint_paths
from nhilint.rules import CATEGORY_MODULES, RULE_ID, all_rules
from nhilint.rules.references import REFERENCES
from tests.conftest import TODAY

EXAMPLE_FILE = {"yaml": "agent.yaml", "json": "agent.json", "cedar": "policy.cedar", "rego": "policy.rego",
                "toml": "config.toml"}


def example_path(rule: object, example: str) -> str:
    """Where an example is written: the path its first line names (`# .github/workflows/ci.yml`,
    for a format known by its place), else the file of the example's language."""
    first = example.split("\n", 1)[0]
    if first.startswith("# ") and "/" in first and " " not in first[2:].strip():
        return first[2:].strip()
    return EXAMPLE_FILE[rule.example_language]  # type: ignore[attr-defined]


def test_ids_and_names_are_unique_and_well_formed() -> None:
    rules = all_rules()
    names = [r.name for r in rules.values()]
    assert len(names) == len(set(names))
    for rule_id, rule in rules.items():
        assert RULE_ID.match(rule_id) and rule.id == rule_id


def test_every_rule_module_is_registered() -> None:
    package = Path(nhilint.rules.__file__).parent
    modules = {f"nhilint.rules.{m.name}" for m in pkgutil.iter_modules([str(package)])}
    modules.discard("nhilint.rules.references")
    assert modules == set(CATEGORY_MODULES)


@pytest.mark.parametrize("rule_id", list(all_rules()))
def test_metadata_is_complete(rule_id: str) -> None:
    rule = all_rules()[rule_id]
    assert rule.summary and rule.rationale and rule.remediation
    assert rule.bad_example and rule.good_example, "explain shows a bad and a good example"
    assert rule.example_language in EXAMPLE_FILE
    for reference in rule.references:
        assert reference in REFERENCES, f"{rule_id} cites unknown reference {reference}"
    for param in rule.params:
        param.convert(param.default)  # the default must be valid for its kind
        assert param.description


@pytest.mark.parametrize("rule_id", [r for r, rule in all_rules().items() if rule.check is not None])
def test_documented_examples_behave(rule_id: str, tmp_path: Path) -> None:
    """The bad example of `nhilint explain` fires the rule; the good one does not."""
    rule = all_rules()[rule_id]
    for kind, example, should_fire in (("bad", rule.bad_example, True), ("good", rule.good_example, False)):
        folder = tmp_path / kind
        path = folder / example_path(rule, example)
        path.parent.mkdir(parents=True)
        path.write_text(example + "\n", encoding="utf-8")
        fired = [f for f in lint_paths([str(folder)], today=TODAY).findings if f.rule == rule_id]
        assert bool(fired) == should_fire, f"{rule_id} {kind} example: {[f.message for f in fired]}"


def test_rule_modules_import_nothing_heavy() -> None:
    """Rule modules are imported on every run: they must not pull in engines or parsers."""
    import subprocess
    import sys

    code = ("import sys; from nhilint.rules import all_rules; all_rules(); "
            "print(sorted(m for m in ('cedarpy', 'regorus', 'lark', 'jsonschema') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_category_modules_import() -> None:
    for name in CATEGORY_MODULES:
        assert importlib.import_module(name).RULES
