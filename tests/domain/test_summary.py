"""The weekly summary's figures and the chart series, from per-day aggregates."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nudgebot.domain.summary import (
    CHART_DAYS,
    MIN_POINTS,
    ChartDay,
    DayFacts,
    MoveChange,
    chart_days,
    summarize,
)

WEEK_END = date(2024, 3, 10)  # a Sunday


def day(
    when: date,
    ratings: tuple[int, ...] = (),
    *,
    sent: int | None = None,
    runs: int = 0,
    walks: int = 0,
    minutes: int = 0,
) -> DayFacts:
    """What SQL would return for a day with these ratings (one per answered check-in)."""
    return DayFacts(
        local_date=when,
        sent=len(ratings) if sent is None else sent,
        answered=len(ratings),
        rating_sum=sum(ratings),
        rating_count=len(ratings),
        max_rating=max(ratings) if ratings else None,
        moves=runs + walks,
        minutes=minutes,
        runs=runs,
        walks=walks,
    )


def ago(days: int, end: date = WEEK_END) -> date:
    return end - timedelta(days=days)


# --- a normal week ---------------------------------------------------------------------------


def normal_week() -> list[DayFacts]:
    this_week = [
        day(ago(6), (4, 3), sent=3, runs=1, minutes=15),  # Mon, moved
        day(ago(5), (3, 3), sent=3),  # Tue
        day(ago(4), (5, 4), sent=3, walks=1, minutes=20),  # Wed, moved
        day(ago(3), (2,), sent=3),  # Thu
        day(ago(2), (), sent=3),  # Fri: nothing answered
        day(ago(1), (2, 2), sent=3, runs=1, walks=1, minutes=40),  # Sat, moved twice
        day(ago(0), (3, 1), sent=3),  # Sun
    ]
    last_week = [day(ago(7 + i), (4, 3), sent=3) for i in range(7)]
    return this_week + last_week


def test_normal_week_figures() -> None:
    changes = [MoveChange(4, 2), MoveChange(5, 3), MoveChange(3, 3), MoveChange(4, 3)]
    s = summarize(normal_week(), changes, WEEK_END, threshold=4)

    assert (s.week_start, s.week_end) == (date(2024, 3, 4), WEEK_END)
    assert (s.sent, s.answered, s.days_checked_in) == (21, 11, 6)
    assert s.avg_stress == pytest.approx(32 / 11)
    assert s.prev_avg_stress == pytest.approx(3.5)
    assert s.avg_change == pytest.approx(32 / 11 - 3.5)
    assert s.high_stress_days == 2  # Mon reached 4, Wed 5
    assert (s.moves, s.minutes, s.runs, s.walks) == (4, 75, 2, 2)
    assert s.helped_pairs == 4
    assert s.helped_before_avg == pytest.approx(4.0)
    assert s.helped_after_avg == pytest.approx(2.75)
    assert s.helped_avg_change == pytest.approx(-1.25)
    # Move days with ratings: Mon 3.5, Wed 4.5, Sat 2.0; rest days: Tue 3, Thu 2, Sun 2.
    assert (s.move_days_rated, s.rest_days_rated) == (3, 3)
    assert s.avg_on_move_days == pytest.approx((3.5 + 4.5 + 2.0) / 3)
    assert s.avg_on_rest_days == pytest.approx((3 + 2 + 2) / 3)
    assert not s.empty


def test_threshold_decides_high_stress_days() -> None:
    days = normal_week()
    assert summarize(days, [], WEEK_END, threshold=5).high_stress_days == 1
    assert summarize(days, [], WEEK_END, threshold=3).high_stress_days == 4
    assert summarize(days, [], WEEK_END, threshold=1).high_stress_days == 6


def test_average_weighs_every_rating_not_every_day() -> None:
    days = [day(ago(0), (5,)), day(ago(1), (1, 1, 1))]
    assert summarize(days, [], WEEK_END, 4).avg_stress == pytest.approx(2.0)


# --- empty and partial weeks -----------------------------------------------------------------


def test_empty_week() -> None:
    s = summarize([], [], WEEK_END, threshold=4)
    assert s.empty
    assert (s.sent, s.answered, s.days_checked_in, s.moves, s.minutes) == (0, 0, 0, 0, 0)
    assert s.avg_stress is None and s.prev_avg_stress is None and s.avg_change is None
    assert s.helped_avg_change is None
    assert s.avg_on_move_days is None and s.avg_on_rest_days is None


def test_unanswered_checkins_alone_still_make_an_empty_week() -> None:
    days = [day(ago(i), (), sent=2) for i in range(7)]
    s = summarize(days, [], WEEK_END, 4)
    assert s.empty
    assert (s.sent, s.answered) == (14, 0)


def test_movement_alone_is_not_an_empty_week() -> None:
    s = summarize([day(ago(2), walks=1, minutes=10)], [], WEEK_END, 4)
    assert not s.empty
    assert s.avg_stress is None
    assert (s.moves, s.walks, s.minutes) == (1, 1, 10)


def test_a_quiet_week_after_a_busy_one_is_empty_and_has_no_comparison() -> None:
    last_week_only = [day(ago(7 + i), (3,), runs=1) for i in range(7)]
    s = summarize(last_week_only, [], WEEK_END, 4)
    assert s.empty
    assert s.prev_avg_stress == pytest.approx(3.0)
    assert s.avg_change is None


def test_partial_week_counts_only_the_days_there_are() -> None:
    # Joined on Friday: three days of data, nothing before.
    days = [day(ago(2), (4, 2)), day(ago(1), (3,), runs=1, minutes=12), day(ago(0), (2,))]
    s = summarize(days, [MoveChange(3, 2)], WEEK_END, 4)
    assert (s.sent, s.answered, s.days_checked_in) == (4, 4, 3)
    assert s.avg_stress == pytest.approx(2.75)
    assert s.prev_avg_stress is None and s.avg_change is None
    assert s.high_stress_days == 1
    assert s.helped_pairs == 1 and s.helped_avg_change is None
    assert s.avg_on_move_days is None and s.avg_on_rest_days is None


def test_days_outside_the_two_weeks_are_ignored() -> None:
    days = [day(ago(14), (5,), runs=1), day(ago(-1), (5,), runs=1), day(ago(0), (2,))]
    s = summarize(days, [], WEEK_END, 4)
    assert s.avg_stress == pytest.approx(2.0)
    assert s.prev_avg_stress is None
    assert s.moves == 0


def test_week_boundaries_are_inclusive() -> None:
    days = [day(ago(6), (1,)), day(ago(7), (5,)), day(ago(13), (3,))]
    s = summarize(days, [], WEEK_END, 4)
    assert s.avg_stress == pytest.approx(1.0)
    assert s.prev_avg_stress == pytest.approx(4.0)
    assert s.avg_change == pytest.approx(-3.0)


def test_answers_without_a_recorded_send_count_as_sent() -> None:
    s = summarize([day(ago(0), (3, 3), sent=1)], [], WEEK_END, 4)
    assert (s.sent, s.answered) == (2, 2)


def test_two_rows_for_one_date_are_added_together() -> None:
    days = [day(ago(0), (4,), sent=2, runs=1, minutes=10), day(ago(0), (2,), walks=1, minutes=5)]
    s = summarize(days, [], WEEK_END, 4)
    assert (s.sent, s.answered, s.days_checked_in) == (3, 2, 1)
    assert s.avg_stress == pytest.approx(3.0)
    assert s.high_stress_days == 1
    assert (s.moves, s.minutes, s.runs, s.walks) == (2, 15, 1, 1)


# --- a week across a DST change --------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "week_end"),
    [
        ("Europe/Berlin", date(2024, 3, 31)),  # clocks go forward on Sunday 31 March
        ("Europe/Berlin", date(2024, 10, 27)),  # and back on Sunday 27 October
        ("America/New_York", date(2024, 3, 16)),  # forward on Sunday 10 March, mid-week
        ("Australia/Sydney", date(2024, 4, 7)),  # back on Sunday 7 April
    ],
)
def test_dst_week_is_seven_local_days(zone: str, week_end: date) -> None:
    tz = ZoneInfo(zone)
    first = week_end - timedelta(days=6)
    # Aware datetimes in one zone subtract as wall clocks; in UTC they give the real hours.
    hours = (
        datetime.combine(week_end + timedelta(days=1), time(0), tz).astimezone(UTC)
        - datetime.combine(first, time(0), tz).astimezone(UTC)
    ).total_seconds() / 3600
    assert hours != 7 * 24, "the week should really span a DST change"

    # One check-in a day at 08:30 local, as the caller would group it, with a walk on two days.
    days = [
        day(first + timedelta(days=i), (i % 5 + 1,), walks=int(i in (2, 5)), minutes=10 * (i % 2))
        for i in range(7)
    ]
    s = summarize(days, [], week_end, 4)
    assert (s.week_start, s.week_end) == (first, week_end)
    assert (s.sent, s.answered, s.days_checked_in) == (7, 7, 7)
    assert s.avg_stress == pytest.approx(sum(i % 5 + 1 for i in range(7)) / 7)
    assert s.high_stress_days == 2  # ratings 4 and 5
    assert (s.moves, s.walks, s.minutes) == (2, 2, 30)
    assert [c.local_date for c in chart_days(days, week_end, 7)] == [d.local_date for d in days]


# --- enough data for "what helped" -----------------------------------------------------------


@pytest.mark.parametrize("pairs", range(MIN_POINTS + 2))
def test_helped_change_needs_enough_pairs(pairs: int) -> None:
    changes = [MoveChange(4, 2)] * pairs
    s = summarize([day(ago(0), (4,), runs=1)], changes, WEEK_END, 4)
    assert s.helped_pairs == pairs
    if pairs >= MIN_POINTS:
        assert s.helped_avg_change == pytest.approx(-2.0)
        assert (s.helped_before_avg, s.helped_after_avg) == (4.0, 2.0)
    else:
        assert s.helped_avg_change is None
        assert s.helped_before_avg is None and s.helped_after_avg is None


@pytest.mark.parametrize(
    ("move_days", "rest_days", "shown"),
    [(3, 3, True), (2, 3, False), (3, 2, False), (4, 3, True), (7, 0, False), (0, 7, False)],
)
def test_move_and_rest_days_need_enough_days_each(
    move_days: int, rest_days: int, shown: bool
) -> None:
    days = [day(ago(i), (2,), runs=1) for i in range(move_days)]
    days += [day(ago(move_days + i), (4,)) for i in range(rest_days)]
    s = summarize(days, [], WEEK_END, 4)
    assert (s.move_days_rated, s.rest_days_rated) == (move_days, rest_days)
    if shown:
        assert (s.avg_on_move_days, s.avg_on_rest_days) == (2.0, 4.0)
    else:
        assert s.avg_on_move_days is None and s.avg_on_rest_days is None


def test_days_without_ratings_do_not_count_for_move_or_rest_averages() -> None:
    days = [day(ago(i), runs=1) for i in range(3)] + [day(ago(3 + i), (3,)) for i in range(4)]
    s = summarize(days, [], WEEK_END, 4)
    assert (s.move_days_rated, s.rest_days_rated) == (0, 4)
    assert s.avg_on_move_days is None


def test_move_day_average_is_a_mean_of_daily_averages() -> None:
    days = [day(ago(0), (1, 1, 1, 1, 5), runs=1), day(ago(1), (4,), runs=1)]
    days += [day(ago(2), (3,), walks=1)] + [day(ago(3 + i), (3,)) for i in range(3)]
    s = summarize(days, [], WEEK_END, 4)
    assert s.avg_on_move_days == pytest.approx((1.8 + 4 + 3) / 3)


# --- previous-week comparison ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("this", "previous", "change"),
    [((2,), (3,), -1.0), ((4,), (3,), 1.0), ((3, 4), (4, 3), 0.0)],
)
def test_change_against_previous_week(
    this: tuple[int, ...], previous: tuple[int, ...], change: float
) -> None:
    days = [day(ago(1), this), day(ago(8), previous)]
    assert summarize(days, [], WEEK_END, 4).avg_change == pytest.approx(change)


def test_no_change_without_ratings_this_week() -> None:
    days = [day(ago(1), (), sent=3, runs=1), day(ago(8), (3,))]
    s = summarize(days, [], WEEK_END, 4)
    assert s.avg_stress is None and s.prev_avg_stress == 3.0 and s.avg_change is None


# --- chart series ----------------------------------------------------------------------------


def test_chart_days_fill_gaps_oldest_first() -> None:
    days = [day(ago(0), (2, 3)), day(ago(2), (), runs=1), day(ago(40), (5,))]
    series = chart_days(days, WEEK_END)
    assert len(series) == CHART_DAYS
    assert series[0].local_date == ago(CHART_DAYS - 1)
    assert series[-1] == ChartDay(WEEK_END, 2.5, False)
    assert series[-3] == ChartDay(ago(2), None, True)
    assert all(c == ChartDay(c.local_date, None, False) for c in [*series[:-3], series[-2]])
    dates = [c.local_date for c in series]
    assert dates == sorted(dates) and len(set(dates)) == CHART_DAYS


def test_chart_days_length() -> None:
    assert [c.local_date for c in chart_days([], WEEK_END, 1)] == [WEEK_END]
    with pytest.raises(ValueError):
        chart_days([], WEEK_END, 0)


# --- input checks and properties -------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"sent": -1},
        {"minutes": -5},
        {"walks": -1},
        {"rating_sum": 6, "rating_count": 1},  # more than 5 a rating: a wrong aggregate
        {"rating_sum": 0, "rating_count": 2},
        {"max_rating": 6},
    ],
)
def test_impossible_aggregates_are_refused(changes: dict[str, Any]) -> None:
    valid = day(WEEK_END, (3,))
    with pytest.raises(ValueError):
        dataclasses.replace(valid, **changes)


def test_out_of_range_move_change_is_refused() -> None:
    with pytest.raises(ValueError):
        MoveChange(0, 3)


ratings = st.lists(st.integers(1, 5), max_size=6).map(tuple)


@st.composite
def day_facts(draw: st.DrawFn) -> DayFacts:
    rs = draw(ratings)
    runs = draw(st.integers(0, 3))
    walks = draw(st.integers(0, 3))
    return day(
        ago(draw(st.integers(-3, 20))),
        rs,
        sent=len(rs) + draw(st.integers(0, 3)),
        runs=runs,
        walks=walks,
        minutes=draw(st.integers(0, 60)) * (runs + walks),
    )


@given(
    days=st.lists(day_facts(), max_size=30),
    changes=st.lists(st.builds(MoveChange, st.integers(1, 5), st.integers(1, 5)), max_size=8),
    threshold=st.integers(1, 5),
)
def test_figures_stay_in_range(
    days: list[DayFacts], changes: list[MoveChange], threshold: int
) -> None:
    s = summarize(days, changes, WEEK_END, threshold)
    counts = (s.sent, s.answered, s.days_checked_in, s.high_stress_days, s.moves, s.minutes)
    assert min(counts) >= 0
    assert s.answered <= s.sent
    assert s.days_checked_in <= 7 and s.high_stress_days <= s.days_checked_in
    assert s.runs + s.walks == s.moves
    for avg in (
        s.avg_stress,
        s.prev_avg_stress,
        s.avg_on_move_days,
        s.avg_on_rest_days,
        s.helped_before_avg,
        s.helped_after_avg,
    ):
        assert avg is None or 1 <= avg <= 5
    for change in (s.avg_change, s.helped_avg_change):
        assert change is None or -4 <= change <= 4
    assert s.empty == (s.answered == 0 and s.moves == 0)
    series = chart_days(days, WEEK_END)
    assert len(series) == CHART_DAYS
    assert all(c.avg_rating is None or 1 <= c.avg_rating <= 5 for c in series)
