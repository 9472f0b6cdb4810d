"""Tracebacks from a few bytes of YAML (issue 13, kinds 1 to 3): empty tagged scalars, a
scalar where the manifest wants a list, a mapping key that is not a string, a TTL written
with a superscript digit. Each is NHI002 at the key's line, and the run goes on."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.robustness.conftest import MANIFEST, findings, rules_at, write


@pytest.mark.parametrize("tag", ["!!int", "!!float"])
def test_empty_tagged_number_is_a_string_not_a_crash(tmp_path: Path, tag: str) -> None:
    write(tmp_path, {"a.yaml": MANIFEST + f"delegation:\n  allowed: true\n  max_depth: {tag}\n",
                     "b.yaml": f"x: {tag}\ny: {tag}\n"})
    code, found = findings(tmp_path)
    assert code == 1
    assert rules_at(found) == [("a.yaml", 6, "NHI002")]  # max_depth must be an integer


def test_huge_yaml_number_stays_text(tmp_path: Path) -> None:
    write(tmp_path, {"a.yaml": MANIFEST + "delegation:\n  allowed: true\n"
                                          f"  max_depth: {'9' * 5000}\n  x-hex: 0x{'f' * 50000}\n"})
    code, found = findings(tmp_path)
    assert (code, rules_at(found)) == (1, [("a.yaml", 6, "NHI002")])


@pytest.mark.parametrize(("tail", "line"), [
    ("credentials: 1.5\n", 4),
    ("tools: 1\n", 4),
    ("1: x\n", 4),
    ("credentials:\n  - name: c\n    ttl: 1h\n    2: x\n", 7),
    ("tools:\n  - name: t\n    actions: 5\n", 6),
    ("tools:\n  - 7\n", 5),
    ("metadata: [a]\n", 3),
])
def test_value_of_the_wrong_type_is_nhi002_at_its_line(tmp_path: Path, tail: str, line: int) -> None:
    text = MANIFEST.replace("metadata: {name: a}\n", "") if tail.startswith("metadata") else MANIFEST
    write(tmp_path, {"a.yaml": text + tail})
    code, found = findings(tmp_path)
    assert (code, rules_at(found)) == (1, [("a.yaml", line, "NHI002")])


def test_ttl_with_a_superscript_digit(tmp_path: Path) -> None:
    write(tmp_path, {"a.yaml": MANIFEST + 'credentials:\n  - name: c\n    ttl: "²"\n'
                                          '  - name: d\n    ttl: "\u0661\u0662h"\n'})
    code, found = findings(tmp_path)
    assert code == 1
    assert rules_at(found) == [("a.yaml", 6, "NHI002")]
    assert ("a.yaml", 8, "NHI202") in found  # twelve hours (Arabic-Indic digits) is a duration
