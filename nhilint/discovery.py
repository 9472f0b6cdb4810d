"""Walk the linted paths and list the files nhilint reads, in a deterministic order."""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from nhilint.sources import is_candidate
from nhilint.sources.detect import PROJECT_FILES

_PROJECT_MARKERS = (*PROJECT_FILES, ".git")

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


HELM_TEMPLATE = "Helm template: rendered by helm, not read; lint `helm template` output"
TEMPLATE = "template ({{ ... }} actions): not YAML until rendered, not read; lint the rendered output"
KUSTOMIZATION = ("Kustomize overlay: built by kustomize, not read (the resources it names are read as "
                 "they are); lint `kustomize build` output")
KUSTOMIZE_PATCH = "Kustomize patch: applied by kustomize, not read alone; lint `kustomize build` output"
KUSTOMIZATION_NAMES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})
# `{{ ... }}` template actions (Helm, Go templates, Jinja), not a GitHub Actions `${{ ... }}`
_TEMPLATE_ACTION = re.compile(r"(?<![$\\{])\{\{(?!\{)")


def has_template_actions(text: str) -> bool:
    """Whether the text holds `{{ ... }}` template actions (a GitHub expression is not one)."""
    return "{{" in text and _TEMPLATE_ACTION.search(text) is not None


def is_helm_template(path: str) -> bool:
    """Whether the file is below the `templates/` folder of a Helm chart (a folder with `Chart.yaml`)."""
    if "templates" not in path:
        return False
    parts = Path(os.path.abspath(path)).parts  # the cache below is by absolute folder
    return any(part == "templates" and _is_chart(os.path.join(*parts[:i]))
               for i, part in enumerate(parts[:-1]) if i)


@lru_cache(maxsize=4096)
def _is_chart(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "Chart.yaml"))


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
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop, before 3.13
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


OUTSIDE_TREE = "symlink to a file outside the linted tree, not followed (--follow-symlinks follows it)"
NOT_REGULAR = "not a regular file (a FIFO, socket or device), not read"


def _not_read(path: str, tree: str | None) -> str:
    """Why the file at `path` is not read, or "" when it is read: a symlink that leads
    nowhere (a loop, a missing target) or out of `tree` (a real path), or anything but a
    regular file (a FIFO would block the run, a device such as /dev/zero never end). With no
    `tree` (--follow-symlinks), a symlink may lead anywhere."""
    try:
        status = os.lstat(path)
        if stat.S_ISLNK(status.st_mode):
            try:
                status = os.stat(path)
            except OSError as exc:
                return ("symlink loop" if exc.errno == errno.ELOOP
                        else "broken symlink (its target is missing)")
            if tree is not None and not _within(os.path.realpath(path), tree):
                return OUTSIDE_TREE
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    return "" if stat.S_ISREG(status.st_mode) else NOT_REGULAR


def _within(real: str, tree: str) -> bool:
    return real == tree or real.startswith(tree.rstrip(os.sep) + os.sep)


def _named_tree(given: str) -> str:
    """The tree a file named on the command line belongs to (pre-commit names the changed
    files of a repository): the nearest folder above it holding a project marker
    (.nhilint.yaml, pyproject.toml, .git), else its own folder; a real path."""
    folder = os.path.realpath(os.path.dirname(os.path.abspath(given)))
    directory = folder
    while True:
        if any(os.path.lexists(os.path.join(directory, marker)) for marker in _PROJECT_MARKERS):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return folder
        directory = parent


def _skipped_folder(dirpath: str, name: str) -> str:
    path = os.path.join(dirpath, name)
    if os.path.islink(path):  # os.walk does not follow them: a link to a parent would loop
        return "symlink to a folder, not followed"
    if name in SKIP_DIRS:
        return "folder not walked (version control, dependencies, caches, builds)"
    if _is_virtualenv(path):
        return "folder not walked (a virtual environment)"
    return ""


def walk(paths: Iterable[str], list_skipped: bool = False, follow_symlinks: bool = False) -> Discovery:
    """The files to read, the given paths that do not exist, and what was skipped.

    A file named on the command line is read whatever its name; a directory is walked for
    files some format recognises. Only regular files are read; a symlink is followed only
    to a file inside the linted tree (the folder named, or for a named file its project),
    never to a folder (os.walk does not), and a dangling one is skipped. `follow_symlinks`
    (asked for on the command line) follows symlinks to files anywhere.
    """
    found: set[Path] = set()
    discovery = Discovery([], [])
    for given in paths:
        root = Path(given)
        if root.is_dir():
            tree = None if follow_symlinks else os.path.realpath(given)
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
                    elif reason := _not_read(path, tree):
                        discovery.skipped.append((display_path(Path(path)), reason))
                    else:
                        found.add(Path(dirpath, name))
        elif os.path.lexists(given):
            if reason := _not_read(given, None if follow_symlinks else _named_tree(given)):
                discovery.skipped.append((display_path(root), reason))
            else:
                found.add(root)
        else:
            discovery.missing.append(given)
    discovery.files = sorted(found, key=lambda p: display_path(p))
    discovery.skipped.sort()
    return discovery


def discover(paths: Iterable[str]) -> tuple[list[Path], list[str]]:
    """The files to read, and the given paths that do not exist."""
    found = walk(paths)
    return found.files, found.missing
