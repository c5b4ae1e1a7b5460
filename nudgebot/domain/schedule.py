"""When a daily wall-clock check-in time falls, as UTC instants, across DST and zone changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

__all__ = [
    "Occurrence",
    "local_date_of",
    "next_occurrence",
    "next_weekly_occurrence",
    "occurrence_on",
]

# Enough to step over a skipped calendar day (Samoa, 2011-12-30) plus DST shifts with margin;
# running out means the zone data is broken, not that the answer is further away.
_MAX_DAYS_AHEAD = 7


@dataclass(frozen=True)
class Occurrence:
    """One firing of a daily time: the local calendar date it belongs to and its UTC instant."""

    local_date: date
    due_utc: datetime


def _require_aware(instant: datetime, what: str) -> None:
    """Reject naive datetimes, which would silently be read as the host's local time."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")


def _wall_time(local_time: time) -> time:
    """The time as a bare wall-clock reading; an attached zone would contradict `zone`."""
    if local_time.tzinfo is not None:
        raise ValueError("local_time must be naive; pass the zone separately")
    return local_time.replace(fold=0)


def occurrence_on(local_date: date, local_time: time, zone: tzinfo) -> Occurrence:
    """The UTC instant of a wall-clock time on a local date (gap: shifted later; overlap: first)."""
    # fold=0 is what gives both DST rules: in a spring-forward gap zoneinfo applies the offset
    # from before the transition, which lands the instant later by the gap length; in a
    # fall-back overlap it selects the earlier of the two instants.
    naive = datetime.combine(local_date, _wall_time(local_time))
    local = naive.replace(tzinfo=zone, fold=0)
    return Occurrence(local_date=local_date, due_utc=local.astimezone(UTC))


def local_date_of(instant: datetime, zone: tzinfo) -> date:
    """The calendar date an aware instant falls on in the given zone."""
    _require_aware(instant, "instant")
    return instant.astimezone(zone).date()


def _date_exists(local_date: date, zone: tzinfo) -> bool:
    """False for calendar days a zone skipped entirely, such as Pacific/Apia's 2011-12-30."""
    # A day exists iff some instant has it as its local date; if it does, its first moment is
    # either midnight or the end of a gap starting at midnight, and both stay on that date.
    start = occurrence_on(local_date, time(0, 0), zone)
    return local_date_of(start.due_utc, zone) == local_date


def next_occurrence(local_time: time, zone: tzinfo, after: datetime) -> Occurrence:
    """The first occurrence of a daily wall-clock time strictly after an aware instant."""
    _require_aware(after, "after")
    wall = _wall_time(local_time)
    # Start a day early: a time shifted forward out of a late-evening gap belongs to the
    # previous local date yet can still be due after `after`. Dates are walked one at a time,
    # never by adding 24 hours, so DST and offset changes cannot drift the wall time.
    candidate = local_date_of(after, zone) - timedelta(days=1)
    for _ in range(_MAX_DAYS_AHEAD):
        occurrence = occurrence_on(candidate, wall, zone)
        # occurrence_on never decreases with the date (a skipped day merely repeats the next
        # day's instant, hence the existence check), so the first one past `after` is the
        # answer; always using fold=0 means an overlap's second instance is never offered.
        if occurrence.due_utc > after and _date_exists(candidate, zone):
            return occurrence
        candidate += timedelta(days=1)
    raise RuntimeError(f"no occurrence of {wall} within {_MAX_DAYS_AHEAD} days in {zone}")


def next_weekly_occurrence(
    weekday: int, local_time: time, zone: tzinfo, after: datetime
) -> Occurrence:
    """The first occurrence of a weekly wall-clock time (weekday 0 = Monday) after `after`."""
    if not 0 <= weekday <= 6:
        raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")
    occurrence = next_occurrence(local_time, zone, after)
    # Daily occurrences, walked date by date, until one falls on the weekday: at most a week.
    while occurrence.local_date.weekday() != weekday:
        occurrence = next_occurrence(local_time, zone, occurrence.due_utc)
    return occurrence
