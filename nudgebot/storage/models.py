"""Tables. Every instant is stored in UTC; local dates and wall-clock slots are the user's."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL wants room for billions of rows.
BigId = BigInteger().with_variant(Integer(), "sqlite")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite has no time zone type)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime passed to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    language_code: Mapped[str | None] = mapped_column(String(16))
    timezone: Mapped[str | None] = mapped_column(String(64))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    # False after Telegram says the chat is gone (blocked, deleted); true again when they write.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # What the next free-text message answers ("note", "times", "timezone"); kept in the
    # database so a restart does not forget the question the user is answering.
    awaiting: Mapped[str | None] = mapped_column(String(16))
    awaiting_ref: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Nudge preferences (see /settings) and the state of back-off after declined suggestions.
    stress_threshold: Mapped[int] = mapped_column(SmallInteger, default=4, server_default="4")
    preference: Mapped[str] = mapped_column(String(8), default="either", server_default="either")
    quiet_start: Mapped[str | None] = mapped_column(String(5))
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    declines_in_row: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    # ISO 3166 country for helplines, when chosen in /sos; otherwise the time zone decides.
    country: Mapped[str | None] = mapped_column(String(2))
    safety_plan: Mapped[str | None] = mapped_column(Text)
    professional_help_suggested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The weekly summary: weekday (0 = Monday) and wall-clock time in the user's zone.
    summary_weekday: Mapped[int] = mapped_column(SmallInteger, default=6, server_default="6")
    summary_time: Mapped[str] = mapped_column(String(5), default="18:00", server_default="18:00")
    # When crisis language was last seen: no exercise is suggested for a while after it.
    last_crisis_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CheckinTime(Base):
    __tablename__ = "checkin_times"
    __table_args__ = (UniqueConstraint("user_id", "local_time"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    local_time: Mapped[str] = mapped_column(String(5))  # "HH:MM", the user's wall clock


class Delivery(Base):
    """One message that must go out at an instant: the single source of truth for timing."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "local_date", "slot", name="uq_deliveries_once"),
        # The dispatcher's only hot query: pending rows whose run_at has come.
        Index("ix_deliveries_status_run_at", "status", "run_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    local_date: Mapped[date] = mapped_column(Date)
    slot: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when it was meant to arrive
    run_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when to try next (retries move it)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    # The row this delivery is about, for kinds that have one (a follow-up's suggestion).
    ref_id: Mapped[int | None] = mapped_column(BigInteger)


class Checkin(Base):
    """A stress question put to the user, and their answer once they give it."""

    __tablename__ = "checkins"
    __table_args__ = (Index("ix_checkins_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("deliveries.id", ondelete="SET NULL"), unique=True
    )
    local_date: Mapped[date] = mapped_column(Date)
    slot: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)


class Suggestion(Base):
    """A run or walk the bot offered, and what the person made of it."""

    __tablename__ = "suggestions"
    __table_args__ = (Index("ix_suggestions_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    checkin_id: Mapped[int | None] = mapped_column(ForeignKey("checkins.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    local_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    minutes_low: Mapped[int] = mapped_column(SmallInteger)
    minutes_high: Mapped[int] = mapped_column(SmallInteger)
    solicited: Mapped[bool] = mapped_column(Boolean, default=False)
    stress_before: Mapped[int | None] = mapped_column(SmallInteger)
    # offered -> going | snoozed | declined; going -> done | missed (after the follow-up)
    status: Mapped[str] = mapped_column(String(10), default="offered")
    chosen_minutes: Mapped[int | None] = mapped_column(SmallInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Activity(Base):
    """A run or walk that happened, with stress before and after where known."""

    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_user_date", "user_id", "local_date"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    suggestion_id: Mapped[int | None] = mapped_column(
        ForeignKey("suggestions.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(8))  # "run" | "walk"
    minutes: Mapped[int | None] = mapped_column(SmallInteger)
    stress_before: Mapped[int | None] = mapped_column(SmallInteger)
    stress_after: Mapped[int | None] = mapped_column(SmallInteger)
    source: Mapped[str] = mapped_column(String(10))  # "suggested" | "logged"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    local_date: Mapped[date] = mapped_column(Date)


class ProcessedUpdate(Base):
    """Telegram update ids already handled, so a redelivered update is handled once."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class CrisisEvent(Base):
    """A message that reached a tier of the crisis screen: the tier and when, never the words.

    The safety question ("Are you having thoughts of ending your life?") is asked about the
    row, and the answer is kept with it, so a second or forged press changes nothing.
    """

    __tablename__ = "crisis_events"
    __table_args__ = (Index("ix_crisis_events_user_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    tier: Mapped[str] = mapped_column(String(10))  # "clear" | "uncertain"
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The answer to the safety question: "yes" | "no" | "rather_not"; None until answered.
    answer: Mapped[str | None] = mapped_column(String(10))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
