"""nhilint's Cedar reader: Cedar's own tree for every input, exact spans, located errors."""

from __future__ import annotations

from pathlib import Path

import cedarpy
import pytest

from nhilint.cedar import ast, parser
from tests.cedar import pst_oracle
from tests.conftest import EXAMPLES, SHARED

DATA = Path(__file__).parent / "data"


def _cedar_files() -> list[Path]:
    files = sorted(DATA.glob("*.cedar")) + sorted((EXAMPLES / "policies").rglob("*.cedar"))
    return files + sorted((SHARED / "corpus" / "cedar-examples").rglob("*.cedar"))


@pytest.mark.parametrize("file", _cedar_files(), ids=lambda p: p.parent.name + "/" + p.name)
def test_reads_the_tree_cedar_reads(file: Path) -> None:
    """Converted to cedarpy's node types, our tree equals policies_to_pst's: every policy,
    scope element, condition, operator, literal and annotation is the one Cedar means."""
    text = file.read_text(encoding="utf-8")
    policies = parser.parse(str(file), text).policies
    assert pst_oracle.policy_set(policies) == cedarpy.policies_to_pst(text)


def test_corpus_is_present_for_the_comparison(shared_corpus: Path) -> None:
    assert len(list((shared_corpus / "cedar-examples").rglob("*.cedar"))) == 11


POLICY = '''// header
@id("read-reports")
@owner("analytics")
permit (
  principal == Agent::"report-writer",
  action in [Action::"read", Action::"list"],
  resource is Report in Folder::"reports"
)
when { context.token_age_seconds < 300 }
unless { resource.path like "private/*" };
'''


def _span(loc) -> tuple[int, int, int, int]:
    return (loc.line, loc.column, loc.end_line, loc.end_column)


def test_spans_of_policy_effect_scope_conditions_and_annotations() -> None:
    [policy] = parser.parse("p.cedar", POLICY).policies
    assert _span(policy.location) == (2, 1, 10, 42)  # first annotation to the `;`
    assert _span(policy.at("effect")) == (4, 1, 4, 6)
    assert [(a.key, a.value, _span(a.location)) for a in policy.annotations] == [
        ("id", "read-reports", (2, 1, 2, 19)), ("owner", "analytics", (3, 1, 3, 19))]
    assert [_span(e.location) for e in policy.scope] == [(5, 3, 5, 37), (6, 3, 6, 44), (7, 3, 7, 41)]
    assert policy.principal.text == 'principal == Agent::"report-writer"'
    assert [str(e) for e in policy.action.entities] == ['Action::"read"', 'Action::"list"']
    assert (policy.resource.operator, policy.resource.entity_type) == ("is", "Report")
    assert [(c.kind, _span(c.location)) for c in policy.conditions] == [
        ("when", (9, 1, 9, 40)), ("unless", (10, 1, 10, 41))]
    like = next(n for n in ast.walk(policy.conditions[1].body) if isinstance(n, ast.Like))
    assert _span(like.location) == (10, 10, 10, 39)
    assert policy.id == "read-reports" and policy.cedar_id == "policy0"


def test_scope_text_for_messages_is_one_line() -> None:
    [policy] = parser.parse("p.cedar", 'permit (principal ==\n    Agent::"a  b", action, resource);').policies
    assert policy.principal.text == 'principal == Agent::"a  b"'


def test_policy_sources_are_each_policys_text() -> None:
    text = 'permit (principal, action, resource);\n  @id("b")\nforbid (principal, action, resource);'
    assert parser.parse("p.cedar", text).sources == [
        "permit (principal, action, resource);", '@id("b")\nforbid (principal, action, resource);']


@pytest.mark.parametrize(("text", "line", "column", "message"), [
    ("permit (principal, action, resource)\nwhen { context.x == };", 2, 21, "expected an expression, found `}`"),
    ("permit (principal, action resource);", 1, 27, "expected `,` after the action, found `resource`"),
    ("permit (principal, action, resource)", 1, 37, "expected `;` at the end of the policy, found the end of the file"),
    ("permit (principal, action, resource); garbage", 1, 39, "expected a policy (`permit` or `forbid`), found `garbage`"),
    ('permit (principal == User, action, resource);', 1, 26, "expected `::` between the entity type and its id, found `,`"),
    ('permit (principal, action, resource) when { "open };', 1, 45, "unterminated string"),
    ("permit (principal, action, resource) when { 1 < 2 < 3 };", 1, 51, "expected `}` at the end of the `when` condition, found `<`"),
    ("@id(\"x\")\n\n  ", 3, 3, "expected `permit` or `forbid`, found the end of the file"),
    ("permit (principal, action, resource) when { context.x ~ 2 };", 1, 55, "unexpected character '~'"),
    ("permit (principal, action, resource) when { 1 == if true then 1 else 2 };", 1, 50,
     "expected an expression (an `if` here needs parentheses), found `if`"),
])
def test_syntax_errors_are_located(text: str, line: int, column: int, message: str) -> None:
    with pytest.raises(parser.CedarSyntaxError) as caught:
        parser.parse("p.cedar", text)
    assert (caught.value.line, caught.value.column, caught.value.message) == (line, column, message)


def _random_expr(rng, depth: int) -> str:
    """Cedar-like expression text, operands often unparenthesized to exercise precedence."""
    leaves = ["1", "-3", '"s*"', "true", "principal", "context.a", 'User::"u"', "context.b.c",
              'ip("10.0.0.1")', "resource", '"x\\"y"']
    if depth == 0 or rng.random() < 0.25:
        return rng.choice(leaves)
    sub = lambda: _random_expr(rng, depth - 1)  # noqa: E731
    forms = [
        lambda: f"{sub()} && {sub()}", lambda: f"{sub()} || {sub()}", lambda: f"{sub()} == {sub()}",
        lambda: f"{sub()} < {sub()}", lambda: f"{sub()} + {sub()} * {sub()}", lambda: f"{sub()} - {sub()}",
        lambda: f"!{sub()}", lambda: f"-{sub()}", lambda: f"{sub()} in {sub()}",
        lambda: f"{sub()} has a.b", lambda: f'{sub()} like "a*\\*"', lambda: f"{sub()} is NS::T in {sub()}",
        lambda: f"({sub()})", lambda: f"(if {sub()} then {sub()} else {sub()})", lambda: f"[{sub()}, {sub()}]",
        lambda: f'{{k: {sub()}, "k 2": {sub()}}}', lambda: f"{sub()}.contains({sub()})",
        lambda: f"({sub()}).isEmpty()", lambda: f'{sub()}["key"]', lambda: f"{sub()}.x",
    ]
    return rng.choice(forms)()


def test_random_expressions_read_as_cedar_reads() -> None:
    """Whatever Cedar accepts of 400 random expressions, we read into Cedar's own tree."""
    import random

    rng = random.Random(20261122)
    accepted = 0
    for _ in range(400):
        text = f"forbid (principal, action, resource) when {{ {_random_expr(rng, 4)} }};"
        try:
            theirs = cedarpy.policies_to_pst(text)
        except ValueError:
            continue
        accepted += 1
        assert pst_oracle.policy_set(parser.parse("p.cedar", text).policies) == theirs, text
    assert accepted > 100
