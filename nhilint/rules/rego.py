"""NHI7xx: Rego policies. Fail-open and unbounded authorization decisions for agents.

The checks read the located AST of `nhilint.rego.ast` (which imports nothing heavy); the
Rego source fills it. A decision rule is one whose name is in the `decisions` parameter
(`allow`, `authorized`, ...); each check judges the text alone, without data or input.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, TypeGuard

from nhilint.model import Inventory, Violation
from nhilint.rules import LazyModule, Param, RuleContext, rule

# The AST loads with the first .rego file read; runs without one never import it.
if TYPE_CHECKING:
    from nhilint.rego import ast
else:
    ast = LazyModule("nhilint.rego.ast")
_MODULE = "nhilint.rego.ast.Module"

_DECISIONS = Param(
    "decisions", ["allow", "allowed", "authorized", "authorize", "permit"], "list",
    "Names of the rules that are authorization decisions (the last segment of the rule head).")
_REFERENCES = ("OWASP-NHI5", "OWASP-AGENTIC-T3", "NIST-CSF-PR.AA-05", "MAESTRO-L6")
_HEAD = "package agents.tools\n\nimport rego.v1\n\n"
_WILDCARDS = frozenset({"*", "**", "*:*"})
_MATCH_ALL_GLOBS = frozenset({"*", "**"})
_MATCH_ALL_REGEXES = frozenset({".*", "^.*$", "^.*", ".*$", "(.*)", "^(.*)$", ".+", "^.+$"})


def _decisions(module: ast.Module, names: Iterable[str]) -> list[ast.Rule]:
    wanted = set(names)
    return [r for r in module.rules if r.name in wanted and r.kind != "default"]


def _is_true(expr: object) -> bool:
    return isinstance(expr, ast.Scalar) and expr.value is True


def _constant(expr: object) -> TypeGuard[ast.Scalar]:
    return isinstance(expr, ast.Scalar)


def _always_true(literal: ast.Literal) -> bool:
    """A literal that holds whatever the input: `true`, `1 == 1`, `not false`, `x := 1`."""
    if literal.withs:
        return False
    expr = literal.expr
    if literal.negated:
        return isinstance(expr, ast.Scalar) and expr.value in (False, None)
    if _is_true(expr):
        return True
    if isinstance(expr, ast.BinOp) and expr.op == "==" and _constant(expr.left) and _constant(expr.right):
        return expr.left.value == expr.right.value
    if isinstance(expr, ast.Assign) and _constant(expr.right):
        # `x := 1` declares a new variable; `x = 1` may test a rule or variable named x.
        declared = expr.op == ":=" and isinstance(expr.left, ast.Var)
        return declared or (_constant(expr.left) and expr.left.value == expr.right.value)
    return False


def _unconditional(value: object, body: ast.Body | None) -> bool:
    """A rule (or else branch) that grants `true` with no body, or with a body that always holds."""
    granted = value is None or _is_true(value)
    return granted and (body is None or all(_always_true(lit) for lit in body.literals))


def _rule_literals(item: ast.Rule) -> Iterator[ast.Literal]:
    """The literals of a rule's bodies (its own and its else branches'), not nested ones."""
    for body in [item.body] + [branch.body for branch in item.elses]:
        if body is not None:
            yield from body.literals


# -- NHI701 ----------------------------------------------------------------------------

@rule(
    id="NHI701", name="rego-default-allow", category="rego", severity="error",
    targets=(_MODULE,), params=(_DECISIONS,), language="rego", references=_REFERENCES,
    summary="`default allow := true`: an authorization decision that allows whatever no "
            "rule decides.",
    rationale="A default is the answer for every request no rule matched: an unknown tool, a "
              "misspelled action, input the policy author never imagined. Defaulting a "
              "decision to true makes the policy fail open, so an agent is allowed exactly "
              "when the policy has nothing to say.",
    remediation="Make the default false (`default allow := false`) and write `allow` rules for "
                "the requests that must be allowed; express exceptions as explicit rules.",
    bad=_HEAD + "default allow := true\n\nallow := false if input.tool == \"delete_repo\"\n",
    good=_HEAD + "default allow := false\n\nallow if input.tool in {\"read_issue\", \"comment\"}\n",
)
def default_allow(module: ast.Module, ctx: RuleContext) -> Iterator[Violation]:
    for item in module.rules:
        if item.kind == "default" and item.name in ctx.params["decisions"] and _is_true(item.value):
            yield Violation(item.location, f"`default {item.name} {item.assign} true` allows "
                            "every request no rule decides; make the default false and allow "
                            f"explicitly", subject=f"{module.package_name}.{item.name}")


# -- NHI702 ----------------------------------------------------------------------------

@rule(
    id="NHI702", name="rego-unconditional-allow", category="rego", severity="error",
    targets=(_MODULE,), params=(_DECISIONS,), language="rego", references=_REFERENCES,
    summary="An `allow` rule (or `else` branch) with no body, or one that always holds.",
    rationale="`allow := true`, `allow if true` or `else := true` grants every request: the "
              "conditions the decision exists to check are missing, often left over from "
              "debugging or a template.",
    remediation="Add the conditions under which the agent may act (who, which tool, which "
                "resource), or delete the rule; end an else chain with `else := false`.",
    bad=_HEAD + "default allow := false\n\nallow := true\n",
    good=_HEAD + "default allow := false\n\nallow if {\n    input.agent.id in data.registry.agents\n"
         "    input.tool == \"read_issue\"\n}\n",
)
def unconditional_allow(module: ast.Module, ctx: RuleContext) -> Iterator[Violation]:
    for item in _decisions(module, ctx.params["decisions"]):
        # A function's constant arguments (`allow("read_issue") := true`) are its conditions.
        open_args = all(isinstance(arg, ast.Var) for arg in item.args)
        if item.kind in ("complete", "function") and open_args and _unconditional(item.value, item.body):
            what = "has no conditions" if item.body is None else "has a body that always holds"
            yield Violation(item.head_location or item.location, f"rule '{item.name}' {what}, so "
                            "it grants every request; add the conditions the agent must meet",
                            subject=f"{module.package_name}.{item.name}")
        for branch in item.elses:
            if _unconditional(branch.value, branch.body):
                yield Violation(branch.location, f"`else` of rule '{item.name}' grants every "
                                "request the conditions above refused; end the chain with `else "
                                ":= false`", subject=f"{module.package_name}.{item.name}.else")


# -- NHI703 ----------------------------------------------------------------------------

def _wildcard_text(expr: object) -> str | None:
    if isinstance(expr, ast.Scalar) and isinstance(expr.value, str) and expr.value in _WILDCARDS:
        return expr.value
    return None


def _describe(expr: object) -> str:
    if isinstance(expr, ast.Ref):
        return expr.text()
    if isinstance(expr, ast.Var):
        return expr.name
    return "a value"


def _wildcard_test(node: ast.Node) -> str | None:
    """How `node` grants on a wildcard, or None."""
    if isinstance(node, (ast.BinOp, ast.Assign)) and node.op in ("==", "="):
        for side, other in ((node.left, node.right), (node.right, node.left)):
            star = _wildcard_text(side)
            # `x = "*"` with a bare variable binds it: only a reference is compared.
            if star is not None and _wildcard_text(other) is None and (
                    node.op == "==" or isinstance(other, ast.Ref)):
                return f"{_describe(other)} equals the wildcard \"{star}\""
    if isinstance(node, ast.Membership):
        star = _wildcard_text(node.value)
        if star is not None:
            return f"the wildcard \"{star}\" is in {_describe(node.collection)}"
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Scalar):
        pattern = node.args[0].value
        if node.name == "glob.match" and pattern in _MATCH_ALL_GLOBS:
            return f"glob.match with the pattern \"{pattern}\" matches everything"
        if node.name in ("regex.match", "re_match") and pattern in _MATCH_ALL_REGEXES:
            return f"{node.name} with the pattern \"{pattern}\" matches everything"
    return None


@rule(
    id="NHI703", name="rego-wildcard-allow", category="rego", severity="error",
    targets=(_MODULE,), params=(_DECISIONS,), language="rego", references=_REFERENCES,
    summary="An `allow` rule granted on a wildcard comparison (`x == \"*\"`, `\"*\" in "
            "scopes`, `glob.match(\"*\", ...)`, a regex `.*`).",
    rationale="A wildcard in a grant turns one entry (a scope `*`, a tool name `*`) into access "
              "to every tool and resource, including the ones added later; a pattern that "
              "matches everything is no condition at all.",
    remediation="Compare against the specific tools, actions or scopes the agent needs "
                "(`input.tool in {\"read_issue\", \"comment\"}`), or a bounded pattern "
                "(`glob.match(\"tickets/*\", [\"/\"], input.resource)`).",
    bad=_HEAD + "default allow := false\n\nallow if \"*\" in input.token.scopes\n",
    good=_HEAD + "default allow := false\n\nallow if \"tickets:read\" in input.token.scopes\n",
)
def wildcard_allow(module: ast.Module, ctx: RuleContext) -> Iterator[Violation]:
    for item in _decisions(module, ctx.params["decisions"]):
        # The rule's value is a test too: `allow := "*" in input.token.scopes`.
        tests: list[ast.Node] = [item.value] if item.value is not None else []
        for literal in _rule_literals(item):
            if not literal.negated:  # `not x == "*"` refuses the wildcard
                tests.append(literal)
        for test in tests:
            for node in test.walk():
                reason = _wildcard_test(node)
                if reason:
                    yield Violation(node.location, f"rule '{item.name}' grants when {reason}; "
                                    "compare against the specific values the agent needs",
                                    subject=f"{module.package_name}.{item.name}:{reason}")


# -- NHI704 ----------------------------------------------------------------------------

@rule(
    id="NHI704", name="rego-no-default-deny", category="rego", severity="warning",
    targets=(Inventory,), params=(_DECISIONS,), language="rego", references=_REFERENCES,
    summary="A package defines `allow` with no `default allow := false`.",
    rationale="Without a default, a request no rule matches leaves `allow` undefined rather "
              "than false; a caller that treats undefined as anything but deny (a missing key, "
              "a null check, a different client) fails open.",
    remediation="Add `default allow := false` to the package, so the decision is always a "
                "boolean and denies unless a rule allows.",
    bad=_HEAD + "allow if input.tool == \"read_issue\"\n",
    good=_HEAD + "default allow := false\n\nallow if input.tool == \"read_issue\"\n",
)
def no_default_deny(inventory: Inventory, ctx: RuleContext) -> Iterator[Violation]:
    """Per package, across its files: a default anywhere in the package counts."""
    packages: dict[str, list[ast.Module]] = {}
    for module in sorted(inventory.of_type(_MODULE), key=lambda m: m.path):
        packages.setdefault(module.package_name, []).append(module)
    for package, modules in sorted(packages.items()):
        defaults = {r.name for m in modules for r in m.rules if r.kind == "default"}
        reported: set[str] = set()
        for module in modules:
            for item in _decisions(module, ctx.params["decisions"]):
                if item.kind != "complete" or item.name in defaults | reported:
                    continue
                reported.add(item.name)
                if not _ends_in_false(item):
                    yield Violation(item.head_location or item.location, f"package '{package}' "
                                    f"defines '{item.name}' with no `default {item.name} := "
                                    "false`; add it so an unmatched request is denied",
                                    subject=f"{package}.{item.name}")


def _ends_in_false(item: ast.Rule) -> bool:
    """An else chain ending in `else := false` with no body already denies by default."""
    last: ast.Else | None = item.elses[-1] if item.elses else None
    return last is not None and last.body is None and isinstance(last.value, ast.Scalar) \
        and last.value.value is False


# -- NHI705 ----------------------------------------------------------------------------

_KEYWORD_HINT = {"if": "allow if {", "contains": "deny contains msg if {", "in": "x in xs",
                 "every": "every x in xs {"}
# What Rego v1 refuses (the issues of a v0 reading); the v1 keywords are what v0 may refuse.
_V0_ONLY = frozenset({"v0-body", "v0-names"})


@rule(
    id="NHI705", name="rego-parse-error", category="rego", severity="error",
    targets=(_MODULE,), language="rego",
    params=(Param("rego_version", "auto", "str",
                  "The Rego version of every module: v0, v1, or auto (the version an OPA "
                  "bundle `.manifest` at or above the file sets, `rego_version` or "
                  "`file_rego_versions`; without one, a module either version accepts "
                  "passes, and one neither accepts is reported as its imports suggest: v0 "
                  "with a `future.keywords` import, else v1)."),),
    summary="The Rego file cannot be parsed (a syntax error, or syntax of the other Rego "
            "version), so no rule in it was checked.",
    rationale="A policy OPA refuses to load is not enforced the way it reads; and a file "
              "nhilint cannot parse is one no NHI7xx rule has looked at.",
    remediation="Fix the syntax at the reported line and column. Rego v1 (OPA 1.0) needs `if` "
                "before every rule body and `contains` for partial set rules; a v0 module "
                "must import the v1 keywords it uses (`import future.keywords.if`).",
    bad=_HEAD + "allow {\n    input.tool == \"read_issue\"\n}\n",
    good=_HEAD + "allow if {\n    input.tool == \"read_issue\"\n}\n",
)
def version_syntax(module: ast.Module, ctx: RuleContext) -> Iterator[Violation]:
    """Syntax valid in one Rego version only (the parser reports plain syntax errors itself):
    the first construct the module's version refuses, once per file."""
    v1_refuses = [i for i in module.version_issues if i.needs in _V0_ONLY]
    v0_refuses = [i for i in module.version_issues
                  if i.needs not in _V0_ONLY and i.needs not in module.future_keywords]
    if module.declared_version == "v1":  # `import rego.v1` asks for v1 syntax in v0 too
        v0_refuses += v1_refuses
    version = ctx.params["rego_version"]
    if version not in ("v0", "v1"):
        version = module.rego_version
    if version is None:
        if not v1_refuses or not v0_refuses:
            return
        version = module.declared_version or "v1"
    refused = v1_refuses if version == "v1" else v0_refuses
    if refused:
        yield _version_violation(min(refused, key=lambda issue: issue.location))


def _version_violation(issue: ast.VersionIssue) -> Violation:
    if issue.needs == "v0-names":
        return Violation(issue.location, f"Rego parse error: {issue.message} (the file parses "
                         "only as Rego v0, where the v1 keywords it does not import are names); "
                         "fix the syntax here, or mark the module v0 in its bundle `.manifest`",
                         subject="v1 parse error")
    if issue.needs == "v0-body":
        return Violation(issue.location, "Rego v1 needs `if` before a rule body (and "
                         "`contains` for a partial set rule): write `allow if {`, or mark the "
                         "module v0 with `import future.keywords.if`", subject="v1 needs if")
    return Violation(issue.location, f"`{issue.needs}` is a Rego v1 keyword "
                     f"(`{_KEYWORD_HINT[issue.needs]}`); in this v0 module add "
                     f"`import future.keywords.{issue.needs}` or `import rego.v1`",
                     subject=f"v0 needs import of {issue.needs}")


# -- NHI706 ----------------------------------------------------------------------------

def _serving(module: ast.Module, roots: list[ast.Rule]) -> list[tuple[ast.Rule, ast.Rule]]:
    """(rule, the decision it serves) for the decision rules and every rule of the module
    they reach by name, transitively, each once, in source order."""
    by_name: dict[str, list[ast.Rule]] = {}
    for item in module.rules:
        by_name.setdefault(item.name, []).append(item)
    prefix = f"data.{module.package_name}."
    seen: dict[int, tuple[ast.Rule, ast.Rule]] = {}
    # Each name is followed once per decision: 2,500 rules named alike, each naming the
    # others, would otherwise push 2,500 x 2,500 entries.
    followed: set[tuple[str, int]] = set()
    stack = [(root, root) for root in roots]
    while stack:
        item, decision = stack.pop()
        if id(item) in seen:
            continue
        seen[id(item)] = (item, decision)
        for name in item.names:
            if name.startswith(prefix):
                name = name[len(prefix):].split(".")[0].split("[")[0]
            if (name, id(decision)) in followed:
                continue
            followed.add((name, id(decision)))
            stack.extend((target, decision) for target in by_name.get(name, ()) if id(target) not in seen)
    return sorted(seen.values(), key=lambda found: found[0].location)


@rule(
    id="NHI706", name="rego-nondeterministic-decision", category="rego", severity="warning",
    targets=(_MODULE,), language="rego", references=("OWASP-AGENTIC-T8", "MAESTRO-L6"),
    params=(_DECISIONS,
            Param("builtins", ["http.send", "time.now_ns", "rand.*", "uuid.rfc4122",
                               "net.lookup_ip_addr"], "list",
                  "Built-ins (glob patterns) whose result depends on the moment, the network or "
                  "chance rather than the request.")),
    summary="An authorization decision calls a non-deterministic built-in (`http.send`, "
            "`time.now_ns`, `rand.*`, `uuid.rfc4122`, `net.lookup_ip_addr`).",
    rationale="A decision that depends on the clock, the network or chance cannot be replayed: "
              "the audit log cannot show why an agent was allowed, tests pass or fail by the "
              "minute, and an outage of the remote service changes the answer.",
    remediation="Pass the time and any remote facts in the input or data (`input.now`, "
                "`data.revoked_tokens`), so the same request always gets the same decision.",
    bad=_HEAD + "default allow := false\n\nallow if time.now_ns() < input.token.expires_ns\n",
    good=_HEAD + "default allow := false\n\nallow if input.now_ns < input.token.expires_ns\n",
)
def nondeterministic_decision(module: ast.Module, ctx: RuleContext) -> Iterator[Violation]:
    patterns = ctx.params["builtins"]
    roots = _decisions(module, ctx.params["decisions"])
    for item, decision in _serving(module, roots):
        for call in item.calls:
            if any(fnmatch.fnmatchcase(call.name, p) for p in patterns):
                where = (f"rule '{item.name}'" if item.name == decision.name
                         else f"rule '{item.name}', which decision '{decision.name}' depends on,")
                yield Violation(call.location, f"{where} calls {call.name}(), so the decision is "
                                "not reproducible; pass the value in the input or data instead",
                                subject=f"{module.package_name}.{item.name}:{call.name}")


RULES = (default_allow, unconditional_allow, wildcard_allow, no_default_deny, version_syntax,
         nondeterministic_decision)
