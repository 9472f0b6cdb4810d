"""The loader's fast path (event dispatch by class, cached implicit tags) builds exactly
what pyyaml's own composer and safe constructor build, position for position."""

from __future__ import annotations

import yaml

from nhilint.sources.yaml_loader import iter_documents

MIXED = """\
plain: true
quoted: "true"
tagged: !!str 42
number: 42
octal_looking: 0o17
float: 1.5e3
nothing: ~
words: [yes, "no", on, 'off', null, "null"]
base: &base {verbs: [get, list], apiGroups: [""]}
merged:
  <<: *base
  verbs: ["*"]
nested:
  - - deep: [1, 2, {k: v}]
---
second: document
again: true
"""


def _nodes(node: yaml.Node, pointer: tuple = (), key: yaml.Node | None = None):
    """(pointer, key node or None, value node) for every node pyyaml composes (string keys)."""
    yield pointer, key, node
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            if key_node.value != "<<":
                yield from _nodes(value, pointer + (key_node.value,), key_node)
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            yield from _nodes(value, pointer + (index,))


def test_data_matches_safe_load() -> None:
    ours = [doc.data for doc in iter_documents("mixed.yaml", MIXED)]
    assert ours == list(yaml.safe_load_all(MIXED))
    assert ours[0]["quoted"] == "true" and ours[0]["plain"] is True and ours[0]["tagged"] == "42"


def test_positions_match_composed_nodes() -> None:
    docs = list(iter_documents("mixed.yaml", MIXED))
    for doc, root in zip(docs, yaml.compose_all(MIXED)):
        for pointer, key, node in _nodes(root):
            if pointer and pointer[0] == "merged":
                continue  # merge keys are applied, not composed in place
            value = doc.value_location(pointer)
            assert (value.line, value.column) == (node.start_mark.line + 1, node.start_mark.column + 1), pointer
            if key is not None:
                found = doc.key_location(pointer)
                assert (found.line, found.column) == (key.start_mark.line + 1, key.start_mark.column + 1), pointer
