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


def entities(text: str, schema: Any = None) -> cedarpy.Entities:
    """Entities from their JSON text, checked against the schema when one is given."""
    return cedarpy.Entities.from_json_str(text, schema)


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
