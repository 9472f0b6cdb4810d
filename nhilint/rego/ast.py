"""The Rego AST the NHI7xx rules read: small frozen dataclasses, each with its `Location`.

Built by `nhilint.rego.parser` (which needs lark); this module imports nothing heavy, so
rule modules can name these types at import time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from nhilint.model import Location


@dataclass(frozen=True)
class Node:
    location: Location

    def children(self) -> list[Node]:
        """The direct sub-nodes, in source order."""
        found: list[Node] = []
        for name in _child_fields(type(self)):
            _collect(getattr(self, name), found)
        return found

    def walk(self) -> Iterator[Node]:
        """This node and every node below it, depth first, in source order."""
        stack: list[Node] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children()))


_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type[Node]) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(n for n in cls.__dataclass_fields__
                                     if n not in ("location", "version_issues", "calls"))
    return names


def _collect(value: Any, found: list) -> None:
    if isinstance(value, Node):
        found.append(value)
    elif isinstance(value, tuple):
        for item in value:
            _collect(item, found)


# --- terms and expressions -------------------------------------------------------------

@dataclass(frozen=True)
class Scalar(Node):
    """A string (plain or raw), number, boolean or null."""

    value: Any
    kind: str  # string | raw_string | number | boolean | null


@dataclass(frozen=True)
class TemplateString(Node):
    """`$"hello {input.name}"`: literal text and embedded expressions, in order."""

    parts: tuple[str | Expr, ...]
    raw: bool = False


@dataclass(frozen=True)
class Var(Node):
    name: str


@dataclass(frozen=True)
class Ref(Node):
    """`head.a[b]`: a head term and its path; `.a` is the string Scalar 'a'."""

    head: Expr
    path: tuple[Expr, ...]

    def text(self) -> str:
        """The dotted form for messages and names: `data.tools.allow`, `x[_].id`."""
        out = self.head.name if isinstance(self.head, Var) else "<term>"
        for part in self.path:
            if isinstance(part, Scalar) and part.kind == "string" and str(part.value).isidentifier():
                out += f".{part.value}"
            elif isinstance(part, Var):
                out += f"[{part.name}]"
            elif isinstance(part, Scalar):
                out += f"[{part.value!r}]"
            else:
                out += "[...]"
        return out


@dataclass(frozen=True)
class Call(Node):
    """`name(args)`, where name is dotted (`glob.match`, `time.now_ns`)."""

    name: str
    args: tuple[Expr, ...]
    callee: Ref | None = None  # the name as written, with its location


@dataclass(frozen=True)
class BinOp(Node):
    """Infix operators: comparison, arithmetic, `|` union, `&` intersection."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Assign(Node):
    """`x := y` (declaration) or `x = y` (unification)."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Membership(Node):
    """`x in xs`, or `k, v in obj` (key is then set)."""

    value: Expr
    collection: Expr
    key: Expr | None = None


@dataclass(frozen=True)
class Negative(Node):
    operand: Expr


@dataclass(frozen=True)
class Array(Node):
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Set(Node):
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class ObjectItem(Node):
    key: Expr
    value: Expr


@dataclass(frozen=True)
class Object(Node):
    items: tuple[ObjectItem, ...]


@dataclass(frozen=True)
class ArrayComprehension(Node):
    head: Expr
    body: Body


@dataclass(frozen=True)
class SetComprehension(Node):
    head: Expr
    body: Body


@dataclass(frozen=True)
class ObjectComprehension(Node):
    key: Expr
    value: Expr
    body: Body


Expr = (Scalar | TemplateString | Var | Ref | Call | BinOp | Assign | Membership | Negative | Array
        | Set | Object | ArrayComprehension | SetComprehension | ObjectComprehension)


# --- bodies ------------------------------------------------------------------------------

@dataclass(frozen=True)
class SomeDecl(Node):
    """`some x, y` (declaration) or `some k, v in xs` (iteration: collection set)."""

    vars: tuple[Expr, ...]
    collection: Expr | None = None


@dataclass(frozen=True)
class Every(Node):
    key: str | None
    value: str
    domain: Expr
    body: Body


@dataclass(frozen=True)
class With(Node):
    target: Ref
    value: Expr


@dataclass(frozen=True)
class Literal(Node):
    """One statement of a body: an expression, `not` expression, `some` or `every`, with modifiers."""

    expr: Expr | SomeDecl | Every
    negated: bool = False
    withs: tuple[With, ...] = ()


@dataclass(frozen=True)
class Body(Node):
    literals: tuple[Literal, ...]


# --- rules and modules -------------------------------------------------------------------

@dataclass(frozen=True)
class Else(Node):
    value: Expr | None
    body: Body | None
    assign: str | None = None


@dataclass(frozen=True)
class Rule(Node):
    """A rule. `kind` is complete (`p := v`), set (`p contains x`, v0 `p[x] {}`), object
    (v0 `p[k] = v {}`), function (`f(x) := v`) or default (`default p := v`)."""

    kind: str
    ref: Ref
    value: Expr | None = None
    key: Expr | None = None  # the element of a set rule, the key of an object rule
    args: tuple[Expr, ...] = ()
    body: Body | None = None
    elses: tuple[Else, ...] = ()
    assign: str | None = None  # ":=" | "=" | None
    has_if: bool = False
    has_contains: bool = False
    head_location: Location | None = None
    # An index the parser fills, so rules need not walk the tree: the variable names and
    # `data.` references anywhere in the rule, and every call in it, in source order.
    names: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    calls: tuple[Call, ...] = field(default=(), compare=False, repr=False)

    @property
    def name(self) -> str:
        """The rule's own name: the last static segment of its head (`allow` for `tools.allow`)."""
        name = self.ref.head.name if isinstance(self.ref.head, Var) else ""
        for part in self.ref.path:
            if isinstance(part, Scalar) and part.kind == "string":
                name = str(part.value)
        return name


@dataclass(frozen=True)
class Comment(Node):
    text: str  # with its `#`


@dataclass(frozen=True)
class Import(Node):
    path: Ref
    alias: str | None = None


@dataclass(frozen=True)
class VersionIssue:
    """A construct whose validity depends on the Rego version (checked by NHI705)."""

    location: Location
    # "v0-body" (a rule body without `if`, valid in v0 only), "v0-names" (the file parses
    # only with the v1 keywords it does not import read as names, as v0 reads them), or
    # the v1 keyword used: "if", "contains", "in", "every" (a v0 module must import it)
    needs: str
    message: str = ""  # for "v0-names": the error of the v1 reading


@dataclass(frozen=True)
class Module(Node):
    path: str
    package: Ref
    imports: tuple[Import, ...] = ()
    rules: tuple[Rule, ...] = ()
    comments: tuple[Comment, ...] = ()
    version_issues: tuple[VersionIssue, ...] = field(default=(), compare=False, repr=False)
    # "v0" or "v1" when an OPA bundle `.manifest` above the file sets it, else None
    rego_version: str | None = field(default=None, compare=False)

    @cached_property
    def package_name(self) -> str:
        return self.package.text()

    @property
    def declared_version(self) -> str | None:
        """"v1" with `import rego.v1`, "v0" with a `future.keywords` import (which OPA v1
        also accepts, as a no-op), else None: the reading to prefer, not a requirement."""
        paths = {imp.path.text() for imp in self.imports}
        if "rego.v1" in paths:
            return "v1"
        if any(p == "future.keywords" or p.startswith("future.keywords.") for p in paths):
            return "v0"
        return None

    @property
    def future_keywords(self) -> frozenset[str]:
        """The v1 keywords a v0 module imports (`future.keywords` imports all of them)."""
        found: set[str] = set()
        for imp in self.imports:
            text = imp.path.text()
            if text == "future.keywords" or text == "rego.v1":
                return frozenset({"if", "contains", "in", "every"})
            if text.startswith("future.keywords."):
                found.add(text.rsplit(".", 1)[1])
        return frozenset(found)
