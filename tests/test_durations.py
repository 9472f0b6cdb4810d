import datetime as dt

import pytest

from nhilint.durations import format_duration, parse_date, parse_duration


@pytest.mark.parametrize(("text", "seconds"), [
    ("30s", 30), ("15m", 900), ("1h", 3600), ("7d", 604800), ("2w", 1209600), ("1h30m", 5400),
    ("PT15M", 900), ("P1DT2H", 93600), ("P1W", 604800), ("90", 90), (3600, 3600),
])
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "fifteen", "P", "PT", "-5", "1y", None, True])
def test_not_durations(text: object) -> None:
    assert parse_duration(text) is None


def test_format_and_dates() -> None:
    assert [format_duration(s) for s in (900, 86400, 90, 3600)] == ["15m", "1d", "90s", "1h"]
    assert parse_date("2027-03-31") == dt.date(2027, 3, 31)
    assert parse_date("2027-03-31T10:00:00Z") == dt.date(2027, 3, 31)
    assert parse_date("soon") is None
