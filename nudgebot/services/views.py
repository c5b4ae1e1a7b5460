"""Plain results that services hand to the Telegram adapter and the dispatcher."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, Literal

SetupStep = Literal["consent", "timezone", "times", "done"]


@dataclass(frozen=True)
class Account:
    chat_id: int
    consented: bool
    timezone: str | None
    times: tuple[str, ...]
    paused: bool
    awaiting: str | None
    next_checkin_utc: datetime | None
    stress_threshold: int = 4
    preference: str = "either"
    quiet_hours: tuple[str, str] | None = None
    summary_weekday: int = 6
    summary_time: str = "18:00"

    @property
    def setup_step(self) -> SetupStep:
        """Onboarding is whatever is still missing, in this order; nothing else to remember."""
        if not self.consented:
            return "consent"
        if self.timezone is None:
            return "timezone"
        if not self.times:
            return "times"
        return "done"


class RateStatus(Enum):
    RECORDED = "recorded"
    ALREADY = "already"
    CLOSED = "closed"
    UNKNOWN = "unknown"  # no such prompt for this user: stale, forged or someone else's
    NONE_OPEN = "none_open"
    NOT_READY = "not_ready"  # no consent yet


@dataclass(frozen=True)
class RateResult:
    status: RateStatus
    checkin_id: int | None = None
    rating: int | None = None
    message_id: int | None = None
    zone: str | None = None


class NoteStatus(Enum):
    SAVED = "saved"
    TOO_LONG = "too_long"
    NOT_EXPECTED = "not_expected"


@dataclass(frozen=True)
class NoteResult:
    status: NoteStatus
    checkin_id: int | None = None


@dataclass(frozen=True)
class NewCheckin:
    checkin_id: int
    chat_id: int


@dataclass(frozen=True)
class Outgoing:
    """A claimed delivery for the sender to put on the wire."""

    delivery_id: int
    kind: str
    chat_id: int
    ref_id: int  # the check-in or suggestion the message is about
    late: bool
    attempt: int
    details: Mapping[str, Any] = field(default_factory=dict)


class Outcome(Enum):
    SENT = "sent"
    RETRY = "retry"  # definitely not delivered (refused, 429, 5xx): try again later
    UNKNOWN = "unknown"  # may have arrived (timeout): never resend blindly
    FAILED = "failed"  # Telegram rejected this message
    GONE = "gone"  # the chat is unreachable (blocked, deleted): stop until they write


@dataclass(frozen=True)
class SendResult:
    delivery_id: int
    outcome: Outcome
    message_id: int | None = None
    retry_after_seconds: float = 0.0
