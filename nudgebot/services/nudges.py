"""Use cases around movement: offering a run or walk, snoozes, follow-ups and the activity log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import Enum

from nudgebot.domain.activities import LogEntry
from nudgebot.domain.nudges import (
    SNOOZE_DELAY,
    NudgeContext,
    Preference,
    QuietHours,
    choose_suggestion,
    followup_delay,
)
from nudgebot.domain.schedule import local_date_of
from nudgebot.domain.zones import load_zone
from nudgebot.services import questions
from nudgebot.storage.models import Activity, Suggestion, User
from nudgebot.storage.uow import UnitOfWork, UowFactory

FOLLOWUP = "followup"
SNOOZE = "snooze"
# After crisis language, no exercise is suggested for this long.
CRISIS_QUIET = timedelta(hours=24)
# A rating counts as "stress before" a logged activity if it was given this recently.
RECENT_RATING = timedelta(hours=3)


@dataclass(frozen=True)
class Offer:
    """A suggestion to show: what, how long, and a seed for varied wording."""

    suggestion_id: int
    kind: str
    minutes: tuple[int, int]
    gentle: bool
    seed: int


class Reply(Enum):
    GOING = "going"
    SNOOZED = "snoozed"
    DECLINED = "declined"
    STALE = "stale"  # not theirs, or already answered


@dataclass(frozen=True)
class StressAfter:
    before: int | None
    after: int


def quiet_hours(user: User) -> QuietHours | None:
    if not user.quiet_start or not user.quiet_end:
        return None
    return QuietHours(time.fromisoformat(user.quiet_start), time.fromisoformat(user.quiet_end))


def offer_of(row: Suggestion, user: User, gentle: bool) -> Offer:
    return Offer(
        suggestion_id=row.id,
        kind=row.kind,
        minutes=(row.minutes_low, row.minutes_high),
        gentle=gentle,
        seed=user.id + row.local_date.toordinal() + row.id,
    )


def calm_after_crisis(user: User, now: datetime) -> bool:
    return user.last_crisis_at is not None and now - user.last_crisis_at < CRISIS_QUIET


async def choose_for(
    uow: UnitOfWork, user: User, rating: int, now: datetime, *, solicited: bool, low_energy: bool
) -> tuple[NudgeContext, datetime] | None:
    """The policy's inputs for this user at `now`, read from storage."""
    if user.timezone is None:
        return None
    zone = load_zone(user.timezone)
    local = now.astimezone(zone)
    today = local.date()
    last = await uow.suggestions.last_unsolicited_date(user.id)
    preference: Preference = user.preference if user.preference in ("run", "walk") else "either"  # type: ignore[assignment]
    context = NudgeContext(
        rating=rating,
        threshold=user.stress_threshold,
        local_time=local.time().replace(second=0, microsecond=0, tzinfo=None),
        quiet_hours=quiet_hours(user),
        preference=preference,
        low_energy=low_energy,
        unsolicited_today=await uow.suggestions.unsolicited_on(user.id, today),
        declines_in_row=user.declines_in_row,
        days_since_last_unsolicited=None if last is None else max(0, (today - last).days),
        solicited=solicited,
    )
    return context, local


class NudgeService:
    def __init__(
        self, uow: UowFactory, followup_minutes: int, snooze: timedelta = SNOOZE_DELAY
    ) -> None:
        self._uow = uow
        self._followup_minutes = followup_minutes
        self._snooze = snooze

    async def offer_after_rating(
        self, chat_id: int, checkin_id: int, now: datetime
    ) -> Offer | None:
        """Suggest movement if this check-in's rating calls for it and nothing speaks against."""
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            checkin = await uow.checkins.by_id(checkin_id)
            if (
                user is None
                or checkin is None
                or checkin.user_id != user.id
                or checkin.rating is None
                or calm_after_crisis(user, now)
            ):
                return None
            chosen = await choose_for(
                uow, user, checkin.rating, now, solicited=False, low_energy=False
            )
            if chosen is None:
                return None
            context, local = chosen
            suggestion = choose_suggestion(context)
            if suggestion is None:
                return None
            await uow.suggestions.withdraw_open(user.id, now)
            row = await uow.suggestions.add(
                Suggestion(
                    user_id=user.id,
                    checkin_id=checkin.id,
                    created_at=now,
                    local_date=local.date(),
                    kind=suggestion.kind,
                    minutes_low=suggestion.minutes[0],
                    minutes_high=suggestion.minutes[1],
                    solicited=False,
                    stress_before=checkin.rating,
                    status="offered",
                )
            )
            await uow.commit()
            return offer_of(row, user, suggestion.gentle)

    async def shown(self, suggestion_id: int, message_id: int) -> None:
        async with self._uow() as uow:
            row = await uow.suggestions.by_id(suggestion_id)
            if row is not None:
                row.message_id = message_id
                await uow.commit()

    async def gentler(self, chat_id: int, suggestion_id: int, now: datetime) -> Offer | None:
        """Low on energy: swap an open offer for walk-run intervals (or a breathing walk)."""
        async with self._uow() as uow:
            user, row = await _own_open(uow, chat_id, suggestion_id)
            if user is None or row is None or row.stress_before is None:
                return None
            chosen = await choose_for(
                uow, user, row.stress_before, now, solicited=True, low_energy=True
            )
            if chosen is None:
                return None
            suggestion = choose_suggestion(chosen[0])
            if suggestion is None:
                return None
            row.kind = suggestion.kind
            row.minutes_low, row.minutes_high = suggestion.minutes
            await uow.commit()
            return offer_of(row, user, suggestion.gentle)

    async def respond(
        self, chat_id: int, suggestion_id: int, action: Reply, now: datetime
    ) -> Reply:
        """Going now, in an hour, or not today; only the person's own open offer counts."""
        async with self._uow() as uow:
            user, row = await _own_open(uow, chat_id, suggestion_id)
            if user is None or row is None:
                return Reply.STALE
            row.responded_at = now
            local_date = local_date_of(now, load_zone(user.timezone or "UTC"))
            match action:
                case Reply.GOING:
                    row.status = "going"
                    user.declines_in_row = 0
                    due = now + followup_delay(None, self._followup_minutes)
                    await uow.deliveries.add_pending(
                        user.id, FOLLOWUP, local_date, f"s{row.id}", due, ref_id=row.id
                    )
                case Reply.SNOOZED:
                    row.status = "snoozed"
                    # One offer can be snoozed again when it comes back: each snooze is its own
                    # row, keyed by when it was asked for.
                    await uow.deliveries.add_pending(
                        user.id,
                        SNOOZE,
                        local_date,
                        f"{row.id % 10**6}@{now:%H%M%S}",
                        now + self._snooze,
                        ref_id=row.id,
                    )
                case Reply.DECLINED:
                    row.status = "declined"
                    if not row.solicited:
                        user.declines_in_row += 1
                case Reply.STALE:
                    return Reply.STALE
            await uow.commit()
            return action

    async def set_duration(
        self, chat_id: int, suggestion_id: int, minutes: int | None, now: datetime
    ) -> bool:
        """They said how long they'll be out (None: not sure); False for a stale press."""
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            row = await uow.suggestions.by_id(suggestion_id)
            if user is None or row is None or row.user_id != user.id or row.status != "going":
                return False
            if minutes is None:
                return True
            row.chosen_minutes = minutes
            start = row.responded_at or now
            await uow.deliveries.move_pending(
                user.id, FOLLOWUP, row.id, start + followup_delay(minutes, self._followup_minutes)
            )
            await uow.commit()
            return True

    async def followup_answer(
        self, chat_id: int, suggestion_id: int, moved: str | None, now: datetime
    ) -> int | Reply | None:
        """Record "ran", "walked" or None (didn't make it).

        Returns the new activity's id if they moved, None if they didn't, Reply.STALE for a
        press on a follow-up that is not theirs or was answered already.
        """
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            row = await uow.suggestions.by_id(suggestion_id)
            if user is None or row is None or row.user_id != user.id or row.status != "going":
                return Reply.STALE
            went_at = row.responded_at or now  # when they said they were going
            row.responded_at = now
            if moved is None:
                row.status = "skipped"
                await uow.commit()
                return None
            row.status = "done"
            activity = await uow.activities.add(
                Activity(
                    user_id=user.id,
                    suggestion_id=row.id,
                    kind="run" if moved == "ran" else "walk",
                    minutes=row.chosen_minutes,
                    stress_before=row.stress_before,
                    source="suggested",
                    created_at=now,
                    # The day they went out, even if they answer after midnight.
                    local_date=local_date_of(went_at, load_zone(user.timezone or "UTC")),
                )
            )
            user.awaiting, user.awaiting_ref = questions.AFTER, activity.id
            await uow.commit()
            return activity.id

    async def stress_after(
        self, chat_id: int, activity_id: int | None, rating: int
    ) -> StressAfter | None:
        """Record how they feel after moving (a button names the activity; typed uses awaiting)."""
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            if user is None:
                return None
            if activity_id is None:
                if user.awaiting != questions.AFTER or user.awaiting_ref is None:
                    return None
                activity_id = user.awaiting_ref
            activity = await uow.activities.by_id(activity_id)
            if activity is None or activity.user_id != user.id or activity.stress_after is not None:
                return None
            activity.stress_after = rating
            if user.awaiting == questions.AFTER:
                user.awaiting, user.awaiting_ref = None, None
            await uow.commit()
            return StressAfter(activity.stress_before, rating)

    async def log(self, chat_id: int, entry: LogEntry, now: datetime) -> Activity | None:
        """Movement the bot did not suggest; None until setup (consent, zone) is done."""
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            if user is None or user.consent_at is None or user.timezone is None:
                return None
            before = await uow.checkins.recent_rating(user.id, now - RECENT_RATING)
            activity = await uow.activities.add(
                Activity(
                    user_id=user.id,
                    kind=entry.kind,
                    minutes=entry.minutes,
                    stress_before=before,
                    stress_after=entry.stress_after,
                    source="logged",
                    created_at=now,
                    local_date=local_date_of(now, load_zone(user.timezone)),
                )
            )
            await uow.commit()
            return activity


async def _own_open(
    uow: UnitOfWork, chat_id: int, suggestion_id: int
) -> tuple[User | None, Suggestion | None]:
    user = await uow.users.by_chat(chat_id)
    row = await uow.suggestions.by_id(suggestion_id)
    if user is None or row is None or row.user_id != user.id or row.status != "offered":
        return user, None
    return user, row
