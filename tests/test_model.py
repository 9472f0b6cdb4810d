"""The model's own helpers."""

from __future__ import annotations

import dataclasses

import pytest

from nhilint.model import Grant, Identity, Location


def test_joined_is_a_replaced_copy() -> None:
    grant = Grant(location=Location("r.yaml", 3, 5), identity="ServiceAccount a/b", name="g", actions=("get",))
    identity = Identity(location=Location("r.yaml", 1), name="ServiceAccount a/b")
    joined = identity.joined(grants=(grant,))
    assert joined == dataclasses.replace(identity, grants=(grant,))
    assert identity.grants == () and joined.grants == (grant,)  # the original is untouched
    assert type(joined) is Identity and hash(joined.location) == hash(identity.location)


def test_joined_refuses_a_field_the_object_has_not() -> None:
    with pytest.raises(TypeError, match="has no field colour"):
        Identity(location=Location("r.yaml", 1), name="x").joined(colour="red")
