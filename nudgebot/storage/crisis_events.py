"""Queries on crisis_events: the tier and time of flagged messages, never their words."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.storage.models import CrisisEvent


class CrisisEventRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add(self, event: CrisisEvent) -> CrisisEvent:
        self._s.add(event)
        await self._s.flush()
        return event

    async def by_id(self, event_id: int) -> CrisisEvent | None:
        return await self._s.get(CrisisEvent, event_id)

    async def all_for(self, user_id: int) -> list[CrisisEvent]:
        rows = await self._s.execute(
            select(CrisisEvent).where(CrisisEvent.user_id == user_id).order_by(CrisisEvent.at)
        )
        return list(rows.scalars())
