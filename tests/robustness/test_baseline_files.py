"""A baseline that is not one (issue 13, kind 6): deeply nested or invalid JSON, not UTF-8, a
FIFO, a device, a file past the bound. Each is exit 2 naming the file and the line, never a
traceback, a hang or a read of the whole device."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.robustness.conftest import MANIFEST, lint, write


@pytest.mark.parametrize(("content", "says"), [
    ('{"version": 1,\n "findings": ' + "[" * 100_000 + "]" * 100_000 + "}",
     "(JSON nested too deeply at line 2)"),
    ('{"version": 1,\n "findings": [\n', "(invalid JSON at line 3, column 1: expecting value)"),
    ('{"version": 1,\n "findings": []}\n\xe9', "(line 3: not valid UTF-8"),
])
def test_malformed_baseline_is_exit_2_naming_file_and_line(tmp_path: Path, content: str,
                                                            says: str) -> None:
    write(tmp_path, {"a.yaml": MANIFEST})
    (tmp_path / "base.json").write_bytes(content.encode("latin-1"))
    result = lint("--baseline", tmp_path / "base.json", tmp_path)
    assert result.exit_code == 2
    assert result.output.startswith(f"nhilint: {tmp_path / 'base.json'} is not a baseline {says}")
    assert "Traceback" not in result.output


def test_baseline_that_is_not_a_regular_file(tmp_path: Path) -> None:
    write(tmp_path, {"a.yaml": MANIFEST})
    os.mkfifo(tmp_path / "fifo.json")  # opening it to read would wait for a writer
    os.symlink("/dev/zero", tmp_path / "zero.json")  # reading it would never end
    for name in ("fifo.json", "zero.json"):
        result = lint("--baseline", tmp_path / name, tmp_path)
        assert (result.exit_code, result.output) == (
            2, f"nhilint: {tmp_path / name} is not a baseline (not a regular file); write one "
               "with `nhilint baseline PATHS -o FILE`\n")


def test_baseline_over_the_size_bound_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("nhilint.baseline.MAX_BASELINE_BYTES", 1000)
    write(tmp_path, {"a.yaml": MANIFEST, "base.json": '{"version": 1, "findings": []}' + " " * 1000})
    result = lint("--baseline", tmp_path / "base.json", tmp_path)
    assert result.exit_code == 2 and "(larger than the 1,000-byte bound)" in result.output


def test_baseline_entries_of_the_wrong_shape_are_ignored(tmp_path: Path) -> None:
    write(tmp_path, {"a.yaml": MANIFEST, "base.json": '{"version": 1, "findings": '
                                                      '[{"fingerprint": 5}, 3, {"fingerprint": ["x"]}]}'})
    assert lint("--baseline", tmp_path / "base.json", tmp_path).exit_code == 1
