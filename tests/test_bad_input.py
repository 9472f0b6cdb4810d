"""Hostile and broken files: each is a located finding, never a crash, and the run goes on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nhilint.linter import MAX_FILE_BYTES
from tests.conftest import EXAMPLES

BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)
) + "kind: AgentManifest\n"


@pytest.fixture
def mixed_dir(tmp_path: Path) -> Path:
    (tmp_path / "broken.yaml").write_text("apiVersion: nhilint/v1\nkind: AgentManifest\nmetadata: {name: [x\n")
    (tmp_path / "binary.yaml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR AgentManifest")
    (tmp_path / "latin1.yaml").write_bytes(b"kind: AgentManifest\nmetadata:\n  owner: Jos\xe9\n")
    (tmp_path / "huge.json").write_text('{"kind": "AgentManifest", "x": "' + "a" * (MAX_FILE_BYTES + 10) + '"}')
    (tmp_path / "deep.yaml").write_text("kind: AgentManifest\nx: " + "[" * 5000 + "]" * 5000 + "\n")
    (tmp_path / "bomb.yaml").write_text(BILLION_LAUGHS)
    (tmp_path / "python-tag.yaml").write_text(
        "apiVersion: nhilint/v1\nkind: AgentManifest\nmetadata:\n  name: tagged\n"
        "x-payload: !!python/object/apply:os.system ['echo pwned']\n")
    (tmp_path / "agent.yaml").write_text((EXAMPLES / "insecure/agents/support-agent.yaml").read_text())
    return tmp_path


def test_every_bad_file_is_a_located_finding(mixed_dir: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "nhilint", "lint", "--today", "2026-11-22", str(mixed_dir)],
                          capture_output=True, text=True, timeout=60)
    out = proc.stdout
    assert proc.returncode == 1
    assert "Traceback" not in out + proc.stderr
    lines = {line.split(": ", 1)[0].rsplit("/", 1)[-1]: line for line in out.splitlines() if "NHI00" in line}
    assert "NHI001" in lines["broken.yaml:4:1"]
    assert "NHI003" in lines["binary.yaml:1:1"] and "binary" in lines["binary.yaml:1:1"]
    assert "NHI003" in lines["latin1.yaml:3:13"] and "UTF-8" in lines["latin1.yaml:3:13"]
    assert "NHI003" in lines["huge.json:1:1"] and "bound" in lines["huge.json:1:1"]
    assert "NHI003" in lines["deep.yaml:2:67"] and "deeper" in lines["deep.yaml:2:67"]
    bomb = [line for key, line in lines.items() if key.startswith("bomb.yaml")]
    assert len(bomb) == 1 and "NHI003" in bomb[0] and "billion laughs" in bomb[0]
    # the python tag is kept as plain data: nothing executed, the manifest is linted normally
    assert "pwned" not in out + proc.stderr
    assert "python-tag.yaml:3:1: error NHI101" in out
    # the valid insecure manifest's findings are all there
    support = [line for line in out.splitlines() if line.rsplit("/", 1)[-1].startswith("agent.yaml:")]
    assert {line.split()[2] for line in support} == {"NHI104", "NHI201", "NHI204", "NHI302"}
