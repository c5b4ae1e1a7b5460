"""Turning a user's wall-clock check-in times into due rows; shared by every service."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, tzinfo

from nudgebot.domain.schedule import Occurrence, next_occurrence, next_weekly_occurrence
from nudgebot.domain.zones import load_zone
from nudgebot.storage.models import User
from nudgebot.storage.uow import UnitOfWork

CHECKIN = "checkin"
SUMMARY = "summary"
WEEKLY_SLOT = "weekly"


def wants_checkins(user: User) -> bool:
    return user.consent_at is not None and user.active and not user.paused and bool(user.timezone)


async def plan_slot(uow: UnitOfWork, user: User, slot: str, after: datetime) -> Occurrence | None:
    """Plan the next occurrence of `slot` after `after`, unless one is planned already.

    One check-in per slot and local date (the unique key): a date already used, in any state,
    is skipped, so a zone change never brings today's check-in back. Flying far west can
    therefore make the next one a day later than the wall clock alone would.
    """
    [planned] = await plan_slots(uow, [(user, slot, after)])
    return planned


async def plan_slots(
    uow: UnitOfWork, wanted: Sequence[tuple[User, str, datetime]]
) -> list[Occurrence | None]:
    """plan_slot for many (user, slot, after) at once, in two statements whatever their number:
    the dispatcher plans tomorrow for every check-in it claims."""
    firsts: list[tuple[User, str, time, tzinfo, Occurrence]] = []
    for user, slot, after in wanted:
        assert user.timezone is not None
        zone = load_zone(user.timezone)
        wall = time.fromisoformat(slot)
        firsts.append((user, slot, wall, zone, next_occurrence(wall, zone, after)))
    if not firsts:
        return []
    existing = await uow.deliveries.slot_rows_many(
        {user.id for user, *_ in firsts}, CHECKIN, min(o.local_date for *_, o in firsts)
    )
    planned: list[Occurrence | None] = []
    rows: list[tuple[int, str, str, date, datetime]] = []
    for user, slot, wall, zone, occurrence in firsts:
        since = occurrence.local_date
        later = [(d, st) for d, st in existing.get((user.id, slot), ()) if d >= since]
        if any(status == "pending" for _day, status in later):
            planned.append(None)  # a retried send must not plan yet another day ahead
            continue
        used = {day for day, _status in later}
        while occurrence.local_date in used:
            occurrence = next_occurrence(wall, zone, occurrence.due_utc)
        rows.append((user.id, CHECKIN, slot, occurrence.local_date, occurrence.due_utc))
        planned.append(occurrence)
    await uow.deliveries.add_pending_many(rows)
    return planned


async def plan_summary(uow: UnitOfWork, user: User, after: datetime) -> Occurrence:
    """Insert the next weekly summary after `after` (once per local date, like check-ins)."""
    assert user.timezone is not None
    zone = load_zone(user.timezone)
    wall = time.fromisoformat(user.summary_time)
    occurrence = next_weekly_occurrence(user.summary_weekday, wall, zone, after)
    taken = await uow.deliveries.taken_dates(user.id, SUMMARY, WEEKLY_SLOT, occurrence.local_date)
    while occurrence.local_date in taken:
        occurrence = next_weekly_occurrence(user.summary_weekday, wall, zone, occurrence.due_utc)
    await uow.deliveries.add_pending(
        user.id, SUMMARY, occurrence.local_date, WEEKLY_SLOT, occurrence.due_utc
    )
    return occurrence


async def replan_checkins(uow: UnitOfWork, user: User, now: datetime) -> datetime | None:
    """Drop what is planned by the clock and plan afresh from `now` (check-ins and summary).

    Returns the earliest check-in's due instant.
    """
    await uow.deliveries.delete_pending(user.id, [CHECKIN, SUMMARY])
    if not wants_checkins(user):
        return None
    due = [await plan_slot(uow, user, slot, now) for slot in await uow.users.times(user.id)]
    await plan_summary(uow, user, now)
    return min((o.due_utc for o in due if o is not None), default=None)
