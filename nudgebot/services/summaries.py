"""Use cases for looking back: the weekly summary and the last two weeks at a glance."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from nudgebot.domain.schedule import local_date_of
from nudgebot.domain.summary import (
    CHART_DAYS,
    ChartDay,
    DayFacts,
    MoveChange,
    WeekSummary,
    blank_chart,
    fill_chart,
    summarize,
)
from nudgebot.domain.zones import load_zone
from nudgebot.storage.uow import UowFactory

HISTORY_DAYS = 14
# Chats per transaction in weekly_many: a lookup, then three grouped queries per week end.
BATCH_USERS = 1_000


# One week end's share of a weekly_many chunk: (chat, user id, threshold) of its users, then
# by user id their check-in totals per day, activity totals per day, and before/after pairs.
_WeekRows = tuple[
    date,
    list[tuple[int, int, int]],
    dict[int, list[tuple[date, int, int, int, int | None]]],
    dict[int, list[tuple[date, int, int, int, int]]],
    dict[int, list[tuple[int, int]]],
]


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
        return (await self.weekly_many({chat_id: week_end}, now))[chat_id]

    async def weekly_many(
        self, weeks: Mapping[int, date | None], now: datetime, chunk: int = BATCH_USERS
    ) -> dict[int, WeeklyReport | None]:
        """weekly() for many chats at once: `weeks` maps chat id to week end (None: that
        user's today), and the answer maps every one of those chat ids to its report, None for
        a chat without consent or time zone.

        Each `chunk` of chats is one short transaction with three grouped queries per distinct
        week end in it, instead of four queries and a transaction per chat; the reports are
        made after it has ended.
        """
        reports: dict[int, WeeklyReport | None] = dict.fromkeys(weeks)
        blanks: dict[date, list[ChartDay]] = {}
        chats, size = list(weeks), max(chunk, 1)
        for start in range(0, len(chats), size):
            for end, users, checkins, moves, pairs in await self._week_rows(
                chats[start : start + size], weeks, now
            ):
                if end not in blanks:
                    blanks[end] = blank_chart(end)
                for chat, user_id, threshold in users:
                    days = _merge_day_facts(checkins.get(user_id, []), moves.get(user_id, []))
                    changes = [MoveChange(b, a) for b, a in pairs.get(user_id, [])]
                    reports[chat] = WeeklyReport(
                        summarize(days, changes, end, threshold),
                        fill_chart(blanks[end], days),
                        user_id + end.toordinal(),
                    )
        return reports

    async def _week_rows(
        self, chats: Sequence[int], weeks: Mapping[int, date | None], now: datetime
    ) -> list[_WeekRows]:
        """For one chunk of weekly_many, in one transaction: its users by week end, each
        group with its check-in and activity totals per day and its before/after pairs."""
        found: list[_WeekRows] = []
        async with self._uow() as uow:
            owners = await uow.users.summary_owners(chats)
            today: dict[str, date] = {}
            by_end: dict[date, list[tuple[int, int, int]]] = {}
            for chat, (user_id, zone, threshold) in owners.items():
                end = weeks[chat]
                if end is None:
                    if zone not in today:
                        today[zone] = local_date_of(now, load_zone(zone))
                    end = today[zone]
                by_end.setdefault(end, []).append((chat, user_id, threshold))
            for end, users in by_end.items():
                ids = [user_id for _, user_id, _ in users]
                first = end - timedelta(days=CHART_DAYS - 1)
                found.append(
                    (
                        end,
                        users,
                        await uow.checkins.day_totals_many(ids, first, end),
                        await uow.activities.day_totals_many(ids, first, end),
                        await uow.activities.changes_many(ids, end - timedelta(days=6), end),
                    )
                )
        return found

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


def _merge_day_facts(
    checkins: Sequence[tuple[date, int, int, int, int | None]],
    moves: Sequence[tuple[date, int, int, int, int]],
) -> list[DayFacts]:
    """One user's check-in and activity totals per day, merged by date, oldest first."""
    by_day = {d: rest for d, *rest in moves}
    facts = []
    for day, sent, answered, total, top in checkins:
        count, minutes, runs, walks = by_day.pop(day, (0, 0, 0, 0))
        facts.append(
            DayFacts(day, sent, answered, total, answered, top, count, minutes, runs, walks)
        )
    for day, (count, minutes, runs, walks) in by_day.items():
        facts.append(DayFacts(day, 0, 0, 0, 0, None, count, minutes, runs, walks))
    return sorted(facts, key=lambda f: f.local_date)
