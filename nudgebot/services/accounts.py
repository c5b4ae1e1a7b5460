"""Use cases for a person's account: onboarding, consent, zone, times, pause."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time

from nudgebot.domain.times import format_time
from nudgebot.services import questions
from nudgebot.services.planning import replan_checkins
from nudgebot.services.views import Account
from nudgebot.storage.models import User
from nudgebot.storage.uow import UnitOfWork, UowFactory


class AccountService:
    def __init__(self, uow: UowFactory) -> None:
        self._uow = uow

    async def get(self, chat_id: int) -> Account | None:
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            return None if user is None else await _view(uow, user, None)

    async def start(self, chat_id: int, language_code: str | None, now: datetime) -> Account:
        """Find or create the account; /start twice never makes two."""
        async with self._uow() as uow:
            user = await uow.users.get_or_create(
                User(
                    chat_id=chat_id,
                    language_code=language_code,
                    created_at=now,
                    paused=False,
                    active=True,
                )
            )
            next_due = None
            if not user.active:
                user.active = True
                next_due = await replan_checkins(uow, user, now)
            await uow.commit()
            return await _view(uow, user, next_due)

    async def consent(self, chat_id: int, now: datetime) -> Account | None:
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            if user is None:
                return None
            if user.consent_at is None:
                user.consent_at = now
            next_due = await replan_checkins(uow, user, now)
            await uow.commit()
            return await _view(uow, user, next_due)

    async def decline(self, chat_id: int) -> bool:
        """Forget someone who said no before agreeing; True if nothing of theirs is kept."""
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            if user is not None and user.consent_at is not None:
                return False
            if user is not None:
                await uow.users.delete(user)
                await uow.commit()
            return True

    async def set_timezone(self, chat_id: int, zone: str, now: datetime) -> Account | None:
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            if user is None:
                return None
            user.timezone = zone
            if user.awaiting == questions.TIMEZONE:
                user.awaiting = None
            next_due = await replan_checkins(uow, user, now)
            await uow.commit()
            return await _view(uow, user, next_due)

    async def set_times(self, chat_id: int, times: Sequence[time], now: datetime) -> Account | None:
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            if user is None:
                return None
            await uow.users.replace_times(user.id, sorted({format_time(t) for t in times}))
            if user.awaiting == questions.TIMES:
                user.awaiting = None
            next_due = await replan_checkins(uow, user, now)
            await uow.commit()
            return await _view(uow, user, next_due)

    async def set_paused(self, chat_id: int, paused: bool, now: datetime) -> Account | None:
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            if user is None:
                return None
            user.paused = paused
            next_due = await replan_checkins(uow, user, now)
            await uow.commit()
            return await _view(uow, user, next_due)

    async def update_nudging(
        self,
        chat_id: int,
        *,
        threshold: int | None = None,
        preference: str | None = None,
        quiet_hours: tuple[time, time] | bool | None = False,
    ) -> Account | None:
        """Change how suggestions are made; `quiet_hours=None` turns quiet hours off."""
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            if user is None:
                return None
            if threshold is not None:
                user.stress_threshold = threshold
            if preference is not None:
                user.preference = preference
            if quiet_hours is None:
                user.quiet_start = user.quiet_end = None
            elif isinstance(quiet_hours, tuple):
                user.quiet_start, user.quiet_end = (format_time(t) for t in quiet_hours)
            if user.awaiting == questions.QUIET:
                user.awaiting = None
            await uow.commit()
            return await _view(uow, user, None)

    async def set_summary_time(
        self, chat_id: int, weekday: int, at: time, now: datetime
    ) -> Account | None:
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            if user is None:
                return None
            user.summary_weekday, user.summary_time = weekday, format_time(at)
            if user.awaiting == questions.SUMMARY:
                user.awaiting = None
            next_due = await replan_checkins(uow, user, now)
            await uow.commit()
            return await _view(uow, user, next_due)

    async def await_answer(self, chat_id: int, what: str | None, ref: int | None = None) -> None:
        """Remember which question the user's next free text answers."""
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            if user is None:
                return
            user.awaiting, user.awaiting_ref = what, ref
            await uow.commit()

    async def reactivate(self, chat_id: int, now: datetime) -> None:
        """They wrote to us, so the chat works again: resume what a 403 had stopped."""
        async with self._uow() as uow:
            if await reactivate_in(uow, chat_id, now):
                await uow.commit()

    async def deactivate(self, chat_id: int) -> None:
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            if user is None or not user.active:
                return
            user.active = False
            await uow.deliveries.delete_pending(user.id)
            await uow.commit()


async def reactivate_in(uow: UnitOfWork, chat_id: int, now: datetime) -> bool:
    """Resume check-ins for a chat Telegram had told us was gone; True if it was."""
    if not await uow.users.is_inactive(chat_id):
        return False
    user = await uow.users.by_chat(chat_id)
    assert user is not None
    user.active = True
    await replan_checkins(uow, user, now)
    return True


async def _view(uow: UnitOfWork, user: User, next_due: datetime | None) -> Account:
    return Account(
        chat_id=user.chat_id,
        consented=user.consent_at is not None,
        timezone=user.timezone,
        times=tuple(await uow.users.times(user.id)),
        paused=user.paused,
        awaiting=user.awaiting,
        next_checkin_utc=next_due
        if next_due is not None
        else await uow.deliveries.next_due(user.id),
        stress_threshold=user.stress_threshold,
        preference=user.preference,
        quiet_hours=(
            (user.quiet_start, user.quiet_end) if user.quiet_start and user.quiet_end else None
        ),
        summary_weekday=user.summary_weekday,
        summary_time=user.summary_time,
    )
