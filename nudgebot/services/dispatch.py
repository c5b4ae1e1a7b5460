"""Use cases of the clock: claim what is due, then record how sending went."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from nudgebot.domain.nudges import choose_suggestion
from nudgebot.services import questions
from nudgebot.services.nudges import (
    FOLLOWUP,
    SNOOZE,
    calm_after_crisis,
    choose_for,
    offer_of,
)
from nudgebot.services.planning import (
    CHECKIN,
    SUMMARY,
    plan_slots,
    plan_summary,
    wants_checkins,
)
from nudgebot.services.views import Outcome, Outgoing, SendResult
from nudgebot.storage.models import Delivery, Suggestion, User
from nudgebot.storage.uow import UnitOfWork, UowFactory

# A claim older than this whose process never reported back died mid-send.
SENDING_LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
REMEMBER_UPDATES = timedelta(days=2)
# Past this, the prompt apologises for coming late.
LATE_AFTER = timedelta(minutes=2)
# Follow-ups and snoozes this late are dropped rather than sent.
NUDGE_STALE = timedelta(hours=2)


class Claimed(list[Outgoing]):
    """The deliveries to send now. `rows` counts every row the claim settled, including the
    missed and cancelled ones, so a backlog of those is drained without waiting for ticks."""

    def __init__(self, items: list[Outgoing], rows: int) -> None:
        super().__init__(items)
        self.rows = rows


class DispatchService:
    def __init__(self, uow: UowFactory, grace: timedelta) -> None:
        self._uow = uow
        self._grace = grace

    async def claim_due(self, now: datetime, limit: int) -> Claimed:
        """Lock up to `limit` due rows, mark them sending, and schedule what follows them."""
        async with self._uow() as uow:
            rows = await uow.deliveries.claim_due(now, limit)
            if not rows:
                return Claimed([], 0)
            users = await uow.users.by_ids(r.user_id for r in rows)
            times = await uow.users.times_for(users)
            suggestions = await uow.suggestions.by_ids(r.ref_id for r in rows if r.ref_id)
            claimed = await self._claim_checkins(
                uow, [r for r in rows if r.kind == CHECKIN], users, times, now
            )
            for row in rows:
                user = users[row.user_id]
                if row.kind == SUMMARY:
                    item = await self._claim_summary(uow, row, user, now)
                elif row.kind != CHECKIN:
                    suggestion = suggestions.get(row.ref_id) if row.ref_id else None
                    item = await _claim_nudge(uow, row, user, suggestion, now)
                else:
                    continue
                if item is not None:
                    claimed.append(item)
            await uow.commit()
        return Claimed(claimed, len(rows))

    async def _claim_checkins(
        self,
        uow: UnitOfWork,
        rows: list[Delivery],
        users: dict[int, User],
        times: dict[int, list[str]],
        now: datetime,
    ) -> list[Outgoing]:
        """Check-ins in bulk (a herd is all check-ins): each plans its next one, in this same
        transaction so the series cannot break here, and becomes a question to send."""
        live: list[Delivery] = []
        for row in rows:
            user = users[row.user_id]
            if wants_checkins(user) and row.slot in times[user.id]:
                live.append(row)
            else:
                _finish(row, "cancelled", now)
        await plan_slots(
            uow, [(users[r.user_id], r.slot, max(r.due_at, now - self._grace)) for r in live]
        )
        due: list[Delivery] = []
        for row in live:
            if now - row.due_at > self._grace:
                _finish(row, "missed", now)
                continue
            user = users[row.user_id]
            if user.awaiting != questions.PLAN:
                # A new question is on its way: whatever was asked before is no longer open.
                user.awaiting, user.awaiting_ref = None, None
            due.append(row)
        checkin_ids = await uow.checkins.add_many(
            [
                {
                    "user_id": row.user_id,
                    "delivery_id": row.id,
                    "local_date": row.local_date,
                    "slot": row.slot,
                    "created_at": now,
                }
                for row in due
            ]
        )
        return [
            _sending(row, users[row.user_id], now, ref_id=checkin_id)
            for row, checkin_id in zip(due, checkin_ids, strict=True)
        ]

    async def _claim_summary(
        self, uow: UnitOfWork, row: Delivery, user: User, now: datetime
    ) -> Outgoing | None:
        if not wants_checkins(user):
            _finish(row, "cancelled", now)
            return None
        await plan_summary(uow, user, max(row.due_at, now - self._grace))
        if now - row.due_at > self._grace:
            _finish(row, "missed", now)
            return None
        return _sending(row, user, now, ref_id=row.id, details={"week_end": row.local_date})

    async def record(self, results: Sequence[SendResult], now: datetime) -> None:
        """Store what happened to each claimed row, in one transaction."""
        if not results:
            return
        async with self._uow() as uow:
            rows = {r.id: r for r in await uow.deliveries.by_ids(x.delivery_id for x in results)}
            checkin_of = await uow.checkins.for_delivery(rows)
            undelivered: list[int] = []
            message_ids: list[tuple[int, int]] = []
            for result in results:
                row = rows.get(result.delivery_id)
                if row is None or row.status != "sending":
                    continue  # deleted by /delete meanwhile, or expired by the sweeper
                match result.outcome:
                    case Outcome.SENT:
                        _finish(row, "sent", now)
                        row.message_id = result.message_id
                        if row.id in checkin_of and result.message_id is not None:
                            message_ids.append((checkin_of[row.id], result.message_id))
                        if row.kind == SNOOZE and row.ref_id is not None:
                            await _reoffered(uow, row.ref_id, result.message_id)
                    case Outcome.RETRY if row.attempts < MAX_ATTEMPTS:
                        row.status = "pending"
                        row.run_at = now + timedelta(seconds=result.retry_after_seconds)
                        undelivered.append(row.id)
                    case Outcome.UNKNOWN:
                        _finish(row, "unknown", now)
                    case Outcome.GONE:
                        _finish(row, "failed", now)
                        undelivered.append(row.id)
                        await _deactivate(uow, row.user_id)
                    case _:
                        _finish(row, "failed", now)
                        undelivered.append(row.id)
            await uow.checkins.delete_for_deliveries(undelivered)
            await uow.checkins.set_message_ids(message_ids)
            await uow.commit()

    async def expire_stale(self, now: datetime) -> int:
        """Rows a crashed process left in flight become "unknown": never sent twice."""
        async with self._uow() as uow:
            count = await uow.deliveries.expire_sending(now - SENDING_LEASE, now)
            # Housekeeping rides along: update ids old enough never to be redelivered.
            await uow.updates.forget_before(now - REMEMBER_UPDATES)
            await uow.commit()
            return count

    async def lag_seconds(self, now: datetime) -> float:
        """How far behind due work the dispatcher is (0 when nothing is overdue)."""
        async with self._uow() as uow:
            oldest = await uow.deliveries.oldest_due(now)
        return max(0.0, (now - oldest).total_seconds()) if oldest else 0.0


async def _claim_nudge(
    uow: UnitOfWork, row: Delivery, user: User, suggestion: Suggestion | None, now: datetime
) -> Outgoing | None:
    """A follow-up ("did you get out?") or a snooze coming back ("how about now?")."""
    expected = {FOLLOWUP: "going", SNOOZE: "snoozed"}.get(row.kind)
    if (
        suggestion is None
        or suggestion.status != expected
        or not wants_checkins(user)
        # No run, walk or "did you get out?" within a day of a flagged message.
        or calm_after_crisis(user, now)
    ):
        _finish(row, "cancelled", now)
        return None
    if now - row.due_at > NUDGE_STALE:
        # Asking hours later whether they went out, or suggesting a run then, makes no sense.
        _finish(row, "missed", now)
        return None
    details: dict[str, Any] = {}
    if row.kind == SNOOZE and suggestion.stress_before is not None:
        # Re-choose for the time it is now: a snooze from 20:30 comes back as a calm walk.
        chosen = await choose_for(
            uow, user, suggestion.stress_before, now, solicited=True, low_energy=False
        )
        fresh = choose_suggestion(chosen[0]) if chosen else None
        if fresh is not None:
            suggestion.kind = fresh.kind
            suggestion.minutes_low, suggestion.minutes_high = fresh.minutes
        details["offer"] = offer_of(suggestion, user, gentle=False)
    return _sending(row, user, now, ref_id=suggestion.id, details=details)


def _sending(
    row: Delivery, user: User, now: datetime, ref_id: int, details: dict[str, Any] | None = None
) -> Outgoing:
    row.status, row.claimed_at = "sending", now
    row.attempts += 1
    return Outgoing(
        delivery_id=row.id,
        kind=row.kind,
        chat_id=user.chat_id,
        ref_id=ref_id,
        late=now - row.due_at > LATE_AFTER,
        attempt=row.attempts,
        details=details or {},
    )


def _finish(row: Delivery, status: str, now: datetime) -> None:
    row.status, row.finished_at = status, now


async def _reoffered(uow: UnitOfWork, suggestion_id: int, message_id: int | None) -> None:
    suggestion = await uow.suggestions.by_id(suggestion_id)
    if suggestion is not None and suggestion.status == "snoozed":
        suggestion.status, suggestion.message_id = "offered", message_id


async def _deactivate(uow: UnitOfWork, user_id: int) -> None:
    user = await uow.users.by_id(user_id)
    if user is not None:
        user.active = False
        await uow.deliveries.delete_pending(user.id)
