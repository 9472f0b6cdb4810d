"""Walk the linted paths and list the files nhilint reads, in a deterministic order."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from nhilint.sources import is_candidate

# Never descended into: version control, dependencies, caches. Other hidden folders
# (.vscode/, .cursor/, .github/, .gemini/) hold the configs nhilint reads.
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", "__pycache__", ".tox", ".nox", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", ".venv", "venv", "site-packages", ".eggs", "dist", "build",
})


def _is_virtualenv(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "pyvenv.cfg"))


def display_path(path: Path) -> str:
    """The path as findings show it: relative to the working directory when below it, posix style."""
    return _display_path(str(path), os.getcwd())


@lru_cache(maxsize=65536)  # a run asks for each file's path several times
def _display_path(path: str, cwd: str) -> str:
    # Textual first: resolving symlinks costs system calls per path component, which on a
    # pre-commit run over a whole project's context was a fifth of the run.
    absolute = os.path.normpath(os.path.join(cwd, path))
    if absolute.startswith(cwd.rstrip(os.sep) + os.sep):
        return Path(os.path.relpath(absolute, cwd)).as_posix()
    try:  # below the working directory through a symlink (macOS /tmp, say)?
        return Path(path).resolve().relative_to(_resolved(cwd)).as_posix()
    except ValueError:
        return Path(path).as_posix()


@lru_cache(maxsize=64)
def _resolved(directory: str) -> Path:
    return Path(directory).resolve()


def discover(paths: Iterable[str]) -> tuple[list[Path], list[str]]:
    """The files to read, and the given paths that do not exist.

    A file named on the command line is read whatever its name; a directory is walked for
    files some format recognises.
    """
    found: set[Path] = set()
    missing: list[str] = []
    for given in paths:
        root = Path(given)
        if root.is_file():
            found.add(root)
        elif root.is_dir():
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS
                                     and not _is_virtualenv(os.path.join(dirpath, d)))
                for name in filenames:
                    if is_candidate(Path(dirpath, name).as_posix()):  # some formats match by folder
                        found.add(Path(dirpath, name))
        else:
            missing.append(given)
    return sorted(found, key=lambda p: display_path(p)), missing
