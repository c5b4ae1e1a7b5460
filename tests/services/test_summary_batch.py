"""weekly_many, the batched weekly summary: each person's report, worked out here from the rows
seeded, whatever else shares their batch."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from nudgebot.domain.summary import (
    CHART_DAYS,
    DayFacts,
    MoveChange,
    chart_days,
    summarize,
)
from nudgebot.services.summaries import SummaryService, WeeklyReport
from nudgebot.storage.models import Activity, Checkin, User
from nudgebot.storage.uow import UowFactory

# 13:30 UTC on a Sunday: still Sunday in Berlin and New York, already Monday in Auckland.
NOW = datetime(2025, 3, 16, 13, 30, tzinfo=UTC)
SLOTS = ("08:30", "12:30", "17:00", "21:15")


def _user(chat: int, zone: str | None, *, consented: bool = True, threshold: int = 4) -> User:
    return User(
        chat_id=chat,
        language_code="en",
        timezone=zone,
        consent_at=NOW - timedelta(days=60) if consented else None,
        created_at=NOW - timedelta(days=60),
        stress_threshold=threshold,
    )


def _history(user: User, rng: random.Random, days: int) -> list[Checkin | Activity]:
    """Random check-ins (some unanswered) and activities over `days` local days up to today."""
    assert user.timezone is not None
    zone = ZoneInfo(user.timezone)
    today = NOW.astimezone(zone).date()
    rows: list[Checkin | Activity] = []
    for back in range(days):
        day = today - timedelta(days=back)
        ratings: list[int] = []
        for slot in rng.sample(SLOTS, rng.randint(0, len(SLOTS))):
            at = datetime.combine(day, time.fromisoformat(slot), zone).astimezone(UTC)
            rating = rng.randint(1, 5) if rng.random() < 0.8 else None
            if rating is not None:
                ratings.append(rating)
            rows.append(
                Checkin(
                    user_id=user.id,
                    local_date=day,
                    slot=slot,
                    created_at=at,
                    rating=rating,
                    answered_at=None if rating is None else at + timedelta(minutes=5),
                )
            )
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            before = rng.choice(ratings) if ratings and rng.random() < 0.8 else None
            after = max(1, before - rng.randint(0, 2)) if before and rng.random() < 0.7 else None
            rows.append(
                Activity(
                    user_id=user.id,
                    kind=rng.choice(("run", "walk", "walk")),
                    minutes=rng.choice((None, 10, 25, 40)),
                    stress_before=before,
                    stress_after=after,
                    source="logged",
                    created_at=datetime.combine(day, time(19, 0), zone).astimezone(UTC),
                    local_date=day,
                )
            )
    return rows


Seeded = tuple[dict[int, date | None], dict[int, User], list[Checkin | Activity]]


async def _seed(uow: UowFactory) -> Seeded:
    """Chat id -> the week end to ask for, the users, and every row stored for them."""
    users = {
        1: _user(1, "Europe/Berlin"),
        2: _user(2, "Pacific/Auckland", threshold=3),  # a day ahead of the others at NOW
        3: _user(3, "America/New_York", threshold=5),
        4: _user(4, "Europe/Berlin"),  # consented with a zone, but nothing recorded
        5: _user(5, "Europe/Berlin", consented=False),
        6: _user(6, None),
        7: _user(7, "Asia/Kolkata"),  # asked for an earlier week than its data's last
        8: _user(8, "UTC"),  # only activities, no check-ins
    }
    rng = random.Random(6)
    rows: list[Checkin | Activity] = []
    async with uow() as u:
        u.session.add_all(users.values())
        await u.session.flush()
        for chat in (1, 2, 3, 7):
            rows += _history(users[chat], rng, days=35)
        # 8: movement with before/after pairs but no ratings at all; the pair 7 days back
        # is just outside the week and must not count.
        for back, before, after in ((0, 4, 2), (1, 3, 3), (2, 5, 2), (6, 2, 1), (7, 5, 1)):
            rows.append(
                Activity(
                    user_id=users[8].id,
                    kind="run",
                    minutes=30,
                    stress_before=before,
                    stress_after=after,
                    source="logged",
                    created_at=NOW - timedelta(days=back, hours=3),
                    local_date=NOW.date() - timedelta(days=back),
                )
            )
        u.session.add_all(rows)
        await u.commit()
    weeks: dict[int, date | None] = dict.fromkeys(users)
    weeks[3] = date(2025, 3, 16)  # given explicitly, as the dispatcher does
    weeks[7] = date(2025, 3, 9)
    weeks[999] = None  # no such chat
    return weeks, users, rows


def _expected(user: User, end: date | None, rows: list[Checkin | Activity]) -> WeeklyReport | None:
    """The report worked out in Python from the rows, without SQL."""
    if user.consent_at is None or user.timezone is None:
        return None
    end = end or NOW.astimezone(ZoneInfo(user.timezone)).date()
    first = end - timedelta(days=CHART_DAYS - 1)
    mine = [r for r in rows if r.user_id == user.id and first <= r.local_date <= end]
    days = []
    for day in sorted({r.local_date for r in mine}):
        ratings = [r.rating for r in mine if isinstance(r, Checkin) and r.local_date == day]
        given = [x for x in ratings if x is not None]
        moves = [r for r in mine if isinstance(r, Activity) and r.local_date == day]
        days.append(
            DayFacts(
                day,
                len(ratings),
                len(given),
                sum(given),
                len(given),
                max(given, default=None),
                len(moves),
                sum(m.minutes or 0 for m in moves),
                sum(m.kind == "run" for m in moves),
                sum(m.kind == "walk" for m in moves),
            )
        )
    pairs = [
        MoveChange(r.stress_before, r.stress_after)
        for r in mine
        if isinstance(r, Activity)
        and r.local_date >= end - timedelta(days=6)
        and r.stress_before is not None
        and r.stress_after is not None
    ]
    summary = summarize(days, pairs, end, user.stress_threshold)
    return WeeklyReport(summary, chart_days(days, end), user.id + end.toordinal())


async def test_each_report_is_that_persons_week_whatever_shares_the_batch(
    uow: UowFactory,
) -> None:
    weeks, users, rows = await _seed(uow)
    service = SummaryService(uow)
    expected = {
        chat: _expected(users[chat], end, rows) for chat, end in weeks.items() if chat in users
    }
    one_by_one = {chat: await service.weekly(chat, end, NOW) for chat, end in weeks.items()}
    assert one_by_one == {**expected, 999: None}
    # Chunks of 3 put users of different week ends in one chunk and split the rest.
    for chunk in (3, 1_000):
        assert await service.weekly_many(weeks, NOW, chunk=chunk) == one_by_one

    assert [chat for chat, report in one_by_one.items() if report is None] == [5, 6, 999]
    reports = {chat: r for chat, r in one_by_one.items() if r is not None}
    assert reports[2].summary.week_end == date(2025, 3, 17)  # Auckland's Monday
    assert reports[1].summary.week_end == date(2025, 3, 16)
    assert reports[7].summary.week_end == date(2025, 3, 9)
    assert reports[4].summary.empty and all(d.avg_rating is None for d in reports[4].chart)
    assert reports[8].summary.helped_pairs == 4 and reports[8].summary.avg_stress is None
    # The random histories do reach the parts of the summary that need enough data.
    for chat in (1, 2, 3, 7):
        summary = reports[chat].summary
        assert summary.answered > 0 and summary.moves > 0 and summary.prev_avg_stress is not None
    assert any(reports[c].summary.helped_avg_change is not None for c in (1, 2, 3, 7))


async def test_weekly_many_of_nothing_is_empty(uow: UowFactory) -> None:
    assert await SummaryService(uow).weekly_many({}, NOW) == {}
