"""Suggestions, snoozes, follow-ups and the activity log against a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from nudgebot.domain.activities import LogEntry
from nudgebot.services.checkins import CheckinService
from nudgebot.services.dispatch import DispatchService
from nudgebot.services.nudges import NudgeService, Reply
from nudgebot.services.views import Outcome, SendResult
from nudgebot.storage.models import Activity, Delivery, Suggestion, User
from nudgebot.storage.uow import UowFactory
from tests.services.test_scheduling import CHAT, GRACE, onboard

FOLLOWUP_MINUTES = 45
# 10:00 in Berlin (winter): daytime, so a run can be suggested.
MORNING = datetime(2025, 1, 10, 9, 0, tzinfo=UTC)


async def rate(uow: UowFactory, rating: int, now: datetime, chat: int = CHAT) -> int:
    checkins = CheckinService(uow)
    new = await checkins.ask_now(chat, now)
    assert new is not None
    await checkins.rate(chat, new.checkin_id, rating, now)
    return new.checkin_id


async def suggestions(uow: UowFactory) -> list[Suggestion]:
    async with uow() as u:
        return list((await u.session.execute(select(Suggestion).order_by(Suggestion.id))).scalars())


async def test_a_high_rating_in_the_day_gets_a_steady_run_and_a_low_one_nothing(
    uow: UowFactory,
) -> None:
    await onboard(uow, MORNING)
    nudges = NudgeService(uow, FOLLOWUP_MINUTES)
    assert await nudges.offer_after_rating(CHAT, await rate(uow, 2, MORNING), MORNING) is None
    offer = await nudges.offer_after_rating(CHAT, await rate(uow, 4, MORNING), MORNING)
    assert offer is not None and (offer.kind, offer.minutes) == ("steady_run", (10, 15))
    # One unsolicited suggestion a day.
    later = MORNING + timedelta(hours=3)
    assert await nudges.offer_after_rating(CHAT, await rate(uow, 5, later), later) is None


async def test_late_evening_gets_a_breathing_walk_never_a_run(uow: UowFactory) -> None:
    await onboard(uow, MORNING)
    evening = datetime(2025, 1, 10, 21, 30, tzinfo=UTC)  # 22:30 in Berlin
    offer = await NudgeService(uow, FOLLOWUP_MINUTES).offer_after_rating(
        CHAT, await rate(uow, 5, evening), evening
    )
    assert offer is not None and offer.kind == "breathing_walk"


async def test_going_now_schedules_the_followup_which_records_the_activity(
    uow: UowFactory,
) -> None:
    await onboard(uow, MORNING)
    nudges = NudgeService(uow, FOLLOWUP_MINUTES)
    offer = await nudges.offer_after_rating(CHAT, await rate(uow, 4, MORNING), MORNING)
    assert offer is not None
    assert await nudges.respond(CHAT, offer.suggestion_id, Reply.GOING, MORNING) is Reply.GOING
    assert await nudges.set_duration(CHAT, offer.suggestion_id, 50, MORNING)
    dispatch = DispatchService(uow, GRACE)
    # 50 minutes out plus a margin: not at the 45-minute default.
    assert await dispatch.claim_due(MORNING + timedelta(minutes=54), 10) == []
    [item] = await dispatch.claim_due(MORNING + timedelta(minutes=55), 10)
    assert (item.kind, item.ref_id) == ("followup", offer.suggestion_id)
    await dispatch.record([SendResult(item.delivery_id, Outcome.SENT, 9)], MORNING)

    activity_id = await nudges.followup_answer(CHAT, offer.suggestion_id, "ran", MORNING)
    assert isinstance(activity_id, int)
    again = await nudges.followup_answer(CHAT, offer.suggestion_id, "ran", MORNING)
    assert again is Reply.STALE
    change = await nudges.stress_after(CHAT, None, 2)  # typed "2"
    assert change is not None and (change.before, change.after) == (4, 2)
    async with uow() as u:
        [activity] = (await u.session.execute(select(Activity))).scalars()
    assert (activity.kind, activity.minutes, activity.stress_before, activity.stress_after) == (
        "run",
        50,
        4,
        2,
    )


async def test_a_snooze_comes_back_an_hour_later_once(uow: UowFactory) -> None:
    await onboard(uow, MORNING)
    nudges = NudgeService(uow, FOLLOWUP_MINUTES)
    offer = await nudges.offer_after_rating(CHAT, await rate(uow, 4, MORNING), MORNING)
    assert offer is not None
    assert await nudges.respond(CHAT, offer.suggestion_id, Reply.SNOOZED, MORNING) is Reply.SNOOZED
    # The snoozed offer's buttons no longer work; the one coming back will.
    assert await nudges.respond(CHAT, offer.suggestion_id, Reply.GOING, MORNING) is Reply.STALE
    dispatch = DispatchService(uow, GRACE)
    assert await dispatch.claim_due(MORNING + timedelta(minutes=59), 10) == []
    hour = MORNING + timedelta(hours=1)
    [item] = await dispatch.claim_due(hour, 10)
    assert item.kind == "snooze" and item.details["offer"].kind == "steady_run"
    await dispatch.record([SendResult(item.delivery_id, Outcome.SENT, 12)], hour)
    assert await dispatch.claim_due(hour + timedelta(minutes=5), 10) == []
    assert await nudges.respond(CHAT, offer.suggestion_id, Reply.GOING, hour) is Reply.GOING


async def test_hours_stale_followups_are_dropped(uow: UowFactory) -> None:
    await onboard(uow, MORNING)
    nudges = NudgeService(uow, FOLLOWUP_MINUTES)
    offer = await nudges.offer_after_rating(CHAT, await rate(uow, 4, MORNING), MORNING)
    assert offer is not None
    await nudges.respond(CHAT, offer.suggestion_id, Reply.GOING, MORNING)
    dispatch = DispatchService(uow, GRACE)
    assert await dispatch.claim_due(MORNING + timedelta(hours=5), 10) == []
    async with uow() as u:
        statuses = {d.kind: d.status for d in (await u.session.execute(select(Delivery))).scalars()}
    assert statuses["followup"] == "missed"


async def test_three_declines_ease_off_until_one_is_accepted(uow: UowFactory) -> None:
    await onboard(uow, MORNING)
    nudges = NudgeService(uow, FOLLOWUP_MINUTES)
    for day in range(3):
        now = MORNING + timedelta(days=day)
        offer = await nudges.offer_after_rating(CHAT, await rate(uow, 4, now), now)
        assert offer is not None and not offer.gentle
        await nudges.respond(CHAT, offer.suggestion_id, Reply.DECLINED, now)
    day4 = MORNING + timedelta(days=3)
    # Backing off: a 4 no longer brings a suggestion, only a 5 does, and a gentler one.
    assert await nudges.offer_after_rating(CHAT, await rate(uow, 4, day4), day4) is None
    day5 = MORNING + timedelta(days=4)
    offer = await nudges.offer_after_rating(CHAT, await rate(uow, 5, day5), day5)
    assert offer is not None and offer.gentle and offer.kind == "walk_run"
    await nudges.respond(CHAT, offer.suggestion_id, Reply.GOING, day5)
    async with uow() as u:
        [user] = (await u.session.execute(select(User))).scalars()
    assert user.declines_in_row == 0


async def test_low_energy_swaps_a_run_for_walk_run_intervals(uow: UowFactory) -> None:
    await onboard(uow, MORNING)
    nudges = NudgeService(uow, FOLLOWUP_MINUTES)
    offer = await nudges.offer_after_rating(CHAT, await rate(uow, 4, MORNING), MORNING)
    assert offer is not None and offer.kind == "steady_run"
    gentler = await nudges.gentler(CHAT, offer.suggestion_id, MORNING)
    assert gentler is not None and gentler.kind == "walk_run"
    assert gentler.suggestion_id == offer.suggestion_id


async def test_someone_elses_suggestion_cannot_be_answered(uow: UowFactory) -> None:
    await onboard(uow, MORNING, chat=1)
    await onboard(uow, MORNING, chat=2)
    nudges = NudgeService(uow, FOLLOWUP_MINUTES)
    offer = await nudges.offer_after_rating(1, await rate(uow, 4, MORNING, chat=1), MORNING)
    assert offer is not None
    assert await nudges.respond(2, offer.suggestion_id, Reply.DECLINED, MORNING) is Reply.STALE
    assert [s.status for s in await suggestions(uow)] == ["offered"]


async def test_logged_activity_takes_a_recent_rating_as_stress_before(uow: UowFactory) -> None:
    await onboard(uow, MORNING)
    await rate(uow, 4, MORNING)
    nudges = NudgeService(uow, FOLLOWUP_MINUTES)
    activity = await nudges.log(CHAT, LogEntry("walk", 25, 2), MORNING + timedelta(hours=1))
    assert activity is not None
    assert (activity.kind, activity.minutes, activity.stress_before, activity.stress_after) == (
        "walk",
        25,
        4,
        2,
    )
    later = await nudges.log(CHAT, LogEntry("run", 30, None), MORNING + timedelta(hours=6))
    assert later is not None and later.stress_before is None


async def test_an_offer_can_be_snoozed_twice(uow: UowFactory) -> None:
    await onboard(uow, MORNING)
    nudges = NudgeService(uow, FOLLOWUP_MINUTES)
    offer = await nudges.offer_after_rating(CHAT, await rate(uow, 4, MORNING), MORNING)
    assert offer is not None
    dispatch = DispatchService(uow, GRACE)
    now = MORNING
    for _ in range(2):
        assert await nudges.respond(CHAT, offer.suggestion_id, Reply.SNOOZED, now) is Reply.SNOOZED
        now += timedelta(hours=1)
        [item] = await dispatch.claim_due(now, 10)
        assert item.kind == "snooze"
        await dispatch.record([SendResult(item.delivery_id, Outcome.SENT, 12)], now)


async def test_a_walk_answered_after_midnight_counts_for_the_day_it_happened(
    uow: UowFactory,
) -> None:
    await onboard(uow, MORNING)
    nudges = NudgeService(uow, FOLLOWUP_MINUTES)
    evening = datetime(2025, 1, 10, 19, 0, tzinfo=UTC)  # 20:00 in Berlin
    offer = await nudges.offer_after_rating(CHAT, await rate(uow, 5, evening), evening)
    assert offer is not None
    await nudges.respond(CHAT, offer.suggestion_id, Reply.GOING, evening)
    next_morning = datetime(2025, 1, 11, 7, 0, tzinfo=UTC)
    assert await nudges.followup_answer(CHAT, offer.suggestion_id, "walked", next_morning)
    [walk] = await activities_of(uow)
    assert walk.local_date.day == 10


async def activities_of(uow: UowFactory) -> list[Activity]:
    async with uow() as u:
        return list((await u.session.execute(select(Activity))).scalars())
