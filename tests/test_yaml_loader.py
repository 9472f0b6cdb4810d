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


@pytest.mark.parametrize("loader", ["CSafeLoader", "SafeLoader"])
@pytest.mark.parametrize(("text", "line", "column"), [
    ("kind: A\nx: " + "[" * 5000 + "]" * 5000 + "\n", 2, 67),  # libyaml stops at its own 1,000
    ("x: [\"[[[[\", " + "[" * 3000 + "]" * 3000 + "]", 1, 75),   # brackets in quotes do not count
    ("".join("  " * i + "k:\n" for i in range(1500)), 65, 129),  # block nesting
])
def test_nesting_bound_is_ours_whatever_the_yaml_library(
        monkeypatch: pytest.MonkeyPatch, loader: str, text: str, line: int, column: int) -> None:
    import yaml

    from nhilint.sources import yaml_loader
    if not hasattr(yaml, loader):
        pytest.skip(f"this PyYAML build has no {loader}")
    monkeypatch.setattr(yaml_loader, "_Loader", getattr(yaml, loader))
    with pytest.raises(LoadError) as caught:
        list(iter_documents("deep.yaml", text))
    assert (caught.value.rule, caught.value.line, caught.value.column) == ("NHI003", line, column)
    assert caught.value.message == "nesting deeper than 64 levels"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_decode_reads_utf16_and_utf32_with_a_byte_order_mark(encoding: str) -> None:
    text = "kind: AgentManifest\nmetadata: {owner: José}\n"
    raw = text.encode(encoding) if encoding != "utf-16-be" else b"\xfe\xff" + text.encode(encoding)
    assert decode("a.yaml", raw) == text


@pytest.mark.parametrize(("text", "message", "line", "column"), [
    ('{"a": 1}\n{"b": 2}\n', "invalid JSON: more than one value (JSON Lines?); a configuration file "
     "holds one JSON document", 2, 1),
    ('{"a": 1,, "b": 2}\n', "invalid JSON: expecting property name enclosed in double quotes", 1, 9),
])
def test_json_errors_are_in_json_words(text: str, message: str, line: int, column: int) -> None:
    with pytest.raises(LoadError) as caught:
        list(iter_documents("mcp.json", text))
    assert (caught.value.rule, caught.value.message, caught.value.line, caught.value.column) == (
        "NHI001", message, line, column)
