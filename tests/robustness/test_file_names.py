"""Any file name in every output format (issue 13, kind 8): a name that is not UTF-8
(b'\\xff.yaml' on Linux, which Python holds with lone surrogates) crashed SARIF output with a
UnicodeEncodeError; a newline in a name must not forge a result line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.robustness.conftest import MANIFEST, lint

FORGED = "x\nforged.yaml:1:1: error NHI999 forged.yaml"


@pytest.fixture
def odd_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, text in ((b"\xff.yaml", MANIFEST),
                       (b"\xfe-unnamed.yaml", MANIFEST.replace("{name: a}", "{owner: x}")),
                       (FORGED.encode(), MANIFEST.replace("name: a", "name: b"))):
        with open(os.path.join(os.fsencode(tmp_path), name), "w", encoding="utf-8") as handle:
            handle.write(text)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_sarif_for_names_that_are_not_utf8(odd_names: Path) -> None:
    result = lint("--format", "sarif", ".")
    assert result.exit_code == 1, result.output
    results = json.loads(result.output_bytes.decode("utf-8"))["runs"][0]["results"]
    where = {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["ruleId"],
              r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results}
    assert ("%FF.yaml", "NHI101", 3) in where  # a URI keeps the name's own bytes
    assert ("%FE-unnamed.yaml", "NHI002", 3) in where
    assert ("x%0Aforged.yaml%3A1%3A1%3A%20error%20NHI999%20forged.yaml", "NHI101", 3) in where
    # the unnamed manifest's identity is named after its file: the byte shown as \xfe
    messages = {r["message"]["text"] for r in results}
    assert "identity '\\xfe-unnamed.yaml#0' does not state its purpose; set metadata.purpose" in messages


@pytest.mark.parametrize("kind", ["text", "json", "sarif", "junit", "github", "markdown"])
def test_every_format_survives_any_name(odd_names: Path, kind: str) -> None:
    result = lint("--format", kind, ".")
    assert "internal error" not in result.output
    assert result.exit_code == 1
    result.output_bytes.decode("utf-8")


def test_a_newline_in_a_name_forges_no_text_line(odd_names: Path) -> None:
    lines = lint(".").output.splitlines()
    assert not any(line.startswith("forged.yaml:1:1: error NHI999") for line in lines)


def test_visible_writes_what_would_hide_or_reorder_text() -> None:
    from nhilint.reporters import json_text, visible

    assert visible("a\nb\tc\x1b[2J") == "a\\x0ab\\x09c\\x1b[2J"
    assert visible("admin\u202egpj.yaml") == "admin\\u202egpj.yaml"  # no right-to-left override
    # line breaks to str.splitlines and many viewers: found by benchmarks/fuzz.py in a SPIFFE
    # ID, where the github format's line was split in two
    assert visible("a\u2028b\u2029c\x85d") == "a\\u2028b\\u2029c\\x85d"
    assert len(visible("".join(map(chr, range(0x110)))).splitlines()) == 1
    assert visible("\udcff.yaml") == "\\xff.yaml"  # the byte a non-UTF-8 file name held
    assert json.loads(json_text({"path": "\udcff.yaml"})) == {"path": "\\xff.yaml"}
    json_text({"path": "\udcff.yaml"}).encode("utf-8")


def test_a_line_separator_in_a_message_keeps_each_github_command_on_one_line(tmp_path: Path) -> None:
    """Found by benchmarks/fuzz.py: a U+2028 in a SPIFFE ID split an `::error` line in two."""
    entry = {"spiffe_id": "spiffe://example.\u2028org/agent", "parent_id": "spiffe://example.org/spire/agent/k8s/n",
             "selectors": [{"type": "k8s", "value": "ns:ai"}], "x509_svid_ttl": 86400}
    (tmp_path / "spire").mkdir()
    (tmp_path / "spire" / "entries.json").write_text(json.dumps({"entries": [entry]}, ensure_ascii=False), "utf-8")
    result = lint("-f", "github", str(tmp_path))
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines and all(line.startswith("::") for line in lines[:-1]), lines
    assert "example.\\u2028org" in result.output
