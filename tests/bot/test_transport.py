"""The aiohttp transport that `nudgebot run` uses: what each way a real HTTP exchange can fail
means for a check-in (sent again later, or recorded "unknown" and never sent twice).

The same table for PTB's httpx transport is in tests/bot/test_telegram_failures.py. Each case
here is a real socket on 127.0.0.1 that misbehaves in one way.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from telegram import Bot

from nudgebot.bot.transport import AiohttpRequest
from nudgebot.content import load_content
from nudgebot.scheduling.budget import SendBudget
from nudgebot.scheduling.sender import TelegramSender
from nudgebot.services.summaries import SummaryService
from nudgebot.services.views import Outcome, Outgoing
from nudgebot.storage.uow import UowFactory
from tests.bot.harness import utc

ANA = 1001
ITEM = Outgoing(delivery_id=7, kind="checkin", chat_id=ANA, ref_id=1, late=False, attempt=1)
Behaviour = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _read_request(reader: asyncio.StreamReader) -> None:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)


def _answer(status: int, body: bytes, content_type: str = "application/json") -> Behaviour:
    async def behave(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(
            b"HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s"
            % (status, content_type.encode(), len(body), body)
        )
        await writer.drain()
        writer.close()

    return behave


async def _hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _read_request(reader)
    writer.close()


async def _never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _read_request(reader)
    await asyncio.sleep(30)


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Behaviour], Awaitable[int]]]:
    servers: list[asyncio.Server] = []

    async def start(behaviour: Behaviour) -> int:
        server = await asyncio.start_server(behaviour, "127.0.0.1", 0)
        servers.append(server)
        return int(server.sockets[0].getsockname()[1])

    yield start
    for server in servers:
        server.close()


async def _send(uow: UowFactory, port: int, request: AiohttpRequest) -> Outcome:
    bot = Bot("123456:TEST-TOKEN", base_url=f"http://127.0.0.1:{port}/bot", request=request)
    sender = TelegramSender(
        bot, load_content(), SendBudget(30), SummaryService(uow), lambda: utc(2025, 1, 13)
    )
    await request.initialize()
    try:
        return (await sender.send(ITEM)).outcome
    finally:
        await request.shutdown()


SENT = json.dumps(
    {
        "ok": True,
        "result": {
            "message_id": 5,
            "date": 0,
            "chat": {"id": ANA, "type": "private"},
            "text": "How stressed do you feel right now?",
        },
    }
).encode()


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize(
    ("behaviour", "outcome"),
    [
        pytest.param(_answer(200, SENT), Outcome.SENT, id="ok"),
        # Telegram (or the proxy in front of it) answered that it failed: nothing was sent.
        pytest.param(_answer(502, b"<html>502</html>", "text/html"), Outcome.RETRY, id="502"),
        pytest.param(
            _answer(500, b'{"ok":false,"error_code":500,"description":"Internal"}'),
            Outcome.RETRY,
            id="500",
        ),
        # The request went out and no answer came back: it may have arrived.
        pytest.param(_hang_up, Outcome.UNKNOWN, id="hung-up"),
        pytest.param(_never_answer, Outcome.UNKNOWN, id="read-timeout"),
    ],
)
async def test_what_became_of_a_request_decides_between_retry_and_unknown(
    uow: UowFactory,
    serve: Callable[[Behaviour], Awaitable[int]],
    behaviour: Behaviour,
    outcome: Outcome,
) -> None:
    port = await serve(behaviour)
    assert await _send(uow, port, AiohttpRequest(read_timeout=0.3, write_timeout=0.1)) is outcome


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_a_refused_connection_is_a_retry(uow: UowFactory) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert await _send(uow, port, AiohttpRequest()) is Outcome.RETRY


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_no_free_connection_in_time_is_a_retry(
    uow: UowFactory, serve: Callable[[Behaviour], Awaitable[int]]
) -> None:
    """With the only pooled connection held by a stuck request, the next one never leaves."""
    port = await serve(_never_answer)
    request = AiohttpRequest(connection_pool_size=1, read_timeout=5, pool_timeout=0.2)
    bot = Bot("123456:TEST-TOKEN", base_url=f"http://127.0.0.1:{port}/bot", request=request)
    sender = TelegramSender(
        bot, load_content(), SendBudget(1000), SummaryService(uow), lambda: utc(2025, 1, 13)
    )
    await request.initialize()
    try:
        stuck = asyncio.create_task(sender.send(ITEM))
        await asyncio.sleep(0.1)
        waiting = await sender.send(ITEM)
        stuck.cancel()
    finally:
        await request.shutdown()
    assert waiting.outcome is Outcome.RETRY
