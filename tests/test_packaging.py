"""A real (non-editable) install ships the schemas and presets, and runs from elsewhere."""

from __future__ import annotations

import os
import site
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, REPO


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with nhilint installed from a built wheel; dependencies come from the test venv."""
    wheels = tmp_path_factory.mktemp("wheels")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                            "--no-build-isolation", "--no-index", "-w", str(wheels), str(REPO)],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # The dependencies are the test venv's: its site-packages go on the new venv's path,
    # after the venv's own (a plain path line, so the checkout's editable finder stays out).
    purelib = "import sysconfig; print(sysconfig.get_path('purelib'))"
    own = subprocess.run([str(venv / "bin" / "python"), "-c", purelib],
                         capture_output=True, text=True, check=True).stdout.strip()
    Path(own, "test-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    wheel, = wheels.glob("nhilint-*.whl")
    install = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                              "--no-deps", "--no-index", str(wheel)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr
    return venv


def test_wheel_install_carries_package_data(installed: Path) -> None:
    code = ("import nhilint, pathlib; from nhilint.resources import schema; "
            "print(pathlib.Path(nhilint.__file__).parent); schema('agent-manifest.schema.json')")
    out = subprocess.run([str(installed / "bin" / "python"), "-c", code], capture_output=True,
                         text=True, cwd="/")
    assert out.returncode == 0, out.stderr
    assert str(installed) in out.stdout, "imported the installed copy, not the checkout"


def test_installed_command_lints_examples_from_another_directory(installed: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PATH": f"{installed / 'bin'}:{os.environ['PATH']}"}
    out = subprocess.run(["nhilint", "lint", "--today", "2026-11-22", str(EXAMPLES)], capture_output=True,
                         text=True, cwd=tmp_path, env=env)
    assert out.returncode == 1, out.stderr
    assert "NHI204" in out.stdout and "Traceback" not in out.stderr


def _release(version: str) -> tuple[int, ...]:
    """`4.18` and `4.18.0` are one release."""
    parts = [int(part) for part in version.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def test_dependency_floors_are_the_ones_ci_installs() -> None:
    """Every `>=` floor in pyproject.toml is pinned in .ci/dependency-floors.txt, which CI tests."""
    import re

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["test"]
    floors = {}
    for requirement in declared:
        match = re.match(r"([A-Za-z0-9_.-]+)>=([0-9.]+)", requirement)
        if match:
            floors[match.group(1).lower()] = _release(match.group(2))
    pinned = {}
    for line in (REPO / ".ci/dependency-floors.txt").read_text().splitlines():
        match = re.match(r"([A-Za-z0-9_.-]+)==([0-9.]+)", line)
        if match:
            pinned[match.group(1).lower()] = _release(match.group(2))
    assert floors == pinned
