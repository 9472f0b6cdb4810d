"""Durations (`30s`, `15m`, `1h`, `7d`, `2w`, ISO-8601 `PT15M`, `P1DT2H`) and dates."""

from __future__ import annotations

import datetime as dt
import math
import re

_SHORT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$", re.IGNORECASE)
_COMPOUND = re.compile(r"^\s*((?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+)\s*$", re.IGNORECASE)
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)", re.IGNORECASE)
_ISO = re.compile(
    r"^P(?:(?P<w>\d+(?:\.\d+)?)W)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$",
    re.IGNORECASE,
)
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
DURATION_FORMS = "30s, 15m, 1h, 7d, 2w or ISO-8601 such as PT15M"


def parse_duration(value: object) -> float | None:
    """Seconds in `value`, or None when it is not a duration.

    A bare integer is taken as seconds (Kubernetes `expirationSeconds`, SPIRE `x509_svid_ttl`).
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        if value < 0:
            return None
        try:
            return float(value)
        except OverflowError:  # an integer beyond a float: longer than any duration
            return math.inf
    text = str(value).strip()
    if text.isdecimal():  # not isdigit(): it accepts '²', which float() refuses
        return float(text)
    match = _COMPOUND.match(text)
    if match:
        return sum(float(n) * _UNIT_SECONDS[u.lower()] for n, u in _PART.findall(text))
    match = _ISO.match(text)
    if match and text.upper() not in ("P", "PT") and not text.upper().endswith("T"):
        parts = {k: float(v) for k, v in match.groupdict().items() if v}
        if parts:
            return (parts.get("w", 0) * 604800 + parts.get("d", 0) * 86400
                    + parts.get("h", 0) * 3600 + parts.get("m", 0) * 60 + parts.get("s", 0))
    return None


def parse_parameter_duration(value: object) -> float:
    """Seconds in a duration a person wrote as a rule parameter; ValueError names the valid forms.

    Unlike `parse_duration`, a bare number is refused: in `max_ttl: 10` nobody can tell
    whether seconds, minutes or hours were meant.
    """
    text = str(value).strip()
    if (isinstance(value, (int, float)) and not isinstance(value, bool)) or text.isdecimal():
        raise ValueError(f"'{text}' has no unit; write a duration such as {DURATION_FORMS}")
    seconds = parse_duration(value)
    if seconds is None:
        raise ValueError(f"'{value}' is not a duration; use {DURATION_FORMS}")
    return seconds


def format_duration(seconds: float) -> str:
    """The shortest exact form: 900 -> '15m', 86400 -> '1d', 90 -> '90s'."""
    for unit in ("w", "d", "h", "m", "s"):
        size = _UNIT_SECONDS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def parse_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip() if value is not None else ""
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None
