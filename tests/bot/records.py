"""What the database holds about one chat, read the way a test (not the bot) would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from nudgebot.storage.models import Checkin, CheckinTime, Delivery, User
from nudgebot.storage.uow import UowFactory


@dataclass(frozen=True)
class Stored:
    """One user's rows: None for `user` when nothing about the chat is kept."""

    user: User | None
    times: list[str]
    checkins: list[Checkin]
    deliveries: list[Delivery]

    @property
    def pending(self) -> list[Delivery]:
        """Check-ins waiting to be sent (the weekly summary has its own row)."""
        return [d for d in self.deliveries if d.status == "pending" and d.kind == "checkin"]

    @property
    def summaries(self) -> list[Delivery]:
        return [d for d in self.deliveries if d.kind == "summary"]

    @property
    def ratings(self) -> list[int | None]:
        return [c.rating for c in self.checkins]


async def stored(uow: UowFactory, chat_id: int) -> Stored:
    async with uow() as u:
        user = await u.users.by_chat(chat_id)
        if user is None:
            return Stored(None, [], [], [])
        times = await u.session.scalars(
            select(CheckinTime.local_time)
            .where(CheckinTime.user_id == user.id)
            .order_by(CheckinTime.local_time)
        )
        checkins = await u.session.scalars(
            select(Checkin).where(Checkin.user_id == user.id).order_by(Checkin.id)
        )
        deliveries = await u.session.scalars(
            select(Delivery).where(Delivery.user_id == user.id).order_by(Delivery.id)
        )
        return Stored(user, list(times), list(checkins), list(deliveries))


async def count(uow: UowFactory, model: type[User | Checkin | Delivery | CheckinTime]) -> int:
    async with uow() as u:
        return int(await u.session.scalar(select(func.count()).select_from(model)) or 0)


def due_dates(rows: list[Delivery]) -> list[tuple[date, str, datetime]]:
    return [(d.local_date, d.slot, d.due_at) for d in rows]
