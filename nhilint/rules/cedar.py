"""NHI6xx: Cedar policies. Standing, unbounded or fail-open access for agents.

The checks read the located model of `nhilint.cedar.ast` (which imports nothing heavy);
the Cedar source fills it, with cedarpy's schema validation where a schema sits beside
the policies. A forbid, permit or condition is judged by its text alone: no entity data,
so a rule only fires where the text proves the problem.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nhilint.model import Violation
from nhilint.rules import LazyModule, Param, RuleContext, reported, rule

# The AST loads with the first .cedar file read; runs without one never import it.
if TYPE_CHECKING:
    from nhilint.cedar import ast
else:
    ast = LazyModule("nhilint.cedar.ast")
_POLICY, _POLICY_SET = "nhilint.cedar.ast.CedarPolicy", "nhilint.cedar.ast.CedarPolicySet"

_AGENT_TYPES = Param(
    "agent_types", ["*Agent", "Service", "ServiceAccount", "Workload", "*Bot"], "list",
    "Entity type names (glob patterns, case-insensitive, without namespace) whose principals "
    "are agents or services.")
_REFERENCES = ("OWASP-NHI5", "OWASP-AGENTIC-T3", "NIST-CSF-PR.AA-05", "MAESTRO-L6")
_ORDERING = ("<", "<=", ">", ">=")


def _conjuncts(expr: ast.Expr) -> Iterator[ast.Expr]:
    """The operands of a chain of `&&` in source order (the expression itself when it is
    not one). Iterative: a generated chain of thousands of tests is one deep tree."""
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Binary) and node.op == "&&":
            stack.extend((node.right, node.left))
        else:
            yield node


def _names_type(name: str, patterns: tuple[str, ...]) -> bool:
    basename = name.rsplit("::", 1)[-1].lower()
    return any(fnmatch.fnmatchcase(basename, p.lower()) for p in patterns)


def _agent_type(policy: ast.CedarPolicy, patterns: tuple[str, ...]) -> str | None:
    """The agent type a policy's principal is bound to: by its scope, or by a
    `principal is T` that a `when` condition requires (all of its `&&` terms must hold)."""
    for name in policy.principal.type_names():
        if _names_type(name, patterns):
            return name
    for condition in policy.conditions:
        if condition.kind != "when":
            continue
        for test in _conjuncts(condition.body):
            if (isinstance(test, ast.Is) and isinstance(test.base, ast.Var) and test.base.name == "principal"
                    and _names_type(test.entity_type, patterns)):
                return test.entity_type
    return None


def _agent_permit(policy: ast.CedarPolicy, ctx: RuleContext) -> str | None:
    """The agent type a permit is for; None for forbids and other principals."""
    return _agent_type(policy, ctx.params["agent_types"]) if policy.effect == "permit" else None


def _principal_identity(policy: ast.CedarPolicy) -> str | None:
    principal = policy.principal
    if principal.operator == "==" and isinstance(principal.entities[0], ast.EntityLiteral):
        return str(principal.entities[0])
    return None


def _show(expr: ast.Expr) -> str:
    path = ast.attribute_path(expr)
    return ".".join(path) if path else "the value"


# -- NHI601 ----------------------------------------------------------------------------

@rule(
    id="NHI601", name="cedar-unconstrained-permit", category="cedar", severity="error",
    targets=(_POLICY,), language="cedar", references=_REFERENCES,
    summary="A permit whose principal, action and resource are all unconstrained, with no "
            "condition on any of them.",
    rationale="`permit(principal, action, resource)` lets every principal, agents included, do "
              "everything to everything; a condition that tests only the request context (a "
              "flag the caller sends) does not narrow who or what.",
    remediation="Name the principal (or its type or group), the actions and the resources in the "
                "scope, or add a condition relating them (`resource.owner == principal`).",
    bad='permit (principal, action, resource);\n',
    good='permit (\n  principal == Agent::"report-writer",\n  action == Action::"read",\n'
         '  resource in Folder::"reports"\n);\n',
)
def unconstrained_permit(policy: ast.CedarPolicy, ctx: RuleContext) -> Iterator[Violation]:
    if policy.effect != "permit" or not all(e.unconstrained for e in policy.scope):
        return
    if any(isinstance(node, ast.Var) and node.name != "context"
           for condition in policy.conditions for node in ast.walk(condition.body)):
        return
    how = ("with no condition" if not policy.conditions
           else "when its conditions, which test only the request context, hold")
    yield Violation(policy.location, f"{policy.describe()} applies to every principal, action and "
                    f"resource {how}; constrain the principal, action and resource in its scope",
                    subject=f"{policy.id}.scope")


# -- NHI602 ----------------------------------------------------------------------------

@rule(
    id="NHI602", name="cedar-standing-agent-permit", category="cedar", severity="error",
    targets=(_POLICY,), params=(_AGENT_TYPES,), language="cedar", references=_REFERENCES,
    summary="A permit for an agent or service principal with no `when`/`unless` condition: "
            "standing access.",
    rationale="Without a condition the permit holds at every moment, for every task and every "
              "token the agent ever presents: a stolen token or a prompt-injected agent has the "
              "same access as the agent doing its job.",
    remediation="Add a `when` clause that binds the access to the task and to a fresh token "
                "(`context.task_id == resource.task_id && context.token_age_seconds < 300`).",
    bad='permit (\n  principal == Agent::"report-writer",\n  action == Action::"read",\n'
        '  resource in Folder::"reports"\n);\n',
    good='permit (\n  principal == Agent::"report-writer",\n  action == Action::"read",\n'
         '  resource in Folder::"reports"\n)\nwhen { context.token_age_seconds < 300 && '
         'context.task_id == resource.task_id };\n',
)
def standing_agent_permit(policy: ast.CedarPolicy, ctx: RuleContext) -> Iterator[Violation]:
    agent = _agent_permit(policy, ctx)
    if agent is None or policy.conditions:
        return
    yield Violation(policy.location, f"{policy.describe()} gives the {agent} principal "
                    f"`{policy.principal.text}` standing access: it has no when/unless condition; "
                    "add a when clause bounding the task and the token's age",
                    _principal_identity(policy), f"{policy.id}.conditions")


# -- NHI603 ----------------------------------------------------------------------------

@rule(
    id="NHI603", name="cedar-wildcard-like", category="cedar", severity="warning",
    targets=(_POLICY,), language="cedar", references=_REFERENCES,
    summary='A `like` pattern that matches every string (`like "*"`).',
    rationale="A pattern of wildcards only tests nothing: in a permit it widens access to every "
              "value, in a forbid's `unless` it disables the forbid. It is usually a placeholder "
              "that was never narrowed.",
    remediation='Match a bounded pattern (`resource.path like "reports/*"`) or compare with `==`.',
    bad='permit (principal == Agent::"indexer", action == Action::"read", resource)\n'
        'when { resource.path like "*" };\n',
    good='permit (principal == Agent::"indexer", action == Action::"read", resource)\n'
         'when { resource.path like "public/*" };\n',
)
def wildcard_like(policy: ast.CedarPolicy, ctx: RuleContext) -> Iterator[Violation]:
    for condition in policy.conditions:
        for node in ast.walk(condition.body):
            if isinstance(node, ast.Like) and node.matches_everything:
                yield Violation(node.location, f"`{_show(node.base)} like \"{'*' * len(node.pattern)}\"` "
                                f"in {policy.describe()} matches every string, so it tests nothing; "
                                "match a bounded pattern such as \"reports/*\" or compare with ==",
                                _principal_identity(policy), f"{policy.id}.like.{_show(node.base)}")


# -- NHI604 ----------------------------------------------------------------------------

@rule(
    id="NHI604", name="cedar-unbounded-agent-permit", category="cedar", severity="warning",
    targets=(_POLICY,), language="cedar", references=_REFERENCES,
    params=(_AGENT_TYPES,
            Param("bound_attributes",
                  ["token_age_seconds", "expires_at", "task_id", "time", "now", "token_age",
                   "token_issued_at", "expiry", "session_expires_at", "task", "request_time"],
                  "list", "Request-context attributes that bound a permit in time, token age or "
                          "task: a condition reading one of them (context.<name>, at any depth) "
                          "bounds the permit."),),
    summary="A conditional permit for an agent principal bounds neither time, token age nor task.",
    rationale="Conditions on other facts (the resource's owner, a flag) still leave the access "
              "open-ended: the agent keeps it after its task ends and with a token of any age. "
              "(A permit with no condition at all is NHI602.)",
    remediation="Add a bound on the request context: `context.token_age_seconds < 300`, "
                "`context.task_id == resource.task_id`, or `context.now < context.expires_at`.",
    bad='permit (principal == Agent::"report-writer", action == Action::"read", resource)\n'
        'when { resource.owner == principal };\n',
    good='permit (principal == Agent::"report-writer", action == Action::"read", resource)\n'
         'when { resource.owner == principal && context.token_age_seconds < 300 };\n',
)
def unbounded_agent_permit(policy: ast.CedarPolicy, ctx: RuleContext) -> Iterator[Violation]:
    agent = _agent_permit(policy, ctx)
    if agent is None or not policy.conditions:
        return
    bounds = set(ctx.params["bound_attributes"])
    for condition in policy.conditions:
        for node in ast.walk(condition.body):
            path = ast.attribute_path(node)
            if path and path[0] == "context" and bounds.intersection(path[1:]):
                return
    names = ", ".join(f"context.{name}" for name in ctx.params["bound_attributes"][:3])
    yield Violation(policy.location, f"{policy.describe()} for the {agent} principal "
                    f"`{policy.principal.text}` bounds neither time, token age nor task: no "
                    f"condition reads a bound such as {names}; add one to a when clause",
                    _principal_identity(policy), f"{policy.id}.bounds")


# -- NHI605 ----------------------------------------------------------------------------

NHI605 = reported(
    id="NHI605", name="cedar-schema-validation", category="cedar", severity="error",
    language="cedar", references=_REFERENCES,
    summary="A policy fails validation against the Cedar schema beside it (or the schema "
            "cannot be used).",
    rationale="A policy the validator rejects refers to an attribute, entity type or action the "
              "schema does not have, or compares values of the wrong type: at evaluation it "
              "errors and Cedar skips it, so a forbid silently stops forbidding.",
    remediation="Fix the policy (or the schema, `<name>.cedarschema` or `<name>.cedarschema.json` "
                "beside the policy file) until `cedar validate` passes. The Cedar source reports "
                "this rule, with the validator's message, at the policy.",
    bad='// beside policies.cedarschema: entity Agent; entity Doc; action read appliesTo '
        '{ principal: Agent, resource: Doc };\n'
        'permit (principal is Agent, action == Action::"read", resource)\n'
        'when { resource.classification == "public" };\n',
    good='// beside policies.cedarschema: entity Agent; entity Doc { classification: String }; '
         'action read appliesTo { principal: Agent, resource: Doc };\n'
         'permit (principal is Agent, action == Action::"read", resource)\n'
         'when { resource.classification == "public" };\n',
)


# -- NHI606 ----------------------------------------------------------------------------

def _key(entity: ast.EntityLiteral | ast.Slot) -> tuple:
    return (entity.type, entity.id) if isinstance(entity, ast.EntityLiteral) else ("?", entity.name)


def _same(a: ast.ScopeElement, b: ast.ScopeElement) -> bool:
    return (a.operator, a.entity_type, a.is_list, tuple(map(_key, a.entities))) == (
        b.operator, b.entity_type, b.is_list, tuple(map(_key, b.entities)))


def _covers(forbid: ast.ScopeElement, permit: ast.ScopeElement) -> bool:
    """Whether every request matching the permit's scope element matches the forbid's,
    whatever the entities (so only what the text proves)."""
    if forbid.unconstrained or _same(forbid, permit):
        return True
    wanted = [_key(e) for e in forbid.entities]
    named = [_key(e) for e in permit.entities]
    if forbid.variable == "action":  # `in` holds for the actions named and their members
        return forbid.operator == "in" and permit.operator in ("==", "in") and set(named) <= set(wanted)
    named_one = permit.entities[0] if permit.operator == "==" else None
    single = isinstance(named_one, ast.EntityLiteral)
    if forbid.operator == "is" and not forbid.entities:  # `is T`
        return ((permit.operator == "is" and permit.entity_type == forbid.entity_type)
                or (isinstance(named_one, ast.EntityLiteral) and named_one.type == forbid.entity_type))
    if forbid.operator == "in":  # `in E` holds for E itself and whatever is in E
        return (single and named == wanted) or (permit.operator == "is" and named == wanted)
    if forbid.operator == "is":  # `is T in E`
        return isinstance(named_one, ast.EntityLiteral) and named == wanted and named_one.type == forbid.entity_type
    return False


@rule(
    id="NHI606", name="cedar-dead-permit", category="cedar", severity="warning",
    targets=(_POLICY_SET,), language="cedar", references=("NIST-CSF-PR.AA-05",),
    summary="A permit that never applies: an unconditional forbid in the same file covers its "
            "whole scope.",
    rationale="Forbid wins over permit in Cedar, so the permit is dead code; whoever wrote it "
              "expected access that does not exist, or the forbid is broader than intended.",
    remediation="Remove the dead permit, or narrow the forbid (its scope, or a `when` condition) "
                "so that it no longer covers the permit.",
    bad='forbid (principal, action == Action::"delete", resource);\n'
        'permit (principal == Agent::"janitor", action == Action::"delete", resource in Folder::"tmp");\n',
    good='forbid (principal, action == Action::"delete", resource)\n'
         'unless { resource in Folder::"tmp" };\n'
         'permit (principal == Agent::"janitor", action == Action::"delete", resource in Folder::"tmp");\n',
)
def dead_permit(policy_set: ast.CedarPolicySet, ctx: RuleContext) -> Iterator[Violation]:
    forbids = [p for p in policy_set.policies
               if p.effect == "forbid" and not p.conditions and not p.is_template]
    for permit in policy_set.policies:
        if permit.effect != "permit":
            continue
        for forbid in forbids:
            if all(_covers(f, p) for f, p in zip(forbid.scope, permit.scope)):
                yield Violation(permit.location, f"{permit.describe()} never applies: "
                                f"{forbid.describe()} (line {forbid.location.line}) covers its "
                                "principal, action and resource with no condition, and forbid "
                                "wins; remove the permit or narrow the forbid",
                                _principal_identity(permit), f"{permit.id}.dead-by.{forbid.id}")
                break


# -- NHI607 ----------------------------------------------------------------------------

NHI607 = reported(
    id="NHI607", name="cedar-parse-error", category="cedar", severity="error", language="cedar",
    summary="A `.cedar` file is not valid Cedar, so none of its policies was checked.",
    rationale="Cedar rejects the whole file: the application loading it fails, or runs without "
              "these policies; no rule has looked at them either.",
    remediation="Fix the syntax at the reported line and column (the message is Cedar's own).",
    bad='permit (principal, action, resource)\nwhen { context.mfa == };\n',
    good='permit (principal, action, resource)\nwhen { context.mfa == true };\n',
)


# -- NHI608 ----------------------------------------------------------------------------

def _facts(expr: ast.Expr) -> set[tuple]:
    """What is known to be present when `expr` is true: attribute paths (`has`) and tags (`hasTag`)."""
    found: set[tuple] = set()
    for test in _conjuncts(expr):
        if isinstance(test, ast.Has):
            base = ast.attribute_path(test.base)
            if base:
                found.update(base + test.attrs[:n] for n in range(1, len(test.attrs) + 1))
        elif isinstance(test, ast.Call) and test.function == "hasTag" and test.receiver is not None:
            tag = test.args[0] if test.args else None
            base = ast.attribute_path(test.receiver)
            if base and isinstance(tag, ast.Literal):
                found.add(("#tag", *base, str(tag.value)))
    return found


def _never_entity(expr: ast.Expr) -> bool:
    """A literal that is no entity: a string, number, boolean, record, or a set holding one."""
    if isinstance(expr, ast.SetLiteral):
        return any(_never_entity(e) for e in expr.elements)
    return isinstance(expr, (ast.Literal, ast.RecordLiteral))


def _never_number(expr: ast.Expr) -> bool:
    return isinstance(expr, (ast.SetLiteral, ast.RecordLiteral)) or (
        isinstance(expr, ast.Literal) and isinstance(expr.value, (bool, str)))


def _node_risks(expr: ast.Expr, known: Mapping[tuple, int]) -> Iterator[tuple[ast.Expr, str, str]]:
    """(node, why it can error, how to guard it) when this node itself can raise an
    evaluation error, given the facts `known` to hold where it is evaluated."""
    path = ast.attribute_path(expr)
    if isinstance(expr, ast.Attribute) and path:
        missing = next((path[:n] for n in range(2, len(path) + 1) if path[:n] not in known), None)
        if missing:
            base, attr = ".".join(missing[:-1]), missing[-1]
            yield (expr, f"reads `{'.'.join(missing)}` with no `{base} has {attr}` guard, which "
                         "errors when the attribute is absent",
                   f"test `{base} has {attr} && ...` first")
    elif isinstance(expr, ast.Call) and expr.function == "getTag" and expr.receiver is not None:
        receiver = ast.attribute_path(expr.receiver)
        tag = expr.args[0] if expr.args else None
        if receiver and isinstance(tag, ast.Literal) and ("#tag", *receiver, str(tag.value)) not in known:
            shown = ".".join(receiver)
            yield (expr, f"reads tag \"{tag.value}\" of `{shown}` with no hasTag guard, which "
                         "errors when the tag is absent",
                   f"test `{shown}.hasTag(\"{tag.value}\") && ...` first")
    elif isinstance(expr, ast.Binary) and expr.op == "in" and (
            _never_entity(expr.left) or _never_entity(expr.right)):
        yield (expr, "uses `in`, which needs entities on both sides, on a value that is not an "
                     "entity: this is a type error at every evaluation",
               "compare values with `==` or a set's `.contains(...)`, and validate against a schema")
    elif isinstance(expr, ast.Binary) and expr.op in _ORDERING:
        operands = (expr.left, expr.right)
        if any(_never_number(e) for e in operands):
            yield (expr, f"compares with `{expr.op}` a value that is not a number: this is a type "
                         "error at every evaluation", "compare numbers, or use ==")
        else:
            unproven = next((e for e in operands if ast.attribute_path(e)), None)
            if unproven is not None:
                yield (expr, f"compares `{_show(unproven)}` with `{expr.op}`, which errors when "
                             "the value is not a number (or datetime or duration), and no schema "
                             "proves its type", "validate the policies against a schema "
                                                "(a .cedarschema beside them) that types it")


@dataclass(frozen=True)
class _Learned:
    """A marker in the traversal: from here on these facts hold (delta 1), or no longer (-1)."""

    facts: frozenset
    delta: int


def _error_risks(condition: ast.Expr) -> Iterator[tuple[ast.Expr, str, str]]:
    """The risks of every node of a condition, in source order. Cedar evaluates `a && b`'s
    `b` only when `a` held (and an `if`'s `then` only when its condition held), so what
    `a` tests with `has` is known there. Iterative, and linear in the size of the
    condition: generated chains of thousands of tests are one deep tree."""
    known: dict[tuple, int] = {}  # the facts holding where the current node is evaluated
    stack: list[ast.Expr | _Learned] = [condition]
    while stack:
        item = stack.pop()
        if isinstance(item, _Learned):
            for fact in item.facts:
                known[fact] = known.get(fact, 0) + item.delta
                if not known[fact]:
                    del known[fact]
        elif isinstance(item, ast.Binary) and item.op == "&&":
            work: list[ast.Expr | _Learned] = []
            learned: list[ast.Expr | _Learned] = []
            for operand in _conjuncts(item):
                work.append(operand)
                facts = frozenset(_facts(operand))
                if facts:
                    work.append(_Learned(facts, 1))
                    learned.append(_Learned(facts, -1))
            stack.extend(reversed(work + learned))
        elif isinstance(item, ast.IfThenElse):
            facts = frozenset(_facts(item.cond))
            stack.extend((item.else_expr, _Learned(facts, -1), item.then_expr, _Learned(facts, 1),
                          item.cond))
        else:
            yield from _node_risks(item, known)
            if not (isinstance(item, ast.Attribute) and ast.attribute_path(item)):  # the chain is judged whole
                stack.extend(reversed(item.children()))


@rule(
    id="NHI608", name="cedar-fail-open-forbid", category="cedar", severity="error",
    targets=(_POLICY,), language="cedar", references=_REFERENCES,
    summary="Fail-open: a forbid whose condition can raise an evaluation error, so Cedar skips "
            "it and the permits win.",
    rationale="Cedar ignores a policy whose condition errors. For a forbid that means the "
              "guard rail silently disappears: reading an absent attribute, or `in` / `<` on a "
              "value of the wrong type (cedar-policy/cedar#2428), turns every such request into "
              "an allow when a permit matches.",
    remediation="Guard each attribute with `has` (`context has risk && context.risk > 7`), use "
                "`.contains` instead of `in` on non-entities, and validate the policies against "
                "a schema (a schema-validated forbid cannot hit a type error).",
    bad='forbid (principal, action, resource)\nwhen { context.tool in ["shell", "payments"] };\n',
    good='forbid (principal, action, resource)\n'
         'when { context has tool && ["shell", "payments"].contains(context.tool) };\n',
)
def fail_open_forbid(policy: ast.CedarPolicy, ctx: RuleContext) -> Iterator[Violation]:
    if policy.effect != "forbid" or policy.proven_by_schema:
        return
    reported: set[str] = set()  # each reason once per policy, at its first occurrence
    for condition in policy.conditions:
        for node, why, guard in _error_risks(condition.body):
            if why in reported:
                continue
            reported.add(why)
            yield Violation(node.location, f"{policy.describe()} fails open: its {condition.kind} "
                            f"condition {why}, and Cedar then skips the forbid; {guard}",
                            _principal_identity(policy), f"{policy.id}.{condition.kind}: {why}")


# -- NHI609 ----------------------------------------------------------------------------

@rule(
    id="NHI609", name="cedar-empty-policy-file", category="cedar", severity="warning",
    targets=(_POLICY_SET,), language="cedar",
    summary="A `.cedar` file holds no policy (it is empty, or only comments).",
    rationale="A policy file that grants and forbids nothing is usually a mistake: policies "
              "commented out during a test, or a file truncated by a bad merge.",
    remediation="Restore the intended policies, or delete the file.",
    bad='// permit (principal == Agent::"report-writer", action, resource);\n',
    good='permit (principal == Agent::"report-writer", action == Action::"read", resource)\n'
         'when { context.token_age_seconds < 300 };\n',
)
def empty_policy_file(policy_set: ast.CedarPolicySet, ctx: RuleContext) -> Iterator[Violation]:
    if not policy_set.policies:
        yield Violation(policy_set.location, "the file holds no Cedar policy (it is empty or only "
                        "comments), so it permits and forbids nothing; add the intended policies "
                        "or delete the file", subject="no policies")


RULES = (unconstrained_permit, standing_agent_permit, wildcard_like, unbounded_agent_permit,
         NHI605, dead_permit, NHI607, fail_open_forbid, empty_policy_file)
