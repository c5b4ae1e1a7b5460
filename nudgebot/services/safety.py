"""Use cases for people in distress: stepping back from suggestions, the safety plan, helplines."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

from nudgebot.domain.checkins import clean_note
from nudgebot.domain.crisis import ScreenContext, Tier
from nudgebot.domain.fit import utf16_len
from nudgebot.domain.nudges import DayStress, needs_professional_nudge
from nudgebot.domain.schedule import local_date_of
from nudgebot.domain.zones import load_zone
from nudgebot.services import questions
from nudgebot.services.nudges import CRISIS_QUIET, FOLLOWUP, SNOOZE
from nudgebot.storage.errors import STORAGE_ERRORS
from nudgebot.storage.models import CrisisEvent, User
from nudgebot.storage.uow import UnitOfWork, UowFactory

log = logging.getLogger(__name__)

PLAN_MAX_CHARS = 2000
# The safety question can be answered for this long; later presses are stale.
QUESTION_OPEN = timedelta(hours=24)


@dataclass(frozen=True)
class SafetyView:
    country: str | None
    plan: str | None
    consented: bool
    zone: str | None = None
    # False when the database could not be read: help is shown from loaded content alone.
    reachable: bool = True


@dataclass(frozen=True)
class Situation:
    """What the bot knows around a free text, read before the crisis screen looks at it."""

    context: ScreenContext = field(default_factory=ScreenContext)
    awaiting_plan: bool = False
    awaiting_note: bool = False
    reachable: bool = True


@dataclass(frozen=True)
class Flagged:
    """What follows a message that reached a tier: where the person is, the offers withdrawn
    (their buttons come off), and the event the safety question is about (0: none kept)."""

    event_id: int = 0
    country: str | None = None
    zone: str | None = None
    withdrawn_messages: tuple[int, ...] = ()


class Answer(Enum):
    YES = "yes"
    NO = "no"
    RATHER_NOT = "rather_not"


class SafetyService:
    def __init__(self, uow: UowFactory) -> None:
        self._uow = uow

    async def situation(self, chat_id: int, now: datetime) -> Situation:
        """The screen's context for this person's next text. Never fails: the screen runs even
        when the database does not answer."""
        try:
            async with self._uow() as uow:
                user = await uow.users.by_chat(chat_id)
                if user is None:
                    return Situation()
                high = False
                if user.awaiting == questions.NOTE and user.awaiting_ref is not None:
                    checkin = await uow.checkins.by_id(user.awaiting_ref)
                    high = (
                        checkin is not None
                        and checkin.user_id == user.id
                        and checkin.rating is not None
                        and checkin.rating >= user.stress_threshold
                    )
                last = user.last_crisis_at
                recent = last is not None and now - last < CRISIS_QUIET
                return Situation(
                    ScreenContext(after_high_rating=high, after_crisis_reply=recent),
                    awaiting_plan=user.awaiting == questions.PLAN,
                    awaiting_note=user.awaiting == questions.NOTE,
                )
        except STORAGE_ERRORS as exc:
            log.warning("database unreachable while screening a message: %s", type(exc).__name__)
            return Situation(reachable=False)

    async def flagged(
        self, chat_id: int, tier: Tier, now: datetime, note: str | None = None
    ) -> Flagged:
        """A message reached `tier`: keep the tier and time (never the words), step back from
        every run, walk and follow-up for a day, and keep `note` if it answered the note
        question. Never fails: help must not wait for the database."""
        try:
            async with self._uow() as uow:
                user = await uow.users.by_chat(chat_id)
                if user is None:
                    return Flagged()
                if user.consent_at is None:
                    # Nothing about their wellbeing is stored before consent.
                    return Flagged(country=user.country, zone=user.timezone)
                if note is not None:
                    await _keep_note(uow, user, note)
                event = await uow.crisis_events.add(
                    CrisisEvent(user_id=user.id, tier=tier.name.lower(), at=now)
                )
                withdrawn = await _step_back(uow, user, now)
                await uow.commit()
                return Flagged(event.id, user.country, user.timezone, withdrawn)
        except STORAGE_ERRORS as exc:
            log.warning("database unreachable after a flagged message: %s", type(exc).__name__)
            return Flagged()

    async def answer(
        self, chat_id: int, event_id: int, answer: Answer, now: datetime
    ) -> Flagged | None:
        """The answer to the safety question; None for a stale, repeated or forged press."""
        try:
            async with self._uow() as uow:
                user = await uow.users.by_chat(chat_id)
                if event_id == 0:
                    # Asked before consent, when nothing is kept: only then is there no row.
                    if user is not None and user.consent_at is not None:
                        return None
                    return Flagged(
                        country=user.country if user else None,
                        zone=user.timezone if user else None,
                    )
                event = await uow.crisis_events.by_id(event_id)
                if (
                    user is None
                    or event is None
                    or event.user_id != user.id
                    or event.answer is not None
                    or now - event.at > QUESTION_OPEN
                ):
                    return None
                event.answer, event.answered_at = answer.value, now
                withdrawn = await _step_back(uow, user, now)
                await uow.commit()
                return Flagged(event.id, user.country, user.timezone, withdrawn)
        except STORAGE_ERRORS as exc:
            log.warning("database unreachable for the safety question: %s", type(exc).__name__)
            return Flagged()

    async def view(self, chat_id: int) -> SafetyView | None:
        """For /sos; a view with reachable=False when the database does not answer."""
        try:
            async with self._uow() as uow:
                user = await uow.users.by_chat(chat_id)
                if user is None:
                    return None
                return SafetyView(
                    user.country, user.safety_plan, user.consent_at is not None, user.timezone
                )
        except STORAGE_ERRORS as exc:
            log.warning("database unreachable for /sos: %s", type(exc).__name__)
            return SafetyView(None, None, False, reachable=False)

    async def save_plan(self, chat_id: int, text: str) -> bool:
        """False if it is too long to keep; the question stays open then."""
        plan = text.strip()
        if utf16_len(plan) > PLAN_MAX_CHARS:
            return False
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            if user is None or user.consent_at is None:
                return True  # nothing is kept before consent (the buttons are not offered)
            user.safety_plan = plan or None
            if user.awaiting == questions.PLAN:
                user.awaiting, user.awaiting_ref = None, None
            await uow.commit()
            return True

    async def set_country(self, chat_id: int, country: str | None) -> None:
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            if user is None:
                return
            user.country = country
            if user.awaiting == questions.COUNTRY:
                user.awaiting, user.awaiting_ref = None, None
            await uow.commit()

    async def professional_help_due(self, chat_id: int, now: datetime) -> bool:
        """True once, when stress has been high on most days of the last two weeks."""
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            if user is None or user.timezone is None or user.professional_help_suggested_at:
                return False
            today = local_date_of(now, load_zone(user.timezone))
            days = await uow.checkins.daily_max_ratings(user.id, today - timedelta(days=13))
            history = [DayStress(day, rating) for day, rating in days]
            if not needs_professional_nudge(history, today, user.stress_threshold):
                return False
            user.professional_help_suggested_at = now
            await uow.commit()
            return True


async def _step_back(uow: UnitOfWork, user: User, now: datetime) -> tuple[int, ...]:
    """No run or walk for a day: withdraw open offers, drop snoozes and follow-ups."""
    user.last_crisis_at = now
    withdrawn = await uow.suggestions.withdraw_open(user.id, now)
    await uow.deliveries.delete_pending(user.id, [SNOOZE, FOLLOWUP])
    return tuple(row.message_id for row in withdrawn if row.message_id is not None)


async def _keep_note(uow: UnitOfWork, user: User, text: str) -> None:
    """The flagged text answered the note question: keep it as the note, as the person meant."""
    if user.awaiting != questions.NOTE or user.awaiting_ref is None:
        return
    checkin = await uow.checkins.by_id(user.awaiting_ref)
    user.awaiting, user.awaiting_ref = None, None
    note = clean_note(text)
    if checkin is not None and checkin.user_id == user.id and note is not None:
        checkin.note = note
