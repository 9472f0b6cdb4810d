"""The Rego grammar: the conformance suite (tests/rego/conformance.py), located errors,
positions, version bookkeeping, and that linting other files never loads lark."""

from __future__ import annotations

import subprocess
import sys

import pytest

from nhilint.model import Location
from nhilint.rego import ast
from nhilint.rego.parser import RegoSyntaxError, parse_module
from tests.rego.conformance import BODIES, ERRORS, EXPRESSIONS, MODULES
from tests.rego.shape import shape


def test_the_suite_is_large_enough() -> None:
    assert len(EXPRESSIONS) + len(BODIES) + len(MODULES) >= 150
    assert len(ERRORS) >= 20


@pytest.mark.parametrize(("source", "expected"), EXPRESSIONS, ids=[s for s, _ in EXPRESSIONS])
def test_expression_shape(source: str, expected: str) -> None:
    module = parse_module("t.rego", f"package t\n\np := {source}\n")
    (rule,) = module.rules
    assert shape(rule.value) == expected


@pytest.mark.parametrize(("source", "expected"), BODIES, ids=[s for s, _ in BODIES])
def test_body_shape(source: str, expected: str) -> None:
    module = parse_module("t.rego", f"package t\n\np if {{\n{source}\n}}\n")
    (rule,) = module.rules
    assert shape(rule.body) == expected


@pytest.mark.parametrize(("source", "expected"), MODULES, ids=[s.split("\n", 1)[-1] for s, _ in MODULES])
def test_module_shape(source: str, expected: str) -> None:
    assert shape(parse_module("t.rego", source)) == expected


@pytest.mark.parametrize(("source", "line", "column", "message"), ERRORS, ids=[e[0] for e in ERRORS])
def test_error_is_located(source: str, line: int, column: int, message: str) -> None:
    with pytest.raises(RegoSyntaxError) as raised:
        parse_module("t.rego", source)
    error = raised.value
    assert (error.line, error.column) == (line, column), error.message
    assert message in error.message


def test_positions_point_at_each_element() -> None:
    module = parse_module("t.rego", 'package agents.tools\n\ndefault allow := false\n\n'
                                    'allow if {\n    input.tool == "*"\n    not deny\n}\n')
    default, allow = module.rules
    assert default.location == Location("t.rego", 3, 1, 3, 22)
    assert allow.location == Location("t.rego", 5, 1, 8, 1)
    assert allow.head_location == Location("t.rego", 5, 1, 5, 5)
    compare, negation = allow.body.literals
    assert compare.location == Location("t.rego", 6, 5, 6, 21)
    assert compare.expr.right.location == Location("t.rego", 6, 19, 6, 21)
    assert negation.location == Location("t.rego", 7, 5, 7, 12)
    assert module.package.location == Location("t.rego", 1, 9, 1, 20)


def test_comments_are_kept_with_their_positions() -> None:
    module = parse_module("t.rego", '# METADATA\npackage t # the package\n\nx := "#not" # why $"{y}"\n'
                                    'm := $"{z}"\n  # last')
    assert [(c.text, c.location) for c in module.comments] == [
        ("# METADATA", Location("t.rego", 1, 1, 1, 10)),
        ("# the package", Location("t.rego", 2, 11, 2, 23)),
        ('# why $"{y}"', Location("t.rego", 4, 13, 4, 24)),
        ("# last", Location("t.rego", 6, 3, 6, 8)),
    ]


def test_template_expressions_keep_their_file_positions() -> None:
    module = parse_module("t.rego", 'package t\nmsg := $"agent {input.agent.id} denied"\n')
    template = module.rules[0].value
    assert template.parts[1].location == Location("t.rego", 2, 17, 2, 30)


def test_a_byte_order_mark_is_not_an_error() -> None:
    module = parse_module("t.rego", "\ufeffpackage t\nallow := false\n")
    assert module.rules[0].location == Location("t.rego", 2, 1, 2, 14)


def test_multiline_tokens_advance_lines() -> None:
    module = parse_module("t.rego", "package t\nx := `a\nb\nc`\ny := 1\n")
    assert [r.location.line for r in module.rules] == [2, 5]
    assert module.rules[0].value.location == Location("t.rego", 2, 6, 4, 2)


def test_rule_index_names_and_calls() -> None:
    module = parse_module("t.rego", "package p.q\nallow if {\n  ok\n  data.p.q.valid\n"
                                    "  time.now_ns() > f(input.x)\n}\n")
    rule = module.rules[0]
    assert {"ok", "data.p.q.valid", "input"} <= rule.names
    assert [c.name for c in rule.calls] == ["time.now_ns", "f"]


def test_versions_follow_imports() -> None:
    v1 = parse_module("t.rego", "package p\nimport rego.v1\nallow if true\n")
    v0 = parse_module("t.rego", "package p\nimport future.keywords.if\nallow if true\n")
    neither = parse_module("t.rego", "package p\nallow { true }\n")
    assert (v1.declared_version, v0.declared_version, neither.declared_version) == ("v1", "v0", None)
    assert v0.future_keywords == {"if"}
    assert [i.needs for i in v1.version_issues] == ["if"]
    assert [(i.needs, i.location.line, i.location.column) for i in neither.version_issues] == [
        ("v0-body", 2, 7)]


def test_walk_visits_every_node_in_source_order() -> None:
    module = parse_module("t.rego", "package p\nallow if { a == b; c }\n")
    names = [n.name for n in module.rules[0].body.walk() if isinstance(n, ast.Var)]
    assert names == ["a", "b", "c"]


def test_linting_other_files_never_imports_lark(tmp_path) -> None:
    (tmp_path / "agent.yaml").write_text("apiVersion: nhilint/v1\nkind: AgentManifest\n"
                                         "metadata:\n  name: a\n")
    code = ("import sys; from nhilint.api import lint_paths; "
            f"lint_paths([{str(tmp_path)!r}]); print('lark' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_long_runs_of_blanks_are_read_in_linear_time() -> None:
    """A regex that backtracks through spaces made these hang; a subprocess bounds the test."""
    code = ("from nhilint.rego.parser import parse_module, RegoSyntaxError\n"
            "parse_module('a.rego', 'package p\\nx := 1' + ' ' * 200000)\n"
            "try:\n"
            "    parse_module('b.rego', 'package p\\nx := $\"{' + ' ' * 3000 + '}\"\\n')\n"
            "except RegoSyntaxError as error:\n"
            "    print(error.line, error.column)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["2", "3009"], out.stderr


def test_a_file_only_v0_reads_carries_the_v1_error() -> None:
    module = parse_module("t.rego", "package p\n\nevery[x] {\n  x := 1\n}\n")
    assert [(i.needs, i.location.line, i.location.column, i.message) for i in module.version_issues] == [
        ("v0-body", 3, 10, ""), ("v0-names", 3, 1, "unexpected keyword 'every'; expected an expression")]


def test_a_file_neither_reading_accepts_reports_the_first_error() -> None:
    """The v0 reading (`in` a name) fails elsewhere; the error is the first reading's."""
    with pytest.raises(RegoSyntaxError) as raised:
        parse_module("t.rego", "package p\nin := 1\nx := := 2\n")
    assert (raised.value.line, raised.value.column) == (2, 1)


def test_an_imported_keyword_stays_a_keyword_in_the_v0_reading() -> None:
    with pytest.raises(RegoSyntaxError) as raised:
        parse_module("t.rego", "package p\nimport future.keywords.in\nin := 1\n")
    assert (raised.value.line, raised.value.column) == (3, 1)
