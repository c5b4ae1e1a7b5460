"""Parsing `/log run|walk MINUTES [STRESS_AFTER]`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from nudgebot.domain.ratings import RATING_MAX, RATING_MIN

ActivityKind = Literal["run", "walk"]
MIN_MINUTES = 1
MAX_MINUTES = 300

_KINDS: dict[str, ActivityKind] = {
    "run": "run",
    "ran": "run",
    "running": "run",
    "jog": "run",
    "jogged": "run",
    "walk": "walk",
    "walked": "walk",
    "walking": "walk",
    "hike": "walk",
}


@dataclass(frozen=True)
class LogEntry:
    kind: ActivityKind
    minutes: int
    stress_after: int | None


@dataclass(frozen=True)
class LogError:
    reason: Literal["empty", "kind", "minutes", "minutes_range", "stress", "extra"]
    token: str = ""


def parse_log(args: list[str]) -> LogEntry | LogError:
    """Read the arguments of /log; errors say which part to fix."""
    if not args:
        return LogError("empty")
    kind = _KINDS.get(args[0].lower())
    if kind is None:
        return LogError("kind", args[0])
    if len(args) < 2:
        return LogError("minutes", "")
    raw_minutes = args[1].lower().removesuffix("min").removesuffix("m")
    if not raw_minutes.isascii() or not raw_minutes.isdigit():
        return LogError("minutes", args[1])
    minutes = int(raw_minutes)
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        return LogError("minutes_range", args[1])
    stress: int | None = None
    if len(args) >= 3:
        raw = args[2]
        if not (raw.isascii() and raw.isdigit() and RATING_MIN <= int(raw) <= RATING_MAX):
            return LogError("stress", raw)
        stress = int(raw)
    if len(args) > 3:
        return LogError("extra", " ".join(args[3:]))
    return LogEntry(kind, minutes, stress)
