"""Check-in scheduling and dispatch against a real database, with the clock passed in."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from nudgebot.services.accounts import AccountService
from nudgebot.services.checkins import CheckinService
from nudgebot.services.dispatch import SENDING_LEASE, DispatchService
from nudgebot.services.views import Outcome, Outgoing, RateStatus, SendResult
from nudgebot.storage.models import Checkin, Delivery, User
from nudgebot.storage.uow import UowFactory

GRACE = timedelta(minutes=60)
CHAT = 1001


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def onboard(
    uow: UowFactory,
    now: datetime,
    zone: str = "Europe/Berlin",
    times: tuple[str, ...] = ("08:30",),
    chat: int = CHAT,
) -> None:
    accounts = AccountService(uow)
    await accounts.start(chat, "en", now)
    await accounts.consent(chat, now)
    await accounts.set_timezone(chat, zone, now)
    await accounts.set_times(chat, [time.fromisoformat(t) for t in times], now)


async def deliveries(uow: UowFactory, kind: str = "checkin") -> list[Delivery]:
    async with uow() as u:
        rows = await u.session.execute(
            select(Delivery).where(Delivery.kind == kind).order_by(Delivery.due_at, Delivery.id)
        )
        return list(rows.scalars())


async def send_all(dispatch: DispatchService, now: datetime) -> list[int]:
    """Claim what is due at `now` and report every one as sent; returns the chat ids."""
    items = await dispatch.claim_due(now, 100)
    await dispatch.record(
        [SendResult(i.delivery_id, Outcome.SENT, message_id=500 + n) for n, i in enumerate(items)],
        now,
    )
    return [i.chat_id for i in items]


async def test_nothing_is_scheduled_before_consent_zone_and_time(uow: UowFactory) -> None:
    now = utc(2025, 1, 10, 6, 0)
    accounts = AccountService(uow)
    account = await accounts.start(CHAT, "en", now)
    assert account.setup_step == "consent"
    await accounts.set_timezone(CHAT, "Europe/Berlin", now)
    await accounts.set_times(CHAT, [time(8, 30)], now)
    assert await deliveries(uow) == []
    account = await accounts.consent(CHAT, now)
    assert account is not None and account.setup_step == "done"
    [row] = await deliveries(uow)
    # 08:30 in Berlin in winter is 07:30 UTC.
    assert (row.due_at, row.local_date, row.slot) == (
        utc(2025, 1, 10, 7, 30),
        date(2025, 1, 10),
        "08:30",
    )


async def test_start_twice_keeps_one_user(uow: UowFactory) -> None:
    accounts = AccountService(uow)
    await accounts.start(CHAT, "en", utc(2025, 1, 1))
    await accounts.start(CHAT, "en", utc(2025, 1, 2))
    async with uow() as u:
        assert len(list((await u.session.execute(select(User))).scalars())) == 1


async def test_declining_forgets_the_user_but_not_after_consent(uow: UowFactory) -> None:
    accounts = AccountService(uow)
    await accounts.start(CHAT, "en", utc(2025, 1, 1))
    assert await accounts.decline(CHAT) is True
    assert await accounts.get(CHAT) is None
    await onboard(uow, utc(2025, 1, 1))
    assert await accounts.decline(CHAT) is False
    assert await accounts.get(CHAT) is not None


async def test_each_checkin_is_claimed_once_and_the_next_day_is_planned(uow: UowFactory) -> None:
    now = utc(2025, 1, 10, 6, 0)
    await onboard(uow, now)
    dispatch = DispatchService(uow, GRACE)
    assert await dispatch.claim_due(utc(2025, 1, 10, 7, 29, 59), 100) == []
    assert await send_all(dispatch, utc(2025, 1, 10, 7, 30, 1)) == [CHAT]
    assert await send_all(dispatch, utc(2025, 1, 10, 7, 30, 2)) == []
    rows = await deliveries(uow)
    assert [(r.local_date, r.status) for r in rows] == [
        (date(2025, 1, 10), "sent"),
        (date(2025, 1, 11), "pending"),
    ]
    async with uow() as u:
        [checkin] = (await u.session.execute(select(Checkin))).scalars()
        assert checkin.message_id == 500 and checkin.rating is None


async def test_checkins_follow_the_wall_clock_across_dst(uow: UowFactory) -> None:
    # Europe/Berlin springs forward on 2025-03-30: 08:30 moves from 07:30 UTC to 06:30 UTC.
    await onboard(uow, utc(2025, 3, 28, 12, 0))
    dispatch = DispatchService(uow, GRACE)
    sent_at = []
    for _ in range(4):
        [pending] = [r for r in await deliveries(uow) if r.status == "pending"]
        assert await send_all(dispatch, pending.due_at - timedelta(seconds=1)) == []
        assert await send_all(dispatch, pending.due_at) == [CHAT]
        sent_at.append(pending.due_at)
    assert [s.strftime("%d %H:%M") for s in sent_at] == [
        "29 07:30",
        "30 06:30",
        "31 06:30",
        "01 06:30",
    ]


async def test_missed_while_down_is_sent_late_within_grace(uow: UowFactory) -> None:
    await onboard(uow, utc(2025, 1, 10, 6, 0))
    dispatch = DispatchService(uow, GRACE)
    [item] = await dispatch.claim_due(utc(2025, 1, 10, 8, 20), 100)  # 50 min late
    assert item.late


async def test_missed_beyond_grace_is_recorded_and_not_sent(uow: UowFactory) -> None:
    await onboard(uow, utc(2025, 1, 10, 6, 0))
    dispatch = DispatchService(uow, GRACE)
    # Down for two and a half days: nothing old is sent, and the series continues.
    assert await dispatch.claim_due(utc(2025, 1, 12, 20, 0), 100) == []
    assert await dispatch.claim_due(utc(2025, 1, 12, 20, 0), 100) == []
    rows = await deliveries(uow)
    assert [(r.local_date.day, r.status) for r in rows] == [(10, "missed"), (13, "pending")]


async def test_changing_times_takes_effect_for_the_next_occurrence(uow: UowFactory) -> None:
    now = utc(2025, 1, 10, 6, 0)
    await onboard(uow, now)
    accounts = AccountService(uow)
    account = await accounts.set_times(CHAT, [time(7, 15), time(21, 0)], now)
    assert account is not None
    assert account.next_checkin_utc == utc(2025, 1, 10, 6, 15)
    rows = await deliveries(uow)
    assert [(r.slot, r.due_at) for r in rows] == [
        ("07:15", utc(2025, 1, 10, 6, 15)),
        ("21:00", utc(2025, 1, 10, 20, 0)),
    ]


async def test_a_zone_change_does_not_repeat_todays_checkin(uow: UowFactory) -> None:
    await onboard(uow, utc(2025, 1, 10, 6, 0))
    dispatch = DispatchService(uow, GRACE)
    assert await send_all(dispatch, utc(2025, 1, 10, 7, 30)) == [CHAT]
    # Flying west: 08:30 in New York is still ahead today, but today's 08:30 was answered.
    account = await AccountService(uow).set_timezone(CHAT, "America/New_York", utc(2025, 1, 10, 8))
    assert account is not None
    assert account.next_checkin_utc == utc(2025, 1, 11, 13, 30)


async def test_pause_stops_checkins_and_resume_brings_them_back(uow: UowFactory) -> None:
    now = utc(2025, 1, 10, 6, 0)
    await onboard(uow, now)
    accounts = AccountService(uow)
    await accounts.set_paused(CHAT, True, now)
    assert await DispatchService(uow, GRACE).claim_due(utc(2025, 1, 12), 100) == []
    account = await accounts.set_paused(CHAT, False, utc(2025, 1, 12, 9, 0))
    assert account is not None and account.next_checkin_utc == utc(2025, 1, 13, 7, 30)


async def test_a_crash_mid_send_leaves_unknown_never_a_resend(uow: UowFactory) -> None:
    await onboard(uow, utc(2025, 1, 10, 6, 0))
    dispatch = DispatchService(uow, GRACE)
    assert len(await dispatch.claim_due(utc(2025, 1, 10, 7, 30), 100)) == 1
    # The process dies here; a new one starts later.
    later = utc(2025, 1, 10, 7, 30) + SENDING_LEASE + timedelta(seconds=1)
    assert await dispatch.expire_stale(later) == 1
    assert await dispatch.claim_due(later, 100) == []
    assert [r.status for r in await deliveries(uow)] == ["unknown", "pending"]


async def test_definite_failures_are_retried_and_timeouts_are_not(uow: UowFactory) -> None:
    await onboard(uow, utc(2025, 1, 10, 6, 0), chat=1)
    await onboard(uow, utc(2025, 1, 10, 6, 0), chat=2)
    dispatch = DispatchService(uow, GRACE)
    now = utc(2025, 1, 10, 7, 30)
    first, second = sorted(await dispatch.claim_due(now, 100), key=lambda i: i.chat_id)
    await dispatch.record(
        [
            SendResult(first.delivery_id, Outcome.RETRY, retry_after_seconds=30),
            SendResult(second.delivery_id, Outcome.UNKNOWN),
        ],
        now,
    )
    assert await dispatch.claim_due(now + timedelta(seconds=29), 100) == []
    [again] = await dispatch.claim_due(now + timedelta(seconds=31), 100)
    assert again.chat_id == 1 and again.ref_id != first.ref_id
    async with uow() as u:
        ids = set((await u.session.execute(select(Checkin.id))).scalars())
    # The prompt that never went out is gone; the one that may have arrived stays answerable.
    assert ids == {second.ref_id, again.ref_id}


async def test_a_blocked_user_is_deactivated_until_they_write_again(uow: UowFactory) -> None:
    await onboard(uow, utc(2025, 1, 10, 6, 0))
    dispatch = DispatchService(uow, GRACE)
    [item] = await dispatch.claim_due(utc(2025, 1, 10, 7, 30), 100)
    await dispatch.record([SendResult(item.delivery_id, Outcome.GONE)], utc(2025, 1, 10, 7, 30))
    assert [r.status for r in await deliveries(uow)] == ["failed"]
    await AccountService(uow).reactivate(CHAT, utc(2025, 1, 12, 12, 0))
    assert [r.status for r in await deliveries(uow)] == ["failed", "pending"]


async def test_two_dispatchers_never_claim_the_same_row(uow: UowFactory) -> None:
    for chat in range(40):
        await onboard(uow, utc(2025, 1, 10, 6, 0), chat=10_000 + chat)
    now = utc(2025, 1, 10, 7, 30)
    claimers = [DispatchService(uow, GRACE) for _ in range(4)]
    batches = await asyncio.gather(*(c.claim_due(now, 7) for c in claimers for _ in range(3)))
    claimed = [i.delivery_id for batch in batches for i in batch]
    assert len(claimed) == len(set(claimed)) == 40


async def test_ratings_touch_only_the_pressers_own_open_checkin(uow: UowFactory) -> None:
    now = utc(2025, 1, 10, 6, 0)
    await onboard(uow, now, chat=1)
    await onboard(uow, now, chat=2)
    checkins = CheckinService(uow)
    mine = await checkins.ask_now(1, now)
    assert mine is not None
    assert (await checkins.rate(2, mine.checkin_id, 3, now)).status is RateStatus.UNKNOWN
    assert (await checkins.rate(1, 999_999, 3, now)).status is RateStatus.UNKNOWN
    assert (await checkins.rate(1, mine.checkin_id, 4, now)).status is RateStatus.RECORDED
    again = await checkins.rate(1, mine.checkin_id, 1, now)
    assert (again.status, again.rating) == (RateStatus.ALREADY, 4)
    old = await checkins.ask_now(2, now)
    assert old is not None
    next_day = now + timedelta(days=1)
    assert (await checkins.rate(2, old.checkin_id, 2, next_day)).status is RateStatus.CLOSED
    async with uow() as u:
        rows = {c.id: c.rating for c in (await u.session.execute(select(Checkin))).scalars()}
    assert rows == {mine.checkin_id: 4, old.checkin_id: None}


async def test_a_typed_rating_answers_the_latest_prompt_then_asks_for_a_note(
    uow: UowFactory,
) -> None:
    now = utc(2025, 1, 10, 6, 0)
    await onboard(uow, now)
    checkins = CheckinService(uow)
    assert (await checkins.rate_latest(CHAT, 3, now)).status is RateStatus.NONE_OPEN
    new = await checkins.ask_now(CHAT, now)
    assert new is not None
    # Not on the screen yet: a typed digit cannot be meant for it.
    assert (await checkins.rate_latest(CHAT, 3, now)).status is RateStatus.NONE_OPEN
    await checkins.prompt_sent(new.checkin_id, 42)
    assert (await checkins.rate_latest(CHAT, 3, now)).status is RateStatus.RECORDED
    assert (await checkins.rate_latest(CHAT, 5, now)).status is RateStatus.NONE_OPEN
    assert (await checkins.save_note(CHAT, "x" * 501, now)).status.value == "too_long"
    saved = await checkins.save_note(CHAT, "  long   day at work ", now)
    assert (saved.status.value, saved.checkin_id) == ("saved", new.checkin_id)
    assert (await checkins.save_note(CHAT, "another", now)).status.value == "not_expected"
    async with uow() as u:
        [row] = (await u.session.execute(select(Checkin))).scalars()
    assert (row.rating, row.note) == (3, "long day at work")


async def test_no_rating_is_stored_before_consent(uow: UowFactory) -> None:
    now = utc(2025, 1, 10, 6, 0)
    accounts = AccountService(uow)
    await accounts.start(CHAT, "en", now)
    await accounts.set_timezone(CHAT, "UTC", now)
    checkins = CheckinService(uow)
    assert await checkins.ask_now(CHAT, now) is None
    assert (await checkins.rate_latest(CHAT, 3, now)).status is RateStatus.NOT_READY
    async with uow() as u:
        assert list((await u.session.execute(select(Checkin))).scalars()) == []


async def test_flying_west_keeps_the_series_going_one_per_local_date(uow: UowFactory) -> None:
    # 08:00 in Tokyo on the 14th is 23:00 UTC on the 13th; then the person moves to LA.
    await onboard(uow, utc(2025, 1, 13, 12, 0), zone="Asia/Tokyo", times=("08:00",))
    dispatch = DispatchService(uow, GRACE)
    assert await send_all(dispatch, utc(2025, 1, 13, 23, 0)) == [CHAT]
    account = await AccountService(uow).set_timezone(
        CHAT, "America/Los_Angeles", utc(2025, 1, 14, 0, 0)
    )
    assert account is not None
    # The 14th already had its 08:00 check-in (in Tokyo), so the next is the 15th in LA.
    assert account.next_checkin_utc == utc(2025, 1, 15, 16, 0)
    dispatch_later = await send_all(dispatch, utc(2025, 1, 15, 16, 0))
    assert dispatch_later == [CHAT]
    assert [r.status for r in await deliveries(uow)][-1] == "pending"


async def test_a_typed_rating_never_lands_on_a_prompt_not_yet_sent(uow: UowFactory) -> None:
    now = utc(2025, 1, 10, 6, 0)
    await onboard(uow, now)
    checkins = CheckinService(uow)
    asked = await checkins.ask_now(CHAT, now)
    assert asked is not None
    await checkins.prompt_sent(asked.checkin_id, 77)
    # The 08:30 check-in is claimed (its row exists) but not yet on the user's screen.
    dispatch = DispatchService(uow, GRACE)
    [queued] = await dispatch.claim_due(utc(2025, 1, 10, 7, 30), 10)
    result = await checkins.rate_latest(CHAT, 3, utc(2025, 1, 10, 7, 30))
    assert result.checkin_id == asked.checkin_id
    # The send fails and is retried: the typed rating is not lost with the unsent prompt.
    await dispatch.record(
        [SendResult(queued.delivery_id, Outcome.RETRY, retry_after_seconds=5)],
        utc(2025, 1, 10, 7, 30),
    )
    async with uow() as u:
        ratings = list((await u.session.execute(select(Checkin.rating))).scalars())
    assert ratings == [3]
    # Claiming the retry plans nothing more: still exactly one check-in ahead (tomorrow's).
    [again] = await dispatch.claim_due(utc(2025, 1, 10, 7, 31), 10)
    assert again.delivery_id == queued.delivery_id
    pending = [r for r in await deliveries(uow) if r.status == "pending"]
    assert [r.local_date.day for r in pending] == [11]


async def test_one_tick_works_through_a_backlog_of_missed_checkins(uow: UowFactory) -> None:
    """After long downtime, old rows are settled as missed in bulk; today's still go out now."""
    from nudgebot.scheduling.dispatcher import Dispatcher

    for chat in range(30):
        await onboard(uow, utc(2025, 1, 10, 6, 0), chat=20_000 + chat, times=("08:30",))
    # Two days later, 90 minutes after 08:30 Berlin: every one of those is beyond grace.
    now = utc(2025, 1, 12, 9, 0)
    await onboard(uow, now - timedelta(minutes=1), chat=1, times=("10:00",))  # due now
    sent: list[int] = []

    async def send(item: Outgoing) -> SendResult:
        sent.append(item.chat_id)
        return SendResult(item.delivery_id, Outcome.SENT, message_id=1)

    dispatcher = Dispatcher(
        DispatchService(uow, GRACE), send, batch_size=7, tick_seconds=1, clock=lambda: now
    )
    await dispatcher.tick()
    assert sent == [1]
