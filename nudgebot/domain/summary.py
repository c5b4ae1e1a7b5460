"""The weekly summary's figures and the chart's daily series, from per-day aggregates.

Pure: the caller groups rows by the user's *local* date in SQL and passes the dates in, so a week
across a DST change is simply seven dates here, whatever their lengths in hours were.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import fmean

from nudgebot.domain.ratings import RATING_MAX, RATING_MIN

__all__ = [
    "CHART_DAYS",
    "MIN_POINTS",
    "WEEK_DAYS",
    "ChartDay",
    "DayFacts",
    "MoveChange",
    "WeekSummary",
    "blank_chart",
    "chart_days",
    "fill_chart",
    "summarize",
]

WEEK_DAYS = 7
CHART_DAYS = 28
# Fewer points than this say more about chance than about the person, so "what helped" waits.
MIN_POINTS = 3


@dataclass(frozen=True)
class DayFacts:
    """One local day of one user, as SQL aggregated it.

    sent: check-ins delivered that day (scheduled or asked for); answered: those with a rating;
    rating_sum/rating_count/max_rating: over that day's ratings (max None when there are none);
    moves: activities that day, with their minutes summed, and how many were runs and walks.
    """

    local_date: date
    sent: int
    answered: int
    rating_sum: int
    rating_count: int
    max_rating: int | None
    moves: int
    minutes: int
    runs: int
    walks: int

    def __post_init__(self) -> None:
        # A wrong aggregate should fail where it enters, not as an odd sentence in a user's chat.
        counts = (self.sent, self.answered, self.rating_count, self.moves, self.minutes)
        if min(counts) < 0 or self.runs < 0 or self.walks < 0:
            raise ValueError(f"negative count in {self}")
        if not RATING_MIN * self.rating_count <= self.rating_sum <= RATING_MAX * self.rating_count:
            raise ValueError(f"rating_sum out of range for rating_count in {self}")
        if self.max_rating is not None and not RATING_MIN <= self.max_rating <= RATING_MAX:
            raise ValueError(f"max_rating out of range in {self}")

    @property
    def avg_rating(self) -> float | None:
        return self.rating_sum / self.rating_count if self.rating_count else None


@dataclass(frozen=True)
class MoveChange:
    """Stress rated before and after one activity."""

    before: int
    after: int

    def __post_init__(self) -> None:
        for value in (self.before, self.after):
            if not RATING_MIN <= value <= RATING_MAX:
                raise ValueError(f"rating out of range in {self}")


@dataclass(frozen=True)
class WeekSummary:
    week_start: date
    week_end: date
    threshold: int
    sent: int
    answered: int
    days_checked_in: int
    avg_stress: float | None
    prev_avg_stress: float | None
    avg_change: float | None
    high_stress_days: int
    moves: int
    minutes: int
    runs: int
    walks: int
    # "What helped": each figure is None until it rests on at least MIN_POINTS data points.
    helped_pairs: int
    helped_before_avg: float | None
    helped_after_avg: float | None
    helped_avg_change: float | None
    move_days_rated: int
    rest_days_rated: int
    avg_on_move_days: float | None
    avg_on_rest_days: float | None
    empty: bool


@dataclass(frozen=True)
class ChartDay:
    local_date: date
    avg_rating: float | None
    moved: bool


def _by_date(days: Iterable[DayFacts]) -> dict[date, DayFacts]:
    """Index days by date; two rows for one date (say from two queries) are added together."""
    merged: dict[date, DayFacts] = {}
    for day in days:
        seen = merged.get(day.local_date)
        if seen is None:
            merged[day.local_date] = day
            continue
        maxima = [m for m in (seen.max_rating, day.max_rating) if m is not None]
        merged[day.local_date] = DayFacts(
            local_date=day.local_date,
            sent=seen.sent + day.sent,
            answered=seen.answered + day.answered,
            rating_sum=seen.rating_sum + day.rating_sum,
            rating_count=seen.rating_count + day.rating_count,
            max_rating=max(maxima) if maxima else None,
            moves=seen.moves + day.moves,
            minutes=seen.minutes + day.minutes,
            runs=seen.runs + day.runs,
            walks=seen.walks + day.walks,
        )
    return merged


def _span(by_date: dict[date, DayFacts], last: date, length: int) -> list[DayFacts]:
    first = last - timedelta(days=length - 1)
    return [d for d in by_date.values() if first <= d.local_date <= last]


def _average(days: Sequence[DayFacts]) -> float | None:
    """Over every rating, not over daily averages, so a day with one rating weighs less."""
    count = sum(d.rating_count for d in days)
    return sum(d.rating_sum for d in days) / count if count else None


def _mean_if_enough(values: Sequence[float]) -> float | None:
    return fmean(values) if len(values) >= MIN_POINTS else None


def summarize(
    days: Sequence[DayFacts],
    changes: Sequence[MoveChange],
    week_end: date,
    threshold: int,
) -> WeekSummary:
    """The summary of the seven local days ending with week_end (inclusive).

    days may hold any dates: those of the seven days before this week feed the comparison, all
    others are ignored, and a missing date is a day with nothing in it. changes are the
    before/after pairs the caller wants "what helped" to rest on (normally this week's).
    """
    by_date = _by_date(days)
    week = _span(by_date, week_end, WEEK_DAYS)
    previous = _span(by_date, week_end - timedelta(days=WEEK_DAYS), WEEK_DAYS)

    answered = sum(d.answered for d in week)
    # An answer with no recorded send (a race with a restart, say) still means a check-in went out.
    sent = sum(max(d.sent, d.answered) for d in week)
    moves = sum(d.moves for d in week)
    avg = _average(week)
    prev_avg = _average(previous)

    move_day_avgs: list[float] = []
    rest_day_avgs: list[float] = []
    for day in week:
        day_avg = day.avg_rating
        if day_avg is not None:
            (move_day_avgs if day.moves > 0 else rest_day_avgs).append(day_avg)
    both_sides = len(move_day_avgs) >= MIN_POINTS and len(rest_day_avgs) >= MIN_POINTS

    enough_pairs = len(changes) >= MIN_POINTS
    return WeekSummary(
        week_start=week_end - timedelta(days=WEEK_DAYS - 1),
        week_end=week_end,
        threshold=threshold,
        sent=sent,
        answered=answered,
        days_checked_in=sum(1 for d in week if d.answered > 0 or d.rating_count > 0),
        avg_stress=avg,
        prev_avg_stress=prev_avg,
        avg_change=avg - prev_avg if avg is not None and prev_avg is not None else None,
        high_stress_days=sum(
            1 for d in week if d.max_rating is not None and d.max_rating >= threshold
        ),
        moves=moves,
        minutes=sum(d.minutes for d in week),
        runs=sum(d.runs for d in week),
        walks=sum(d.walks for d in week),
        helped_pairs=len(changes),
        helped_before_avg=fmean(c.before for c in changes) if enough_pairs else None,
        helped_after_avg=fmean(c.after for c in changes) if enough_pairs else None,
        helped_avg_change=_mean_if_enough([c.after - c.before for c in changes]),
        move_days_rated=len(move_day_avgs),
        rest_days_rated=len(rest_day_avgs),
        avg_on_move_days=fmean(move_day_avgs) if both_sides else None,
        avg_on_rest_days=fmean(rest_day_avgs) if both_sides else None,
        empty=answered == 0 and sum(d.rating_count for d in week) == 0 and moves == 0,
    )


def chart_days(days: Sequence[DayFacts], end: date, length: int = CHART_DAYS) -> list[ChartDay]:
    """One entry per local date, oldest first, ending with end; days without data are gaps."""
    return fill_chart(blank_chart(end, length), days)


def blank_chart(end: date, length: int = CHART_DAYS) -> list[ChartDay]:
    """chart_days of no data at all: every day a gap.

    Made once and given to fill_chart for many people whose charts end on the same date.
    """
    if length < 1:
        raise ValueError("length must be at least 1")
    first = end - timedelta(days=length - 1)
    return [ChartDay(first + timedelta(days=offset), None, False) for offset in range(length)]


def fill_chart(blank: Sequence[ChartDay], days: Sequence[DayFacts]) -> list[ChartDay]:
    """The chart of `days` on the dates of `blank`; gaps are blank's own (immutable) entries,
    so one blank serves many people whose charts end on the same date."""
    by_date = _by_date(days)
    series: list[ChartDay] = []
    for gap in blank:
        day = by_date.get(gap.local_date)
        series.append(
            gap if day is None else ChartDay(gap.local_date, day.avg_rating, day.moves > 0)
        )
    return series
