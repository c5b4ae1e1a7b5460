"""Rules for when a check-in prompt can still be answered, and what a note may be."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from nudgebot.domain.schedule import local_date_of

# A prompt sent late in the evening can still be answered a little after midnight.
ANSWER_WINDOW_AFTER_MIDNIGHT = timedelta(hours=3)
NOTE_MAX_CHARS = 500


def checkin_is_open(created_at: datetime, now: datetime, zone: tzinfo) -> bool:
    """An unanswered prompt is open on its own local day, or for a few hours after it was sent."""
    if now - created_at <= ANSWER_WINDOW_AFTER_MIDNIGHT:
        return True
    return local_date_of(created_at, zone) == local_date_of(now, zone)


def clean_note(text: str) -> str | None:
    """The note to store, or None if it is too long to keep (the user is asked to shorten it)."""
    note = " ".join(text.split())
    return note if 0 < len(note) <= NOTE_MAX_CHARS else None
