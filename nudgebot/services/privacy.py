"""Use cases for a person's own data: everything we keep, as an export, and deleting it all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from nudgebot.domain.zones import load_zone
from nudgebot.storage.uow import UowFactory


@dataclass(frozen=True)
class Export:
    """All of one person's data, times shown in their own zone."""

    settings: dict[str, Any]
    checkins: list[dict[str, Any]]
    activities: list[dict[str, Any]]
    suggestions: list[dict[str, Any]]
    safety_plan: str | None


class PrivacyService:
    def __init__(self, uow: UowFactory) -> None:
        self._uow = uow

    async def export(self, chat_id: int) -> Export | None:
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            if user is None:
                return None
            zone = load_zone(user.timezone or "UTC")

            def local(instant: datetime | None) -> str | None:
                return instant.astimezone(zone).isoformat(timespec="minutes") if instant else None

            settings = {
                "time_zone": user.timezone,
                "checkin_times": await uow.users.times(user.id),
                "paused": user.paused,
                "consent_given": local(user.consent_at),
                "account_created": local(user.created_at),
                "stress_threshold": user.stress_threshold,
                "preference": user.preference,
                "quiet_hours": (
                    f"{user.quiet_start}-{user.quiet_end}" if user.quiet_start else None
                ),
                "country": user.country,
                "language": user.language_code,
                "weekly_summary": {"weekday": user.summary_weekday, "time": user.summary_time},
                "professional_help_mentioned": local(user.professional_help_suggested_at),
                "crisis_language_last_seen": local(user.last_crisis_at),
            }
            checkins = [
                {
                    "date": c.local_date.isoformat(),
                    "slot": c.slot,
                    "asked": local(c.created_at),
                    "answered": local(c.answered_at),
                    "rating": c.rating,
                    "note": c.note,
                }
                for c in await uow.checkins.all_for(user.id)
            ]
            activities = [
                {
                    "date": a.local_date.isoformat(),
                    "logged": local(a.created_at),
                    "kind": a.kind,
                    "minutes": a.minutes,
                    "stress_before": a.stress_before,
                    "stress_after": a.stress_after,
                    "source": a.source,
                }
                for a in await uow.activities.all_for(user.id)
            ]
            suggestions = [
                {
                    "date": s.local_date.isoformat(),
                    "offered": local(s.created_at),
                    "kind": s.kind,
                    "minutes": f"{s.minutes_low}-{s.minutes_high}",
                    "stress_before": s.stress_before,
                    "answer": s.status,
                    "chosen_minutes": s.chosen_minutes,
                }
                for s in await uow.suggestions.all_for(user.id)
            ]
            return Export(settings, checkins, activities, suggestions, user.safety_plan)

    async def delete_everything(self, chat_id: int) -> bool:
        """Remove the person and, through the foreign keys, every row that belongs to them."""
        async with self._uow() as uow:
            user = await uow.users.by_chat(chat_id)
            if user is None:
                return False
            await uow.users.delete(user)
            await uow.commit()
            return True
