"""Each incoming Telegram update is handled once, even if Telegram delivers it again."""

from __future__ import annotations

from datetime import datetime

from nudgebot.services.accounts import reactivate_in
from nudgebot.storage.errors import STORAGE_ERRORS
from nudgebot.storage.uow import UowFactory


class UpdateLog:
    def __init__(self, uow: UowFactory) -> None:
        self._uow = uow

    async def first_time(self, update_id: int, now: datetime, sender: int | None = None) -> bool:
        """Record the update; False if it was handled before.

        `sender` is the private chat the person wrote or tapped in: writing to us again
        resumes check-ins a 403 had stopped, in this same transaction (one per update, not two).
        """
        async with self._uow() as uow:
            fresh = await uow.updates.first_time(update_id, now)
            if fresh and sender is not None:
                await reactivate_in(uow, sender, now)
            await uow.commit()
            return fresh

    async def first_time_if_reachable(
        self, update_id: int, now: datetime, sender: int | None = None
    ) -> bool | None:
        """Like first_time; None when the database does not answer, so that help (/sos, the
        crisis reply) can still be given."""
        try:
            return await self.first_time(update_id, now, sender)
        except STORAGE_ERRORS:
            return None
