"""Walk the linted paths and list the files nhilint reads, in a deterministic order."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from nhilint.sources import is_candidate

# Never descended into: version control, dependencies, caches. Other hidden folders
# (.vscode/, .cursor/, .github/, .gemini/) hold the configs nhilint reads.
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", "__pycache__", ".tox", ".nox", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", ".venv", "venv", "site-packages", ".eggs", "dist", "build",
})


NOT_A_FORMAT = "not a format nhilint reads"
# Files nhilint reads, but not on their own: `--list-files` says where they are used.
_COMPANION_FILES = ((".cedarschema", "Cedar schema: read with the policies it validates"),
                    (".cedarschema.json", "Cedar schema: read with the policies it validates"),
                    (".nhitest.yaml", "scenario file: run by `nhilint test`"),
                    (".nhitest.yml", "scenario file: run by `nhilint test`"))


def not_linted_reason(path: str) -> str:
    """Why `nhilint lint` reads no rule input from `path`."""
    return next((reason for suffix, reason in _COMPANION_FILES if path.endswith(suffix)),
                NOT_A_FORMAT)


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


@dataclass
class Discovery:
    files: list[Path]  # to read, in display order
    missing: list[str]  # given paths that do not exist
    # (display path, why it is not read): broken symlinks always; with `list_skipped`, also
    # the files no format reads by name and the folders not walked (for --list-files)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def _broken_link(path: str) -> str:
    """Why the symlink at `path` leads nowhere, or "" when it is not a broken symlink."""
    if not os.path.islink(path):
        return ""
    try:
        os.stat(path)
    except OSError as exc:
        return "symlink loop" if exc.errno == errno.ELOOP else "broken symlink (its target is missing)"
    return ""


def _skipped_folder(dirpath: str, name: str) -> str:
    path = os.path.join(dirpath, name)
    if os.path.islink(path):  # os.walk does not follow them: a link to a parent would loop
        return "symlink to a folder, not followed"
    if name in SKIP_DIRS:
        return "folder not walked (version control, dependencies, caches, builds)"
    if _is_virtualenv(path):
        return "folder not walked (a virtual environment)"
    return ""


def walk(paths: Iterable[str], list_skipped: bool = False) -> Discovery:
    """The files to read, the given paths that do not exist, and what was skipped.

    A file named on the command line is read whatever its name; a directory is walked for
    files some format recognises. A dangling symlink is skipped, never read.
    """
    found: set[Path] = set()
    discovery = Discovery([], [])
    for given in paths:
        root = Path(given)
        if root.is_file():
            found.add(root)
        elif root.is_dir():
            for dirpath, dirnames, filenames in os.walk(root):
                walked = []
                for name in sorted(dirnames):
                    reason = _skipped_folder(dirpath, name)
                    if not reason:
                        walked.append(name)
                    elif list_skipped:
                        discovery.skipped.append((display_path(Path(dirpath, name)) + "/", reason))
                dirnames[:] = walked
                for name in filenames:
                    path = Path(dirpath, name).as_posix()
                    if not is_candidate(path):  # some formats match by folder
                        if list_skipped:
                            discovery.skipped.append((display_path(Path(path)), not_linted_reason(path)))
                    elif broken := _broken_link(path):
                        discovery.skipped.append((display_path(Path(path)), broken))
                    else:
                        found.add(Path(dirpath, name))
        elif broken := _broken_link(given):
            discovery.skipped.append((display_path(root), broken))
        else:
            discovery.missing.append(given)
    discovery.files = sorted(found, key=lambda p: display_path(p))
    discovery.skipped.sort()
    return discovery


def discover(paths: Iterable[str]) -> tuple[list[Path], list[str]]:
    """The files to read, and the given paths that do not exist."""
    found = walk(paths)
    return found.files, found.missing
