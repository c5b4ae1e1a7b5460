"""What the screen says about a message: concern levels, tiers, context and the verdict."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Concern(IntEnum):
    """How worrying a text is. Ordered by severity; NONE is falsy, so `if screen.check(t):` works.

    CODED ranks above INDIRECT because slang such as "kms" stands in for an explicit statement,
    while indirect phrases ("I can't go on") only suggest one.
    """

    NONE = 0
    INDIRECT = 1
    CODED = 2
    DIRECT = 3


class Tier(IntEnum):
    """What the bot does about a message: nothing, ask directly, or answer with help."""

    NONE = 0
    # Worrying but not clear: the bot asks "Are you having thoughts of ending your life?".
    UNCERTAIN = 1
    # Clear risk: the crisis reply (helplines, emergency number, grounding, /sos).
    CLEAR = 2


@dataclass(frozen=True)
class ScreenContext:
    """What the bot knows around a message that makes the same words more worrying."""

    # The text is a note written right after a rating at or above the person's threshold.
    after_high_rating: bool = False
    # The bot sent a crisis reply or the safety question recently (within a day).
    after_crisis_reply: bool = False


@dataclass(frozen=True)
class Assessment:
    """The screen's verdict on one message. Holds no user text, so it is safe to log."""

    tier: Tier
    # Which layer decided ("lexicon", "classifier", "context") and what it saw ("direct", ...).
    layer: str | None = None
    category: str | None = None

    def __bool__(self) -> bool:
        return self.tier is not Tier.NONE


NO_CONCERN = Assessment(Tier.NONE)


class CrisisConfigError(ValueError):
    """crisis.toml holds something the screen cannot use; the message names language and entry."""
