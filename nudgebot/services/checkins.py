"""Use cases around a check-in: asking now, recording a rating, keeping a note."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nudgebot.domain.checkins import checkin_is_open, clean_note
from nudgebot.domain.schedule import local_date_of
from nudgebot.domain.zones import load_zone
from nudgebot.services import questions
from nudgebot.services.views import NewCheckin, NoteResult, NoteStatus, RateResult, RateStatus
from nudgebot.storage.models import Checkin, User
from nudgebot.storage.uow import UnitOfWork, UowFactory


class CheckinService:
    def __init__(self, uow: UowFactory) -> None:
        self._uow = uow

    async def ask_now(self, chat_id: int, now: datetime) -> NewCheckin | None:
        """A check-in the user asked for; None until consent and a time zone are given."""
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            if user is None or user.consent_at is None or user.timezone is None:
                return None
            local_date = local_date_of(now, load_zone(user.timezone))
            if user.awaiting != questions.PLAN:
                # They asked to check in: whatever was asked before is no longer open.
                user.awaiting, user.awaiting_ref = None, None
            checkin = await uow.checkins.add(
                Checkin(user_id=user.id, local_date=local_date, slot="asked", created_at=now)
            )
            await uow.commit()
            return NewCheckin(checkin_id=checkin.id, chat_id=chat_id)

    async def prompt_sent(self, checkin_id: int, message_id: int) -> None:
        async with self._uow() as uow:
            await uow.checkins.set_message_ids([(checkin_id, message_id)])
            await uow.commit()

    async def rate(
        self,
        chat_id: int,
        checkin_id: int,
        rating: int,
        now: datetime,
        message_id: int | None = None,
    ) -> RateResult:
        """Record a press on a prompt's button; it must be the presser's own, open prompt."""
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            checkin = await uow.checkins.by_id(checkin_id)
            if (
                user is None
                or checkin is None
                or checkin.user_id != user.id
                or (message_id is not None and checkin.message_id not in (None, message_id))
            ):
                return RateResult(RateStatus.UNKNOWN)
            result = await _record(uow, user, checkin, rating, now)
            await uow.commit()
            return result

    async def rate_latest(self, chat_id: int, rating: int, now: datetime) -> RateResult:
        """A typed 1-5 answers the most recent prompt, if it is still open."""
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            if user is None or user.consent_at is None:
                return RateResult(RateStatus.NOT_READY)
            checkin = await uow.checkins.latest_shown(user.id)
            if checkin is None or checkin.rating is not None:
                return RateResult(RateStatus.NONE_OPEN)
            result = await _record(uow, user, checkin, rating, now)
            if result.status is RateStatus.CLOSED:
                return RateResult(RateStatus.NONE_OPEN)
            await uow.commit()
            return result

    async def save_note(self, chat_id: int, text: str, now: datetime) -> NoteResult:
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            if user is None or user.awaiting != questions.NOTE or user.awaiting_ref is None:
                return NoteResult(NoteStatus.NOT_EXPECTED)
            note = clean_note(text)
            if note is None:
                return NoteResult(NoteStatus.TOO_LONG)
            checkin = await uow.checkins.by_id(user.awaiting_ref)
            user.awaiting, user.awaiting_ref = None, None
            if checkin is None or checkin.user_id != user.id:
                await uow.commit()
                return NoteResult(NoteStatus.NOT_EXPECTED)
            checkin.note = note
            await uow.commit()
            return NoteResult(NoteStatus.SAVED, checkin.id)

    async def skip_note(self, chat_id: int, checkin_id: int) -> bool:
        """True if this skip closed the note question the user was being asked."""
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            if user is None or user.awaiting != questions.NOTE or user.awaiting_ref != checkin_id:
                return False
            user.awaiting, user.awaiting_ref = None, None
            await uow.commit()
            return True


async def _record(
    uow: UnitOfWork, user: User, checkin: Checkin, rating: int, now: datetime
) -> RateResult:
    base: dict[str, Any] = {
        "checkin_id": checkin.id,
        "message_id": checkin.message_id,
        "zone": user.timezone,
    }
    if checkin.rating is not None:
        return RateResult(RateStatus.ALREADY, rating=checkin.rating, **base)
    if user.consent_at is None or user.timezone is None:
        return RateResult(RateStatus.NOT_READY, **base)
    if not checkin_is_open(checkin.created_at, now, load_zone(user.timezone)):
        return RateResult(RateStatus.CLOSED, **base)
    checkin.rating, checkin.answered_at = rating, now
    user.awaiting, user.awaiting_ref = questions.NOTE, checkin.id
    return RateResult(RateStatus.RECORDED, rating=rating, **base)
