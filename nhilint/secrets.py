"""Recognise values shaped like secrets, and mask them.

Nothing here returns or stores a secret: callers get a kind and a masked hint
(`ghp_****`), which is all any output ever shows.

Two ways a value counts as a secret:
- a known token shape (a prefix and a strict body), wherever it is;
- a literal of some length and randomness under a key that names a secret *value*
  (`api_key`, `password`), and not one that names or describes a secret kept elsewhere
  (`secretName`, `secretKeyRef`, `passwordMtime`, `TOKEN_FILE`, `GH_AW_SECRET_NAMES`).
The filters that tell a value from a reference, a placeholder or metadata follow the
false-positive heuristics of Yelp's detect-secrets (`filters/heuristic.py`: templated,
`$`-prefixed, indirect, UUID, sequential, id-like) and the allowlists and stopwords of
gitleaks' default `gitleaks.toml`; the token shapes follow gitleaks' rules.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import math
import re
import string
from collections import Counter
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

Shape = tuple[str, str]  # (kind, masked hint)

# (kind, pattern): group 1, shown in the hint, is the token type marker only, never a
# character of the secret material itself. Patterns that only some values reach are kept
# as text: `re` compiles them on first use and caches them, so a manifest without secrets
# does not pay for them (the start-up budget).
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("private key", r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----"),
    ("GitHub token", r"\b(gh[pousr]_)[A-Za-z0-9]{30,}"),
    ("GitHub fine-grained token", r"\b(github_pat_)[A-Za-z0-9_]{22,}"),
    ("GitLab token", r"\b(glpat-)[A-Za-z0-9_-]{20,}"),
    ("Slack token", r"\b(xox[baprs]-)[A-Za-z0-9-]{10,}"),
    ("Slack webhook URL",
     r"(https://hooks\.slack\.com/)(?:services|workflows|triggers)/[A-Za-z0-9+/]{43,56}"),
    ("Anthropic API key", r"\b(sk-ant-)[A-Za-z0-9_-]{20,}"),
    ("OpenAI API key", r"\b(sk-)(?:proj-)?[A-Za-z0-9_-]{20,}"),
    ("Stripe key", r"\b((?:sk|rk)_live_)[A-Za-z0-9]{16,}"),
    ("AWS access key id", r"\b((?:AKIA|ASIA))[A-Z0-9]{16}\b"),
    ("Google API key", r"\b(AIza)[0-9A-Za-z_-]{35}"),
    ("Google OAuth access token", r"\b(ya29\.)[0-9A-Za-z_-]{30,}"),
    ("JSON Web Token", r"\b(eyJ)[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    ("npm token", r"\b(npm_)[A-Za-z0-9]{36}\b"),
    ("PyPI token", r"\b(pypi-)AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}"),
    ("Hugging Face token", r"\b(hf_)[A-Za-z]{34}\b"),
    ("SendGrid API key", r"\b(SG\.)[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b"),
    ("Twilio API key", r"\b(SK)[0-9a-f]{32}\b"),
    ("Databricks token", r"\b(dapi)[0-9a-f]{32}(?:-\d)?\b"),
    ("Azure storage account key", r"(AccountKey=)[A-Za-z0-9+/]{86}=="),
    ("Azure AD client secret", r"(?<![A-Za-z0-9_~.])()[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}"),
)
# A shape that needs its key: forty base64 characters are anything, except under
# `aws_secret_access_key` / `SecretAccessKey` (gitleaks' aws-secret-access-key).
_AWS_SECRET_KEY_WORDS = frozenset(("secret", "access", "key"))
_AWS_SECRET = re.compile(r"^[A-Za-z0-9/+]{40}$")
# Every known shape in one pattern: most strings match none, and one search rules them out.
# Not the JWT's: `\beyJ` then a run then `.` retried at every `eyJ` of one long run
# (`eyJ-eyJ-...`), scanning to its end each time: quadratic. `_jwt` finds it in one pass.
_JWT_KIND = "JSON Web Token"
_ANY_SHAPE = re.compile("|".join(f"(?:{pattern})" for kind, pattern in _PATTERNS if kind != _JWT_KIND))
_JWT = re.compile(dict(_PATTERNS)[_JWT_KIND])
_JWT_START = re.compile(r"\beyJ")
_URL_SAFE_RUN = re.compile(r"[A-Za-z0-9_-]+")

SECRET_KEY = re.compile(
    r"(?i)(secret|passw(?:or)?d|passphrase|token|api[_-]?key|apikey|access[_-]?key|"
    r"private[_-]?key|client[_-]?secret|credential|auth(?:orization)?$|bearer)"
)
# The last word of a key that names or describes a secret instead of holding it:
# `secretName`, `tokenRef`, `PASSWORD_FILE`, `passwordMtime`, `token_expiry`, `AWS_ACCESS_KEY_ID`.
_METADATA_WORDS = frozenset((
    "name", "names", "ref", "refs", "reference", "from", "selector", "file", "files", "path",
    "paths", "dir", "directory", "mount", "volume", "store", "provider", "source", "env", "var",
    "vars", "field", "header", "arn", "id", "ids", "url", "uri", "endpoint", "host", "issuer",
    "audience", "scope", "scopes", "mtime", "ctime", "time", "timestamp", "at", "date", "expiry",
    "expires", "expiration", "ttl", "lifetime", "age", "duration", "period", "rotation",
    "length", "len", "size", "count", "min", "max", "policy", "policies", "type", "types", "kind",
    "mode", "format", "method", "algorithm", "version", "enabled", "disabled", "required",
    "optional", "description", "label", "hint", "prompt", "regex", "pattern", "strength",
    "namespace", "annotation", "usage",
))
# `passwordKey: admin-password` is the key a password is stored under in a Secret.
_STORED_UNDER = frozenset(("password", "passwd", "token", "credential", "credentials"))
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")

# References to a secret kept elsewhere: these are the good practice, never findings.
_INDIRECTION = re.compile(
    r"^\s*(?:\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\{\{.*\}\}|<[^>]*>|"
    r"(?:vault|aws-sm|gcp-sm|azure-kv|k8s|secretref|op|env|file|ref)\:.*)\s*$",
    re.IGNORECASE,
)
# Templates and variables inside a value: `${VAR}`, `$VAR`, `$(VAR)`, `{{ .Values.x }}`,
# `${{ secrets.X }}`, `%VAR%`, `@VAR@`, and Azure's `@Microsoft.KeyVault(...)`.
_EMBEDDED_REF = (
    r"\$\{[^}]*\}|\$[A-Z_][A-Z0-9_]*\b|\$\([^)]*\)|\{\{[^}]*\}\}|%[A-Za-z_]+%|@[A-Za-z_]+@|"
    r"@Microsoft\.KeyVault\(|^arn:|://|"
    r"\{(?:env|file):[^}\s]+\}"  # opencode's `Bearer {env:GITHUB_TOKEN}` and `{file:~/.secrets/x}`
)
# Placeholders: a whole value, or a word of one (`your-token-here`, `REPLACE_ME`,
# `example-key-1234`; gitleaks' stopwords, in part). By words, not substrings: an
# uppercase run such as `...EXAMPLEKEY` in random text is not the word `example`.
_PLACEHOLDER = (r"(?i)^(?:x+|\*+|\.+|none|null|nil|test|secret|password|token)$|"
                r"\.\.\.|\*\*\*|<[^>]*>|change[-_ ]me")
_PLACEHOLDER_WORDS = frozenset((
    "example", "examples", "sample", "samples", "dummy", "fake", "placeholder", "changeme",
    "redacted", "replace", "replaceme", "your", "insert", "fixme", "todo", "tbd", "xxx", "xxxx",
))
_MY_SECRET = frozenset(("password", "secret", "token", "key", "pass"))
_PASSWORD_WORDS = frozenset(("password", "passwd", "pwd", "pass", "passphrase"))
# The defaults of local development setups (`POSTGRES_PASSWORD: postgres`): flagging them
# would cry wolf in every docker-compose file; NHI204 is for a password someone chose.
_DEFAULT_PASSWORDS = frozenset(("postgres", "changeit", "password1", "passw0rd", "admin123", "p@ssw0rd",
                                "rabbitmq", "keycloak", "minioadmin", "elastic"))
# Values that describe rather than hold: numbers, durations, dates, versions, UUIDs (shorter
# ones, booleans among them, are below the length a literal secret needs).
_METADATA_VALUE = (
    r"(?i)^(?:[-+]?\d+(?:\.\d+)?|\d+(?:ms|[smhdwy])|"
    r"\d{4}-\d\d-\d\d(?:[T ][\d:.]+(?:Z|[-+]\d\d:?\d\d)?)?|v?\d+(?:\.\d+){1,3}(?:[-+][\w.]+)?|"
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)
# detect-secrets' sequential strings: `abcdefgh...`, `0123456789`, `ABCDEF...` are test data.
_SEQUENCES = (string.ascii_uppercase * 2 + string.digits + "+/",
              string.digits * 2 + string.ascii_uppercase,
              (string.digits + string.ascii_uppercase) * 2, string.hexdigits.upper() * 2)
_FILE_NAME = r"(?i)\.(?:txt|json|ya?ml|pem|key|crt|cert|p12|pfx|jks|env|conf|cfg|ini|toml)$"
_BEARER = re.compile(r"(?i)^\s*(?:bearer|token|basic)\s+(\S+)\s*$")
_URL_PASSWORD = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]+:([^/\s@]+)@")
_BASE64 = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")


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


def key_words(text: str) -> list[str]:
    """`secretKeyRef` -> secret, key, ref; `GH_AW_SECRET_NAMES` -> gh, aw, secret, names."""
    return [word.lower() for word in _WORD.findall(text)]


def names_secret_value(key: str) -> bool:
    """True when a value under `key` is meant to be the secret itself, not its name,
    location or metadata."""
    field = key.rsplit(":", 1)[-1]  # `token.actions.githubusercontent.com:aud` is an audience
    if not SECRET_KEY.search(field):
        return False
    words = key_words(field)
    if not words or words[-1] in _METADATA_WORDS or "existing" in words:
        return False
    return not (words[-1] == "key" and len(words) > 1 and words[-2] in _STORED_UNDER)


@functools.lru_cache(maxsize=4096)  # the same few keys recur on every path of a document
def is_reference_container(key: str) -> bool:
    """A mapping whose contents point at a secret: `secretKeyRef`, `valueFrom`, `envFrom`,
    `existingSecret`, `secretRef`, `tokenSecretRef`."""
    words = key_words(key)
    return bool(words) and (words[-1] in ("ref", "refs", "from", "selector") or "existing" in words)


def _name_like(value: str) -> bool:
    """Words joined by punctuation (`argocd-server-tls`, `iam:CreateAccessKey`, `A_NAME,B_NAME`):
    a name, not random material. Random text mixes letters and digits, or flips case often."""
    for part in re.split(r"[-_.:/,@]+", value):
        if part.isdigit() or len(part) <= 3:
            continue
        if not part.isalpha():
            return False
        flips = sum(1 for a, b in pairwise(part) if a.islower() and b.isupper())
        if flips > len(part) / 4:
            return False
    return True


def _is_placeholder(value: str) -> bool:
    if re.search(_PLACEHOLDER, value):
        return True
    words = key_words(value)
    return (not _PLACEHOLDER_WORDS.isdisjoint(words)
            or any(a == "my" and b in _MY_SECRET for a, b in pairwise(words)))


def _is_sequential(value: str) -> bool:
    upper = value.upper()
    return any(upper in sequence for sequence in _SEQUENCES) or len(set(value)) == 1


def _literal_secret(candidate: str) -> bool:
    """True when a value under a secret-named key is a literal secret: long and random
    enough, and none of a reference, a placeholder, metadata, a name or a path."""
    if len(candidate) < 12 or " " in candidate or _stands_for_a_secret(candidate):
        return False
    return not _name_like(candidate) and entropy(candidate) >= 3.0


def _stands_for_a_secret(candidate: str) -> bool:
    """A reference, a placeholder, a path, metadata or test data, where a secret would be."""
    if is_indirection(candidate) or re.search(_EMBEDDED_REF, candidate) or _is_placeholder(candidate):
        return True
    if candidate.startswith(("/", "./", "../", "~")) or re.search(_FILE_NAME, candidate):
        return True
    return bool(re.match(_METADATA_VALUE, candidate)) or _is_sequential(candidate)


def _literal_password(candidate: str) -> bool:
    """True for a literal under a password key, or in a URL's userinfo: people choose
    passwords that read as words (`correcthorsebattery`), so no randomness is asked, only
    that it is none of a reference, a placeholder, a path, metadata or a well-known default."""
    if len(candidate) < 8 or " " in candidate or candidate.lower() in _DEFAULT_PASSWORDS:
        return False
    runs = re.findall(r"[A-Za-z]{3,}|\d{3,}", candidate)
    if candidate.lower().startswith(("password", "passw0rd")) or (runs and all(map(_is_sequential, runs))):
        return False  # `Password123!`, `abcd1234!`: what test fixtures and tutorials use
    return not _stands_for_a_secret(candidate)


def _filler(body: str) -> bool:
    """`ghp_xxxxxxxx...`, `AKIA0000...`: a token's prefix with filler where its body goes."""
    return len(set(body)) <= 3 or _is_sequential(body)


def _jwt(value: str) -> re.Match[str] | None:
    """The first match of the JWT pattern, in linear time. Its first segment is a maximal
    run of base64url characters followed by `.eyJ`, so only the earliest `eyJ` of each such
    run can start one (a later start has less of the run and the same rest)."""
    if ".eyJ" not in value:
        return None
    for run in _URL_SAFE_RUN.finditer(value):
        if value.startswith(".eyJ", run.end()):
            start = _JWT_START.search(value, run.start(), run.end() - 8)
            match = _JWT.match(value, start.start()) if start else None
            if match:
                return match
    return None


def _jwt_spans(text: str) -> Iterator[re.Match[str]]:
    """Every JWT-shaped match in `text`, left to right, in linear time (as `_jwt`)."""
    if ".eyJ" not in text:
        return
    end = 0
    for run in _URL_SAFE_RUN.finditer(text):
        if run.start() < end or not text.startswith(".eyJ", run.end()):
            continue
        start = _JWT_START.search(text, run.start(), run.end() - 8)
        match = _JWT.match(text, start.start()) if start else None
        if match:
            end = match.end()
            yield match


def _shape(value: str) -> Shape | None:
    jwt_shaped = ".eyJ" in value
    for kind, pattern in _PATTERNS if jwt_shaped or _ANY_SHAPE.search(value) else ():
        match = _jwt(value) if kind == _JWT_KIND else re.search(pattern, value)
        if match and not _filler(match.group(0)[len(match.group(1)) if match.groups() else 0:]):
            if kind == "private key":
                return kind, "-----BEGIN … PRIVATE KEY----- ****"
            return kind, mask(match.group(1) if match.groups() else "")
    return None


def classify(value: Any, key: str | None = None) -> Shape | None:
    """(kind, masked hint) when `value` looks like a secret, else None.

    Known token shapes match anywhere in the text; a value under a key that names a
    secret value (`api_key`, `password`, `Authorization`, ...) counts when it is a literal
    of some length and randomness rather than a reference, a placeholder or metadata.
    """
    if not isinstance(value, str) or len(value) < 8:
        return None
    shape = _shape(value)
    if shape:
        return shape
    if key is not None and _AWS_SECRET.match(value) and _AWS_SECRET_KEY_WORDS <= set(key_words(key)):
        return "AWS secret access key", mask()
    url = _URL_PASSWORD.match(value)
    if url:
        password = classify(_unquote(url.group(1)), "password")
        return ("password in a URL", password[1]) if password else None
    if key is None or not names_secret_value(key):
        return None
    candidate = value.strip()
    bearer = _BEARER.match(candidate)
    if bearer:
        candidate = bearer.group(1)
    if _literal_secret(candidate) or (key_words(key)[-1] in _PASSWORD_WORDS and _literal_password(candidate)):
        return f"literal secret under '{key}'", ("Bearer " if bearer else "") + mask()
    return None


def _unquote(text: str) -> str:
    # urllib.parse costs start-up time on every manifest; a URL password needs only %XX.
    return re.sub(r"%([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), text)


def find_secrets(data: Any) -> Iterator[tuple[tuple, str | None, Shape]]:
    """(pointer, key, shape) for every secret value in one parsed document.

    Inside a reference (`secretKeyRef`, `valueFrom`, ...) only known token shapes count;
    a Kubernetes Secret's `data` is base64, classified once decoded.
    """
    encoded = _kubernetes_secret_data(data)
    for pointer, key, value in walk_strings(data):
        if any(isinstance(part, str) and is_reference_container(part) for part in pointer[:-1]):
            key = None
        if encoded and len(pointer) == 2 and pointer[0] == "data":
            for shape in _decoded_secrets(value, key):
                yield pointer, key, shape
            continue
        found = classify(value, key)
        if found:
            yield pointer, key, found


def _kubernetes_secret_data(data: Any) -> bool:
    return (isinstance(data, dict) and data.get("kind") == "Secret"
            and isinstance(data.get("apiVersion"), str) and isinstance(data.get("data"), dict))


def _decoded_secrets(value: str, key: str | None) -> Iterator[Shape]:
    """Shapes in a base64 value of a Secret's `data`, decoded; a `.dockerconfigjson` (JSON)
    is scanned field by field."""
    compact = "".join(value.split())
    if not _BASE64.match(compact):
        return
    try:
        text = base64.b64decode(compact, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return  # not base64 text (a keystore, say): nothing to classify
    nested = _json_object(text)
    shapes = ([shape for _, _, shape in find_secrets(nested)] if nested is not None
              else [classify(text.strip(), key)])
    for shape in shapes:
        if shape:
            yield f"{shape[0]} (base64 in a Secret)", shape[1]


def _json_object(text: str) -> dict | None:
    if not text.lstrip().startswith("{"):
        return None
    try:
        # past 4,300 digits int() raises ValueError: such a number is kept as a float
        nested = json.loads(text, parse_int=lambda digits: int(digits) if len(digits) < 100 else float(digits))
    except (ValueError, RecursionError):  # RecursionError: nested deeper than json's stack
        return None  # not JSON after all: classified as text
    return nested if isinstance(nested, dict) else None


def walk_strings(data: Any, pointer: tuple = ()) -> Iterator[tuple[tuple, str | None, str]]:
    """Every string value in `data` with its pointer and the key that names it: the nearest
    mapping key, or the `name` beside a `value` (`env: [{name: API_TOKEN, value: ...}]`).

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
            named = value.get("name") if "value" in value else None
            stack.extend((ptr + (k,), named if k == "value" and isinstance(named, str) else str(k), v)
                         for k, v in value.items())
        elif isinstance(value, list):
            if id(value) in seen:
                continue
            seen.add(id(value))
            stack.extend((ptr + (i,), key, v) for i, v in enumerate(value))
        elif isinstance(value, str):
            yield ptr, key, value


# ---- masking free text: every message, error and reason that reaches an output ----------

# `scheme://user:pass@host` -> `scheme://***@host`; also `scheme:/user:pass@host`, the
# same URL once a path normalisation has folded its `//`. A scheme starts where a run of
# scheme characters starts (the lookbehind), so each run is tried once: linear in the text.
_URL_USERINFO = r"(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*:/{1,3})[^\s/?#@'\"<>`]+@"
# `user:pass@registry.example.com/img` (no scheme): a colon in the user part, and a host then `/`
# after the `@`, so `img:1.0@sha256:...` (a digest) and `team@example.com` stay as they are.
_BARE_USERINFO = (r"(?<![\w.+%/:@-])[\w.+%-]+:[^\s/@:'\"<>`]+@"
                  r"(?=[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::\d+)?/)")
# `?token=...`, `&X-Amz-Signature=...`: a query parameter whose name says it holds a secret.
_QUERY_PARAMETER = r"([?&])([A-Za-z0-9_.\[\]-]+)=([^&#\s'\"<>`]+)"
_QUERY_SECRET_WORDS = frozenset(("sig", "signature", "code", "key", "pwd", "pass", "credential"))
# `password: Xk9...`, `context.api_key == "..."`: a literal under a secret-named key in text.
_KEY_VALUE = (r"(?<![\w.-])([A-Za-z_][\w.-]*)([\"']?[ \t]{0,3}(?:==|[:=])[ \t]{0,3}[\"']?)"
              r"([^\s\"'`,;&)}\]]{12,})")
_PRIVATE_KEY_END = re.compile(r"-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----")
_USERINFO_MASK = "***@"
# A token prefix of `_PATTERNS` then a run too short, or cut, for its shape (see _broken_token).
_BROKEN_TOKEN = (r"\b(gh[pousr]_|github_pat_|glpat-|xox[baprs]-|sk-ant-|sk-|(?:sk|rk)_live_|ya29\.|npm_|"
                  r"hf_|AIza|AKIA|ASIA)([A-Za-z0-9_-]{12,})")
# `{"` in base64url, 13 characters more, and any `.segment`s after it: one greedy pass.
_ENCODED_JSON = r"\beyJ[A-Za-z0-9_-]{13,}(?:\.[A-Za-z0-9_-]*)*"
# A literal every shape of `_PATTERNS` but the JWT's contains: a text without one has no
# token in it, found six times faster than by `_ANY_SHAPE` (a message without secrets is
# the common case). Keep it in step with `_PATTERNS`.
_SHAPE_LITERAL = (
    # the lookahead, the literals' first characters, lets the scan skip most positions (3x)
    r"(?=[-ghxskAynpSdQ])(?:-----BEGIN|gh[pousr]_|github_pat_|glpat-|xox[baprs]-|hooks\.slack\.com/|sk-|k_live_|"
    r"AKIA|ASIA|AIza|ya29\.|npm_|pypi-|hf_|SG\.|SK[0-9a-f]|dapi|AccountKey=|Q~)")
# What every `_KEY_VALUE` match holds: `:` or `=`, then a value of 12 characters. A message
# without one (most) skips the key-value scan, a search at each word.
_KEY_VALUE_HINT = r"[:=][ \t\"']{0,4}[^\s\"'`,;&)}\]]{12}"


def _query_value(match: re.Match[str]) -> str:
    name = match.group(2)
    words = key_words(name)
    if SECRET_KEY.search(name) or (words and words[-1] in _QUERY_SECRET_WORDS):
        return f"{match.group(1)}{name}={mask()}"
    return match.group(0)


def _broken_token(match: re.Match[str]) -> str:
    """Masked when the run looks random (a digit in it, 3 bits a character or more): a token
    with a typo in it is still mostly the token; `sk-agent-name` is a name."""
    body = match.group(2)
    if any(c.isdigit() for c in body) and entropy(body) >= 3.0:
        return mask(match.group(1))
    return match.group(0)


def _key_value(match: re.Match[str]) -> str:
    key, value = match.group(1), match.group(3)
    if not SECRET_KEY.search(key) or value.startswith(("$", "{", "<", "%")):  # `${VAR}`: a reference
        return match.group(0)
    shape = classify(value, key)
    return f"{key}{match.group(2)}{shape[1]}" if shape else match.group(0)


@functools.cache
def _shape_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern) for kind, pattern in _PATTERNS if kind != _JWT_KIND)


def _shape_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, masked hint) of every known token shape in `text`, not overlapping."""
    spans: list[tuple[int, int, str]] = []
    # Filler bodies (`ghp_xxxx...`, sequential test tokens) are masked too: a finding skips
    # them as placeholders, but hiding one in a message costs nothing.
    position = 0
    while match := _ANY_SHAPE.search(text, position):
        found = match.group(0)
        position = end = match.end()
        if found.startswith("-----BEGIN"):  # the key material follows its header: to its footer
            footer = _PRIVATE_KEY_END.search(text, end)
            position = end = footer.end() if footer else len(text)  # (one scan for all headers)
            hint = "-----BEGIN … PRIVATE KEY----- ****"
        else:
            shape = next(m for pattern in _shape_patterns() if (m := pattern.match(found)))
            hint = mask(shape.group(1) if shape.groups() else "")
        spans.append((match.start(), end, hint))
    spans.extend((m.start(), m.end(), mask(m.group(1))) for m in _jwt_spans(text))
    spans.sort()
    merged: list[tuple[int, int, str]] = []
    for span in spans:
        if merged and span[0] < merged[-1][1]:
            continue  # inside one already masked (a JWT in a URL's path, say)
        merged.append(span)
    return merged


def mask_text(text: str) -> str:
    """`text` with every secret in it masked: the one path every message, error and reason
    taken from an input passes before it reaches an output.

    - URLs lose their userinfo (`https://ci:PASSWORD@host` -> `https://***@host`, and a
      scheme-less `user:pass@registry/img` -> `***@registry/img`) and the values of
      secret-named query parameters (`?token=****`, `&X-Amz-Signature=****`);
    - every known token shape (`classify`'s: `ghp_`, `github_pat_`, `AKIA`, `xox*`, `sk-`, JWTs,
      private keys, ...) becomes the masked hint a secret finding shows (`ghp_****`);
    - what is left of a token whose shape a typo broke (`ghp_` and 29 characters then `-...`):
      a known prefix then 12 or more random-looking characters with a digit among them;
    - what is left of a token in base64url-encoded JSON (`eyJ...`, 16 characters or more, with
      the dot-separated segments after it): a JWT cut by a typo or by a parser's tokenizer
      (`unexpected token `eyJhbGciOiJIUzI1NiJ9``) becomes `eyJ****`;
    - a literal under a secret-named key (`password: ...`, `api_key == "..."`) that `classify`
      judges a secret becomes its hint.

    Ordinary words, rule ids, paths and names are left as they are. Each step is one linear
    scan; a message with no `@`, no token shape and no `key: value` of 12 characters costs
    two short searches.
    """
    if not text:
        return text
    if "@" in text:
        if ":/" in text:
            text = re.sub(_URL_USERINFO, lambda m: m.group(1) + _USERINFO_MASK, text)
        text = re.sub(_BARE_USERINFO, _USERINFO_MASK, text)
    if "=" in text and ("?" in text or "&" in text):
        text = re.sub(_QUERY_PARAMETER, _query_value, text)
    if ".eyJ" in text or re.search(_SHAPE_LITERAL, text):
        spans = _shape_spans(text)
        if spans:
            parts, last = [], 0
            for start, end, hint in spans:
                parts.append(text[last:start])
                parts.append(hint)
                last = end
            parts.append(text[last:])
            text = "".join(parts)
        text = re.sub(_BROKEN_TOKEN, _broken_token, text)
    if "eyJ" in text:
        text = re.sub(_ENCODED_JSON, "eyJ****", text)
    if re.search(_KEY_VALUE_HINT, text):
        text = re.sub(_KEY_VALUE, _key_value, text)
    return text
