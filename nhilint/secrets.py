"""Recognise values shaped like secrets, and mask them.

Nothing here returns or stores a secret: callers get a kind and a masked hint
(`ghp_****`), which is all any output ever shows.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any, Iterator

# (kind, pattern, visible prefix length): the prefix shown in the hint is the token
# type marker only, never a character of the secret material itself.
_PATTERNS: tuple[tuple[str, re.Pattern[str], int], ...] = (
    ("private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----"), 0),
    ("GitHub token", re.compile(r"\b(gh[pousr]_)[A-Za-z0-9]{30,}"), 4),
    ("GitHub fine-grained token", re.compile(r"\b(github_pat_)[A-Za-z0-9_]{22,}"), 11),
    ("GitLab token", re.compile(r"\b(glpat-)[A-Za-z0-9_-]{20,}"), 6),
    ("Slack token", re.compile(r"\b(xox[baprs]-)[A-Za-z0-9-]{10,}"), 5),
    ("Anthropic API key", re.compile(r"\b(sk-ant-)[A-Za-z0-9_-]{20,}"), 7),
    ("OpenAI API key", re.compile(r"\b(sk-)(?:proj-)?[A-Za-z0-9_-]{20,}"), 3),
    ("Stripe key", re.compile(r"\b((?:sk|rk)_live_)[A-Za-z0-9]{16,}"), 8),
    ("AWS access key id", re.compile(r"\b((?:AKIA|ASIA))[A-Z0-9]{16}\b"), 4),
    ("Google API key", re.compile(r"\b(AIza)[0-9A-Za-z_-]{35}"), 4),
    ("JSON Web Token", re.compile(r"\b(eyJ)[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"), 3),
)

SECRET_KEY = re.compile(
    r"(?i)(secret|passw(?:or)?d|passphrase|token|api[_-]?key|apikey|access[_-]?key|"
    r"private[_-]?key|client[_-]?secret|credential|auth(?:orization)?$|bearer)"
)
# References to a secret kept elsewhere: these are the good practice, never findings.
_INDIRECTION = re.compile(
    r"^\s*(?:\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\{\{.*\}\}|<[^>]*>|"
    r"(?:vault|aws-sm|gcp-sm|azure-kv|k8s|secretref|op|env|file|ref)\:.*)\s*$",
    re.IGNORECASE,
)
# Every known shape in one pattern: most strings match none, and one search rules them out.
_ANY_SHAPE = re.compile("|".join(f"(?:{pattern.pattern})" for _, pattern, _ in _PATTERNS))
_EMBEDDED_REF = re.compile(r"\$\{[^}]*\}|\$[A-Z_][A-Z0-9_]*\b|\{\{[^}]*\}\}")
_PLACEHOLDER = re.compile(
    r"(?i)^(?:x+|\*+|changeme|change-me|replace[-_ ]?me|your[-_ ].*|example.*|placeholder|"
    r"redacted|dummy|todo|none|null|test|secret|password|token|\.\.\.|<.*>)$"
)
_BEARER = re.compile(r"(?i)^\s*(?:bearer|token|basic)\s+(\S+)\s*$")


def mask(prefix: str = "") -> str:
    return f"{prefix}****"


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    if not text:
        return 0.0
    counts = Counter(text)
    total = len(text)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def is_indirection(value: str) -> bool:
    """True for `${VAR}`, `$VAR`, `${input:x}`, `vault://...`, `env:NAME` and the like."""
    return bool(_INDIRECTION.match(value))


def classify(value: Any, key: str | None = None) -> tuple[str, str] | None:
    """(kind, masked hint) when `value` looks like a secret, else None.

    Known token shapes match anywhere in the text; a value under a secret-named key
    (`api_key`, `password`, `Authorization`, ...) counts when it is a literal of some
    length and randomness rather than a reference to a secret store.
    """
    if not isinstance(value, str) or len(value) < 8:
        return None
    for kind, pattern, _ in _PATTERNS if _ANY_SHAPE.search(value) else ():
        match = pattern.search(value)
        if match:
            prefix = match.group(1) if match.groups() else ""
            if kind == "private key":
                return kind, "-----BEGIN … PRIVATE KEY----- ****"
            return kind, mask(prefix)
    # A namespaced key names its field last: `token.actions.githubusercontent.com:aud` is
    # an audience, not a token.
    if key is None or not SECRET_KEY.search(key.rsplit(":", 1)[-1]):
        return None
    candidate = value.strip()
    bearer = _BEARER.match(candidate)
    if bearer:
        candidate = bearer.group(1)
    if is_indirection(candidate) or _EMBEDDED_REF.search(candidate) or _PLACEHOLDER.match(candidate):
        return None
    if " " in candidate or candidate.startswith(("http://", "https://", "/", "./", "~")):
        return None
    if len(candidate) >= 12 and entropy(candidate) >= 3.0:
        shown = "Bearer " if bearer else ""
        return f"literal secret under '{key}'", f"{shown}****"
    return None


def walk_strings(data: Any, pointer: tuple = ()) -> Iterator[tuple[tuple, str | None, str]]:
    """Every string value in `data` with its pointer and the nearest mapping key.

    Shared (aliased) containers are visited once; the loader already bounds their size.
    """
    seen: set[int] = set()
    stack: list[tuple[tuple, str | None, Any]] = [(pointer, None, data)]
    while stack:
        ptr, key, value = stack.pop()
        if isinstance(value, dict):
            if id(value) in seen:
                continue
            seen.add(id(value))
            stack.extend((ptr + (k,), str(k), v) for k, v in value.items())
        elif isinstance(value, list):
            if id(value) in seen:
                continue
            seen.add(id(value))
            stack.extend((ptr + (i,), key, v) for i, v in enumerate(value))
        elif isinstance(value, str):
            yield ptr, key, value
