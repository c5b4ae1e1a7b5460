"""Telegram's limits hold for everything the bot sends, and replies do not wait behind a herd.

Real time, small numbers: a budget of 50 a second makes each turn 20 ms.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from telegram.request import BaseRequest, RequestData

from nudgebot.bot.transport import PacedRequest
from nudgebot.scheduling.budget import WINDOW_SECONDS, SendBudget, paced_by_caller

RATE = 50.0


async def test_a_reply_takes_the_next_turn_ahead_of_scheduled_messages() -> None:
    budget = SendBudget(RATE)
    finished: list[str] = []

    async def scheduled(chat: int) -> None:
        await budget.acquire(chat)
        finished.append(f"checkin {chat}")

    async def reply() -> None:
        await asyncio.sleep(0.05)  # a person taps while 20 check-ins queue for their turns
        began = time.monotonic()
        await budget.acquire_urgent()
        finished.append("reply")
        waited.append(time.monotonic() - began)

    waited: list[float] = []
    await asyncio.gather(*(scheduled(chat) for chat in range(20)), reply())

    position = finished.index("reply")
    assert position <= 5, finished  # not 20th: it overtook the queue
    assert waited[0] < 3 / RATE


async def test_no_window_ever_holds_more_turns_than_the_budget() -> None:
    budget = SendBudget(RATE)
    stamps: list[float] = []

    async def send(chat: int, urgent: bool) -> None:
        if urgent:
            await budget.acquire_urgent()
        else:
            await budget.acquire(chat)
        stamps.append(time.monotonic())

    await asyncio.gather(*(send(chat, urgent=chat % 3 == 0) for chat in range(120)))

    stamps.sort()
    for i, start in enumerate(stamps):
        within = [s for s in stamps[i:] if s < start + WINDOW_SECONDS - 0.005]
        assert len(within) <= RATE
    # ...and the budget is used, not wasted: 120 turns at 50 a second take about 2.4 s.
    assert stamps[-1] - stamps[0] < 120 / RATE * 1.15


async def test_one_chat_gets_at_most_one_scheduled_message_a_second() -> None:
    budget = SendBudget(RATE)
    stamps: list[float] = []

    async def send() -> None:
        await budget.acquire(42)
        stamps.append(time.monotonic())

    began = time.monotonic()
    await asyncio.gather(send(), send())
    assert stamps[1] - began >= 0.99


class _Recording(BaseRequest):
    """A transport that answers every call at once, 429 when told to."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, float]] = []
        self.too_many = False

    @property
    def read_timeout(self) -> float:
        return 5.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, **_: Any
    ) -> tuple[int, bytes]:
        self.calls.append((url.rsplit("/", 1)[-1], time.monotonic()))
        if self.too_many:
            body = {"ok": False, "error_code": 429, "parameters": {"retry_after": 1}}
            return 429, json.dumps(body).encode()
        return 200, b'{"ok": true, "result": true}'


async def test_replies_take_turns_of_the_budget_and_other_calls_do_not() -> None:
    inner = _Recording()
    paced = PacedRequest(inner, SendBudget(RATE))
    for _ in range(10):
        await paced.do_request("http://x/bot1:a/sendMessage", "POST")
        await paced.do_request("http://x/bot1:a/answerCallbackQuery", "POST")

    sends = [t for name, t in inner.calls if name == "sendMessage"]
    answers = [t for name, t in inner.calls if name == "answerCallbackQuery"]
    assert sends[-1] - sends[0] >= 9 / RATE * 0.9  # spaced by the budget
    assert all(a - s < 0.5 / RATE for s, a in zip(sends, answers, strict=True))  # not spaced


async def test_calls_the_sender_paced_itself_are_not_paced_twice() -> None:
    inner = _Recording()
    paced = PacedRequest(inner, SendBudget(1.0))  # a turn a second: pacing would show
    began = time.monotonic()
    with paced_by_caller():
        for _ in range(5):
            await paced.do_request("http://x/bot1:a/sendMessage", "POST")
    assert time.monotonic() - began < 0.5


async def test_a_429_met_by_a_reply_pauses_every_sender() -> None:
    inner = _Recording()
    budget = SendBudget(RATE)
    paced = PacedRequest(inner, budget)
    inner.too_many = True
    status, _ = await paced.do_request("http://x/bot1:a/editMessageText", "POST")
    inner.too_many = False

    began = time.monotonic()
    await budget.acquire(7)  # a scheduled check-in now waits out Telegram's retry_after
    assert status == 429
    assert time.monotonic() - began >= 0.9
