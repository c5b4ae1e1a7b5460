"""Each incoming Telegram update is handled once, even if Telegram delivers it again."""

from __future__ import annotations

from datetime import datetime

from nudgebot.storage.uow import UowFactory


class UpdateLog:
    def __init__(self, uow: UowFactory) -> None:
        self._uow = uow

    async def first_time(self, update_id: int, now: datetime) -> bool:
        async with self._uow() as uow:
            fresh = await uow.updates.first_time(update_id, now)
            await uow.commit()
            return fresh
