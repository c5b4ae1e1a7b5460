"""weekly_many, the batched weekly summary, against weekly one chat at a time."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from nudgebot.domain.summary import DayFacts, blank_chart, chart_days, fill_chart
from nudgebot.services.summaries import SummaryService
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


async def _seed(uow: UowFactory) -> dict[int, date | None]:
    """Chat id -> the week end to ask for; the users differ in zone, data and settings."""
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
    async with uow() as u:
        u.session.add_all(users.values())
        await u.session.flush()
        for chat in (1, 2, 3, 7):
            u.session.add_all(_history(users[chat], rng, days=35))
        # 8: movement with before/after pairs but no ratings at all; the pair 7 days back
        # is just outside the week and must not count.
        for back, before, after in ((0, 4, 2), (1, 3, 3), (2, 5, 2), (6, 2, 1), (7, 5, 1)):
            u.session.add(
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
        await u.commit()
    weeks: dict[int, date | None] = dict.fromkeys(users)
    weeks[3] = date(2025, 3, 16)  # given explicitly, as the dispatcher does
    weeks[7] = date(2025, 3, 9)
    weeks[999] = None  # no such chat
    return weeks


async def test_weekly_many_gives_what_weekly_gives_for_each_chat(uow: UowFactory) -> None:
    weeks = await _seed(uow)
    service = SummaryService(uow)
    one_by_one = {chat: await service.weekly(chat, end, NOW) for chat, end in weeks.items()}
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


@st.composite
def _day_facts(draw: st.DrawFn) -> DayFacts:
    ratings = draw(st.lists(st.integers(1, 5), max_size=4))
    moves = draw(st.integers(0, 2))
    return DayFacts(
        local_date=date(2025, 3, 16) - timedelta(days=draw(st.integers(-3, 35))),
        sent=len(ratings) + draw(st.integers(0, 1)),
        answered=len(ratings),
        rating_sum=sum(ratings),
        rating_count=len(ratings),
        max_rating=max(ratings, default=None),
        moves=moves,
        minutes=moves * 20,
        runs=moves,
        walks=0,
    )


# Dates repeat (two rows for one date are added together) and fall inside and outside the chart.
@given(st.lists(_day_facts(), max_size=40), st.integers(1, 40))
def test_fill_chart_is_chart_days(days: list[DayFacts], length: int) -> None:
    end = date(2025, 3, 16)
    assert fill_chart(blank_chart(end, length), days) == chart_days(days, end, length)
