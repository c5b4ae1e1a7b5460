"""Tests for turning daily wall-clock times into UTC instants across DST and zone changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nudgebot.domain.schedule import (
    Occurrence,
    local_date_of,
    next_occurrence,
    next_weekly_occurrence,
    occurrence_on,
)
from nudgebot.domain.zones import load_zone

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
SANTIAGO = ZoneInfo("America/Santiago")
APIA = ZoneInfo("Pacific/Apia")

ZONE_NAMES = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "America/Santiago",
    "Africa/Casablanca",
    "Pacific/Apia",
    "UTC",
    "UTC+05:30",
]
zones = st.sampled_from(ZONE_NAMES).map(load_zone)
minute_times = st.builds(time, hour=st.integers(0, 23), minute=st.integers(0, 59))
instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2037, 12, 31)).map(
    lambda naive: naive.replace(tzinfo=UTC)
)
# In all these zones the offset never falls by more than an hour at once between 2000 and 2037
# (Samoa's 2011 jump went forward), so consecutive firings are at most 25 hours apart.
MAX_GAP = timedelta(hours=25)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """An aware UTC datetime."""
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def wall(instant: datetime, zone: tzinfo) -> datetime:
    """The naive local wall-clock reading of an instant."""
    return instant.astimezone(zone).replace(tzinfo=None)


def date_exists(day: date, zone: tzinfo) -> bool:
    """Whether any instant has this local date, checked by brute force every 15 minutes."""
    start = datetime.combine(day, time(0, 0), UTC) - timedelta(hours=15)
    return any(
        local_date_of(start + timedelta(minutes=15 * step), zone) == day
        for step in range(4 * (24 + 30))
    )


# --- occurrence_on: explicit DST cases -------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "local", "expected_utc", "expected_wall"),
    [
        # Spring forward: the missing time fires once, later by the gap.
        (
            BERLIN,
            datetime(2025, 3, 30, 2, 30),
            utc(2025, 3, 30, 1, 30),
            datetime(2025, 3, 30, 3, 30),
        ),
        (
            NEW_YORK,
            datetime(2025, 3, 9, 2, 15),
            utc(2025, 3, 9, 7, 15),
            datetime(2025, 3, 9, 3, 15),
        ),
        (
            SYDNEY,
            datetime(2025, 10, 5, 2, 30),
            utc(2025, 10, 4, 16, 30),
            datetime(2025, 10, 5, 3, 30),
        ),
        # Lord Howe's DST is only 30 minutes.
        (
            LORD_HOWE,
            datetime(2025, 10, 5, 2, 15),
            utc(2025, 10, 4, 15, 45),
            datetime(2025, 10, 5, 2, 45),
        ),
        # Santiago springs forward at midnight.
        (
            SANTIAGO,
            datetime(2025, 9, 7, 0, 30),
            utc(2025, 9, 7, 4, 30),
            datetime(2025, 9, 7, 1, 30),
        ),
        # Fall back: the repeated time fires at its first instance.
        (
            BERLIN,
            datetime(2025, 10, 26, 2, 30),
            utc(2025, 10, 26, 0, 30),
            datetime(2025, 10, 26, 2, 30),
        ),
        (
            NEW_YORK,
            datetime(2025, 11, 2, 1, 30),
            utc(2025, 11, 2, 5, 30),
            datetime(2025, 11, 2, 1, 30),
        ),
        (SYDNEY, datetime(2025, 4, 6, 2, 30), utc(2025, 4, 5, 15, 30), datetime(2025, 4, 6, 2, 30)),
        # Ordinary days either side.
        (BERLIN, datetime(2025, 1, 15, 8, 0), utc(2025, 1, 15, 7, 0), datetime(2025, 1, 15, 8, 0)),
        (BERLIN, datetime(2025, 7, 15, 8, 0), utc(2025, 7, 15, 6, 0), datetime(2025, 7, 15, 8, 0)),
    ],
)
def test_occurrence_on_dst_rules(
    zone: tzinfo, local: datetime, expected_utc: datetime, expected_wall: datetime
) -> None:
    occurrence = occurrence_on(local.date(), local.time(), zone)
    assert occurrence == Occurrence(local_date=local.date(), due_utc=expected_utc)
    assert occurrence.due_utc.tzinfo is UTC
    assert wall(occurrence.due_utc, zone) == expected_wall


def test_occurrence_on_fixed_offset() -> None:
    zone = timezone(timedelta(hours=5, minutes=30))
    occurrence = occurrence_on(date(2025, 1, 1), time(9, 0), zone)
    assert occurrence.due_utc == utc(2025, 1, 1, 3, 30)


def test_occurrence_on_rejects_aware_time() -> None:
    with pytest.raises(ValueError, match="naive"):
        occurrence_on(date(2025, 1, 1), time(9, 0, tzinfo=UTC), BERLIN)


def test_occurrence_ignores_fold_on_the_input_time() -> None:
    second = time(2, 30, fold=1)
    assert occurrence_on(date(2025, 10, 26), second, BERLIN).due_utc == utc(2025, 10, 26, 0, 30)


def test_occurrence_is_frozen() -> None:
    occurrence = occurrence_on(date(2025, 1, 1), time(9, 0), BERLIN)
    with pytest.raises(AttributeError):
        occurrence.due_utc = utc(2025, 1, 1)  # type: ignore[misc]


# --- local_date_of ---------------------------------------------------------------------------


def test_local_date_of() -> None:
    instant = utc(2025, 1, 1, 23, 30)
    assert local_date_of(instant, BERLIN) == date(2025, 1, 2)
    assert local_date_of(instant, NEW_YORK) == date(2025, 1, 1)
    assert local_date_of(instant, UTC) == date(2025, 1, 1)


def test_local_date_of_rejects_naive() -> None:
    with pytest.raises(ValueError, match="aware"):
        local_date_of(datetime(2025, 1, 1), BERLIN)


# --- next_occurrence: explicit cases ---------------------------------------------------------


def test_next_occurrence_later_today_or_tomorrow() -> None:
    # 09:00 in Berlin in January is 08:00 UTC.
    occurrence = next_occurrence(time(9, 0), BERLIN, utc(2025, 1, 15, 7, 0))
    assert occurrence == Occurrence(date(2025, 1, 15), utc(2025, 1, 15, 8, 0))
    occurrence = next_occurrence(time(9, 0), BERLIN, utc(2025, 1, 15, 9, 0))
    assert occurrence == Occurrence(date(2025, 1, 16), utc(2025, 1, 16, 8, 0))


def test_next_occurrence_is_strictly_after() -> None:
    due = utc(2025, 1, 15, 8, 0)
    assert next_occurrence(time(9, 0), BERLIN, due - timedelta(microseconds=1)).due_utc == due
    assert next_occurrence(time(9, 0), BERLIN, due).local_date == date(2025, 1, 16)


def test_next_occurrence_accepts_after_in_any_zone() -> None:
    after = datetime(2025, 1, 15, 2, 0, tzinfo=NEW_YORK)  # 08:00 in Berlin
    assert next_occurrence(time(9, 0), BERLIN, after).due_utc == utc(2025, 1, 15, 8, 0)


@pytest.mark.parametrize(
    ("zone", "day", "at", "first_utc", "next_day_utc"),
    [
        (
            BERLIN,
            date(2025, 10, 26),
            time(2, 30),
            utc(2025, 10, 26, 0, 30),
            utc(2025, 10, 27, 1, 30),
        ),
        (
            NEW_YORK,
            date(2025, 11, 2),
            time(1, 30),
            utc(2025, 11, 2, 5, 30),
            utc(2025, 11, 3, 6, 30),
        ),
        (SYDNEY, date(2025, 4, 6), time(2, 30), utc(2025, 4, 5, 15, 30), utc(2025, 4, 6, 16, 30)),
    ],
)
def test_fall_back_fires_once_at_the_first_instance(
    zone: tzinfo, day: date, at: time, first_utc: datetime, next_day_utc: datetime
) -> None:
    before = first_utc - timedelta(minutes=1)
    assert next_occurrence(at, zone, before) == Occurrence(day, first_utc)
    # Neither at the first firing nor between the two instances is the repeat offered.
    for after in (first_utc, first_utc + timedelta(minutes=30), first_utc + timedelta(hours=1)):
        assert next_occurrence(at, zone, after) == Occurrence(day + timedelta(days=1), next_day_utc)


@pytest.mark.parametrize(
    ("zone", "day", "at", "shifted_utc"),
    [
        (BERLIN, date(2025, 3, 30), time(2, 30), utc(2025, 3, 30, 1, 30)),
        (NEW_YORK, date(2025, 3, 9), time(2, 15), utc(2025, 3, 9, 7, 15)),
        (SYDNEY, date(2025, 10, 5), time(2, 30), utc(2025, 10, 4, 16, 30)),
    ],
)
def test_spring_forward_fires_once_shifted(
    zone: tzinfo, day: date, at: time, shifted_utc: datetime
) -> None:
    assert next_occurrence(at, zone, shifted_utc - timedelta(hours=3)) == Occurrence(
        day, shifted_utc
    )
    following = next_occurrence(at, zone, shifted_utc)
    assert following.local_date == day + timedelta(days=1)
    assert wall(following.due_utc, zone) == datetime.combine(following.local_date, at)


def test_apia_skipped_day_has_no_occurrence() -> None:
    # Samoa jumped from UTC-10 to UTC+14 at the end of 2011-12-29; 2011-12-30 never happened.
    at = time(10, 0)
    on_29th = next_occurrence(at, APIA, utc(2011, 12, 29, 0, 0))
    assert on_29th == Occurrence(date(2011, 12, 29), utc(2011, 12, 29, 20, 0))
    on_31st = next_occurrence(at, APIA, on_29th.due_utc)
    assert on_31st == Occurrence(date(2011, 12, 31), utc(2011, 12, 30, 20, 0))
    # Even asked from "inside" the missing day, the 31st is next.
    assert next_occurrence(at, APIA, utc(2011, 12, 30, 10, 59)) == on_31st


def test_next_occurrence_rejects_naive_after() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_occurrence(time(9, 0), BERLIN, datetime(2025, 1, 1))


def test_next_occurrence_rejects_aware_time() -> None:
    with pytest.raises(ValueError, match="naive"):
        next_occurrence(time(9, 0, tzinfo=BERLIN), BERLIN, utc(2025, 1, 1))


def test_next_occurrence_keeps_seconds() -> None:
    occurrence = next_occurrence(time(9, 0, 30), UTC, utc(2025, 1, 1))
    assert occurrence.due_utc == utc(2025, 1, 1, 9, 0, 30)


def assert_fires_at_requested_wall_time(occurrence: Occurrence, at: time, zone: tzinfo) -> None:
    """The firing shows the requested wall time, or later by the gap if that time did not exist."""
    requested = datetime.combine(occurrence.local_date, at)
    actual = wall(occurrence.due_utc, zone)
    if actual == requested:
        # An ambiguous time must fire at its first instance.
        second = requested.replace(tzinfo=zone, fold=1).astimezone(UTC)
        assert occurrence.due_utc <= second
        return
    offset_before = requested.replace(tzinfo=zone, fold=0).utcoffset()
    offset_after = occurrence.due_utc.astimezone(zone).utcoffset()
    assert offset_before is not None
    assert offset_after is not None
    gap = offset_after - offset_before
    assert gap > timedelta(0)
    assert actual - requested == gap
    # It really was a missing time: that wall reading never round-trips.
    assert wall(requested.replace(tzinfo=zone).astimezone(UTC), zone) != requested


@settings(max_examples=200)
@given(zones, minute_times, instants)
def test_next_occurrence_properties(zone: tzinfo, at: time, after: datetime) -> None:
    occurrence = next_occurrence(at, zone, after)
    assert occurrence.due_utc.tzinfo is UTC
    assert occurrence.due_utc > after
    assert occurrence.due_utc - after <= MAX_GAP
    assert date_exists(occurrence.local_date, zone)
    assert_fires_at_requested_wall_time(occurrence, at, zone)


@settings(max_examples=200)
@given(zones, minute_times, instants)
def test_occurrence_on_properties(zone: tzinfo, at: time, instant: datetime) -> None:
    day = local_date_of(instant, zone)
    occurrence = occurrence_on(day, at, zone)
    assert occurrence.local_date == day
    assert occurrence == occurrence_on(day, at, zone)
    if date_exists(day, zone):
        assert_fires_at_requested_wall_time(occurrence, at, zone)


@settings(max_examples=50, deadline=None)
@given(zones, minute_times, instants)
def test_iterating_fires_once_per_local_date(zone: tzinfo, at: time, start: datetime) -> None:
    previous = next_occurrence(at, zone, start)
    for _ in range(400):
        current = next_occurrence(at, zone, previous.due_utc)
        assert current.due_utc > previous.due_utc
        assert current.due_utc - previous.due_utc <= MAX_GAP
        assert current.local_date > previous.local_date
        skipped = previous.local_date + timedelta(days=1)
        while skipped < current.local_date:
            assert not date_exists(skipped, zone), skipped
            skipped += timedelta(days=1)
        previous = current


@pytest.mark.parametrize("name", ZONE_NAMES)
def test_iterating_across_2011_and_2025(name: str) -> None:
    """Walk whole years that include Samoa's skipped day and a full DST cycle everywhere."""
    zone = load_zone(name)
    for at in (time(0, 0), time(2, 30), time(23, 45)):
        for year in (2011, 2025):
            previous = next_occurrence(at, zone, utc(year, 1, 1))
            seen = {previous.local_date}
            while previous.due_utc < utc(year + 1, 1, 1):
                current = next_occurrence(at, zone, previous.due_utc)
                assert current.local_date > previous.local_date
                seen.add(current.local_date)
                previous = current
            first, last = min(seen), max(seen)
            assert (last - first).days >= 364
            span = (first + timedelta(days=offset) for offset in range((last - first).days))
            missing = {day for day in span if day not in seen}
            expected_missing = (
                {date(2011, 12, 30)} if name == "Pacific/Apia" and year == 2011 else set()
            )
            assert missing == expected_missing


class TestWeekly:
    """The weekly summary's instant: the chosen weekday and wall time, across DST."""

    def test_next_sunday_evening_in_berlin(self) -> None:
        zone = ZoneInfo("Europe/Berlin")
        after = datetime(2025, 3, 26, 12, 0, tzinfo=UTC)  # a Wednesday
        occ = next_weekly_occurrence(6, time(18, 0), zone, after)
        assert occ.local_date == date(2025, 3, 30)
        # Clocks sprang forward that morning: 18:00 CEST is 16:00 UTC.
        assert occ.due_utc == datetime(2025, 3, 30, 16, 0, tzinfo=UTC)

    def test_the_same_weekday_later_today_counts_and_earlier_does_not(self) -> None:
        zone = ZoneInfo("UTC")
        sunday_noon = datetime(2025, 1, 12, 12, 0, tzinfo=UTC)
        assert next_weekly_occurrence(6, time(18, 0), zone, sunday_noon).local_date == date(
            2025, 1, 12
        )
        assert next_weekly_occurrence(6, time(9, 0), zone, sunday_noon).local_date == date(
            2025, 1, 19
        )

    @given(
        weekday=st.integers(0, 6),
        minute=st.integers(0, 24 * 60 - 1),
        after=st.datetimes(
            min_value=datetime(2000, 1, 1), max_value=datetime(2037, 1, 1), timezones=st.just(UTC)
        ),
        zone_name=st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Sydney"]),
    )
    @settings(max_examples=150, deadline=None)
    def test_always_the_right_weekday_within_a_week(
        self, weekday: int, minute: int, after: datetime, zone_name: str
    ) -> None:
        occ = next_weekly_occurrence(
            weekday, time(minute // 60, minute % 60), ZoneInfo(zone_name), after
        )
        assert occ.local_date.weekday() == weekday
        assert after < occ.due_utc <= after + timedelta(days=7, hours=2)
