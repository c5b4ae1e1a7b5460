"""Use cases for people in distress: stepping back from suggestions, the safety plan, helplines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from nudgebot.domain.nudges import DayStress, needs_professional_nudge
from nudgebot.domain.schedule import local_date_of
from nudgebot.domain.zones import load_zone
from nudgebot.services import questions
from nudgebot.services.nudges import SNOOZE
from nudgebot.storage.uow import UowFactory

PLAN_MAX_CHARS = 2000


@dataclass(frozen=True)
class SafetyView:
    country: str | None
    plan: str | None
    consented: bool


class SafetyService:
    def __init__(self, uow: UowFactory) -> None:
        self._uow = uow

    async def crisis_seen(self, chat_id: int, now: datetime) -> str | None:
        """Crisis language arrived: withdraw any run or walk on offer; returns their country."""
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            if user is None:
                return None
            if user.consent_at is None:
                return user.country  # nothing about their wellbeing is stored before consent
            user.last_crisis_at = now
            await uow.suggestions.withdraw_open(user.id, now)
            await uow.deliveries.delete_pending(user.id, [SNOOZE])
            await uow.commit()
            return user.country

    async def view(self, chat_id: int) -> SafetyView | None:
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            if user is None:
                return None
            return SafetyView(user.country, user.safety_plan, user.consent_at is not None)

    async def save_plan(self, chat_id: int, text: str) -> bool:
        """False if it is too long to keep; the question stays open then."""
        plan = text.strip()
        if len(plan) > PLAN_MAX_CHARS:
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
