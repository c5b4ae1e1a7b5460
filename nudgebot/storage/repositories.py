"""Queries, grouped by the table they serve. Only this package speaks SQL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import case, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.storage.models import (
    Activity,
    Checkin,
    CheckinTime,
    Delivery,
    ProcessedUpdate,
    Suggestion,
    User,
)


class UserRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def is_inactive(self, chat_id: int) -> bool:
        """Whether this chat has an account that Telegram told us is gone (cheap: no ORM)."""
        active = await self._s.scalar(select(User.active).where(User.chat_id == chat_id))
        return active is False

    async def by_chat(self, chat_id: int) -> User | None:
        return (
            await self._s.execute(select(User).where(User.chat_id == chat_id))
        ).scalar_one_or_none()

    async def by_id(self, user_id: int) -> User | None:
        return await self._s.get(User, user_id)

    async def by_ids(self, user_ids: Iterable[int]) -> dict[int, User]:
        ids = set(user_ids)
        if not ids:
            return {}
        rows = (await self._s.execute(select(User).where(User.id.in_(ids)))).scalars()
        return {u.id: u for u in rows}

    async def add(self, user: User) -> User:
        self._s.add(user)
        await self._s.flush()
        return user

    async def get_or_create(self, new: User) -> User:
        """The user with new.chat_id, inserting `new` if there is none yet."""
        found = await self.by_chat(new.chat_id)
        if found is not None:
            return found
        try:
            async with self._s.begin_nested():
                self._s.add(new)
            return new
        except IntegrityError:  # another process created it a moment ago
            found = await self.by_chat(new.chat_id)
            assert found is not None
            return found

    async def delete(self, user: User) -> None:
        await self._s.delete(user)
        await self._s.flush()

    async def times(self, user_id: int) -> list[str]:
        rows = await self._s.execute(
            select(CheckinTime.local_time)
            .where(CheckinTime.user_id == user_id)
            .order_by(CheckinTime.local_time)
        )
        return list(rows.scalars())

    async def times_for(self, user_ids: Iterable[int]) -> dict[int, list[str]]:
        ids = set(user_ids)
        result: dict[int, list[str]] = {i: [] for i in ids}
        if not ids:
            return result
        rows = await self._s.execute(
            select(CheckinTime.user_id, CheckinTime.local_time)
            .where(CheckinTime.user_id.in_(ids))
            .order_by(CheckinTime.local_time)
        )
        for user_id, local_time in rows:
            result[user_id].append(local_time)
        return result

    async def replace_times(self, user_id: int, times: Sequence[str]) -> None:
        await self._s.execute(delete(CheckinTime).where(CheckinTime.user_id == user_id))
        self._s.add_all(CheckinTime(user_id=user_id, local_time=t) for t in times)
        await self._s.flush()

    async def summary_owners(self, chat_ids: Iterable[int]) -> dict[int, tuple[int, str, int]]:
        """By chat id: (user id, time zone, stress threshold) of those of these chats whose
        user has consented and set a time zone, the ones a weekly summary can be made for."""
        chats = set(chat_ids)
        if not chats:
            return {}
        rows = await self._s.execute(
            select(User.chat_id, User.id, User.timezone, User.stress_threshold).where(
                User.chat_id.in_(chats),
                User.consent_at.is_not(None),
                User.timezone.is_not(None),
            )
        )
        return {
            chat: (uid, zone, threshold) for chat, uid, zone, threshold in rows if zone is not None
        }


class CheckinRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add(self, checkin: Checkin) -> Checkin:
        self._s.add(checkin)
        await self._s.flush()
        return checkin

    async def add_many(self, rows: Sequence[dict[str, object]]) -> list[int]:
        """Insert check-ins given as column values in one statement; their ids, in order."""
        if not rows:
            return []
        ids = await self._s.scalars(
            insert(Checkin).returning(Checkin.id, sort_by_parameter_order=True), rows
        )
        return list(ids)

    async def by_id(self, checkin_id: int) -> Checkin | None:
        return await self._s.get(Checkin, checkin_id)

    async def all_for(self, user_id: int) -> list[Checkin]:
        rows = await self._s.execute(
            select(Checkin).where(Checkin.user_id == user_id).order_by(Checkin.created_at)
        )
        return list(rows.scalars())

    async def latest_shown(self, user_id: int) -> Checkin | None:
        """The newest prompt known to be on the user's screen (its message id is recorded)."""
        return (
            await self._s.execute(
                select(Checkin)
                .where(Checkin.user_id == user_id, Checkin.message_id.is_not(None))
                .order_by(Checkin.created_at.desc(), Checkin.id.desc())
                .limit(1)
            )
        ).scalar_one_or_none()

    async def daily_max_ratings(self, user_id: int, since: date) -> list[tuple[date, int]]:
        """The highest rating of each local day from `since` on, computed in SQL."""
        rows = await self._s.execute(
            select(Checkin.local_date, func.max(Checkin.rating))
            .where(
                Checkin.user_id == user_id,
                Checkin.local_date >= since,
                Checkin.rating.is_not(None),
            )
            .group_by(Checkin.local_date)
            .order_by(Checkin.local_date)
        )
        return [(d, int(r)) for d, r in rows if r is not None]

    async def ratings_between(
        self, user_id: int, first: date, last: date
    ) -> list[tuple[date, int]]:
        rows = await self._s.execute(
            select(Checkin.local_date, Checkin.rating)
            .where(
                Checkin.user_id == user_id,
                Checkin.local_date >= first,
                Checkin.local_date <= last,
                Checkin.rating.is_not(None),
            )
            .order_by(Checkin.answered_at)
        )
        return [(d, int(r)) for d, r in rows if r is not None]

    async def recent_rating(self, user_id: int, since: datetime) -> int | None:
        """The latest rating given since `since`, if any."""
        return (
            await self._s.execute(
                select(Checkin.rating)
                .where(
                    Checkin.user_id == user_id,
                    Checkin.rating.is_not(None),
                    Checkin.answered_at >= since,
                )
                .order_by(Checkin.answered_at.desc())
                .limit(1)
            )
        ).scalar_one_or_none()

    async def set_message_ids(self, pairs: Iterable[tuple[int, int]]) -> None:
        values = [{"id": checkin_id, "message_id": message_id} for checkin_id, message_id in pairs]
        if values:
            # An ORM bulk UPDATE by primary key: one executemany, not a statement per row.
            await self._s.execute(update(Checkin), values)

    async def delete_for_deliveries(self, delivery_ids: Iterable[int]) -> None:
        ids = list(delivery_ids)
        if ids:
            await self._s.execute(delete(Checkin).where(Checkin.delivery_id.in_(ids)))

    async def for_delivery(self, delivery_ids: Iterable[int]) -> dict[int, int]:
        ids = list(delivery_ids)
        if not ids:
            return {}
        rows = await self._s.execute(
            select(Checkin.delivery_id, Checkin.id).where(Checkin.delivery_id.in_(ids))
        )
        return {d: c for d, c in rows if d is not None}

    async def day_totals_many(
        self, user_ids: Iterable[int], first: date, last: date
    ) -> dict[int, list[tuple[date, int, int, int, int | None]]]:
        """Per user and local day: prompts, ratings given, their sum and maximum, in one
        grouped query (users with no rows in the range are left out)."""
        ids = set(user_ids)
        result: dict[int, list[tuple[date, int, int, int, int | None]]] = {}
        if not ids:
            return result
        rows = await self._s.execute(
            select(
                Checkin.user_id,
                Checkin.local_date,
                func.count(),
                func.count(Checkin.rating),
                func.coalesce(func.sum(Checkin.rating), 0),
                func.max(Checkin.rating),
            )
            .where(
                Checkin.user_id.in_(ids),
                Checkin.local_date >= first,
                Checkin.local_date <= last,
            )
            .group_by(Checkin.user_id, Checkin.local_date)
        )
        for user_id, d, n, a, total, top in rows:
            result.setdefault(user_id, []).append((d, int(n), int(a), int(total or 0), top))
        return result


class DeliveryRepo:
    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self._s = session
        self._dialect = dialect

    async def claim_due(self, now: datetime, limit: int) -> list[Delivery]:
        """Pending rows whose time has come, locked against other dispatchers."""
        query = (
            select(Delivery)
            .where(Delivery.status == "pending", Delivery.run_at <= now)
            .order_by(Delivery.run_at)
            .limit(limit)
        )
        if self._dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return list((await self._s.execute(query)).scalars())

    async def add_pending(
        self,
        user_id: int,
        kind: str,
        local_date: date,
        slot: str,
        due_at: datetime,
        ref_id: int | None = None,
    ) -> bool:
        """Insert unless (user, kind, local date, slot) exists already; True if inserted."""
        values = {
            "user_id": user_id,
            "kind": kind,
            "local_date": local_date,
            "slot": slot,
            "due_at": due_at,
            "run_at": due_at,
            "status": "pending",
            "attempts": 0,
            "ref_id": ref_id,
        }
        upsert = pg_insert if self._dialect == "postgresql" else sqlite_insert
        stmt = upsert(Delivery).values(**values).on_conflict_do_nothing()
        result = await self._s.execute(stmt)
        return bool(getattr(result, "rowcount", 0))

    async def add_pending_many(self, rows: Sequence[tuple[int, str, str, date, datetime]]) -> None:
        """add_pending for many (user id, kind, slot, local date, due) in one statement."""
        if not rows:
            return
        upsert = pg_insert if self._dialect == "postgresql" else sqlite_insert
        await self._s.execute(
            upsert(Delivery).on_conflict_do_nothing(),
            [
                {
                    "user_id": user_id,
                    "kind": kind,
                    "local_date": local_date,
                    "slot": slot,
                    "due_at": due_at,
                    "run_at": due_at,
                    "status": "pending",
                    "attempts": 0,
                    "ref_id": None,
                }
                for user_id, kind, slot, local_date, due_at in rows
            ],
        )

    async def slot_rows_many(
        self, user_ids: Iterable[int], kind: str, since: date
    ) -> dict[tuple[int, str], list[tuple[date, str]]]:
        """(local date, status) of these users' rows of `kind` from `since` on, by user and slot."""
        ids = list(user_ids)
        result: dict[tuple[int, str], list[tuple[date, str]]] = {}
        if not ids:
            return result
        rows = await self._s.execute(
            select(Delivery.user_id, Delivery.slot, Delivery.local_date, Delivery.status).where(
                Delivery.user_id.in_(ids), Delivery.kind == kind, Delivery.local_date >= since
            )
        )
        for user_id, slot, day, status in rows:
            result.setdefault((user_id, slot), []).append((day, status))
        return result

    async def taken_dates(self, user_id: int, kind: str, slot: str, since: date) -> set[date]:
        """Local dates on which this slot already exists in any state."""
        rows = await self._s.execute(
            select(Delivery.local_date).where(
                Delivery.user_id == user_id,
                Delivery.kind == kind,
                Delivery.slot == slot,
                Delivery.local_date >= since,
            )
        )
        return set(rows.scalars())

    async def delete_pending(self, user_id: int, kinds: Sequence[str] | None = None) -> None:
        """Forget what is still to be sent to this user (of these kinds, or all)."""
        query = delete(Delivery).where(Delivery.user_id == user_id, Delivery.status == "pending")
        if kinds is not None:
            query = query.where(Delivery.kind.in_(kinds))
        await self._s.execute(query)

    async def move_pending(self, user_id: int, kind: str, ref_id: int, due_at: datetime) -> None:
        await self._s.execute(
            update(Delivery)
            .where(
                Delivery.user_id == user_id,
                Delivery.kind == kind,
                Delivery.ref_id == ref_id,
                Delivery.status == "pending",
            )
            .values(due_at=due_at, run_at=due_at)
        )

    async def next_due(self, user_id: int, kind: str = "checkin") -> datetime | None:
        return (
            await self._s.execute(
                select(func.min(Delivery.due_at)).where(
                    Delivery.user_id == user_id,
                    Delivery.kind == kind,
                    Delivery.status == "pending",
                )
            )
        ).scalar_one_or_none()

    async def by_ids(self, ids: Iterable[int]) -> list[Delivery]:
        wanted = list(ids)
        if not wanted:
            return []
        return list(
            (await self._s.execute(select(Delivery).where(Delivery.id.in_(wanted)))).scalars()
        )

    async def expire_sending(self, claimed_before: datetime, now: datetime) -> int:
        """Rows left in "sending" by a process that died: we cannot know if they arrived."""
        result = await self._s.execute(
            update(Delivery)
            .where(Delivery.status == "sending", Delivery.claimed_at < claimed_before)
            .values(status="unknown", finished_at=now)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def oldest_due(self, now: datetime) -> datetime | None:
        return (
            await self._s.execute(
                select(func.min(Delivery.run_at)).where(
                    Delivery.status == "pending", Delivery.run_at <= now
                )
            )
        ).scalar_one_or_none()


class SuggestionRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add(self, suggestion: Suggestion) -> Suggestion:
        self._s.add(suggestion)
        await self._s.flush()
        return suggestion

    async def by_id(self, suggestion_id: int) -> Suggestion | None:
        return await self._s.get(Suggestion, suggestion_id)

    async def by_ids(self, ids: Iterable[int | None]) -> dict[int, Suggestion]:
        wanted = {i for i in ids if i is not None}
        if not wanted:
            return {}
        rows = await self._s.execute(select(Suggestion).where(Suggestion.id.in_(wanted)))
        return {s.id: s for s in rows.scalars()}

    async def all_for(self, user_id: int) -> list[Suggestion]:
        rows = await self._s.execute(
            select(Suggestion).where(Suggestion.user_id == user_id).order_by(Suggestion.created_at)
        )
        return list(rows.scalars())

    async def unsolicited_on(self, user_id: int, local_date: date) -> int:
        return int(
            (
                await self._s.execute(
                    select(func.count()).where(
                        Suggestion.user_id == user_id,
                        Suggestion.local_date == local_date,
                        Suggestion.solicited.is_(False),
                    )
                )
            ).scalar_one()
        )

    async def last_unsolicited_date(self, user_id: int) -> date | None:
        return (
            await self._s.execute(
                select(func.max(Suggestion.local_date)).where(
                    Suggestion.user_id == user_id, Suggestion.solicited.is_(False)
                )
            )
        ).scalar_one_or_none()

    async def withdraw_open(self, user_id: int, now: datetime) -> list[Suggestion]:
        """Offers still waiting for an answer; they are withdrawn (crisis, new offer)."""
        rows = list(
            (
                await self._s.execute(
                    select(Suggestion).where(
                        Suggestion.user_id == user_id,
                        Suggestion.status.in_(("offered", "snoozed")),
                    )
                )
            ).scalars()
        )
        for row in rows:
            row.status, row.responded_at = "withdrawn", now
        return rows


class ActivityRepo:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add(self, activity: Activity) -> Activity:
        self._s.add(activity)
        await self._s.flush()
        return activity

    async def by_id(self, activity_id: int) -> Activity | None:
        return await self._s.get(Activity, activity_id)

    async def between(self, user_id: int, first: date, last: date) -> list[Activity]:
        rows = await self._s.execute(
            select(Activity)
            .where(
                Activity.user_id == user_id,
                Activity.local_date >= first,
                Activity.local_date <= last,
            )
            .order_by(Activity.created_at)
        )
        return list(rows.scalars())

    async def all_for(self, user_id: int) -> list[Activity]:
        rows = await self._s.execute(
            select(Activity).where(Activity.user_id == user_id).order_by(Activity.created_at)
        )
        return list(rows.scalars())

    async def day_totals_many(
        self, user_ids: Iterable[int], first: date, last: date
    ) -> dict[int, list[tuple[date, int, int, int, int]]]:
        """Per user and local day: activities, their minutes, runs and walks, in one grouped
        query (users with no rows in the range are left out)."""
        ids = set(user_ids)
        result: dict[int, list[tuple[date, int, int, int, int]]] = {}
        if not ids:
            return result
        rows = await self._s.execute(
            select(
                Activity.user_id,
                Activity.local_date,
                func.count(),
                func.coalesce(func.sum(Activity.minutes), 0),
                func.sum(case((Activity.kind == "run", 1), else_=0)),
                func.sum(case((Activity.kind == "walk", 1), else_=0)),
            )
            .where(
                Activity.user_id.in_(ids),
                Activity.local_date >= first,
                Activity.local_date <= last,
            )
            .group_by(Activity.user_id, Activity.local_date)
        )
        for user_id, d, n, m, r, w in rows:
            result.setdefault(user_id, []).append((d, int(n), int(m), int(r), int(w)))
        return result

    async def changes_many(
        self, user_ids: Iterable[int], first: date, last: date
    ) -> dict[int, list[tuple[int, int]]]:
        """Per user, (stress before, after) of each activity that has both (users with none
        are left out)."""
        ids = set(user_ids)
        result: dict[int, list[tuple[int, int]]] = {}
        if not ids:
            return result
        rows = await self._s.execute(
            select(Activity.user_id, Activity.stress_before, Activity.stress_after).where(
                Activity.user_id.in_(ids),
                Activity.local_date >= first,
                Activity.local_date <= last,
                Activity.stress_before.is_not(None),
                Activity.stress_after.is_not(None),
            )
        )
        for user_id, b, a in rows:
            if b is not None and a is not None:
                result.setdefault(user_id, []).append((int(b), int(a)))
        return result


class UpdateRepo:
    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self._s = session
        self._dialect = dialect

    async def first_time(self, update_id: int, now: datetime) -> bool:
        """Record the update; False if it was recorded before."""
        insert = pg_insert if self._dialect == "postgresql" else sqlite_insert
        result = await self._s.execute(
            insert(ProcessedUpdate)
            .values(update_id=update_id, seen_at=now)
            .on_conflict_do_nothing()
        )
        return bool(getattr(result, "rowcount", 0))

    async def forget_before(self, before: datetime) -> None:
        await self._s.execute(delete(ProcessedUpdate).where(ProcessedUpdate.seen_at < before))
