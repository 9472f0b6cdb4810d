import datetime as dt

import pytest

from nhilint.durations import format_duration, parse_date, parse_duration, parse_parameter_duration


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


@pytest.mark.parametrize(("value", "message"), [
    (10, "'10' has no unit; write a duration such as 30s, 15m, 1h, 7d, 2w or ISO-8601 such as PT15M"),
    ("90", "'90' has no unit; write a duration such as 30s, 15m, 1h, 7d, 2w or ISO-8601 such as PT15M"),
    (1.5, "'1.5' has no unit; write a duration such as 30s, 15m, 1h, 7d, 2w or ISO-8601 such as PT15M"),
    ("soon", "'soon' is not a duration; use 30s, 15m, 1h, 7d, 2w or ISO-8601 such as PT15M"),
])
def test_a_parameter_duration_needs_a_unit(value: object, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_parameter_duration(value)
    assert str(raised.value) == message


def test_parameter_durations_with_units() -> None:
    assert [parse_parameter_duration(v) for v in ("30s", "2w", "PT15M", "1h30m")] == [30, 1209600, 900, 5400]
