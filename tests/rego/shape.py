"""A compact, readable rendering of the Rego AST, so conformance cases state the expected
shape as a short string: `(== input.tool "read")`, `(call count xs)`, `{x; (not y)}`."""

from __future__ import annotations

import json

from nhilint.rego import ast


def shape(node: object) -> str:
    if isinstance(node, ast.Scalar):
        if node.kind in ("string", "raw_string"):
            return ("r" if node.kind == "raw_string" else "") + json.dumps(node.value)
        return json.dumps(node.value)
    if isinstance(node, ast.TemplateString):
        parts = [json.dumps(p) if isinstance(p, str) else shape(p) for p in node.parts]
        return _list("raw-template" if node.raw else "template", parts)
    if isinstance(node, ast.Var):
        return node.name
    if isinstance(node, ast.Ref):
        head = shape(node.head)
        for part in node.path:
            if isinstance(part, ast.Scalar) and part.kind == "string" and part.value.isidentifier():
                head += f".{part.value}"
            else:
                head += f"[{shape(part)}]"
        return head
    if isinstance(node, ast.Call):
        return _list("call " + node.name, [shape(a) for a in node.args])
    if isinstance(node, (ast.BinOp, ast.Assign)):
        return _list(node.op, [shape(node.left), shape(node.right)])
    if isinstance(node, ast.Membership):
        key = [shape(node.key)] if node.key is not None else []
        return _list("in", key + [shape(node.value), shape(node.collection)])
    if isinstance(node, ast.Negative):
        return _list("neg", [shape(node.operand)])
    if isinstance(node, (ast.Array, ast.Set)):
        return _list(type(node).__name__.lower(), [shape(i) for i in node.items])
    if isinstance(node, ast.Object):
        return _list("object", [f"({shape(i.key)} {shape(i.value)})" for i in node.items])
    if isinstance(node, ast.ArrayComprehension):
        return _list("array-compr", [shape(node.head), shape(node.body)])
    if isinstance(node, ast.SetComprehension):
        return _list("set-compr", [shape(node.head), shape(node.body)])
    if isinstance(node, ast.ObjectComprehension):
        return _list("object-compr", [shape(node.key), shape(node.value), shape(node.body)])
    if isinstance(node, ast.Body):
        return "{" + "; ".join(shape(lit) for lit in node.literals) + "}"
    if isinstance(node, ast.Literal):
        text = shape(node.expr)
        if node.negated:
            text = f"(not {text})"
        if node.withs:
            text = _list("with " + text, [f"({shape(w.target)} {shape(w.value)})" for w in node.withs])
        return text
    if isinstance(node, ast.SomeDecl):
        tail = ["in", shape(node.collection)] if node.collection is not None else []
        return _list("some", [shape(v) for v in node.vars] + tail)
    if isinstance(node, ast.Every):
        names = ([node.key] if node.key else []) + [node.value]
        return _list("every", names + ["in", shape(node.domain), shape(node.body)])
    if isinstance(node, ast.Rule):
        return _rule(node)
    if isinstance(node, ast.Module):
        lines = [f"package {shape(node.package)}"]
        lines += [f"import {shape(i.path)}" + (f" as {i.alias}" if i.alias else "") for i in node.imports]
        return "\n".join(lines + [_rule(r) for r in node.rules])
    raise TypeError(f"no shape for {node!r}")


def _list(head: str, items: list[str]) -> str:
    return "(" + " ".join([head] + items) + ")"


def _rule(rule: ast.Rule) -> str:
    parts = [rule.kind, shape(rule.ref)]
    if rule.args:
        parts.append("args" + _list("", [shape(a) for a in rule.args]).replace("( ", "("))
    if rule.key is not None:
        parts.append(f"key={shape(rule.key)}")
    if rule.value is not None:
        parts += [rule.assign or "=", shape(rule.value)]
    if rule.has_if:
        parts.append("if")
    if rule.body is not None:
        parts.append(shape(rule.body))
    for branch in rule.elses:
        inner = ["else"]
        if branch.value is not None:
            inner += [branch.assign or "=", shape(branch.value)]
        if branch.body is not None:
            inner.append(shape(branch.body))
        parts.append("(" + " ".join(inner) + ")")
    return "(" + " ".join(parts) + ")"
