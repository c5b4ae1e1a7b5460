"""Tests for parsing and formatting check-in times."""

from __future__ import annotations

from datetime import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nudgebot.domain.times import (
    TimeParseError,
    format_time,
    parse_quiet_hours,
    parse_time,
    parse_times,
    parse_weekly,
)

minute_times = st.builds(time, hour=st.integers(0, 23), minute=st.integers(0, 59))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8:30", time(8, 30)),
        ("08:30", time(8, 30)),
        ("20:15", time(20, 15)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("8pm", time(20, 0)),
        ("8 pm", time(20, 0)),
        ("8 PM", time(20, 0)),
        ("8:30 pm", time(20, 30)),
        ("8:30PM", time(20, 30)),
        ("8:30am", time(8, 30)),
        ("8 p.m.", time(20, 0)),
        ("8am", time(8, 0)),
        ("12am", time(0, 0)),
        ("12:30am", time(0, 30)),
        ("12pm", time(12, 0)),
        ("12:45 pm", time(12, 45)),
        ("11:59pm", time(23, 59)),
        ("830pm", time(20, 30)),
        ("8.30", time(8, 30)),
        ("0830", time(8, 30)),
        ("830", time(8, 30)),
        ("2015", time(20, 15)),
        ("0000", time(0, 0)),
        ("8", time(8, 0)),
        ("08", time(8, 0)),
        ("0", time(0, 0)),
        ("23", time(23, 0)),
        ("noon", time(12, 0)),
        ("Noon", time(12, 0)),
        ("midnight", time(0, 0)),
        ("MIDNIGHT", time(0, 0)),
        ("8h30", time(8, 30)),
        ("8H30", time(8, 30)),
        ("20h", time(20, 0)),
        ("  7:05  ", time(7, 5)),
    ],
)
def test_parse_time_accepts_common_forms(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("25:99", "range"),
        ("24:00", "range"),
        ("24", "range"),
        ("2400", "range"),
        ("13pm", "range"),
        ("0pm", "range"),
        ("0am", "range"),
        ("00:30am", "range"),
        ("8:60", "range"),
        ("8:60pm", "range"),
        ("860", "range"),
        ("-1", "format"),
        ("8:30:00", "format"),
        ("8:5", "format"),
        ("8:", "format"),
        (":30", "format"),
        ("12345", "format"),
        ("eight", "format"),
        ("pm", "format"),
        ("8 30", "format"),
        ("8:30 xm", "format"),
        ("８:30", "format"),
        ("²", "format"),
        ("", "empty"),
        ("   ", "empty"),
    ],
)
def test_parse_time_rejects(text: str, reason: str) -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_time(text)
    assert caught.value.reason == reason
    assert caught.value.token == text.strip()


def test_time_parse_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="13pm"):
        parse_time("13pm")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8:30", [time(8, 30)]),
        ("8:30 pm", [time(20, 30)]),
        ("8 pm", [time(20, 0)]),
        ("8:30 pm, 9am", [time(9, 0), time(20, 30)]),
        ("20:00 8:00", [time(8, 0), time(20, 0)]),
        ("8,12,20", [time(8, 0), time(12, 0), time(20, 0)]),
        ("8am and 8 pm", [time(8, 0), time(20, 0)]),
        ("8 am, 12 pm and 8 pm", [time(8, 0), time(12, 0), time(20, 0)]),
        ("9am AND 5pm", [time(9, 0), time(17, 0)]),
        ("noon; midnight", [time(0, 0), time(12, 0)]),
        ("8 p.m. 7 a.m.", [time(7, 0), time(20, 0)]),
        ("8:00, 08:00, 8am", [time(8, 0)]),
        ("  7:30 ,, 7:30 ", [time(7, 30)]),
        ("noon & 20h", [time(12, 0), time(20, 0)]),
    ],
)
def test_parse_times(text: str, expected: list[time]) -> None:
    assert parse_times(text) == expected


@pytest.mark.parametrize("text", ["", "   ", ", ,", "and", " , and ; "])
def test_parse_times_empty(text: str) -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_times(text)
    assert caught.value.reason == "empty"


def test_parse_times_reports_first_bad_token() -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_times("8am, 25:99, banana")
    assert (caught.value.token, caught.value.reason) == ("25:99", "range")


def test_parse_times_bad_token_format() -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_times("8am banana 9am")
    assert (caught.value.token, caught.value.reason) == ("banana", "format")


def test_parse_times_dangling_meridiem_is_an_error() -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_times("pm 8")
    assert (caught.value.token, caught.value.reason) == ("pm", "format")


def test_parse_times_meridiem_attaches_only_once() -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_times("8pm pm")
    assert caught.value.token == "pm"


def test_parse_times_too_many() -> None:
    text = "1 2 3 4 5 6 7"
    with pytest.raises(TimeParseError) as caught:
        parse_times(text)
    assert caught.value.reason == "too_many"
    assert caught.value.token == text


def test_parse_times_counts_distinct_times_only() -> None:
    assert len(parse_times("1 2 3 4 5 6 1:00 01:00 1am")) == 6


def test_parse_times_too_many_wins_over_a_typo() -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_times("1 2 3 4 5 6 7 oops")
    assert caught.value.reason == "too_many"


def test_parse_times_custom_max_count() -> None:
    assert parse_times("8 9", max_count=2) == [time(8, 0), time(9, 0)]
    with pytest.raises(TimeParseError) as caught:
        parse_times("8 9 10", max_count=2)
    assert caught.value.reason == "too_many"


def test_parse_times_rejects_nonpositive_max_count() -> None:
    with pytest.raises(ValueError, match="max_count"):
        parse_times("8", max_count=0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(time(8, 30), "08:30"), (time(0, 0), "00:00"), (time(23, 5), "23:05")],
)
def test_format_time(value: time, expected: str) -> None:
    assert format_time(value) == expected


def test_format_time_drops_seconds() -> None:
    assert format_time(time(8, 30, 59)) == "08:30"


@given(minute_times)
def test_format_then_parse_round_trips(t: time) -> None:
    assert parse_time(format_time(t)) == t


def _twelve_hour(t: time) -> tuple[int, str]:
    """The 12-hour clock hour and meridiem for a time."""
    return (t.hour % 12 or 12), ("am" if t.hour < 12 else "pm")


@given(minute_times, st.sampled_from(["", " "]), st.booleans(), st.booleans())
def test_twelve_hour_forms_round_trip(t: time, space: str, upper: bool, dotted: bool) -> None:
    hour, meridiem = _twelve_hour(t)
    if dotted:
        meridiem = f"{meridiem[0]}.m."
    if upper:
        meridiem = meridiem.upper()
    assert parse_time(f"{hour}:{t.minute:02d}{space}{meridiem}") == t
    if t.minute == 0:
        assert parse_time(f"{hour}{space}{meridiem}") == t


@given(minute_times)
def test_twenty_four_hour_variants_round_trip(t: time) -> None:
    h, m = t.hour, t.minute
    for text in (f"{h}:{m:02d}", f"{h}.{m:02d}", f"{h}h{m:02d}", f"{h}{m:02d}", f"{h:02d}{m:02d}"):
        assert parse_time(text) == t, text


@settings(max_examples=50)
@given(st.lists(minute_times, min_size=1, max_size=6), st.sampled_from([" ", ", ", " and ", ";"]))
def test_parse_times_returns_sorted_distinct(times: list[time], separator: str) -> None:
    text = separator.join(
        f"{_twelve_hour(t)[0]}:{t.minute:02d} {_twelve_hour(t)[1]}" for t in times
    )
    assert parse_times(text) == sorted(set(times))


class TestWeeklyAndQuietHours:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("Sunday 18:00", (6, time(18, 0))),
            ("sun 6pm", (6, time(18, 0))),
            ("18:00 on Friday", (4, time(18, 0))),
            ("Mon, 8:30 am", (0, time(8, 30))),
            ("wed 7", (2, time(7, 0))),
        ],
    )
    def test_weekly_forms(self, text: str, expected: tuple[int, time]) -> None:
        assert parse_weekly(text) == expected

    @pytest.mark.parametrize("text", ["18:00", "someday 18:00", "t 18:00", "sunday", "sun mon 9"])
    def test_weekly_rejects(self, text: str) -> None:
        with pytest.raises(TimeParseError):
            parse_weekly(text)

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("22:00-07:00", (time(22, 0), time(7, 0))),
            ("10pm to 7am", (time(22, 0), time(7, 0))),
            ("13:00 – 14:00", (time(13, 0), time(14, 0))),
            ("off", None),
        ],
    )
    def test_quiet_hours_forms(self, text: str, expected: tuple[time, time] | None) -> None:
        assert parse_quiet_hours(text) == expected

    @pytest.mark.parametrize("text", ["22:00", "22:00-22:00", "late-early", "25:00-07:00"])
    def test_quiet_hours_rejects(self, text: str) -> None:
        with pytest.raises(TimeParseError):
            parse_quiet_hours(text)
