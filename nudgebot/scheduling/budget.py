"""Telegram's sending limits, kept by one process: about 30 messages a second in all, and about
one a second into any one chat. A 429 pauses everything for as long as Telegram asks.

Two kinds of sender share the budget. Scheduled messages (check-ins, follow-ups, summaries)
queue for it one at a time, so at most one of them holds a reserved turn. Replies to what a
person just did jump that queue: they take the next turn, so even while thousands of check-ins
go out a reply waits at most about two turns (about 70 ms at 30 a second), and the total still
never exceeds the budget.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

PER_CHAT_INTERVAL = 1.0
# Telegram counts messages as they arrive; we can only count them as they leave, and the two
# differ by a few milliseconds of jitter. Counting each second as this long keeps the busiest
# second Telegram sees within the budget, at the cost of 2 % of the rate.
WINDOW_SECONDS = 1.02
# Above this many a second the budget only spaces turns (a local Bot API server, benchmarks).
MAX_COUNTED = 10_000
# Set while the dispatcher's sender makes a call it has already paced.
_PACED_BY_CALLER: ContextVar[bool] = ContextVar("paced_by_caller", default=False)


@contextmanager
def paced_by_caller() -> Iterator[None]:
    """Mark Bot API calls made inside as already paced (see PacedRequest)."""
    token = _PACED_BY_CALLER.set(True)
    try:
        yield
    finally:
        _PACED_BY_CALLER.reset(token)


def is_paced_by_caller() -> bool:
    return _PACED_BY_CALLER.get()


class SendBudget:
    def __init__(
        self,
        per_second: float,
        per_chat_interval: float = PER_CHAT_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._interval = 1.0 / per_second
        self._per_chat = per_chat_interval
        self._clock = clock
        self._next_free = 0.0
        self._paused_until = 0.0
        self._chat_next: dict[int, float] = {}
        self._queue = asyncio.Lock()
        # When the last `per_second` turns were taken, to hold any window to the budget even
        # after the event loop was held up and turns bunched.
        counted = int(per_second) if per_second <= MAX_COUNTED else 0
        self._taken: deque[float] = deque(maxlen=max(1, counted))
        self._counting = counted > 0

    async def acquire(self, chat_id: int) -> None:
        """Wait for a scheduled message's turn; turns are handed out in order of asking."""
        now = self._clock()
        # The chat's own pace first, outside the queue, so one busy chat holds up nobody else.
        chat_at = max(now, self._chat_next.get(chat_id, 0.0))
        self._chat_next[chat_id] = chat_at + self._per_chat
        if chat_at > now:
            await asyncio.sleep(chat_at - now)
        async with self._queue:
            await self._take_turn()
        if len(self._chat_next) > 10_000:
            self._forget_old(self._clock())

    async def acquire_urgent(self) -> None:
        """Wait for the very next turn, ahead of every scheduled message still waiting."""
        await self._take_turn()

    async def _take_turn(self) -> None:
        while True:
            now = self._clock()
            # Reserve before awaiting so concurrent callers get distinct, evenly spaced turns.
            start = max(now, self._next_free, self._paused_until, self._window_free())
            self._next_free = start + self._interval
            if start > now:
                await asyncio.sleep(start - now)
            taken = max(start, self._clock())
            if taken >= self._paused_until:
                if self._counting:
                    self._taken.append(taken)
                return

    def _window_free(self) -> float:
        """When one more turn keeps every window of WINDOW_SECONDS within the budget."""
        if not self._counting or len(self._taken) < (self._taken.maxlen or 0):
            return 0.0
        return self._taken[0] + WINDOW_SECONDS

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nobody sends until it said we may."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    def _forget_old(self, now: float) -> None:
        self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}
