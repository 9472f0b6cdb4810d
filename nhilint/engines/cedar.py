"""Every cedarpy call: policy sets, syntax checks, schemas, validation, entities, template
links and authorization.

cedarpy's parsers overflow their stack (killing the process) on deeply nested text, so
every text is measured (`nhilint.cedar.parser.nesting_depth`) before it reaches cedarpy,
here and only here: text nested more than MAX_NESTING levels deep raises NestedTooDeep
and is never handed over. Otherwise cedarpy's own exceptions pass to the caller, which
words them (`nhilint.engines.attempt`, or its own message). Responses are cedarpy's
`AuthzResult`s (`decision`, `diagnostics.reasons`, `.errors`, `.id_annotations_by_reason`).

Importing this module imports cedarpy: `nhilint.sources.cedar` and the Cedar scenario
backend import it, and are themselves imported only when a Cedar file is read.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import cedarpy

from nhilint.cedar.parser import MAX_NESTING, nesting_depth
from nhilint.engines import EngineFailure, failure_text, is_engine_failure

POLICY_BRACKETS = "([{"
SCHEMA_BRACKETS = "([{<"  # a Cedar schema's types also nest with `<`


class NestedTooDeep(EngineFailure):
    """Text nested more than MAX_NESTING levels deep: not handed to cedarpy."""


def _refuse_deep_nesting(text: str, brackets: str) -> None:
    if _depth(text, brackets) > MAX_NESTING:
        raise NestedTooDeep(f"nested more than {MAX_NESTING} levels deep")


@lru_cache(maxsize=4)
def _depth(text: str, brackets: str) -> int:
    """Remembered for the last few texts: the linter hands one text to cedarpy twice (its
    syntax check, then validation), and measuring 1,000 policies takes about 20 ms."""
    return nesting_depth(text, brackets)


def policy_set(text: str) -> cedarpy.PolicySet:
    """The policies (and templates) of `text`, parsed once."""
    _refuse_deep_nesting(text, POLICY_BRACKETS)
    return cedarpy.PolicySet.from_str(text)


def add_policies(policies: cedarpy.PolicySet, text: str) -> cedarpy.PolicySet:
    """`policies` and those of `text` after them (cedarpy numbers them on: `policyN`)."""
    _refuse_deep_nesting(text, POLICY_BRACKETS)
    return policies.with_added_str(text)


def syntax_error(text: str) -> str | None:
    """cedarpy's message when the text is not Cedar, else None."""
    try:
        policy_set(text)
    except NestedTooDeep as exc:
        return str(exc)
    except ValueError as exc:
        return str(exc).strip() or "invalid Cedar"
    return None


def schema(text: str, json: bool = False) -> cedarpy.Schema:
    """A schema from Cedar schema text, or from its JSON form (`json`: cedarpy's JSON reader
    bounds nesting itself)."""
    if json:
        return cedarpy.Schema.from_json_str(text)
    _refuse_deep_nesting(text, SCHEMA_BRACKETS)
    return cedarpy.Schema.from_str(text)


def validate(text: str, schema: Any) -> list[cedarpy.ValidationError]:
    """The validator's errors for the policies of `text` (`policy_id` as cedarpy numbers
    them, `error`); [] when they validate."""
    _refuse_deep_nesting(text, POLICY_BRACKETS)
    return list(cedarpy.validate_policies(text, schema).errors)


class HierarchyTooLarge(EngineFailure):
    """Entities cedarpy cannot take safely: too many, or a parent chain too long."""


MAX_ENTITIES = 1_000_000
MAX_HIERARCHY_DEPTH = 100  # entities in the longest chain of parents


def entities(text: str, schema: Any = None) -> cedarpy.Entities:
    """Entities from their JSON text, checked against the schema when one is given.

    cedarpy computes the transitive closure of the parent relation recursively, in time
    that grows with the cube of a chain's length (1,000 deep: 0.5 s; 10,000: a minute), and
    overflows its stack (killing the process) on a chain of 100,000: a hierarchy deeper than
    MAX_HIERARCHY_DEPTH, or more than MAX_ENTITIES entities, raises HierarchyTooLarge and is
    never handed over."""
    check_hierarchy(text)
    return cedarpy.Entities.from_json_str(text, schema)


def check_hierarchy(text: str) -> None:
    """HierarchyTooLarge if the entities of `text` (Cedar's JSON entity format) are too many
    or nest too deep; anything else wrong with them is left for cedarpy to say."""
    try:
        items = json.loads(text)
    except (ValueError, RecursionError):
        return  # not JSON (or nested too deep for Python): cedarpy's own reader says why
    if not isinstance(items, list):
        return
    if len(items) > MAX_ENTITIES:
        raise HierarchyTooLarge(f"{len(items):,} entities, more than the {MAX_ENTITIES:,} nhilint evaluates")
    parents: dict[Any, list[Any]] = {}
    for item in items:
        if isinstance(item, dict):
            parents[_uid(item.get("uid"))] = [_uid(p) for p in item.get("parents") or () if p is not None] \
                if isinstance(item.get("parents"), list) else []
    deepest, uid = _longest_chain(parents)
    if deepest > MAX_HIERARCHY_DEPTH:
        raise HierarchyTooLarge(f"the entity hierarchy is {deepest:,} levels deep (from {uid}), more than the "
                                f"{MAX_HIERARCHY_DEPTH} nhilint evaluates")


def _uid(value: Any) -> Any:
    """An entity reference as a hashable key: {"type", "id"}, or {"__entity": {...}}."""
    if isinstance(value, dict) and isinstance(value.get("__entity"), dict):
        value = value["__entity"]
    if isinstance(value, dict):
        return f"{value.get('type')}::{json.dumps(value.get('id'))}"
    return json.dumps(value, sort_keys=True, default=str)


def _longest_chain(parents: dict[Any, list[Any]]) -> tuple[int, Any]:
    """The number of entities in the longest chain of parents, and where it starts; without
    recursion, each entity visited once (a cycle counts each entity on it once: cedarpy
    rejects cycles itself)."""
    depth: dict[Any, int] = {}
    on_path: set[Any] = set()
    best, start = 0, None
    for root in parents:
        if root in depth:
            continue
        stack: list[tuple[Any, int]] = [(root, 0)]
        on_path.add(root)
        while stack:
            uid, next_parent = stack[-1]
            above = parents.get(uid, [])
            if next_parent < len(above):
                stack[-1] = (uid, next_parent + 1)
                parent = above[next_parent]
                if parent not in depth and parent not in on_path:
                    on_path.add(parent)
                    stack.append((parent, 0))
                continue
            stack.pop()
            on_path.discard(uid)
            depth[uid] = 1 + max((depth.get(p, 0) for p in above), default=0)
            if depth[uid] > best:
                best, start = depth[uid], uid
    return best, start


def link(policies: cedarpy.PolicySet, links: list[dict[str, Any]]) -> cedarpy.PolicySet:
    """`policies` with templates linked: each link {template_id, new_id, values}."""
    return policies.with_linked_batch(links)


def authorize(requests: list[dict[str, Any]], policies: cedarpy.PolicySet, entities: Any,
              schema: Any = None) -> list[Any]:
    """One batch; if the batch as a whole fails, each request alone so the failure is pinned
    on the request that caused it (the others keep their decisions): an EngineFailure in
    its place. A single request that fails raises."""
    try:
        return list(cedarpy.is_authorized_batch(requests, policies, entities, schema))
    except BaseException as exc:
        if not is_engine_failure(exc) or len(requests) == 1:
            raise
    responses: list[Any] = []
    for request in requests:
        try:
            responses.extend(authorize([request], policies, entities, schema))
        except BaseException as exc:
            if not is_engine_failure(exc):
                raise
            responses.append(EngineFailure(f"cannot evaluate the request: {failure_text(exc)}"))
    return responses
