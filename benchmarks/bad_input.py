"""Hostile input: a directory of broken, binary, huge, deeply nested and alias-bomb files
plus one valid manifest must lint in under 2 s. Prints the wall time of the whole run next
to the run over the valid manifest alone (the baseline, measured in the same run).

    python benchmarks/bad_input.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.test_bad_input import BILLION_LAUGHS  # noqa: E402  (the same hostile files the test uses)


def timed(path: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "nhilint", "lint", str(path)], stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        valid = root / "valid"
        valid.mkdir()
        (valid / "agent.yaml").write_text((REPO / "examples/insecure/agents/support-agent.yaml").read_text())
        hostile = root / "hostile"
        hostile.mkdir()
        (hostile / "agent.yaml").write_text((valid / "agent.yaml").read_text())
        (hostile / "bomb.yaml").write_text(BILLION_LAUGHS)
        (hostile / "deep.yaml").write_text("kind: AgentManifest\nx: " + "[" * 100000 + "]" * 100000)
        (hostile / "huge.json").write_text('{"kind": "AgentManifest", "x": "' + "a" * 6_000_000 + '"}')
        (hostile / "binary.yaml").write_bytes(b"\x00AgentManifest" * 1000)
        (hostile / "broken.yaml").write_text("kind: AgentManifest\nmetadata: {name: [x\n")
        baseline, run = timed(valid), timed(hostile)
    print(f"valid manifest alone   {baseline * 1000:7.1f} ms (baseline)")
    print(f"with the hostile files {run * 1000:7.1f} ms  ratio {run / baseline:.2f}x"
          f"  goal < 2000 ms: {'met' if run < 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
