"""Baselines: accept today's findings, report only new ones.

A finding's fingerprint is a hash of what it is about, not where it is: the rule, the file,
the identity, the finding's subject (a key path, a policy id) and the text of the lines it
points at with spacing and comments normalized away. Moving a block, or adding lines above
it, keeps the fingerprint; a new violation elsewhere, or the same one in another identity,
gets a new one. Fingerprints are counted, so a second identical violation in one file is
new even though the first is in the baseline.

The file is JSON, sorted, one entry per accepted finding (no secret: messages never hold
one, and snippets are stored only as part of a hash).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from nhilint.model import Finding

FORMAT_VERSION = 1
_COMMENT = re.compile(r"\s(?:#|//).*$")
_SPACE = re.compile(r"\s+")


class BaselineError(Exception):
    """An unreadable or malformed baseline file (a usage error: exit 2)."""

    def __init__(self, message: str) -> None:
        from nhilint.secrets import mask_text  # on first error: start-up stays fast

        super().__init__(mask_text(message))  # it may quote the file


def _snippet(lines: list[str], finding: Finding) -> str:
    loc = finding.location
    text = " ".join(lines[loc.line - 1: max(loc.end_line, loc.line)])
    text = _COMMENT.sub("", " " + text)
    return _SPACE.sub(" ", text).strip().lstrip("- ").strip()


def _lines(path: str, cache: dict[str, list[str]]) -> list[str]:
    if path not in cache:
        from nhilint.sources.yaml_loader import LoadError, decode

        try:
            cache[path] = decode(path, Path(path).read_bytes()).splitlines()
        except (OSError, LoadError):
            cache[path] = []
    return cache[path]


def fingerprints(findings: Iterable[Finding]) -> list[str]:
    """One content fingerprint per finding, in the same order."""
    cache: dict[str, list[str]] = {}
    prints = []
    for finding in findings:
        parts = (finding.rule, finding.location.path, finding.identity or "", finding.subject,
                 _snippet(_lines(finding.location.path, cache), finding))
        prints.append(hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32])
    return prints


def render(findings: list[Finding]) -> str:
    """The baseline file for the unsuppressed `findings`."""
    from nhilint import __version__

    accepted = [f for f in findings if f.suppressed is None]
    entries = sorted(({"fingerprint": fp, "rule": f.rule, "path": f.location.path,
                       "identity": f.identity, "message": f.message}
                      for f, fp in zip(accepted, fingerprints(accepted))),
                     key=lambda e: (e["path"], e["rule"], e["fingerprint"], e["message"]))
    return json.dumps({"version": FORMAT_VERSION, "tool": f"nhilint {__version__}",
                       "findings": entries}, indent=2, sort_keys=True) + "\n"


# A baseline of 64 MiB holds some 200,000 findings; a bigger file is not one nhilint wrote.
MAX_BASELINE_BYTES = 64 * 1024 * 1024
_REWRITE = "write one with `nhilint baseline PATHS -o FILE`"
_JSON_NESTING = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _read(path: str) -> bytes:
    """The file's bytes: a regular file (a FIFO would block), read only up to the bound."""
    from nhilint.sources.yaml_loader import NotRegularFile, read_bounded

    try:
        raw, _ = read_bounded(path, MAX_BASELINE_BYTES)
    except NotRegularFile:
        raise BaselineError(f"{path} is not a baseline (not a regular file); {_REWRITE}") from None
    except OSError as exc:
        raise BaselineError(f"cannot read the baseline {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_BASELINE_BYTES:
        raise BaselineError(f"{path} is not a baseline (larger than the {MAX_BASELINE_BYTES:,}-byte "
                            f"bound); {_REWRITE}")
    return raw


def load(path: str) -> Counter:
    """How many findings of each fingerprint the baseline accepts; BaselineError (exit 2,
    naming the file and line) for a file that is not one."""
    from nhilint.sources.yaml_loader import LoadError, decode, line_column, too_deep

    raw = _read(path)
    try:
        text = decode(path, raw)
        # a number too long for int() (4,300 digits) stays text: no baseline holds one
        data: Any = json.loads(text, parse_int=lambda digits: int(digits) if len(digits) < 100 else digits)
    except LoadError as exc:
        raise BaselineError(f"{path} is not a baseline (line {exc.line}: {exc.message}); "
                            f"{_REWRITE}") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path} is not a baseline (invalid JSON at line {exc.lineno}, column "
                            f"{exc.colno}: {exc.msg[:1].lower()}{exc.msg[1:]}); {_REWRITE}") from None
    except RecursionError:
        line = line_column(text, too_deep(_JSON_NESTING, text, 100) or 0)[0]
        raise BaselineError(f"{path} is not a baseline (JSON nested too deeply at line {line}); "
                            f"{_REWRITE}") from None
    if (not isinstance(data, dict) or data.get("version") != FORMAT_VERSION
            or not isinstance(data.get("findings"), list)):
        raise BaselineError(f"{path} is not an nhilint baseline of version {FORMAT_VERSION}; "
                            f"{_REWRITE}")
    return Counter(e["fingerprint"] for e in data["findings"]
                   if isinstance(e, dict) and isinstance(e.get("fingerprint"), str))


def apply(findings: list[Finding], accepted: Counter, label: str) -> list[Finding]:
    """Mark the findings the baseline accepts as suppressed ("in the baseline LABEL")."""
    remaining = Counter(accepted)
    out: list[Finding] = []
    candidates = [f for f in findings if f.suppressed is None]
    prints = dict(zip(map(id, candidates), fingerprints(candidates)))
    for finding in findings:
        fingerprint = prints.get(id(finding))
        if fingerprint is not None and remaining[fingerprint] > 0:
            remaining[fingerprint] -= 1
            finding = replace(finding, suppressed=f"in the baseline {label}", suppression_kind="external")
        out.append(finding)
    return out
