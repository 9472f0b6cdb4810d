"""Rego policy files (`*.rego`): the located AST of `nhilint.rego`, or a located NHI705.

Imported only when a `.rego` file is read, so linting anything else never loads lark.
The module carries the Rego version its OPA bundle's `.manifest` sets, if any, for NHI705.
"""

from __future__ import annotations

import fnmatch
import json
import os
from dataclasses import replace

from nhilint.model import Location
from nhilint.rego import parser
from nhilint.sources import SourceOutput
from nhilint.sources.detect import PROJECT_FILES
from nhilint.sources.yaml_loader import read_bounded_text

MANIFEST = ".manifest"
_PROJECT_MARKERS = PROJECT_FILES + (".git",)
_VERSIONS = {0: "v0", 1: "v1"}
# Parsed manifests by file identity (path, modification time, size): the files of one
# bundle read it once.
_MANIFESTS: dict[tuple[str, int, int], dict] = {}
MAX_MANIFEST_BYTES = 1024 * 1024  # a bundle .manifest is a few lines of JSON


def read_file(path: str, text: str, out: SourceOutput) -> None:
    try:
        module = parser.parse_module(path, text)
    except parser.RegoSyntaxError as exc:
        out.problem("NHI705", Location(path, exc.line, exc.column),
                    f"Rego parse error: {exc.message}; fix the syntax here (no rule in this "
                    "file was checked)", subject="parse error")
        return
    version = bundle_version(path)
    out.objects.append(replace(module, rego_version=version) if version else module)


def bundle_version(path: str) -> str | None:
    """"v0" or "v1" as the nearest `.manifest` at or above the file, within its project,
    sets it for this file (`file_rego_versions`, else `rego_version`); None without one.
    An unreadable manifest sets nothing: loading the bundle is OPA's to report."""
    file = os.path.abspath(path)
    directory = os.path.dirname(file)
    while True:
        manifest = _manifest(os.path.join(directory, MANIFEST))
        if manifest is not None:
            relative = os.path.relpath(file, directory).replace(os.sep, "/")
            version = _file_version(manifest, relative)
            return _VERSIONS.get(version) if type(version) is int else None
        parent = os.path.dirname(directory)
        if parent == directory or any(os.path.exists(os.path.join(directory, marker))
                                      for marker in _PROJECT_MARKERS):
            return None
        directory = parent


def _file_version(manifest: dict, relative: str) -> object:
    """The version for the file at `relative` (from the bundle root): the most specific
    `file_rego_versions` pattern matching it (an exact path, else the longest), or the
    bundle's `rego_version`. Patterns may start with `/` (the bundle root)."""
    overrides = manifest.get("file_rego_versions")
    if isinstance(overrides, dict):
        matching = [(pattern.lstrip("/") == relative, len(pattern), pattern)
                    for pattern in overrides if isinstance(pattern, str)
                    and fnmatch.fnmatchcase(relative, pattern.lstrip("/"))]
        if matching:
            return overrides[max(matching)[2]]
    return manifest.get("rego_version")


def _manifest(path: str) -> dict | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    key = (path, status.st_mtime_ns, status.st_size)
    if key not in _MANIFESTS:
        try:
            data = json.loads(read_bounded_text(path, MAX_MANIFEST_BYTES))
        except (OSError, ValueError, RecursionError):  # RecursionError: JSON nested past json's stack
            data = {}
        _MANIFESTS[key] = data if isinstance(data, dict) else {}
    return _MANIFESTS[key]
