"""Integers of 4,301 digits or more (issue 13, kind 4): int() refuses them (and str() of a
bigger int), so every reader bounds its integers. TOML's are in test_toml.py, YAML's in
test_shapes.py."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from nhilint.cedar.parser import CedarSyntaxError, parse
from tests.robustness.conftest import MANIFEST, findings, lint, write

HUGE = "1" + "0" * 5000


def test_huge_integer_in_cedar_is_nhi607_at_its_line(tmp_path: Path) -> None:
    write(tmp_path, {"p.cedar": f"permit(principal, action, resource)\nwhen {{ context.x == {HUGE} }};\n",
                     "q.cedar": "permit(principal, action, resource)\n"
                                "when { context.x == -9223372036854775808 && context.y == \"\\u{ffffff}\" };\n"})
    code, found = findings(tmp_path)
    assert (code, found) == (1, [("p.cedar", 2, "NHI607"), ("q.cedar", 2, "NHI607")])


def test_huge_integer_in_rego_is_read(tmp_path: Path) -> None:
    write(tmp_path, {"p.rego": f"package x\n\nallow if {{\n  input.x == {HUGE}\n  input.y == 2\n}}\n"})
    code, found = findings(tmp_path)
    assert (code, found) == (1, [("p.rego", 3, "NHI704")])


def test_huge_integer_in_json_manifest_is_nhi002(tmp_path: Path) -> None:
    write(tmp_path, {"a.json": '{"apiVersion": "nhilint/v1", "kind": "AgentManifest",\n'
                               f' "metadata": {{"name": "a"}},\n "delegation": {{"max_depth": {HUGE}}}}}\n'})
    code, found = findings(tmp_path)
    assert code == 1 and [f for f in found if f[2] == "NHI002"] == [("a.json", 3, "NHI002")]


def test_cedar_parser_bounds_longs_itself() -> None:
    """nhilint's own Cedar parser, which cedarpy need not have seen first."""
    assert parse("p.cedar", "permit(principal, action, resource) when { context.x == -9223372036854775808 };")
    for number in (HUGE, "9223372036854775809"):
        with pytest.raises(CedarSyntaxError, match="out of range") as error:
            parse("p.cedar", f"permit(principal, action, resource)\nwhen {{ context.x == {number} }};")
        assert (error.value.line, error.value.column) == (2, 21)


def test_huge_integer_in_invalid_json_is_located(tmp_path: Path) -> None:
    """The JSON reader's error path re-reads the file with json, whose int() has the limit."""
    write(tmp_path, {"a.json": '{"apiVersion": "nhilint/v1", "kind": "AgentManifest",\n'
                               f' "metadata": {{"name": "a"}}, "x": {HUGE} "y": 2}}\n'})
    code, found = findings(tmp_path)
    assert (code, found) == (1, [("a.json", 2, "NHI001")])


def test_huge_integer_in_a_baseline_is_exit_2(tmp_path: Path) -> None:
    write(tmp_path, {"a.yaml": MANIFEST, "base.json": f'{{"version": {HUGE}, "findings": []}}'})
    result = lint("--baseline", tmp_path / "base.json", tmp_path)
    assert result.exit_code == 2 and "is not an nhilint baseline of version 1" in result.output


def test_deep_or_huge_json_inside_a_kubernetes_secret(tmp_path: Path) -> None:
    """A Secret's base64 value that decodes to JSON is parsed to scan its fields: json's
    RecursionError (deep) and int() limit (huge) were not caught there."""
    deep = base64.b64encode(b'{"a":' * 100_000).decode()
    huge = base64.b64encode(b'{"x": ' + HUGE.encode() + b"}").decode()
    token = base64.b64encode(b"ghp_" + b"A1b2C3d4" * 5).decode()
    write(tmp_path, {"secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n"
                                    f"  deep: {deep}\n  huge: {huge}\n  token: {token}\n"})
    code, found = findings(tmp_path)
    assert (code, [f for f in found if f[2] == "NHI204"]) == (1, [("secret.yaml", 7, "NHI204")])
