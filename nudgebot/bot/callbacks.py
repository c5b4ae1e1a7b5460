"""Callback data of our inline buttons: written and parsed here only.

Every press is untrusted input: data may be stale, from an old version, or forged, so parsing
returns None for anything that is not exactly one of these shapes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CONSENT_YES = "c:yes"
CONSENT_NO = "c:no"
PRIVACY = "c:privacy"
SETTINGS_TIMES = "s:times"
SETTINGS_ZONE = "s:zone"
SETTINGS_PAUSE = "s:pause"
SETTINGS_RESUME = "s:resume"
SETTINGS_SUMMARY = "s:summary"
SETTINGS_THRESHOLD = "s:threshold"
SETTINGS_PREFERENCE = "s:pref"
SETTINGS_QUIET = "s:quiet"
DELETE_YES = "del:yes"
DELETE_NO = "del:no"
SOS_PLAN = "sos:plan"
SOS_COUNTRY = "sos:country"
SIMPLE = frozenset(
    {
        CONSENT_YES,
        CONSENT_NO,
        PRIVACY,
        SETTINGS_TIMES,
        SETTINGS_ZONE,
        SETTINGS_PAUSE,
        SETTINGS_RESUME,
        SETTINGS_SUMMARY,
        SETTINGS_THRESHOLD,
        SETTINGS_PREFERENCE,
        SETTINGS_QUIET,
        DELETE_YES,
        DELETE_NO,
        SOS_PLAN,
        SOS_COUNTRY,
    }
)


@dataclass(frozen=True)
class Rate:
    checkin_id: int
    rating: int


@dataclass(frozen=True)
class SkipNote:
    checkin_id: int


@dataclass(frozen=True)
class PickTime:
    value: str


@dataclass(frozen=True)
class PickZone:
    name: str


@dataclass(frozen=True)
class Simple:
    action: str


@dataclass(frozen=True)
class Nudge:
    """An answer to a suggestion: going, later, not today, or something gentler."""

    suggestion_id: int
    action: str  # "go" | "later" | "no" | "gentler"


@dataclass(frozen=True)
class Duration:
    suggestion_id: int
    minutes: int | None


@dataclass(frozen=True)
class Followup:
    suggestion_id: int
    moved: str | None  # "ran" | "walked" | None for didn't make it


@dataclass(frozen=True)
class StressAfter:
    activity_id: int
    rating: int


@dataclass(frozen=True)
class SafetyAnswer:
    """An answer to "Are you having thoughts of ending your life?" (event 0: nothing kept)."""

    event_id: int
    answer: str  # "yes" | "no" | "rather_not"


Callback = (
    Rate
    | SkipNote
    | PickTime
    | PickZone
    | Simple
    | Nudge
    | Duration
    | Followup
    | StressAfter
    | SafetyAnswer
)

_RATE = re.compile(r"r:(\d{1,18}):([1-5])")
_SKIP = re.compile(r"n:(\d{1,18})")
_TIME = re.compile(r"t:([01]\d|2[0-3]):([0-5]\d)")
_NUDGE = re.compile(r"g:(\d{1,18}):(go|later|no|gentler)")
_DURATION = re.compile(r"d:(\d{1,18}):(\d{1,3})")
_FOLLOWUP = re.compile(r"f:(\d{1,18}):(ran|walked|no)")
_AFTER = re.compile(r"a:(\d{1,18}):([1-5])")
_SAFETY = re.compile(r"q:(\d{1,18}):(yes|no|rather_not)")
_ZONE = re.compile(r"z:([A-Za-z0-9_+\-/:]{1,60})")


def rate(checkin_id: int, rating: int) -> str:
    return f"r:{checkin_id}:{rating}"


def skip_note(checkin_id: int) -> str:
    return f"n:{checkin_id}"


def pick_time(value: str) -> str:
    return f"t:{value}"


def pick_zone(name: str) -> str:
    return f"z:{name}"


def nudge(suggestion_id: int, action: str) -> str:
    return f"g:{suggestion_id}:{action}"


def duration(suggestion_id: int, minutes: int | None) -> str:
    return f"d:{suggestion_id}:{minutes or 0}"


def followup(suggestion_id: int, moved: str | None) -> str:
    return f"f:{suggestion_id}:{moved or 'no'}"


def stress_after(activity_id: int, rating: int) -> str:
    return f"a:{activity_id}:{rating}"


def safety_answer(event_id: int, answer: str) -> str:
    return f"q:{event_id}:{answer}"


def parse(data: str | None) -> Callback | None:
    if not data:
        return None
    if data in SIMPLE:
        return Simple(data)
    if m := _RATE.fullmatch(data):
        return Rate(int(m[1]), int(m[2]))
    if m := _SKIP.fullmatch(data):
        return SkipNote(int(m[1]))
    if m := _TIME.fullmatch(data):
        return PickTime(f"{m[1]}:{m[2]}")
    if m := _NUDGE.fullmatch(data):
        return Nudge(int(m[1]), m[2])
    if m := _DURATION.fullmatch(data):
        minutes = int(m[2])
        return Duration(int(m[1]), minutes or None) if minutes <= 300 else None
    if m := _FOLLOWUP.fullmatch(data):
        return Followup(int(m[1]), None if m[2] == "no" else m[2])
    if m := _AFTER.fullmatch(data):
        return StressAfter(int(m[1]), int(m[2]))
    if m := _SAFETY.fullmatch(data):
        return SafetyAnswer(int(m[1]), m[2])
    if m := _ZONE.fullmatch(data):
        return PickZone(m[1])
    return None
