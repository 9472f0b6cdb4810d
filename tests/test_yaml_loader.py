"""The safe loader: positions, several documents, tags kept as text, bounds."""

from __future__ import annotations

import pytest

from nhilint.sources.yaml_loader import LoadError, decode, iter_documents


def test_positions_of_keys_and_values() -> None:
    doc, = iter_documents("a.yaml", "metadata:\n  name: x\nlist:\n  - one\n  - {k: v}\n")
    assert doc.key_location(("metadata", "name")).line == 2
    assert doc.key_location(("metadata", "name")).column == 3
    assert doc.value_location(("metadata", "name")).column == 9
    assert doc.value_location(("list", 1, "k")).line == 5
    # a missing key falls back to its nearest present parent
    assert doc.key_location(("metadata", "owner")).line == 1


def test_several_documents_and_scalars() -> None:
    docs = list(iter_documents("a.yaml", "a: 1\nb: yes\nc: ~\nd: 1.5\ne: 2027-01-31\n---\n- x\n"))
    assert docs[0].data == {"a": 1, "b": True, "c": None, "d": 1.5, "e": "2027-01-31"}
    assert docs[1].data == ["x"] and docs[1].index == 1
    assert docs[1].value_location((0,)).line == 7


def test_json_is_read_with_positions() -> None:
    doc, = iter_documents("a.json", '{\n  "servers": {\n    "x": {"url": "https://e.example"}\n  }\n}\n')
    assert doc.data == {"servers": {"x": {"url": "https://e.example"}}}
    assert doc.key_location(("servers", "x", "url")).line == 3


def test_tags_are_never_constructed() -> None:
    doc, = iter_documents("a.yaml", "a: !!python/object/apply:os.system ['true']\nb: !Ref Thing\n")
    assert doc.data == {"a": ["true"], "b": "Thing"}


def test_merge_keys_and_aliases_share_values() -> None:
    doc, = iter_documents("a.yaml", "base: &b {x: 1}\nuse:\n  <<: *b\n  y: 2\nsame: *b\n")
    assert doc.data["use"] == {"x": 1, "y": 2}
    assert doc.data["same"] is doc.data["base"]


@pytest.mark.parametrize(("text", "rule", "line"), [
    ("a: [1,\n", "NHI001", 2),
    ("a: *missing\n", "NHI001", 1),
    ("x: " + "[" * 100 + "]" * 100, "NHI003", 1),
])
def test_errors_are_located(text: str, rule: str, line: int) -> None:
    with pytest.raises(LoadError) as info:
        list(iter_documents("a.yaml", text))
    assert (info.value.rule, info.value.line) == (rule, line)


def test_decode_rejects_binary_and_locates_bad_utf8() -> None:
    with pytest.raises(LoadError, match="binary"):
        decode("a", b"abc\x00def")
    with pytest.raises(LoadError) as info:
        decode("a", b"ok\nbad \xff here")
    assert (info.value.line, info.value.column) == (2, 5)
    assert decode("a", "\ufeffkey: v".encode()) == "key: v"
