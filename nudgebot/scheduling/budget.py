"""Telegram's sending limits, kept by one process: about 30 messages a second in all, and about
one a second into any one chat. A 429 pauses everything for as long as Telegram asks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

PER_CHAT_INTERVAL = 1.0


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

    async def acquire(self, chat_id: int) -> None:
        """Wait for this send's turn; turns are handed out in order of asking."""
        while True:
            now = self._clock()
            # Reserve before awaiting so concurrent callers get distinct, evenly spaced turns.
            start = max(now, self._next_free, self._paused_until, self._chat_next.get(chat_id, 0.0))
            self._next_free = start + self._interval
            self._chat_next[chat_id] = start + self._per_chat
            if start > now:
                await asyncio.sleep(start - now)
            if self._clock() >= self._paused_until:
                break
        if len(self._chat_next) > 10_000:
            self._forget_old(self._clock())

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nobody sends until it said we may."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    def _forget_old(self, now: float) -> None:
        self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}
