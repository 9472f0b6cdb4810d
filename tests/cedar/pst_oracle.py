"""A test oracle: our located AST, converted to cedarpy's typed tree (`cedarpy.pst`).

`policies_to_pst(text)` is Cedar's own reading of the text; when our reading converts to
an equal tree, every span we report sits on the node Cedar means.
"""

from __future__ import annotations

from cedarpy import pst

from nhilint.cedar import ast

_BINARY = {"&&": "and", "||": "or", "==": "eq", "!=": "not_eq", "<": "less", "<=": "less_eq",
           ">": "greater", ">=": "greater_eq", "in": "in", "+": "add", "-": "sub", "*": "mul"}
_METHODS_BINARY = {"contains": "contains", "containsAll": "contains_all",
                   "containsAny": "contains_any", "getTag": "get_tag", "hasTag": "has_tag",
                   "isInRange": "is_in_range", "offset": "offset",
                   "durationSince": "duration_since", "lessThan": "decimal_less_than",
                   "lessThanOrEqual": "decimal_less_eq", "greaterThan": "decimal_greater",
                   "greaterThanOrEqual": "decimal_greater_eq"}
_METHODS_UNARY = {"isEmpty": "is_empty", "isIpv4": "is_ipv4", "isIpv6": "is_ipv6",
                  "isLoopback": "is_loopback", "isMulticast": "is_multicast",
                  "toDate": "to_date", "toTime": "to_time", "toMilliseconds": "to_milliseconds",
                  "toSeconds": "to_seconds", "toMinutes": "to_minutes", "toHours": "to_hours",
                  "toDays": "to_days"}


def entity_type(name: str) -> pst.EntityType:
    *namespace, basename = name.split("::")
    return pst.EntityType(basename, tuple(namespace))


def entity(node: ast.EntityLiteral | ast.Slot):
    if isinstance(node, ast.Slot):
        return pst.Slot(node.name)
    return pst.EntityUid(entity_type(node.type), node.id)


def expr(node: ast.Expr):
    if isinstance(node, ast.Var):
        return pst.Var(node.name)
    if isinstance(node, ast.Slot):
        return pst.Slot(node.name)
    if isinstance(node, ast.Literal):
        if isinstance(node.value, bool):
            return pst.BoolLit(node.value)
        return pst.LongLit(node.value) if isinstance(node.value, int) else pst.StringLit(node.value)
    if isinstance(node, ast.EntityLiteral):
        return pst.EntityLit(entity(node))
    if isinstance(node, ast.Unary):
        return pst.UnaryOp("not" if node.op == "!" else "neg", expr(node.arg))
    if isinstance(node, ast.Binary):
        return pst.BinaryOp(_BINARY[node.op], expr(node.left), expr(node.right))
    if isinstance(node, ast.Attribute):
        return pst.GetAttr(expr(node.base), node.attr)
    if isinstance(node, ast.Has):
        # Cedar reads `e has a.b` as `e has a && e.a has b`.
        base = expr(node.base)
        test = pst.HasAttr(base, (node.attrs[0],))
        for previous, attr in zip(node.attrs, node.attrs[1:]):
            base = pst.GetAttr(base, previous)
            test = pst.BinaryOp("and", test, pst.HasAttr(base, (attr,)))
        return test
    if isinstance(node, ast.Like):
        return pst.Like(expr(node.base), tuple(pst.Wildcard() if c is None else pst.Char(c)
                                               for c in node.pattern))
    if isinstance(node, ast.Is):
        return pst.Is(expr(node.base), entity_type(node.entity_type),
                      expr(node.in_expr) if node.in_expr is not None else None)
    if isinstance(node, ast.IfThenElse):
        return pst.IfThenElse(expr(node.cond), expr(node.then_expr), expr(node.else_expr))
    if isinstance(node, ast.SetLiteral):
        return pst.Set(tuple(expr(e) for e in node.elements))
    if isinstance(node, ast.RecordLiteral):
        return pst.Record(pst.FrozenMap({k: expr(v) for k, v in node.fields}))
    if isinstance(node, ast.Call):
        if node.receiver is None:
            return pst.UnaryOp(node.function, expr(node.args[0]))
        if node.function in _METHODS_UNARY:
            return pst.UnaryOp(_METHODS_UNARY[node.function], expr(node.receiver))
        return pst.BinaryOp(_METHODS_BINARY[node.function], expr(node.receiver), expr(node.args[0]))
    raise TypeError(type(node).__name__)


def scope(element: ast.ScopeElement):
    if element.operator is None:
        return pst.ScopeAny()
    if element.variable == "action":
        if element.operator == "==":
            return pst.ActionEq(entity(element.entities[0]))
        return pst.ActionIn(tuple(entity(e) for e in element.entities))
    if element.operator == "==":
        return pst.ScopeEq(entity(element.entities[0]))
    if element.operator == "in":
        return pst.ScopeIn(entity(element.entities[0]))
    if element.entities:
        return pst.ScopeIsIn(entity_type(element.entity_type), entity(element.entities[0]))
    return pst.ScopeIs(entity_type(element.entity_type))


def policy(node: ast.CedarPolicy) -> pst.Template:
    clauses = tuple((pst.When if c.kind == "when" else pst.Unless)(expr(c.body))
                    for c in node.conditions)
    return pst.Template(node.cedar_id, node.effect, scope(node.principal), scope(node.action),
                        scope(node.resource), clauses,
                        pst.FrozenMap({a.key: a.value or "" for a in node.annotations}))


def policy_set(policies: list[ast.CedarPolicy]) -> pst.PolicySet:
    templates = {p.cedar_id: policy(p) for p in policies if p.is_template}
    static = {p.cedar_id: policy(p) for p in policies if not p.is_template}
    return pst.PolicySet(pst.FrozenMap(templates), pst.FrozenMap(static), ())
