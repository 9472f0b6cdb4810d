"""The located Cedar policy model: what the Cedar source produces and the NHI6xx rules read.

Every node carries the `Location` of its source text, so a finding points at the policy,
its effect, one scope element, one condition or one sub-expression. The expression nodes
mirror Cedar's grammar (and `cedarpy.pst`'s node set); this module imports nothing but the
standard library and `nhilint.model`, so rule modules can import it at no cost.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from nhilint.model import Located, Location


@dataclass(frozen=True, kw_only=True)
class Expr:
    location: Location

    def children(self) -> tuple[Expr, ...]:
        return ()


@dataclass(frozen=True, kw_only=True)
class Var(Expr):
    name: str = ""  # principal | action | resource | context


@dataclass(frozen=True, kw_only=True)
class Slot(Expr):
    name: str = ""  # principal | resource (written ?principal, ?resource)


@dataclass(frozen=True, kw_only=True)
class Literal(Expr):
    value: bool | int | str = ""


@dataclass(frozen=True, kw_only=True)
class EntityLiteral(Expr):
    type: str = ""  # the full type path: `Agent`, `MyApp::Agent`
    id: str = ""

    def __str__(self) -> str:
        return f'{self.type}::"{self.id}"'


@dataclass(frozen=True, kw_only=True)
class Unary(Expr):
    op: str = ""  # ! | -
    arg: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.arg,)


@dataclass(frozen=True, kw_only=True)
class Binary(Expr):
    op: str = ""  # && || == != < <= > >= in + - *
    left: Expr
    right: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


@dataclass(frozen=True, kw_only=True)
class Attribute(Expr):
    """`base.attr` or `base["attr"]`: errors at evaluation when the attribute is absent."""

    base: Expr
    attr: str = ""

    def children(self) -> tuple[Expr, ...]:
        return (self.base,)


@dataclass(frozen=True, kw_only=True)
class Has(Expr):
    base: Expr
    attrs: tuple[str, ...] = ()  # `e has a.b` tests a, then a.b

    def children(self) -> tuple[Expr, ...]:
        return (self.base,)


@dataclass(frozen=True, kw_only=True)
class Like(Expr):
    base: Expr
    # The decoded pattern: one item per character, None for a wildcard `*` (an escaped
    # `\*` is the character "*").
    pattern: tuple[str | None, ...] = ()

    def children(self) -> tuple[Expr, ...]:
        return (self.base,)

    @property
    def matches_everything(self) -> bool:
        return all(item is None for item in self.pattern) and bool(self.pattern)


@dataclass(frozen=True, kw_only=True)
class Is(Expr):
    base: Expr
    entity_type: str = ""
    in_expr: Expr | None = None

    def children(self) -> tuple[Expr, ...]:
        return tuple(e for e in (self.base, self.in_expr) if e is not None)


@dataclass(frozen=True, kw_only=True)
class IfThenElse(Expr):
    cond: Expr
    then_expr: Expr
    else_expr: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.cond, self.then_expr, self.else_expr)


@dataclass(frozen=True, kw_only=True)
class SetLiteral(Expr):
    elements: tuple[Expr, ...] = ()

    def children(self) -> tuple[Expr, ...]:
        return self.elements


@dataclass(frozen=True, kw_only=True)
class RecordLiteral(Expr):
    fields: tuple[tuple[str, Expr], ...] = ()

    def children(self) -> tuple[Expr, ...]:
        return tuple(value for _, value in self.fields)


@dataclass(frozen=True, kw_only=True)
class Call(Expr):
    """An extension function `ip("10.0.0.1")` (no receiver) or a method `s.contains(x)`."""

    function: str = ""
    args: tuple[Expr, ...] = ()
    receiver: Expr | None = None

    def children(self) -> tuple[Expr, ...]:
        return ((self.receiver,) if self.receiver is not None else ()) + self.args


def walk(expr: Expr) -> Iterator[Expr]:
    """Every node of `expr`, parents before children, in source order."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children()))


def attribute_path(expr: Expr) -> tuple[str, ...] | None:
    """`context.task.id` -> ("context", "task", "id"); None when the base is not a variable."""
    names: list[str] = []
    while isinstance(expr, Attribute):
        names.append(expr.attr)
        expr = expr.base
    if isinstance(expr, Var):
        return (expr.name, *reversed(names))
    return None


@dataclass(frozen=True, kw_only=True)
class Annotation(Located):
    key: str = ""
    value: str | None = None  # None for a bare annotation `@key`


@dataclass(frozen=True, kw_only=True)
class ScopeElement(Located):
    """`principal`, `principal == Agent::"x"`, `action in [...]`, `resource is T in ?resource`."""

    variable: str = ""  # principal | action | resource
    operator: str | None = None  # None (unconstrained) | == | in | is
    entity_type: str | None = None  # the `is T` type
    entities: tuple[EntityLiteral | Slot, ...] = ()  # what `==` / `in` names (several for `in [...]`)
    is_list: bool = False  # `action in [A, B]`
    text: str = ""  # the element's source text, for messages

    @property
    def unconstrained(self) -> bool:
        return self.operator is None

    @property
    def has_slot(self) -> bool:
        return any(isinstance(e, Slot) for e in self.entities)

    def type_names(self) -> tuple[str, ...]:
        """The entity type names the element names (the `is` type, the type of each entity)."""
        names = [self.entity_type] if self.entity_type else []
        names.extend(e.type for e in self.entities if isinstance(e, EntityLiteral))
        return tuple(names)


@dataclass(frozen=True, kw_only=True)
class Condition(Located):
    kind: str = ""  # when | unless
    body: Expr


@dataclass(frozen=True, kw_only=True)
class CedarPolicy(Located):
    """One policy or template. `location` spans it from its first annotation (or its
    effect keyword) to its `;`; `field_locations["effect"]` is the effect keyword."""

    index: int = 0  # its position in the file: Cedar names it policy<index>
    effect: str = ""  # permit | forbid
    annotations: tuple[Annotation, ...] = ()
    principal: ScopeElement
    action: ScopeElement
    resource: ScopeElement
    conditions: tuple[Condition, ...] = ()
    # Schema validation: the schema's path when one validated this file, and the
    # validator's messages about this policy (empty when it passed).
    schema: str | None = None
    validation_errors: tuple[str, ...] = ()

    @property
    def scope(self) -> tuple[ScopeElement, ...]:
        return (self.principal, self.action, self.resource)

    @property
    def cedar_id(self) -> str:
        return f"policy{self.index}"

    @property
    def id(self) -> str:
        """The `@id` annotation when present (the Cedar CLI convention), else Cedar's own name."""
        for annotation in self.annotations:
            if annotation.key == "id" and annotation.value:
                return annotation.value
        return self.cedar_id

    @property
    def is_template(self) -> bool:
        return any(element.has_slot for element in self.scope)

    @property
    def proven_by_schema(self) -> bool:
        """A schema validated this policy without error: its conditions cannot hit a type
        error or a missing attribute at evaluation."""
        return self.schema is not None and not self.validation_errors

    def describe(self) -> str:
        return f"{self.effect} '{self.id}'"


@dataclass(frozen=True, kw_only=True)
class CedarPolicySet(Located):
    """One `.cedar` file, read without a parse error: its policies in order."""

    policies: tuple[CedarPolicy, ...] = ()
    schema: str | None = None  # the schema file found beside it, if any
