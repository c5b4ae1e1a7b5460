"""The open questions a person's next free text can answer (stored in users.awaiting)."""

from __future__ import annotations

NOTE = "note"  # a few words about the check-in just rated
AFTER = "after"  # how stressed they feel after moving
PLAN = "plan"  # their safety plan
COUNTRY = "country"  # which country's helplines to show
TIMES = "times"
TIMEZONE = "timezone"
SUMMARY = "summary"  # weekly summary day and time
QUIET = "quiet"  # quiet hours
