"""Use cases for looking back: the weekly summary and the last two weeks at a glance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from nudgebot.domain.schedule import local_date_of
from nudgebot.domain.summary import (
    CHART_DAYS,
    ChartDay,
    DayFacts,
    MoveChange,
    WeekSummary,
    chart_days,
    summarize,
)
from nudgebot.domain.zones import load_zone
from nudgebot.storage.uow import UnitOfWork, UowFactory

HISTORY_DAYS = 14


@dataclass(frozen=True)
class HistoryDay:
    local_date: date
    ratings: list[int]  # in the order given
    moves: list[tuple[str, int | None]]  # (kind, minutes)


@dataclass(frozen=True)
class WeeklyReport:
    summary: WeekSummary
    chart: list[ChartDay]
    seed: int


class SummaryService:
    def __init__(self, uow: UowFactory) -> None:
        self._uow = uow

    async def weekly(
        self, chat_id: int, week_end: date | None, now: datetime
    ) -> WeeklyReport | None:
        """The week ending `week_end` (default: the user's today), with four weeks for the chart."""
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            if user is None or user.consent_at is None or user.timezone is None:
                return None
            end = week_end or local_date_of(now, load_zone(user.timezone))
            days = await _day_facts(uow, user.id, end - timedelta(days=CHART_DAYS - 1), end)
            pairs = await uow.activities.changes(user.id, end - timedelta(days=6), end)
            summary = summarize(
                days, [MoveChange(b, a) for b, a in pairs], end, user.stress_threshold
            )
            return WeeklyReport(summary, chart_days(days, end), user.id + end.toordinal())

    async def history(self, chat_id: int, now: datetime) -> list[HistoryDay] | None:
        """The last 14 local days, oldest first, including days with nothing in them."""
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            if user is None or user.consent_at is None or user.timezone is None:
                return None
            end = local_date_of(now, load_zone(user.timezone))
            first = end - timedelta(days=HISTORY_DAYS - 1)
            days = {
                first + timedelta(days=n): HistoryDay(first + timedelta(days=n), [], [])
                for n in range(HISTORY_DAYS)
            }
            for day, rating in await uow.checkins.ratings_between(user.id, first, end):
                days[day].ratings.append(rating)
            for activity in await uow.activities.between(user.id, first, end):
                days[activity.local_date].moves.append((activity.kind, activity.minutes))
            return list(days.values())


async def _day_facts(uow: UnitOfWork, user_id: int, first: date, last: date) -> list[DayFacts]:
    """Check-ins and activities per local day; two grouped queries, merged by date."""
    checkins = await uow.checkins.day_totals(user_id, first, last)
    moves = {d: rest for d, *rest in await uow.activities.day_totals(user_id, first, last)}
    facts = []
    for day, sent, answered, total, top in checkins:
        count, minutes, runs, walks = moves.pop(day, (0, 0, 0, 0))
        facts.append(
            DayFacts(day, sent, answered, total, answered, top, count, minutes, runs, walks)
        )
    for day, (count, minutes, runs, walks) in moves.items():
        facts.append(DayFacts(day, 0, 0, 0, 0, None, count, minutes, runs, walks))
    return sorted(facts, key=lambda f: f.local_date)
