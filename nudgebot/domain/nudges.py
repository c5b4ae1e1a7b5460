"""Whether to suggest movement after a stress rating, and what kind, plus small wording helpers.

Pure rules: the caller supplies the local time, the counters and the user's settings; nothing here
reads a clock, a database or the network.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from types import MappingProxyType
from typing import Literal

from nudgebot.domain.ratings import RATING_MAX, RATING_MIN

__all__ = [
    "BACKOFF_AFTER",
    "BACKOFF_MIN_DAYS_APART",
    "DEFAULT_DAILY_CAP",
    "DEFAULT_THRESHOLD",
    "DURATION_CHOICES",
    "EVENING_FROM",
    "FOLLOWUP_MARGIN",
    "MINUTES",
    "NIGHT_UNTIL",
    "PRO_MIN_DAYS_CHECKED",
    "PRO_MIN_HIGH_DAYS",
    "PRO_WINDOW_DAYS",
    "SNOOZE_DELAY",
    "DayStress",
    "NudgeContext",
    "Preference",
    "QuietHours",
    "Suggestion",
    "SuggestionKind",
    "backoff_bar",
    "choose_suggestion",
    "followup_delay",
    "format_minutes",
    "is_night",
    "needs_professional_nudge",
    "pick",
]

Preference = Literal["run", "walk", "either"]
SuggestionKind = Literal["steady_run", "walk_run", "breathing_walk"]

DEFAULT_THRESHOLD = 4
DEFAULT_DAILY_CAP = 1

# Late evening and the small hours: a run then tends to wind people up rather than down and can
# cost sleep, so only a short walk with slow breathing is offered.
EVENING_FROM = time(21, 0)
NIGHT_UNTIL = time(5, 30)

# Declines in a row after which the bot eases off, and how far apart eased-off offers must be.
BACKOFF_AFTER = 3
BACKOFF_MIN_DAYS_APART = 2

# Eased-off (gentle) offers are shorter, so that saying yes takes less.
MINUTES: Mapping[tuple[SuggestionKind, bool], tuple[int, int]] = MappingProxyType(
    {
        ("steady_run", False): (10, 15),
        ("walk_run", False): (10, 20),
        ("breathing_walk", False): (5, 10),
        ("walk_run", True): (5, 10),
        ("breathing_walk", True): (3, 5),
    }
)

# Answers to "for how long?"; callback data carrying any other number is forged or stale.
DURATION_CHOICES: tuple[int, ...] = (10, 15, 20, 30)
SNOOZE_DELAY = timedelta(hours=1)
# Time to get back in, catch one's breath and look at the phone before being asked how it went.
FOLLOWUP_MARGIN = timedelta(minutes=5)

PRO_WINDOW_DAYS = 14
PRO_MIN_DAYS_CHECKED = 10
PRO_MIN_HIGH_DAYS = 8


def _require_naive(t: time, what: str) -> None:
    # An aware time would compare against a naive one with a TypeError far from the cause, and
    # a zone attached here would contradict the user's zone the caller already applied.
    if t.tzinfo is not None:
        raise ValueError(f"{what} must be a naive local wall-clock time")


def _require_rating(value: int, what: str) -> None:
    if not RATING_MIN <= value <= RATING_MAX:
        raise ValueError(f"{what} must be between {RATING_MIN} and {RATING_MAX}, got {value}")


@dataclass(frozen=True)
class QuietHours:
    """A daily local window [start, end) that may wrap past midnight; start == end means none."""

    start: time
    end: time

    def __post_init__(self) -> None:
        _require_naive(self.start, "start")
        _require_naive(self.end, "end")

    def contains(self, t: time) -> bool:
        _require_naive(t, "t")
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end


_NIGHT = QuietHours(EVENING_FROM, NIGHT_UNTIL)


def is_night(t: time) -> bool:
    """Late evening or the small hours (21:00 to 05:30 local), whatever the user's quiet hours."""
    return _NIGHT.contains(t)


@dataclass(frozen=True, kw_only=True)
class NudgeContext:
    """Everything the policy needs about one rating; the caller reads it from storage and clock.

    unsolicited_today and days_since_last_unsolicited count only suggestions the bot offered on
    its own (after a check-in), not ones the person asked for. days_since_last_unsolicited is in
    local calendar days (0 = earlier today) and None when there never was one.
    """

    rating: int
    threshold: int = DEFAULT_THRESHOLD
    local_time: time
    quiet_hours: QuietHours | None
    preference: Preference
    low_energy: bool
    unsolicited_today: int
    daily_cap: int = DEFAULT_DAILY_CAP
    declines_in_row: int
    days_since_last_unsolicited: int | None
    solicited: bool

    def __post_init__(self) -> None:
        _require_rating(self.rating, "rating")
        _require_rating(self.threshold, "threshold")
        _require_naive(self.local_time, "local_time")
        if self.preference not in ("run", "walk", "either"):
            raise ValueError(f"unknown preference {self.preference!r}")
        for name in ("unsolicited_today", "daily_cap", "declines_in_row"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.days_since_last_unsolicited is not None and self.days_since_last_unsolicited < 0:
            raise ValueError("days_since_last_unsolicited must not be negative")

    @property
    def backing_off(self) -> bool:
        return self.declines_in_row >= BACKOFF_AFTER


@dataclass(frozen=True)
class Suggestion:
    kind: SuggestionKind
    minutes: tuple[int, int]
    # Use the eased-off wording: the person has said no several times lately.
    gentle: bool


def backoff_bar(threshold: int) -> int:
    """The rating an unsolicited suggestion needs while backing off: one above the threshold."""
    _require_rating(threshold, "threshold")
    return min(threshold + 1, RATING_MAX)


def _allowed(ctx: NudgeContext) -> bool:
    if ctx.solicited:
        # They asked: neither the threshold, the daily cap nor the back-off stands in the way.
        return True
    if ctx.rating < ctx.threshold or ctx.unsolicited_today >= ctx.daily_cap:
        return False
    if not ctx.backing_off:
        return True
    recent = (
        ctx.days_since_last_unsolicited is not None
        and ctx.days_since_last_unsolicited < BACKOFF_MIN_DAYS_APART
    )
    return ctx.rating >= backoff_bar(ctx.threshold) and not recent


def _kind(ctx: NudgeContext, gentle: bool) -> SuggestionKind:
    winding_down = is_night(ctx.local_time) or (
        ctx.quiet_hours is not None and ctx.quiet_hours.contains(ctx.local_time)
    )
    if winding_down:
        return "breathing_walk"
    if gentle or ctx.low_energy or ctx.preference == "walk":
        return "walk_run"
    return "steady_run"


def choose_suggestion(ctx: NudgeContext) -> Suggestion | None:
    """The movement to suggest after this rating, or None to suggest nothing.

    Order of rules: whether to suggest at all (threshold, daily cap, back-off; all waived when
    the person asked), then what: late evening, night and quiet hours give a breathing walk and
    never a run; a walking preference or low energy gives walk-run intervals; else a steady run.
    While backing off, an unsolicited offer is gentle: walk-run or breathing walk, shorter.
    """
    if not _allowed(ctx):
        return None
    gentle = ctx.backing_off and not ctx.solicited
    kind = _kind(ctx, gentle)
    return Suggestion(kind=kind, minutes=MINUTES[(kind, gentle)], gentle=gentle)


def followup_delay(minutes_chosen: int | None, followup_minutes: int) -> timedelta:
    """How long after "going now" to ask how it went: the setting, or longer for a long outing."""
    if followup_minutes < 0:
        raise ValueError("followup_minutes must not be negative")
    base = timedelta(minutes=followup_minutes)
    if minutes_chosen is None:
        return base
    if minutes_chosen < 0:
        raise ValueError("minutes_chosen must not be negative")
    return max(base, timedelta(minutes=minutes_chosen) + FOLLOWUP_MARGIN)


def format_minutes(minutes: tuple[int, int]) -> str:
    """A minutes range as shown in texts: "10–15", or "5" when both ends are equal."""
    low, high = minutes
    return str(low) if low == high else f"{low}–{high}"


def pick(options: Sequence[str], seed: int) -> str:
    """One of the options, chosen by seed: the same seed always gives the same one.

    It rotates through the list, so any len(options) consecutive seeds show every option once
    and consecutive seeds never repeat. Seeding with user id + local date ordinal therefore gives
    each person different words from one day to the next, and different people different words
    on the same day.
    """
    # A bare string is a Sequence[str] too; picking one of its letters is always a wiring bug.
    if isinstance(options, str):
        raise TypeError("options must be a sequence of texts, not a single text")
    if not options:
        raise ValueError("options must not be empty")
    return options[seed % len(options)]


@dataclass(frozen=True)
class DayStress:
    """The highest rating a person gave on one local calendar day."""

    local_date: date
    max_rating: int


def needs_professional_nudge(days: Sequence[DayStress], today: date, threshold: int) -> bool:
    """Whether stress has been high on most of the last two weeks (today included).

    True when at least PRO_MIN_HIGH_DAYS of the last PRO_WINDOW_DAYS local days reached the
    threshold and at least PRO_MIN_DAYS_CHECKED of them had a check-in: with fewer answers there
    is too little to go on. Saying it once only is the caller's job.
    """
    _require_rating(threshold, "threshold")
    first = today - timedelta(days=PRO_WINDOW_DAYS - 1)
    highest: dict[date, int] = {}
    for day in days:
        if first <= day.local_date <= today:
            highest[day.local_date] = max(day.max_rating, highest.get(day.local_date, 0))
    high_days = sum(1 for rating in highest.values() if rating >= threshold)
    return len(highest) >= PRO_MIN_DAYS_CHECKED and high_days >= PRO_MIN_HIGH_DAYS
