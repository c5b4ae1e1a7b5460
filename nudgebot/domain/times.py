"""Parsing and formatting of the wall-clock times people type when choosing check-in times."""

from __future__ import annotations

import re
from datetime import time
from typing import Literal

__all__ = ["TimeParseError", "TimeParseReason", "format_time", "parse_time", "parse_times"]

TimeParseReason = Literal["empty", "format", "range", "too_many"]


class TimeParseError(ValueError):
    """A piece of user text could not be read as one or more times of day."""

    def __init__(self, token: str, reason: TimeParseReason) -> None:
        super().__init__(f"cannot read {token!r} as a time ({reason})")
        self.token = token
        self.reason = reason


_WORDS = {"noon": time(12, 0), "midday": time(12, 0), "midnight": time(0, 0)}

# One pattern for the spellings people use: "pm", "p.m.", "PM", "p m".
_MERIDIEM = re.compile(r"\s*([ap])\.?\s*m\.?\s*$")
# "8", "8:30", "8.30", "8h30", "20h"; minutes always take two digits so "8:5" is a typo, not 08:05.
_SEPARATED = re.compile(r"(\d{1,2})(?:[:.h](\d{2})|h)?")
# "830" / "0830": the last two digits are minutes.
_COMPACT = re.compile(r"(\d{1,2})(\d{2})")


def parse_time(text: str) -> time:
    """Parse one time of day as people type it, e.g. "8:30", "8pm", "20h", "noon"."""
    token = text.strip()
    if not token:
        raise TimeParseError(token, "empty")
    lowered = " ".join(token.casefold().split())

    if lowered in _WORDS:
        return _WORDS[lowered]

    meridiem = _MERIDIEM.search(lowered)
    if meridiem is not None:
        clock = lowered[: meridiem.start()]
        hour, minute = _split_clock(clock, token)
        if not 1 <= hour <= 12 or minute > 59:
            raise TimeParseError(token, "range")
        hour %= 12
        if meridiem.group(1) == "p":
            hour += 12
        return time(hour, minute)

    hour, minute = _split_clock(lowered, token)
    if hour > 23 or minute > 59:
        raise TimeParseError(token, "range")
    return time(hour, minute)


def _split_clock(clock: str, token: str) -> tuple[int, int]:
    """Split the digits of a clock reading into (hour, minute) without range checks."""
    # ASCII only: str.isdigit and \d would also accept superscripts and other scripts' digits.
    if not clock.isascii():
        raise TimeParseError(token, "format")
    match = _SEPARATED.fullmatch(clock)
    if match is not None:
        return int(match.group(1)), int(match.group(2) or 0)
    match = _COMPACT.fullmatch(clock)
    if match is not None:
        return int(match.group(1)), int(match.group(2))
    raise TimeParseError(token, "format")


_SEPARATORS = re.compile(r"[\s,;&]+|\band\b", re.IGNORECASE)
_BARE_MERIDIEM = re.compile(r"[ap]\.?m\.?", re.IGNORECASE)


def parse_times(text: str, max_count: int = 6) -> list[time]:
    """Parse a list of times ("8am, 12:30 and 20h"), returning them sorted and de-duplicated."""
    if max_count < 1:
        raise ValueError("max_count must be at least 1")
    tokens = _tokenize(text)
    if not tokens:
        raise TimeParseError(text.strip(), "empty")

    found: set[time] = set()
    first_error: TimeParseError | None = None
    for token in tokens:
        try:
            found.add(parse_time(token))
        except TimeParseError as error:
            first_error = first_error or error
    # Too many good times is reported first: fixing a typo would not make the list acceptable.
    if len(found) > max_count:
        raise TimeParseError(text.strip(), "too_many")
    if first_error is not None:
        raise first_error
    return sorted(found)


def _tokenize(text: str) -> list[str]:
    """Split on separators, re-attaching a detached "pm"/"am" to the number before it."""
    tokens: list[str] = []
    for piece in _SEPARATORS.split(text):
        if not piece:
            continue
        attachable = bool(tokens) and _MERIDIEM.search(tokens[-1]) is None
        if _BARE_MERIDIEM.fullmatch(piece) and attachable:
            tokens[-1] = f"{tokens[-1]} {piece}"
        else:
            tokens.append(piece)
    return tokens


def format_time(t: time) -> str:
    """Format a time of day as zero-padded 24-hour "HH:MM"."""
    return f"{t.hour:02d}:{t.minute:02d}"


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_weekday(word: str) -> int | None:
    """0 for Monday .. 6 for Sunday, from a full name or any prefix of at least three letters."""
    word = word.strip().lower().rstrip(".,")
    if len(word) < 3:
        return None
    matches = [i for i, name in enumerate(WEEKDAYS) if name.startswith(word)]
    return matches[0] if len(matches) == 1 else None


def parse_weekly(text: str) -> tuple[int, time]:
    """A weekday and a time in either order: "Sunday 18:00", "sun 6pm", "18:00 on Friday"."""
    words = [w for w in text.replace(",", " ").split() if w.lower() not in ("on", "at")]
    days = [(i, d) for i, w in enumerate(words) if (d := parse_weekday(w)) is not None]
    if len(days) != 1:
        raise TimeParseError(text.strip(), "format")
    index, weekday = days[0]
    rest = " ".join(words[:index] + words[index + 1 :])
    if not rest:
        raise TimeParseError(text.strip(), "empty")
    return weekday, parse_time(rest)


def parse_quiet_hours(text: str) -> tuple[time, time] | None:
    """ "22:00-07:00" (or "10pm to 7am") as (start, end); "off"/"none" as None."""
    cleaned = text.strip().lower()
    if cleaned in ("off", "none", "no"):
        return None
    for separator in ("-", "–", " to ", " until "):
        if separator in cleaned:
            start, end = cleaned.split(separator, 1)
            first, last = parse_time(start), parse_time(end)
            if first == last:
                raise TimeParseError(text.strip(), "range")
            return first, last
    raise TimeParseError(text.strip(), "format")
