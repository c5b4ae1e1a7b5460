"""Reading a 1-5 stress rating from a whole-message reply."""

from __future__ import annotations

import re

__all__ = ["RATING_MAX", "RATING_MIN", "parse_rating"]

RATING_MIN = 1
RATING_MAX = 5

_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
# The whole message must be the answer: "3", "3.", "3!", "3/5", "3 of 5", "3 out of 5".
# A number inside a sentence ("I slept 3 hours") is deliberately not read as a rating.
_ANSWER = re.compile(
    r"(?P<value>[0-9]+|[a-z]+)(?:\ufe0f?\u20e3)?"
    r"(?:\s*(?:/|of|out\s+of)\s*(?P<scale>[0-9]+|five))?"
    r"\s*[.!]*"
)


def parse_rating(text: str) -> int | None:
    """The rating (1-5) if the whole message is one, else None."""
    match = _ANSWER.fullmatch(text.strip().casefold())
    if match is None:
        return None
    scale = match.group("scale")
    if scale is not None and scale not in {str(RATING_MAX), "five"}:
        return None
    raw = match.group("value")
    value = int(raw) if raw.isdigit() else _WORDS.get(raw)
    if value is None or not RATING_MIN <= value <= RATING_MAX:
        return None
    return value
