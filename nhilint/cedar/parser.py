"""Read Cedar policy text into the located model of `nhilint.cedar.ast`.

An exact tokenizer and a recursive-descent parser over Cedar's grammar (policies,
templates, annotations, `is`/`in`/`has`/`like`, extension calls, records, sets, comments).
It keeps the span of every node; cedarpy, which the source also runs, stays the authority
on whether the text is valid Cedar. Pure Python: nothing heavy is imported.
"""

from __future__ import annotations

import bisect
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from nhilint.cedar import ast
from nhilint.model import Location

# One token after optional whitespace; the group number is the token's kind (_KINDS).
# Every position matches (the end of the text too, with no group), so finditer never
# searches ahead, and a string without its closing quote runs to the end of the text in
# one pass: either would otherwise make reading quadratic.
_TOKEN = re.compile(r"""\s*(?:
    ([_a-zA-Z][_a-zA-Z0-9]*)
  | (==|!=|<=|>=|&&|\|\||::|[<>!\-+*()\[\]{},;.:@=])
  | ("(?:[^"\\]|\\.)*)("?)
  | ([0-9]+)
  | (\?[_a-zA-Z][_a-zA-Z0-9]*)
  | (//[^\n]*)
  | (\S)
  | \Z
)""", re.VERBOSE | re.DOTALL)
_KINDS = ("", "ident", "op", "str", "str", "int", "slot", "comment", "bad")  # by regex group
_STRING, _CLOSING_QUOTE, _COMMENT, _BAD = 3, 4, 7, 8
_LINE_BREAK = re.compile(r"[ \t]*\r?\n\s*")
_RAW_BRACKETS = re.compile(r"[(\[{<>}\])]")

_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]{1,6}\}|x[0-7][0-9a-fA-F]|.)", re.DOTALL)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", "0": "\0", "'": "'", '"': '"'}
_VARIABLES = ("principal", "action", "resource", "context")
_RELATIONS = ("==", "!=", "<", "<=", ">", ">=", "in")
_EFFECTS = ("permit", "forbid")
_KEYWORDS = ("if", "then", "else", "in", "is", "like", "has")
_BRACKETS = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}
_OPENER_OF = {")": "(", "]": "[", "}": "{", ">": "<"}

# The deepest nesting of expressions (and of brackets) read: Cedar's own typed tree stops
# at 100 levels, and cedarpy's parser overflows its stack (a segmentation fault, not an
# error) somewhere below 1,000 nested brackets, so deeper text never reaches it.
MAX_NESTING = 100


class CedarSyntaxError(Exception):
    """Text that is not Cedar, at a 1-based line and column."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class NestedTooDeep(CedarSyntaxError):
    """Nesting beyond MAX_NESTING: the text must not be handed to cedarpy."""


class _Token(NamedTuple):
    kind: str  # ident | int | str | slot | op | end
    text: str
    start: int
    end: int


def _one_line(source: str) -> str:
    """Source text for a message: line breaks (and the indentation after them) as one space."""
    return _LINE_BREAK.sub(" ", source) if "\n" in source else source


def _decode(body: str, pattern: bool) -> list[str | None]:
    """The characters of a string literal's body (None for a `like` wildcard `*`)."""
    if "\\" not in body:
        return [None if (pattern and c == "*") else c for c in body]
    out: list[str | None] = []
    pos = 0
    for match in _ESCAPE.finditer(body):
        chunk = body[pos:match.start()]
        out.extend(None if (pattern and c == "*") else c for c in chunk)
        code = match.group(1)
        if code.startswith(("u{", "x")):
            point = int(code.strip("u{}x"), 16)  # past U+10FFFF, or a surrogate: not Cedar
            out.append(chr(point) if point <= 0x10FFFF and not 0xD800 <= point <= 0xDFFF else "\ufffd")
        elif pattern and code == "*":
            out.append("*")
        else:
            out.append(_SIMPLE_ESCAPES.get(code, "\\" + code))
        pos = match.end()
    out.extend(None if (pattern and c == "*") else c for c in body[pos:])
    return out


class _Parser:
    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
        self.tokens = self._tokenize()
        self.pos = 0
        self.offsets: list[tuple[int, int]] = []  # each policy's [start, end) in the text
        self.depth = 0  # how many expressions enclose the one being read

    # -- positions --------------------------------------------------------------------

    def _line_col(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def span(self, start: int, end: int) -> Location:
        """The location of text[start:end] (end exclusive; Location's end is inclusive)."""
        starts = self.line_starts
        last = end - 1 if end > start else start
        line = bisect.bisect_right(starts, start)
        end_line = bisect.bisect_right(starts, last, line - 1)
        return Location(self.path, line, start - starts[line - 1] + 1, end_line,
                        last - starts[end_line - 1] + 1)

    def error(self, message: str, offset: int) -> CedarSyntaxError:
        line, column = self._line_col(offset)
        return CedarSyntaxError(message, line, column)

    def too_deep(self, offset: int) -> NestedTooDeep:
        line, column = self._line_col(offset)
        return NestedTooDeep(f"nested more than {MAX_NESTING} levels deep", line, column)

    # -- tokens -----------------------------------------------------------------------

    def _tokenize(self) -> list[_Token]:
        tokens: list[_Token] = []
        depth = 0
        first_error = None  # reading goes on after it, so that nesting is checked to the end
        for match in _TOKEN.finditer(self.text):
            group = match.lastindex
            if group is None or group == _COMMENT:  # the end of the text, a comment
                continue
            if group == _CLOSING_QUOTE:
                start = match.start(_STRING)
                if not match.group(_CLOSING_QUOTE):
                    first_error = first_error or self.error("unterminated string", start)
                    if raw_depth(self.text[start + 1:], "([{", depth) > MAX_NESTING:
                        raise self.too_deep(start)
                    continue
            else:
                start = match.start(group)
            if group == _BAD:  # no token starts with this character
                first_error = first_error or self.error(
                    f"unexpected character {self.text[start]!r}", start)
                continue
            token = _Token(_KINDS[group], self.text[start:match.end()], start, match.end())
            if token.kind == "op" and token.text in _BRACKETS:
                depth = max(depth + _BRACKETS[token.text], 0)
                if depth > MAX_NESTING:
                    raise self.too_deep(start)
            tokens.append(token)
        if first_error is not None:
            raise first_error
        size = len(self.text)
        # Two end markers, so looking one token ahead never runs off the list.
        tokens.extend((_Token("end", "", size, size), _Token("end", "", size, size)))
        return tokens

    def peek(self, ahead: int = 0) -> _Token:
        return self.tokens[self.pos + ahead]

    def at(self, text: str) -> bool:
        """Whether the next token is this operator or keyword (a string or number token's
        text, quotes and digits included, never equals one)."""
        return self.tokens[self.pos].text == text

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        if token.kind != "end":
            self.pos += 1
        return token

    def expect(self, text: str, context: str) -> _Token:
        if not self.at(text):
            raise self.unexpected(f"expected `{text}` {context}")
        return self.take()

    def expect_kind(self, kind: str, what: str) -> _Token:
        if self.peek().kind != kind:
            raise self.unexpected(f"expected {what}")
        return self.take()

    def unexpected(self, expectation: str) -> CedarSyntaxError:
        token = self.peek()
        found = "the end of the file" if token.kind == "end" else f"`{token.text}`"
        return self.error(f"{expectation}, found {found}", token.start)

    def string(self, token: _Token, pattern: bool = False) -> list[str | None]:
        return _decode(token.text[1:-1], pattern)

    def string_value(self, token: _Token) -> str:
        body = token.text[1:-1]
        return body if "\\" not in body else "".join(p for p in _decode(body, pattern=False) if p is not None)

    # -- policies ---------------------------------------------------------------------

    def policies(self) -> list[ast.CedarPolicy]:
        found: list[ast.CedarPolicy] = []
        while self.peek().kind != "end":
            start = self.peek().start
            found.append(self.policy(len(found)))
            self.offsets.append((start, self.tokens[self.pos - 1].end))
        return found

    def policy(self, index: int) -> ast.CedarPolicy:
        start = self.peek().start
        annotations = []
        while self.at("@"):
            annotations.append(self.annotation())
        if not (self.peek().kind == "ident" and self.peek().text in _EFFECTS):
            raise self.unexpected("expected `permit` or `forbid`" if annotations
                                  else "expected a policy (`permit` or `forbid`)")
        effect = self.take()
        self.expect("(", "after the effect")
        principal = self.scope_element("principal")
        self.expect(",", "after the principal")
        action = self.scope_element("action")
        self.expect(",", "after the action")
        resource = self.scope_element("resource")
        if self.at(","):  # Cedar allows a trailing comma in the scope
            self.take()
        self.expect(")", "after the resource")
        conditions = []
        while self.peek().kind == "ident" and self.peek().text in ("when", "unless"):
            conditions.append(self.condition())
        end = self.expect(";", "at the end of the policy").end
        return ast.CedarPolicy(
            location=self.span(start, end),
            field_locations={"effect": self.span(effect.start, effect.end)},
            index=index, effect=effect.text, annotations=tuple(annotations),
            principal=principal, action=action, resource=resource, conditions=tuple(conditions),
        )

    def annotation(self) -> ast.Annotation:
        start = self.take().start
        key = self.expect_kind("ident", "an annotation name after `@`")
        value = None
        end = key.end
        if self.at("("):
            self.take()
            value = self.string_value(self.expect_kind("str", "a string as the annotation's value"))
            end = self.expect(")", "after the annotation's value").end
        return ast.Annotation(location=self.span(start, end), key=key.text, value=value)

    def scope_element(self, variable: str) -> ast.ScopeElement:
        head = self.peek()
        if not (head.kind == "ident" and head.text == variable):
            raise self.unexpected(f"expected `{variable}`")
        self.take()
        operator, entity_type, entities, is_list = None, None, [], False
        if self.at("==") or self.at("in"):
            operator = self.take().text
            if variable == "action" and operator == "in" and self.at("["):
                is_list = True
                entities = self.entity_list()
            else:
                entities = [self.scope_entity(variable)]
        elif self.at("is") and variable != "action":
            operator = self.take().text
            entity_type = self.type_path("an entity type after `is`")[0]
            if self.at("in"):
                self.take()
                entities = [self.scope_entity(variable)]
        end = self.tokens[self.pos - 1].end
        return ast.ScopeElement(location=self.span(head.start, end), variable=variable,
                                operator=operator, entity_type=entity_type,
                                entities=tuple(entities), is_list=is_list,
                                text=_one_line(self.text[head.start:end]))

    def scope_entity(self, variable: str) -> ast.EntityLiteral | ast.Slot:
        token = self.peek()
        if token.kind == "slot":
            if token.text != f"?{variable}":
                raise self.unexpected(f"expected an entity or `?{variable}`")
            self.take()
            return ast.Slot(location=self.span(token.start, token.end), name=variable)
        return self.entity()

    def entity_list(self) -> list[ast.EntityLiteral | ast.Slot]:
        self.take()
        entities: list[ast.EntityLiteral | ast.Slot] = []
        while not self.at("]"):
            entities.append(self.entity())
            if not self.at(","):
                break
            self.take()
        self.expect("]", "at the end of the action list")
        return entities

    def type_path(self, what: str) -> tuple[str, int, int]:
        """IDENT { `::` IDENT }, stopping before a `::` that is followed by a string."""
        first = self.expect_kind("ident", what)
        names, end = [first.text], first.end
        while self.at("::") and self.peek(1).kind == "ident":
            self.take()
            token = self.take()
            names.append(token.text)
            end = token.end
        return "::".join(names), first.start, end

    def entity(self) -> ast.EntityLiteral:
        type_name, start, _ = self.type_path("an entity such as Type::\"id\"")
        self.expect("::", "between the entity type and its id")
        id_token = self.expect_kind("str", "the entity id as a string")
        return ast.EntityLiteral(location=self.span(start, id_token.end), type=type_name,
                                 id=self.string_value(id_token))

    def condition(self) -> ast.Condition:
        keyword = self.take()
        self.expect("{", f"after `{keyword.text}`")
        body = self.expr()
        end = self.expect("}", f"at the end of the `{keyword.text}` condition").end
        return ast.Condition(location=self.span(keyword.start, end), kind=keyword.text, body=body)

    # -- expressions ------------------------------------------------------------------

    def node(self, cls: type, start: int, **fields: object) -> ast.Expr:
        return cls(location=self.span(start, self.tokens[self.pos - 1].end), **fields)

    def expr(self) -> ast.Expr:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.too_deep(self.tokens[self.pos].start)
        try:
            return self.if_or_disjunction()
        finally:
            self.depth -= 1

    def if_or_disjunction(self) -> ast.Expr:
        token = self.peek()
        if token.kind == "ident" and token.text == "if":
            self.take()
            cond = self.expr()
            self.expect("then", "after the `if` condition")
            then_expr = self.expr()
            self.expect("else", "after the `then` branch")
            else_expr = self.expr()
            return self.node(ast.IfThenElse, token.start, cond=cond, then_expr=then_expr,
                             else_expr=else_expr)
        return self.binary_chain(("||",), self.conjunction)

    def conjunction(self) -> ast.Expr:
        return self.binary_chain(("&&",), self.relation)

    def binary_chain(self, ops: tuple[str, ...], operand: Callable[[], ast.Expr]) -> ast.Expr:
        """operand { op operand }, left-associative."""
        start = self.tokens[self.pos].start
        left = operand()
        while self.tokens[self.pos].kind == "op" and self.tokens[self.pos].text in ops:
            op = self.take().text
            right = operand()
            left = self.node(ast.Binary, start, op=op, left=left, right=right)
        return left

    def relation(self) -> ast.Expr:
        start = self.peek().start
        left = self.additive()
        token = self.peek()
        if token.text in _RELATIONS and token.kind in ("op", "ident"):
            self.take()
            right = self.additive()
            return self.node(ast.Binary, start, op=token.text, left=left, right=right)
        if token.kind == "ident" and token.text == "has":
            self.take()
            if self.peek().kind == "str":
                attrs: tuple[str, ...] = (self.string_value(self.take()),)
            else:
                names = [self.expect_kind("ident", "an attribute name after `has`").text]
                while self.at(".") and self.peek(1).kind == "ident":
                    self.take()
                    names.append(self.take().text)
                    if len(names) > MAX_NESTING:
                        # `e has a.b.c` means `e has a && e.a has b && e.a.b has c`: a nesting
                        # as deep as the chain, which cedarpy expands in quadratic time
                        raise self.too_deep(self.tokens[self.pos - 1].start)
                attrs = tuple(names)
            return self.node(ast.Has, start, base=left, attrs=attrs)
        if token.kind == "ident" and token.text == "like":
            self.take()
            pattern = self.string(self.expect_kind("str", "a pattern string after `like`"), pattern=True)
            return self.node(ast.Like, start, base=left, pattern=tuple(pattern))
        if token.kind == "ident" and token.text == "is":
            self.take()
            entity_type = self.type_path("an entity type after `is`")[0]
            in_expr = None
            if self.at("in"):
                self.take()
                in_expr = self.additive()
            return self.node(ast.Is, start, base=left, entity_type=entity_type, in_expr=in_expr)
        return left

    def additive(self) -> ast.Expr:
        return self.binary_chain(("+", "-"), self.multiplicative)

    def multiplicative(self) -> ast.Expr:
        return self.binary_chain(("*",), self.unary)

    def unary(self) -> ast.Expr:
        operators = []
        while self.peek().kind == "op" and self.peek().text in ("!", "-"):
            operators.append(self.take())
        first = self.pos
        operand = self.members(self.primary(), self.tokens[first].start)
        if (operators and operators[-1].text == "-" and self.tokens[first].kind == "int"
                and self.pos == first + 1 and isinstance(operand, ast.Literal)):
            # `-5` is one literal in Cedar (so -9223372036854775808 fits); `-5.x` is -(5.x).
            minus = operators.pop()
            operand = ast.Literal(location=self.span(minus.start, self.tokens[self.pos - 1].end),
                                  value=-int(operand.value))
        for operator in reversed(operators):
            operand = self.node(ast.Unary, operator.start, op=operator.text, arg=operand)
        return operand

    def members(self, base: ast.Expr, start: int) -> ast.Expr:
        while True:
            if self.at("."):
                self.take()
                name = self.expect_kind("ident", "an attribute or method name after `.`").text
                if self.at("("):
                    args = self.arguments("(", ")")
                    base = self.node(ast.Call, start, function=name, args=args, receiver=base)
                else:
                    base = self.node(ast.Attribute, start, base=base, attr=name)
            elif self.at("["):
                self.take()
                attr = self.string_value(self.expect_kind("str", "a string index such as [\"name\"]"))
                self.expect("]", "after the index")
                base = self.node(ast.Attribute, start, base=base, attr=attr)
            else:
                return base

    def arguments(self, opening: str, closing: str) -> tuple[ast.Expr, ...]:
        self.expect(opening, "")
        items: list[ast.Expr] = []
        while not self.at(closing):
            items.append(self.expr())
            if not self.at(","):
                break
            self.take()
        self.expect(closing, "to close the list")
        return tuple(items)

    def primary(self) -> ast.Expr:
        token = self.peek()
        start = token.start
        if token.kind == "int":
            # A Cedar Long is 64-bit (2**63 itself only after `-`); past 20 digits int()
            # is not even tried (it refuses over 4,300, and str() of a bigger int too).
            if len(token.text) > 20 or int(token.text) > 2**63:
                raise self.error("integer literal out of range (a Cedar Long is 64-bit)", start)
            self.take()
            return self.node(ast.Literal, start, value=int(token.text))
        if token.kind == "str":
            self.take()
            return self.node(ast.Literal, start, value=self.string_value(token))
        if token.kind == "slot":
            self.take()
            return self.node(ast.Slot, start, name=token.text[1:])
        if token.kind == "op":
            if token.text == "(":
                self.take()
                inner = self.expr()
                self.expect(")", "to close the parenthesis")
                return inner
            if token.text == "[":
                return self.node(ast.SetLiteral, start, elements=self.arguments("[", "]"))
            if token.text == "{":
                return self.record()
            raise self.unexpected("expected an expression")
        if token.kind != "ident":
            raise self.unexpected("expected an expression")
        if token.text in ("true", "false"):
            self.take()
            return self.node(ast.Literal, start, value=token.text == "true")
        if token.text in _VARIABLES and self.peek(1).text != "::":  # else a type: `resource::"x"`
            self.take()
            return self.node(ast.Var, start, name=token.text)
        if token.text in _KEYWORDS:
            raise self.unexpected("expected an expression" if token.text != "if" else
                                  "expected an expression (an `if` here needs parentheses)")
        name, _, _ = self.type_path("an expression")
        if self.at("("):
            return self.node(ast.Call, start, function=name, args=self.arguments("(", ")"))
        self.expect("::", "and an entity id (Type::\"id\"), or a function call")
        id_token = self.expect_kind("str", "the entity id as a string")
        return self.node(ast.EntityLiteral, start, type=name, id=self.string_value(id_token))

    def record(self) -> ast.Expr:
        start = self.take().start
        fields: list[tuple[str, ast.Expr]] = []
        while not self.at("}"):
            key = self.peek()
            if key.kind not in ("ident", "str"):
                raise self.unexpected("expected a record key")
            self.take()
            self.expect(":", "after the record key")
            fields.append((key.text if key.kind == "ident" else self.string_value(key), self.expr()))
            if not self.at(","):
                break
            self.take()
        self.expect("}", "to close the record")
        return self.node(ast.RecordLiteral, start, fields=tuple(fields))


def _deepest(brackets: Iterable[str], openers: str, depth: int = 0) -> int:
    """The deepest nesting a sequence of bracket characters reaches (from `depth`)."""
    deepest = depth
    for char in brackets:
        if char in openers:
            depth += 1
            deepest = max(deepest, depth)
        elif char in _OPENER_OF and _OPENER_OF[char] in openers:
            depth = max(depth - 1, 0)
    return deepest


def raw_depth(text: str, openers: str, depth: int = 0) -> int:
    """The deepest bracket nesting in `text`, strings and comments included: an upper
    bound for text that cannot be tokenized (after a string with no closing quote)."""
    return _deepest((m.group() for m in _RAW_BRACKETS.finditer(text)), openers, depth)


def nesting_depth(text: str, openers: str = "([{") -> int:
    """The deepest nesting of the given opening brackets in `text` (a policy, or a Cedar
    schema, whose types also nest with `<`), outside strings and comments."""
    def brackets() -> Iterator[str]:
        for match in _TOKEN.finditer(text):
            if match.lastindex == _CLOSING_QUOTE and not match.group(_CLOSING_QUOTE):
                # No closing quote: the rest is not tokens; count all its brackets.
                rest = _RAW_BRACKETS.finditer(text, match.start(_STRING) + 1)
                yield from (m.group() for m in rest)
                return
            if match.lastindex == 2 and len(match.group(2)) == 1:
                yield match.group(2)
    return _deepest(brackets(), openers)


@dataclass(frozen=True)
class ParsedFile:
    policies: list[ast.CedarPolicy]
    sources: list[str]  # each policy's own text, for asking cedarpy about one policy


def parse(path: str, text: str) -> ParsedFile:
    """The policies of a Cedar file, in order; CedarSyntaxError (located) on bad syntax."""
    parser = _Parser(path, text)
    # Each level of expression nesting costs about a dozen Python frames.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, MAX_NESTING * 20 + 1000))
    try:
        policies = parser.policies()
    finally:
        sys.setrecursionlimit(limit)
    return ParsedFile(policies, [text[start:end] for start, end in parser.offsets])
