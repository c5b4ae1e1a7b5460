"""Start-up that waits out what passes and stops with one line on what does not.

Telegram or PostgreSQL being unreachable, a 429 or a 5xx: these pass, so each attempt is
retried with a growing pause and one log line. A rejected token, a path that cannot be written,
a port in use: these do not, so the program stops with exit status 2 and one line naming the
setting to fix. SIGINT or SIGTERM at any point stops the waiting at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError

log = logging.getLogger("nudgebot.startup")

T = TypeVar("T")
FIRST_PAUSE = 1.0
LONGEST_PAUSE = 30.0


class StartupFailure(Exception):
    """A problem only the operator can fix; the message is the one line they see."""


class Stopped(Exception):
    """SIGINT or SIGTERM arrived while start-up was waiting."""


def pauses(first: float = FIRST_PAUSE, longest: float = LONGEST_PAUSE) -> Callable[[int], float]:
    """Seconds to wait before attempt n+1 (n >= 1): 1, 2, 4, ... up to `longest`."""
    return lambda n: min(longest, first * 2 ** (n - 1))


async def retrying(
    what: str,
    attempt: Callable[[], Awaitable[T]],
    *,
    transient: Callable[[BaseException], float | None],
    stop: asyncio.Event,
    pause: Callable[[int], float] | None = None,
) -> T:
    """Run `attempt` until it succeeds; `transient` returns the seconds to wait for a failure
    worth retrying (None: raise it). One log line per failed attempt."""
    pause = pause or pauses()
    n = 0
    while True:
        if stop.is_set():
            raise Stopped
        n += 1
        try:
            return await attempt()
        except Exception as error:  # sorted into passing or not just below
            wait = transient(error)
            if wait is None:
                raise
            wait = max(wait, pause(n))
            log.warning(
                "start-up: %s failed (%s); trying again in %.0f s (attempt %d)",
                what,
                describe(error),
                wait,
                n,
            )
        try:
            await asyncio.wait_for(stop.wait(), wait)
        except TimeoutError:
            continue
        raise Stopped


def telegram_transient(error: BaseException) -> float | None:
    """A Bot API failure that may pass: the seconds to wait first, or None."""
    if isinstance(error, RetryAfter):
        after = error.retry_after
        return after.total_seconds() if isinstance(after, timedelta) else float(after)
    if isinstance(error, InvalidToken):
        # PTB's message quotes the token; this line must not.
        raise StartupFailure(
            "NUDGEBOT_TOKEN was rejected by the Bot API; check it with @BotFather "
            "(and NUDGEBOT_API_URL, if you run your own Bot API server)"
        ) from None
    if isinstance(error, NetworkError):  # unreachable, timed out, or a 5xx
        return 0.0
    if isinstance(error, TelegramError):
        raise StartupFailure(
            f"the Bot API refused start-up ({describe(error)}); check NUDGEBOT_API_URL"
        ) from None
    return None


def describe(error: BaseException) -> str:
    """The kind of failure and the first line of its message, short."""
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text[:160]}" if text else type(error).__name__
