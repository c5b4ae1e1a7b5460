"""When Telegram misbehaves, check-ins still arrive once, or are recorded as never arriving.

Design §4: a 429 pauses the whole sender for `retry_after`; definite failures (5xx, a refused
connection) are retried with backoff; a send that may have arrived (a timeout, a connection
lost after the request went out) is recorded as "unknown" and never sent again; 403 and
400 "chat not found" stop check-ins until the person writes again, as `my_chat_member` does.

These run the real application on the harness (simulated clock, in-process Telegram); the
end-to-end versions against `nudgebot run` are in tests/e2e/test_telegram_failures.py.
"""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Bot
from telegram.request import HTTPXRequest, RequestData

from nudgebot.content import load_content
from nudgebot.scheduling.budget import SendBudget
from nudgebot.scheduling.sender import TelegramSender
from nudgebot.services.summaries import SummaryService
from nudgebot.services.views import Outcome, Outgoing
from nudgebot.storage.models import Delivery
from nudgebot.storage.uow import UowFactory
from tests.bot.conftest import START
from tests.bot.harness import BotHarness, FakeClock, local, onboard, utc
from tests.bot.records import stored
from tests.support.fake_telegram import FakeTelegram, SentMessage
from tests.support.offline_request import OfflineRequest

ANA, BEN = 1001, 1002
PROMPT = "How stressed do you feel right now?"
# Short, so that a send the fake holds longer than this times out without slowing the suite.
READ_TIMEOUT = 0.3


class FlakyRequest(OfflineRequest):
    """The in-process transport, able to find Telegram's server unreachable, as httpx does
    when nothing listens at the address (the request never leaves this machine)."""

    def __init__(self, fake: FakeTelegram) -> None:
        super().__init__(fake, read_timeout=READ_TIMEOUT)
        self.refused: dict[str, int] = {}

    def refuse_next(self, method: str, count: int = 1) -> None:
        self.refused[method.lower()] = self.refused.get(method.lower(), 0) + count

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, **kwargs: Any
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1].lower()
        if self.refused.get(name):
            self.refused[name] -= 1
            raise httpx.ConnectError("All connection attempts failed")
        return await super().do_request(url, method, request_data, **kwargs)


@pytest.fixture
def flaky() -> FlakyRequest:
    return FlakyRequest(FakeTelegram())


@pytest.fixture
async def harness(engine: AsyncEngine, flaky: FlakyRequest) -> AsyncIterator[BotHarness]:
    # The budget's clock is the simulated one plus real time, so a 429's pause (a few real
    # seconds at most here) passes inside one tick, as it does in production.
    began = time.monotonic()

    def budget(clock: FakeClock) -> SendBudget:
        # Two a second: a second send in the same batch leaves well after a 429 came back.
        return SendBudget(2, clock=lambda: clock().timestamp() + time.monotonic() - began)

    async with BotHarness.running(engine, START, request=flaky, budget=budget) as harness:
        yield harness


def berlin(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return local("Europe/Berlin", 2025, 1, day, hour, minute) + timedelta(seconds=second)


def prompts(harness: BotHarness, chat_id: int) -> list[SentMessage]:
    return [m for m in harness.fake.sent(chat_id) if (m.text or "").startswith(PROMPT)]


def send_calls(fake: FakeTelegram, chat_id: int) -> int:
    return sum(1 for p in fake.calls_of("sendMessage") if p.get("chat_id") == chat_id)


async def first_checkin(uow: UowFactory, chat_id: int) -> Delivery:
    """The delivery row of the first scheduled check-in, on Monday 13 January."""
    [row] = [
        d
        for d in (await stored(uow, chat_id)).deliveries
        if d.kind == "checkin" and d.local_date == date(2025, 1, 13)
    ]
    return row


async def is_active(uow: UowFactory, chat_id: int) -> bool:
    user = (await stored(uow, chat_id)).user
    assert user is not None
    return user.active


def stamp_sends(fake: FakeTelegram) -> list[tuple[float, int, int]]:
    """Record (monotonic time, chat, HTTP status) of every sendMessage the fake answers."""
    stamps: list[tuple[float, int, int]] = []
    handle = fake.handle

    def recording(method: str, params: Any, **kwargs: Any) -> tuple[int, dict[str, Any]]:
        status, body = handle(method, params, **kwargs)
        if method.lower() == "sendmessage":
            stamps.append((time.monotonic(), int(params["chat_id"]), status))
        return status, body

    fake.handle = recording  # type: ignore[method-assign]
    return stamps


# ---------------------------------------------------------------- 429: everybody waits


async def test_a_429_pauses_all_sending_for_retry_after_and_loses_nothing(
    harness: BotHarness, uow: UowFactory
) -> None:
    await onboard(harness, ANA, times="08:30")
    await onboard(harness, BEN, times="08:30")
    stamps = stamp_sends(harness.fake)
    harness.fake.fail_next(
        "sendMessage", status=429, description="Too Many Requests: retry after 2", retry_after=2
    )

    sent = await harness.tick(at=berlin(13, 8, 30))

    # The first send was refused with 429; nobody got anything until its two seconds passed.
    (t_429, limited, status), *later = stamps
    assert status == 429
    [(t_other, other, ok)] = later
    assert ok == 200
    assert {limited, other} == {ANA, BEN}
    assert t_other - t_429 >= 2.0, "a send went out while Telegram had asked us to wait"
    assert [m.chat_id for m in sent] == [other]
    # The refused one waits for its own turn: not now, but once retry_after has passed.
    assert await harness.tick(at=berlin(13, 8, 30, 1)) == []
    [retried] = await harness.tick(at=berlin(13, 8, 30, 2))
    assert retried.chat_id == limited and retried.text.startswith(PROMPT)
    # ...and only once, whatever ticks follow.
    for minute in (31, 45):
        assert await harness.tick(at=berlin(13, 8, minute)) == []
    assert (len(prompts(harness, ANA)), len(prompts(harness, BEN))) == (1, 1)
    for chat in (ANA, BEN):
        assert (await first_checkin(uow, chat)).status == "sent"


# ---------------------------------------------------------------- definite failures: retry


async def test_5xx_answers_are_retried_with_growing_backoff_and_delivered_once(
    harness: BotHarness, uow: UowFactory
) -> None:
    await onboard(harness, ANA, times="08:30")
    onboarded = send_calls(harness.fake, ANA)
    harness.fake.fail_next("sendMessage", status=502, description="Bad Gateway")
    harness.fake.fail_next("sendMessage", status=500, description="Internal Server Error")

    assert await harness.tick(at=berlin(13, 8, 30)) == []  # 502: again in 2 s
    assert await harness.tick(at=berlin(13, 8, 30, 1)) == []
    assert await harness.tick(at=berlin(13, 8, 30, 2)) == []  # 500: again in 4 s more
    assert await harness.tick(at=berlin(13, 8, 30, 5)) == []
    [prompt] = await harness.tick(at=berlin(13, 8, 30, 6))

    assert prompt.chat_id == ANA and prompt.text.startswith(PROMPT)
    assert await harness.tick(at=berlin(13, 8, 40)) == []
    assert send_calls(harness.fake, ANA) - onboarded == 3
    row = await first_checkin(uow, ANA)
    assert (row.status, row.attempts) == ("sent", 3)
    # The retried prompt is the one the user answers.
    assert (await harness.chat(ANA).taps("2", message_id=prompt.message_id)).toast == "Saved: 2"
    assert (await stored(uow, ANA)).ratings == [2]


async def test_an_unreachable_server_is_retried_and_delivered_once(
    harness: BotHarness, flaky: FlakyRequest, uow: UowFactory
) -> None:
    await onboard(harness, ANA, times="08:30")
    onboarded = send_calls(harness.fake, ANA)
    flaky.refuse_next("sendMessage", count=2)

    assert await harness.tick(at=berlin(13, 8, 30)) == []
    assert await harness.tick(at=berlin(13, 8, 30, 2)) == []
    assert send_calls(harness.fake, ANA) == onboarded  # nothing reached Telegram
    [prompt] = await harness.tick(at=berlin(13, 8, 30, 6))

    assert prompt.text.startswith(PROMPT)
    assert await harness.tick(at=berlin(13, 9, 0)) == []
    assert len(prompts(harness, ANA)) == 1
    row = await first_checkin(uow, ANA)
    assert (row.status, row.attempts) == ("sent", 3)


def sender_over(uow: UowFactory, request: HTTPXRequest, port: int = 9) -> TelegramSender:
    """The production sender on PTB's own HTTP transport."""
    bot = Bot("123456:TEST-TOKEN", base_url=f"http://127.0.0.1:{port}/bot", request=request)
    return TelegramSender(
        bot, load_content(), SendBudget(30), SummaryService(uow), lambda: utc(2025, 1, 13)
    )


ITEM = Outgoing(delivery_id=7, kind="checkin", chat_id=ANA, ref_id=1, late=False, attempt=1)


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_a_real_refused_connection_is_a_retry(uow: UowFactory) -> None:
    """Through PTB's own HTTP transport, at a port where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = await sender_over(uow, HTTPXRequest(), port).send(ITEM)

    assert (result.outcome, result.retry_after_seconds) == (Outcome.RETRY, 2.0)


def _raises(error: type[httpx.TransportError]) -> Callable[[httpx.Request], httpx.Response]:
    def transport(request: httpx.Request) -> httpx.Response:
        raise error("simulated", request=request)

    return transport


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize(
    ("transport", "outcome"),
    [
        # No connection was made: nothing reached Telegram.
        pytest.param(_raises(httpx.ConnectError), Outcome.RETRY, id="refused"),
        pytest.param(_raises(httpx.ConnectTimeout), Outcome.RETRY, id="connect-timeout"),
        pytest.param(_raises(httpx.PoolTimeout), Outcome.RETRY, id="pool-timeout"),
        # Telegram (or the proxy in front of it) answered that it failed.
        pytest.param(
            lambda _: httpx.Response(502, text="<html>502 Bad Gateway</html>"),
            Outcome.RETRY,
            id="502-html",
        ),
        pytest.param(
            lambda _: httpx.Response(
                500, json={"ok": False, "error_code": 500, "description": "Internal Server Error"}
            ),
            Outcome.RETRY,
            id="500",
        ),
        # The request went out and no answer came back: it may have arrived.
        pytest.param(_raises(httpx.ReadTimeout), Outcome.UNKNOWN, id="read-timeout"),
        pytest.param(_raises(httpx.WriteTimeout), Outcome.UNKNOWN, id="write-timeout"),
        pytest.param(_raises(httpx.RemoteProtocolError), Outcome.UNKNOWN, id="hung-up"),
        pytest.param(_raises(httpx.ReadError), Outcome.UNKNOWN, id="read-error"),
    ],
)
async def test_what_the_http_layer_says_decides_between_retry_and_unknown(
    uow: UowFactory, transport: Callable[[httpx.Request], httpx.Response], outcome: Outcome
) -> None:
    request = HTTPXRequest(httpx_kwargs={"transport": httpx.MockTransport(transport)})
    result = await sender_over(uow, request).send(ITEM)
    assert result.outcome is outcome


# ---------------------------------------------------------------- maybe delivered: unknown


async def test_a_timed_out_send_is_recorded_unknown_and_never_sent_again(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = await onboard(harness, ANA, times="08:30")
    onboarded = send_calls(harness.fake, ANA)
    harness.fake.set_delay("sendMessage", READ_TIMEOUT * 2)

    await harness.tick(at=berlin(13, 8, 30))  # the bot gives up waiting for the answer...
    [prompt] = await harness.fake.async_wait_for(lambda _: prompts(harness, ANA))  # ...it came
    harness.fake.set_delay("sendMessage", 0)

    assert (await first_checkin(uow, ANA)).status == "unknown"
    for minute in (31, 35, 59):
        assert await harness.tick(at=berlin(13, 8, minute)) == []
    assert send_calls(harness.fake, ANA) - onboarded == 1
    # The prompt that did arrive still works, and turns into a record of the answer.
    assert (await ana.taps("3", message_id=prompt.message_id)).toast == "Saved: 3"
    assert (await stored(uow, ANA)).ratings == [3]
    assert prompt.shown.endswith("You answered 3 (stressed) at 08:59.") and not prompt.buttons
    # Tomorrow is an ordinary day.
    [next_day] = await harness.tick(at=berlin(14, 8, 30))
    assert next_day.text.startswith(PROMPT)


async def test_a_connection_lost_after_the_request_went_out_is_unknown_not_resent(
    harness: BotHarness, uow: UowFactory
) -> None:
    await onboard(harness, ANA, times="08:30")
    # Telegram takes the message and the answer is lost: the user has it, the bot cannot tell.
    harness.fake.hang_up_next("sendMessage", after_processing=True)

    [prompt] = await harness.tick(at=berlin(13, 8, 30))
    for minute in (31, 40, 59):
        assert await harness.tick(at=berlin(13, 8, minute)) == [], "asked the same thing twice"

    assert prompts(harness, ANA) == [prompt]
    assert (await first_checkin(uow, ANA)).status == "unknown"


# ---------------------------------------------------------------- gone: stop until they write

GONE = [
    (403, "Forbidden: bot was blocked by the user"),
    (403, "Forbidden: user is deactivated"),
    (400, "Bad Request: chat not found"),
]


@pytest.mark.parametrize(("status", "description"), GONE)
async def test_an_unreachable_chat_gets_no_checkins_until_they_write_again(
    harness: BotHarness, uow: UowFactory, status: int, description: str
) -> None:
    ana = await onboard(harness, ANA, times="08:30")
    harness.fake.fail_next("sendMessage", status=status, description=description)

    assert await harness.tick(at=berlin(13, 8, 30)) == []

    assert not await is_active(uow, ANA)
    assert (await stored(uow, ANA)).pending == []
    calls = send_calls(harness.fake, ANA)
    for day in (14, 15):
        assert await harness.tick(at=berlin(day, 8, 30)) == []
    assert send_calls(harness.fake, ANA) == calls  # not even tried

    # They write again (any message): the chat works, and so do check-ins.
    harness.clock.set(berlin(15, 12, 0))
    await ana.says("hello again")
    assert await is_active(uow, ANA)
    [prompt] = await harness.tick(at=berlin(16, 8, 30))
    assert prompt.text.startswith(PROMPT)


async def test_blocking_and_unblocking_the_bot_stops_and_resumes_checkins(
    harness: BotHarness, uow: UowFactory
) -> None:
    await onboard(harness, ANA, times="08:30")
    await onboard(harness, BEN, times="08:30")
    onboarded = send_calls(harness.fake, ANA)

    harness.fake.chat_member_update(ANA, "kicked")
    await harness.deliver()

    assert not await is_active(uow, ANA)
    assert [m.chat_id for m in await harness.tick(at=berlin(13, 8, 30))] == [BEN]
    assert send_calls(harness.fake, ANA) == onboarded  # the blocked chat is not even tried

    harness.clock.set(berlin(13, 18, 0))
    harness.fake.chat_member_update(ANA, "member")
    await harness.deliver()

    assert await is_active(uow, ANA)
    sent = await harness.tick(at=berlin(14, 8, 30))
    assert sorted(m.chat_id for m in sent) == [ANA, BEN]
