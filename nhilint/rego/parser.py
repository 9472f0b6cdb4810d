"""Rego source -> `nhilint.rego.ast.Module`, with an LALR parser built once per run.

The grammar is `nhilint/grammars/rego.lark`; lark builds its LALR tables and the callbacks
that hand each rule's children to `_Builder`, which makes the AST during the parse (no
parse tree). `_Lexer` and `_Parser` run them: a regex lexer and a table-driven loop much
faster than lark's general ones. Rego separates statements by newlines, and `{` and `|`
mean different things by context; `_layout` settles both from the surrounding tokens so
the grammar stays LALR(1).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from typing import Any

from lark import Lark

from nhilint.model import Location
from nhilint.rego import ast


class RegoSyntaxError(Exception):
    """A located, readable parse error."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(f"{line}:{column}: {message}")
        self.line = line
        self.column = column
        self.message = message


KEYWORDS = frozenset({"PACKAGE", "IMPORT", "AS", "DEFAULT", "IF", "ELSE", "CONTAINS", "NOT",
                      "SOME", "EVERY", "IN", "WITH", "TRUE", "FALSE", "NULL"})
# A newline after one of these, or before one of the next set, continues the statement.
_CONTINUES_AFTER = frozenset({"LPAR", "LSQB", "LBRACE", "BODY_LBRACE", "COMMA", "SEMICOLON",
                              "COLON", "ASSIGN_OP", "REL_OP", "ADD_OP", "MINUS", "MUL_OP", "BAR",
                              "COMPR_BAR", "AMP", "_DOT", "IN", "WITH", "AS", "IF", "CONTAINS",
                              "ELSE", "NOT", "SOME", "EVERY", "DEFAULT", "IMPORT", "PACKAGE"})
_CONTINUES_BEFORE = frozenset({"RPAR", "RSQB", "RBRACE", "COMMA", "COLON", "SEMICOLON",
                               "ASSIGN_OP", "REL_OP", "ADD_OP", "MUL_OP", "BAR", "AMP", "_DOT",
                               "IN", "WITH", "AS", "ELSE"})
# A `{` right after one of these (on the same line) opens a rule or `every` body.
_ENDS_TERM = frozenset({"NAME", "RSQB", "RPAR", "RBRACE", "STRING", "RAW_STRING",
                        "TEMPLATE_STRING", "NUMBER", "TRUE", "FALSE", "NULL", "IF", "ELSE"})
# Infix operators from the loosest: `in`, comparisons, `|`, `&`, `+ -`, `* / %`.
_PRECEDENCE = {"IN": 1, "REL_OP": 2, "BAR": 3, "AMP": 4, "ADD_OP": 5, "MINUS": 5, "MUL_OP": 6}
# Spaces and comments, skipped before a token is matched (a regex skipping them as a prefix
# of every token backtracks through long runs of spaces); a comment runs to its line's end.
MAX_INT_DIGITS = 100

# regorus' parser takes time exponential in bracket nesting (`{` and `[`): 16 levels take
# 0.04 s, 20 about a second, 24 over ten. Real policies stay under 13 (the real-world corpus:
# 12 at most), so deeper text is refused before it reaches regorus (nhilint.engines.rego).
MAX_ENGINE_NESTING = 16
_ENGINE_NESTING_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`|#[^\n]*|[\[\]{}]')


def too_deep_for_engine(text: str) -> tuple[int, int] | None:
    """(line, column) of the bracket that opens level MAX_ENGINE_NESTING + 1, outside strings
    and comments, or None."""
    depth = 0
    for match in _ENGINE_NESTING_TOKEN.finditer(text):
        token = match.group()
        if token in "{[":
            depth += 1
            if depth > MAX_ENGINE_NESTING:
                offset = match.start()
                return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)
        elif token in "}]":
            depth = max(depth - 1, 0)
    return None
_BLANKS = r"(?:[ \t\f\r]+|#[^\n]*)*"
_BLANK_START = frozenset(" \t\f\r#")
_OPENERS = {"LPAR": "RPAR", "LSQB": "RSQB", "LBRACE": "RBRACE", "BODY_LBRACE": "RBRACE"}
_CLOSERS = frozenset(_OPENERS.values())


class Tok:
    """A token: lighter than lark's (the parser below needs only these fields)."""

    __slots__ = ("column", "end_column", "end_line", "line", "type", "value")

    def __init__(self, kind: str, value: str, line: int, column: int, end_line: int,
                 end_column: int) -> None:
        self.type, self.value, self.line, self.column = kind, value, line, column
        self.end_line, self.end_column = end_line, end_column  # the end column is exclusive

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"Tok({self.type}, {self.value!r}, {self.line}:{self.column})"


class _Lexer:
    """One compiled alternation of the grammar's terminals, in lark's own order (so it
    matches as lark's lexer would), in a tight loop; then the layout pass."""

    def __init__(self, terminals: Iterable[Any]) -> None:
        terminals = sorted(terminals, key=lambda t: (-t.priority, -t.pattern.max_width,
                                                     -len(t.pattern.value), t.name))
        self.keywords = {t.pattern.value: t.name for t in terminals if t.name in KEYWORDS}
        self.pattern = re.compile("|".join(
            f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in terminals
            if t.name not in KEYWORDS | {"COMPR_BAR", "BODY_LBRACE", "WS", "COMMENT"}))
        self.blanks = re.compile(_BLANKS)

    def lex(self, text: str, names: frozenset[str] = frozenset(),
            origin: tuple[int, int] = (1, 1)) -> tuple[list[Tok], list[Tok]]:
        """The tokens for the parser, and the comments; the keywords in `names` are names.
        `origin` is the (line, column) the text starts at in its file."""
        tokens, comments = self._scan(text, names, origin)
        return _layout(tokens), comments

    def _scan(self, text: str, names: frozenset[str],
              origin: tuple[int, int] = (1, 1)) -> tuple[list[Tok], list[Tok]]:
        """Every token, spaces dropped; and the comments apart."""
        found: list[Tok] = []
        comments: list[Tok] = []
        line, line_start, pos, size = origin[0], 1 - origin[1], 0, len(text)
        match = self.pattern.match
        keywords = {k: v for k, v in self.keywords.items() if k not in names} if names else self.keywords
        skip = self.blanks.match
        while pos < size:
            start = pos
            if text[pos] in _BLANK_START:
                pos = skip(text, pos).end()  # type: ignore[union-attr] # blanks match the empty string
                if pos == size:
                    _comment(text, start, pos, line, line_start, comments)
                    break
            m = match(text, pos)
            if m is None:
                raise RegoSyntaxError(line, pos - line_start + 1,
                                      f"unexpected character {text[pos]!r}"
                                      + (" (strings use double quotes)" if text[pos] == "'" else ""))
            kind = m.lastgroup or ""  # every alternative is a named group
            if kind == "_NL" and start < pos:  # a comment runs to the end of its line
                _comment(text, start, pos, line, line_start, comments)
            value = m.group(kind)
            column = pos - line_start + 1
            if kind == "NAME":
                kind = keywords.get(value, kind)
            if "\n" in value:
                end_line = line + value.count("\n")
                end_column = len(value) - value.rindex("\n")
                found.append(Tok(kind, value, line, column, end_line, end_column))
                line, line_start = end_line, pos + value.rindex("\n") + 1
            else:
                found.append(Tok(kind, value, line, column, line, column + len(value)))
            pos = m.end()
        return found, comments


def _comment(text: str, start: int, end: int, line: int, line_start: int, out: list[Tok]) -> None:
    """The comment among the blanks text[start:end] of one line, if there is one."""
    hash_at = text.find("#", start, end)
    if hash_at >= 0:
        body = text[hash_at:end].rstrip()
        column = hash_at - line_start + 1
        out.append(Tok("COMMENT", body, line, column, line, column + len(body)))


def _layout(tokens: list[Tok]) -> list[Tok]:
    """Drops newlines that do not end a statement; marks body braces and comprehension bars;
    makes keywords after `.` (`input.in`) and `contains(` names."""
    kept: list[Tok] = []
    # Each open bracket: [its token type, whether newlines inside separate statements,
    # whether a `,` or a comprehension `|` came at its level (a `|` after one is a union)].
    stack: list[list[Any]] = []
    prev = ""  # the type of the previous token kept
    pending_nl: Tok | None = None
    count = len(tokens)
    for index, token in enumerate(tokens):
        kind = token.type
        if kind == "_NL":
            pending_nl = pending_nl or token
            continue
        if kind in KEYWORDS and (prev == "_DOT" or (kind == "CONTAINS" and index + 1 < count
                                                     and tokens[index + 1].type == "LPAR")):
            kind = token.type = "NAME"
        if pending_nl is not None:
            # No statement starts with `{`: at the top level, one on the next line after
            # a head is its (v0) body, as in `allow = true` / `{ ... }`.
            next_line_body = kind == "LBRACE" and not stack and prev in _ENDS_TERM
            if (prev and (not stack or stack[-1][1]) and prev not in _CONTINUES_AFTER
                    and kind not in _CONTINUES_BEFORE and not next_line_body):
                kept.append(pending_nl)
            pending_nl = None
        if kind == "LBRACE" and prev in _ENDS_TERM and kept[-1].type != "_NL":
            kind = token.type = "BODY_LBRACE"
        elif kind == "BAR" and stack and stack[-1][0] in ("LSQB", "LBRACE") and not stack[-1][2]:
            kind = token.type = "COMPR_BAR"
            stack[-1][1] = stack[-1][2] = True
        elif kind == "COMMA" and stack:
            stack[-1][2] = True
        if kind in _OPENERS:
            stack.append([kind, kind == "BODY_LBRACE", False])
        elif kind in _CLOSERS and stack and _OPENERS[stack[-1][0]] == kind:
            stack.pop()
        kept.append(token)
        prev = kind
    return kept


def _start(item: Any) -> tuple[int, int]:
    if isinstance(item, Tok):
        return item.line, item.column
    loc = item.location
    return loc.line, loc.column


class _Builder:
    """The methods lark's callbacks call, one per grammar rule (or alias): children -> AST node."""

    def __init__(self) -> None:
        self.path = ""
        self.issues: list[ast.VersionIssue] = []
        # What the rule being built names and calls (callbacks run bottom-up, so everything
        # since the previous rule, import or package belongs to it).
        self.names: set[str] = set()
        self.calls: list[ast.Call] = []

    def _index(self) -> dict[str, Any]:
        names, calls = frozenset(self.names), tuple(self.calls)
        self.names, self.calls = set(), []
        return {"names": names, "calls": calls}

    # -- helpers ---------------------------------------------------------------------------

    def _loc(self, first: Any, last: Any) -> Location:
        """From the start of `first` to the end of `last` (each a token or a node); the
        hottest function of the parse, hence written out in full."""
        if type(first) is Tok:
            line, column = first.line, first.column
        else:
            line, column = first.location.line, first.location.column
        if type(last) is Tok:
            return Location(self.path, line, column, last.end_line, last.end_column - 1)
        end = last.location
        return Location(self.path, line, column, end.end_line, end.end_column)

    def _keyword(self, tok: Tok) -> None:
        self.issues.append(ast.VersionIssue(self._loc(tok, tok), tok.type.lower()))

    def _as_ref(self, item: Any) -> ast.Ref:
        return item if isinstance(item, ast.Ref) else ast.Ref(item.location, item, ())

    # -- module ----------------------------------------------------------------------------

    def module(self, children: list) -> tuple:
        items: list = []
        for child in children:
            items.extend(child if isinstance(child, tuple) else (child,))
        return tuple(items)

    def package_decl(self, children: list) -> ast.Ref:
        self._index()
        return self._as_ref(children[1])

    def import_decl(self, children: list) -> ast.Import:
        alias = str(children[3]) if len(children) > 2 else None
        self._index()
        return ast.Import(self._loc(children[0], children[-1]), self._as_ref(children[1]), alias)

    def default_rule(self, children: list) -> ast.Rule:
        keyword, head, op, value = children
        head_ref = self._as_ref(head.callee if isinstance(head, ast.Call) else head)
        args = head.args if isinstance(head, ast.Call) else ()
        return ast.Rule(self._loc(keyword, value), "default", head_ref, value=value, args=args,
                        assign=str(op), head_location=self._loc(keyword, head), **self._index())

    def rule_head(self, children: list) -> dict:
        head: dict[str, Any] = {"ref": children[0], "first": children[0], "last": children[-1]}
        rest = children[1:]
        while rest:
            tok, value = rest[0], rest[1]
            if tok.type == "CONTAINS":
                self._keyword(tok)
                head["contains"] = value
            else:
                head["assign"], head["value"] = str(tok), value
            rest = rest[2:]
        return head

    def _body(self, kind: str, children: list) -> tuple[str, ast.Body]:
        if kind == "if_literal":
            self._keyword(children[0])
            literal = children[1]
            return kind, ast.Body(literal.location, (literal,))
        if kind == "if_block":
            self._keyword(children[0])
            children = children[1:]
        else:
            self.issues.append(ast.VersionIssue(self._loc(children[0], children[0]), "v0-body"))
        return kind, replace(children[1], location=self._loc(children[0], children[2]))

    def if_block(self, children: list) -> tuple[str, ast.Body]:
        return self._body("if_block", children)

    def if_literal(self, children: list) -> tuple[str, ast.Body]:
        return self._body("if_literal", children)

    def block(self, children: list) -> tuple[str, ast.Body]:
        return self._body("block", children)

    def else_clause(self, children: list) -> ast.Else:
        keyword, rest = children[0], children[1:]
        assign = value = body = None
        if rest and isinstance(rest[0], Tok):
            assign, value, rest = str(rest[0]), rest[1], rest[2:]
        if rest:
            body = rest[0][1]
        last = body if body is not None else (value if value is not None else keyword)
        return ast.Else(self._loc(keyword, last), value, body, assign)

    def normal_rule(self, children: list) -> ast.Rule | tuple[ast.Rule, ...]:
        head = children[0]
        bodies = [c for c in children[1:] if isinstance(c, tuple)]
        body_kind, body = bodies[0] if bodies else (None, None)
        elses = tuple(c for c in children if isinstance(c, ast.Else))
        ref, value, key = head["ref"], head.get("value"), head.get("contains")
        args: tuple[ast.Expr, ...] = ()
        if isinstance(ref, ast.Call):
            kind, args, ref = "function", ref.args, ref.callee
        elif key is not None:
            kind = "set"
        elif isinstance(ref, ast.Ref) and ref.path and not _is_name(ref.path[-1]):
            key, ref = ref.path[-1], (replace(ref, path=ref.path[:-1]) if len(ref.path) > 1 else ref.head)
            kind = "object" if value is not None else "set"
        else:
            kind = "complete"
        last = elses[-1] if elses else (body if body is not None else head["last"])
        rule = ast.Rule(self._loc(head["first"], last), kind, self._as_ref(ref), value=value,
                        key=key, args=args, body=body, elses=elses, assign=head.get("assign"),
                        has_if=body_kind in ("if_block", "if_literal"),
                        has_contains="contains" in head,
                        head_location=self._loc(head["first"], head["last"]), **self._index())
        if len(bodies) < 2:
            return rule
        # Each further body is a rule of its own with the same head, as OPA reads it.
        return (replace(rule, location=self._loc(head["first"], bodies[0][1])),
                *(replace(rule, location=extra.location, body=extra, elses=()) for _, extra in bodies[1:]))

    # -- bodies ----------------------------------------------------------------------------

    def query(self, children: list) -> ast.Body:
        return ast.Body(self._loc(children[0], children[-1]), tuple(children))

    def literal(self, children: list) -> ast.Literal:
        first = children[0]
        literal = first if isinstance(first, ast.Literal) else ast.Literal(first.location, first)
        if len(children) == 1:
            return literal
        withs = tuple(children[1:])
        return replace(literal, withs=withs, location=self._loc(literal, withs[-1]))

    def with_mod(self, children: list) -> ast.With:
        keyword, target, _as, value = children
        return ast.With(self._loc(keyword, value), self._as_ref(target), value)

    def negation(self, children: list) -> ast.Literal:
        return ast.Literal(self._loc(children[0], children[1]), children[1], negated=True)

    def some_decl(self, children: list) -> ast.SomeDecl:
        names, collection = list(children[1:]), None
        last = names[-1]
        if isinstance(last, ast.Membership) and last.key is None:
            names[-1], collection = last.value, last.collection  # `some k, v in xs`
        return ast.SomeDecl(self._loc(children[0], children[-1]), tuple(names), collection)

    def every(self, children: list) -> ast.Every:
        self._keyword(children[0])
        names = [c for c in children[1:] if isinstance(c, Tok) and c.type == "NAME"]
        in_at = next(i for i, c in enumerate(children) if isinstance(c, Tok) and c.type == "IN")
        self._keyword(children[in_at])
        domain, body = children[in_at + 1], children[in_at + 3]
        body = replace(body, location=self._loc(children[in_at + 2], children[-1]))
        key = str(names[0]) if len(names) == 2 else None
        return ast.Every(self._loc(children[0], children[-1]), key, str(names[-1]), domain, body)

    def membership_kv(self, children: list) -> ast.Membership:
        key, membership = children
        if not isinstance(membership, ast.Membership) or membership.key is not None:
            line, column = _start(membership)
            raise RegoSyntaxError(line, column, "unexpected ','; a literal `k, v` must be a "
                                  "membership test `k, v in collection`")
        return replace(membership, key=key, location=self._loc(key, membership))

    # -- expressions -----------------------------------------------------------------------

    def assign(self, children: list) -> ast.Assign:
        left, op, right = children
        return ast.Assign(self._loc(left, right), str(op), left, right)

    def infix(self, children: list) -> ast.Expr:
        """`a op b op c ...` grouped by operator precedence, left-associative."""
        operands: list[ast.Expr] = [children[0]]
        operators: list[Any] = []
        for i in range(1, len(children), 2):
            operator = children[i]
            while operators and _PRECEDENCE[operators[-1].type] >= _PRECEDENCE[operator.type]:
                self._apply(operands, operators.pop())
            operators.append(operator)
            operands.append(children[i + 1])
        while operators:
            self._apply(operands, operators.pop())
        return operands[0]

    def _apply(self, operands: list, operator: Tok) -> None:
        right, left = operands.pop(), operands.pop()
        if operator.type == "IN":
            self._keyword(operator)
            operands.append(ast.Membership(self._loc(left, right), left, right))
        else:
            operands.append(ast.BinOp(self._loc(left, right), str(operator), left, right))

    def negative(self, children: list) -> ast.Expr:
        operand = children[1]
        if isinstance(operand, ast.Scalar) and operand.kind == "number":
            return ast.Scalar(self._loc(children[0], operand), -operand.value, "number")
        return ast.Negative(self._loc(children[0], operand), operand)

    def parens(self, children: list) -> ast.Expr:
        return children[1]

    def ref(self, children: list) -> ast.Expr:
        current = children[0]
        path: list[ast.Expr] = []
        i = 1
        while i < len(children):
            item = children[i]
            if item.type == "NAME":
                path.append(ast.Scalar(self._loc(item, item), str(item), "string"))
                i += 1
            elif item.type == "LSQB":
                path.append(children[i + 1])
                i += 3
            else:  # a call: ( args? )
                has_args = isinstance(children[i + 1], list)
                args = tuple(children[i + 1]) if has_args else ()
                close = children[i + 2] if has_args else children[i + 1]
                callee = ast.Ref(current.location, current, tuple(path)) if path else current
                current = _call(self._loc(children[0], close), callee, args)
                if isinstance(current, ast.Call):
                    self.calls.append(current)
                path = []
                i += 3 if has_args else 2
        if not path:
            return current
        ref = ast.Ref(self._loc(children[0], children[-1]), current, tuple(path))
        if isinstance(current, ast.Var) and current.name == "data":
            self.names.add(ref.text())
        return ref

    def args(self, children: list) -> list:
        return children

    def var(self, children: list) -> ast.Var:
        self.names.add(str(children[0]))
        return ast.Var(self._loc(children[0], children[0]), str(children[0]))

    def _scalar(self, tok: Tok, value: Any, kind: str) -> ast.Scalar:
        return ast.Scalar(self._loc(tok, tok), value, kind)

    def string(self, children: list) -> ast.Scalar:
        return self._scalar(children[0], _unquote(children[0].value), "string")

    def raw_string(self, children: list) -> ast.Scalar:
        return self._scalar(children[0], str(children[0])[1:-1], "raw_string")

    def number(self, children: list) -> ast.Scalar:
        text = str(children[0])
        # Past MAX_INT_DIGITS an integer is kept as a float (inf when beyond one): int() of
        # over 4,300 digits raises ValueError, and no policy means such a number exactly.
        exact = len(text) <= MAX_INT_DIGITS and not any(c in text for c in ".eE")
        value = int(text) if exact else float(text)
        return self._scalar(children[0], value, "number")

    def true(self, children: list) -> ast.Scalar:
        return self._scalar(children[0], True, "boolean")

    def false(self, children: list) -> ast.Scalar:
        return self._scalar(children[0], False, "boolean")

    def null(self, children: list) -> ast.Scalar:
        return self._scalar(children[0], None, "null")

    def template_string(self, children: list) -> ast.TemplateString:
        tok = children[0]
        return ast.TemplateString(self._loc(tok, tok), tuple(self._template_parts(tok)),
                                  raw=str(tok)[1] == "`")

    def _template_parts(self, tok: Tok) -> Iterator[Any]:
        text, raw = str(tok), str(tok)[1] == "`"
        i, literal = 2, ""
        while i < len(text) - 1:
            char = text[i]
            if char == "\\" and text[i + 1] == "{":  # an escaped brace, in either kind
                literal += "{"
                i += 2
            elif char == "\\" and not raw:
                literal += _unquote('"' + text[i:i + 2] + '"')
                i += 2
            elif char == "{":
                close = _closing_brace(text, i)
                if literal:
                    yield literal
                    literal = ""
                yield self._embedded(tok, text, i + 1, close)
                i = close + 1
            else:
                literal += char
                i += 1
        if literal:
            yield literal

    def _embedded(self, tok: Tok, text: str, start: int, end: int) -> ast.Expr:
        """Parse `{expr}` of a template string at its own position in the file."""
        before = text[:start]
        line = tok.line + before.count("\n")
        column = (tok.column + start) if "\n" not in before else len(before) - before.rfind("\n")
        # Lexed from its own position, not padded with the lines before it: padding made
        # each template re-read the file up to it (quadratic in templates per file).
        return _parse_text(text[start:end], "template_expr", (line, column))

    def template_expr(self, children: list) -> ast.Expr:
        return children[0]

    def array(self, children: list) -> ast.Array:
        return ast.Array(self._loc(children[0], children[-1]), tuple(children[1:-1]))

    def set(self, children: list) -> ast.Set:
        return ast.Set(self._loc(children[0], children[-1]), tuple(children[1:-1]))

    def object(self, children: list) -> ast.Object:
        return ast.Object(self._loc(children[0], children[-1]), tuple(children[1:-1]))

    def object_item(self, children: list) -> ast.ObjectItem:
        return ast.ObjectItem(self._loc(children[0], children[1]), children[0], children[1])

    def array_compr(self, children: list) -> ast.ArrayComprehension:
        return ast.ArrayComprehension(self._loc(children[0], children[-1]), children[1], children[3])

    def set_compr(self, children: list) -> ast.SetComprehension:
        return ast.SetComprehension(self._loc(children[0], children[-1]), children[1], children[3])

    def object_compr(self, children: list) -> ast.ObjectComprehension:
        return ast.ObjectComprehension(self._loc(children[0], children[-1]), children[1],
                                       children[2], children[4])


def _is_name(part: ast.Expr) -> bool:
    return isinstance(part, ast.Scalar) and part.kind == "string"


def _call(location: Location, callee: ast.Expr, args: tuple) -> ast.Expr:
    name_ref = callee if isinstance(callee, ast.Ref) else ast.Ref(callee.location, callee, ())
    name = name_ref.text()
    if name == "set" and not args:
        return ast.Set(location, ())
    return ast.Call(location, name, args, name_ref)


def _closing_brace(text: str, start: int) -> int:
    """The index of the `}` closing the `{` at `start`, skipping string literals."""
    i, quote = start + 1, None
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = None
        elif char == '"':
            quote = char
        elif char == "}":
            return i
        i += 1
    return len(text) - 1


def _unquote(token: str) -> str:
    try:
        return json.loads(token)
    except ValueError:
        return token[1:-1]


class _Parser:
    """An LALR driver over the tables and callbacks lark builds from the grammar: the same
    automaton as lark's parser, with the tables keyed by plain strings, so a step is two
    dictionary lookups (lark's own loop hashes rule objects and tokens in Python)."""

    def __init__(self) -> None:
        grammar = resources.files("nhilint.grammars").joinpath("rego.lark").read_text(encoding="utf-8")
        self.builder = _Builder()
        lark = Lark(grammar, parser="lalr", lexer="basic", start=["module", "template_expr"],
                    transformer=self.builder, maybe_placeholders=False)
        inner = lark.parser.parser.parser
        table, callbacks = inner.parse_table, inner.callbacks
        self.states: dict[int, dict[str, tuple]] = {
            state: {str(symbol): (True, arg) if action.name == "Shift"
                    else (False, (len(arg.expansion), _callback(arg, callbacks), str(arg.origin.name)))
                    for symbol, (action, arg) in actions.items()}
            for state, actions in table.states.items()}
        self.starts, self.ends = table.start_states, table.end_states
        self.lexer = _Lexer(lark.terminals)
        self.comments: list[Tok] = []  # of the last module parsed

    def parse(self, text: str, start: str, names: frozenset[str] = frozenset(),
              at: tuple[int, int] = (1, 1)) -> Any:
        """Parse `text`, which starts at line and column `at` of its file."""
        states, end_state = self.states, self.ends[start]
        state_stack, value_stack = [self.starts[start]], []
        tokens, comments = self.lexer.lex(text, names, at)
        if start == "module":  # not the embedded expression of a template string
            self.comments = comments
        tokens.append(Tok("$END", "", 0, 0, 0, 0))
        for token in tokens:
            kind = token.type
            while True:
                action = states[state_stack[-1]].get(kind)
                if action is None:
                    raise _syntax_error(token, states[state_stack[-1]], text, at)
                shift, arg = action
                if shift:
                    state_stack.append(arg)
                    value_stack.append(token)
                    break
                size, callback, origin = arg
                if callback is None:  # `?rule` with its one child: the value stays
                    state_stack[-1] = states[state_stack[-2]][origin][1]
                else:
                    if size:
                        children = value_stack[-size:]
                        del state_stack[-size:]
                        del value_stack[-size:]
                    else:
                        children = []
                    value_stack.append(callback(children))
                    state_stack.append(states[state_stack[-1]][origin][1])
                if kind == "$END" and state_stack[-1] == end_state:
                    return value_stack[-1]


def _callback(rule: Any, callbacks: dict) -> Any:
    """The rule's lark callback; None for a `?rule` that only passes its one child on."""
    if rule.options.expand1 and len(rule.expansion) == 1 and not rule.alias:
        return None
    return callbacks[rule]


@lru_cache(maxsize=1)
def _parser() -> _Parser:
    return _Parser()


def _parse_text(text: str, start: str, origin: tuple[int, int] = (1, 1)) -> Any:
    return _parser().parse(text, start, at=origin)


def parse_module(path: str, text: str) -> ast.Module:
    """Parse one Rego file; raises `RegoSyntaxError` (located, readable) on bad input.

    The grammar reads v1 and v0 at once, with the v1 keywords as keywords. A file it
    refuses is read again as v0 reads it, where a v1 keyword the file does not import is
    a name (`if := 1`); a file that parses only so carries the first reading's error as a
    version issue (NHI705 reports it unless the module is v0). Neither: the first error."""
    text = text.removeprefix("\ufeff")  # a byte-order mark some editors write
    if not text.strip():
        raise RegoSyntaxError(1, 1, "the file is empty; a Rego module starts with `package NAME`")
    try:
        return _module(path, text, frozenset())
    except RegoSyntaxError as first:
        names = _V1_KEYWORDS - _imported_keywords(text)
        if not names:
            raise
        try:
            module = _module(path, text, names)
        except RegoSyntaxError:
            raise first from None
        issue = ast.VersionIssue(Location(path, first.line, first.column), "v0-names", first.message)
        return replace(module, version_issues=module.version_issues + (issue,))


_V1_KEYWORDS = frozenset({"if", "contains", "in", "every"})
_FUTURE_IMPORT = re.compile(r"^[ \t]*import[ \t]+(?:future\.keywords(?:\.(\w+))?|(rego\.v1))\b", re.M)


def _imported_keywords(text: str) -> frozenset[str]:
    """The v1 keywords the file imports (all of them with `future.keywords` or `rego.v1`)."""
    found: set[str] = set()
    for match in _FUTURE_IMPORT.finditer(text):
        if match.group(1) is None:
            return _V1_KEYWORDS
        found.add(match.group(1))
    return frozenset(found)


def _module(path: str, text: str, names: frozenset[str]) -> ast.Module:
    parser = _parser()
    builder = parser.builder
    builder.path, builder.issues = path, []
    items = parser.parse(text, "module", names)
    comments = tuple(ast.Comment(builder._loc(c, c), c.value) for c in parser.comments)
    package, rest = items[0], items[1:]
    lines = text.splitlines() or [""]
    return ast.Module(
        Location(path, 1, 1, len(lines), max(len(lines[-1]), 1)), path, package,
        imports=tuple(i for i in rest if isinstance(i, ast.Import)),
        rules=tuple(r for r in rest if isinstance(r, ast.Rule)), comments=comments,
        version_issues=tuple(builder.issues))


# How a token is named in a message: as the one found, and as one of those expected.
_FOUND = {"$END": "end of file", "_NL": "end of line", "STRING": "string",
          "RAW_STRING": "raw string", "TEMPLATE_STRING": "template string"}
_EXPECTED = {
    "$END": "end of file", "_NL": "a new line", "NAME": "a name", "STRING": "a string",
    "RAW_STRING": "a raw string", "TEMPLATE_STRING": "a template string", "NUMBER": "a number",
    "BODY_LBRACE": "'{'", "COMPR_BAR": "'|'", "ASSIGN_OP": "':=' or '='", "REL_OP": "a comparison",
    "ADD_OP": "'+'", "MUL_OP": "'*'", "MINUS": "'-'", "COMMA": "','", "SEMICOLON": "';'",
    "COLON": "':'", "_DOT": "'.'", "BAR": "'|'", "AMP": "'&'", "LBRACE": "'{'", "RBRACE": "'}'",
    "LSQB": "'['", "RSQB": "']'", "LPAR": "'('", "RPAR": "')'",
}
_EXPRESSION_START = {"NAME", "STRING", "NUMBER", "LSQB", "LBRACE"}
_SCALARS = {"RAW_STRING", "TEMPLATE_STRING", "TRUE", "FALSE", "NULL"}
_OPERATORS = {"ASSIGN_OP", "REL_OP", "ADD_OP", "MINUS", "MUL_OP", "BAR", "AMP", "IN"}


def _found(token: Tok) -> str:
    if token.type in KEYWORDS:
        return f"keyword '{token}'"
    if token.type == "NAME":
        return f"name '{str(token)[:40]}'"
    if token.type == "NUMBER":
        return f"number {token}"
    return _FOUND.get(token.type) or f"'{token}'"


def _expected(kinds: set[str]) -> str:
    kinds = {"LBRACE" if k == "BODY_LBRACE" else k for k in kinds if k != "COMPR_BAR"}
    if _EXPRESSION_START <= kinds:
        return "an expression"
    if len(kinds) > 1:
        kinds.discard("_NL")  # a newline is possible almost everywhere: naming it says nothing
    operators = kinds & _OPERATORS
    names = sorted(_expected_name(k) for k in kinds - _OPERATORS)
    names += ["an operator"] if len(operators) > 1 else [_expected_name(k) for k in operators]
    return " or ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " or " + names[-1]


def _end_of(text: str) -> tuple[int, int]:
    """The line and column just after the last character of the text."""
    body = text.rstrip() or text
    return body.count("\n") + 1, len(body) - body.rfind("\n")


def _expected_name(kind: str) -> str:
    return f"'{kind.lower()}'" if kind in KEYWORDS else _EXPECTED.get(kind, kind)


def _syntax_error(token: Tok, row: dict[str, tuple], text: str,
                  origin: tuple[int, int] = (1, 1)) -> RegoSyntaxError:
    if token.type == "$END":
        line, column = _end_of(text)
        column += origin[1] - 1 if line == 1 else 0
        line += origin[0] - 1
    else:
        line, column = token.line, token.column
    expected = {k for k in row if k.lstrip("_").isupper() or k == "$END"}
    if len(expected) > 8 and token.type in _EXPRESSION_START | _SCALARS:
        # After a complete expression almost anything may follow: say what is likely wrong.
        return RegoSyntaxError(line, column, f"unexpected {_found(token)} after an expression; "
                               "is an operator, a ',' or a line break missing?")
    return RegoSyntaxError(line, column, f"unexpected {_found(token)}; expected "
                           f"{_expected(expected)}")
