"""Telegram failing in every way design §4 names, against `nudgebot run` over real HTTP.

The same cases in detail, on a simulated clock, are in tests/bot/test_telegram_failures.py.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from nudgebot.storage.models import Delivery, User
from nudgebot.storage.uow import UowFactory, uow_factory
from tests.e2e.conftest import World
from tests.e2e.people import onboard
from tests.support.fake_telegram import FakeTelegram

ANA, BEN, CY, DEE, EVE = 7001, 7002, 7003, 7004, 7005
PROMPT = "How stressed do you feel right now?"


async def due_now(uow: UowFactory, *chats: int) -> None:
    """Move these users' next check-in to now, as if its minute had come."""
    now = datetime.now(UTC)
    async with uow() as u:
        for chat in chats:
            row = await u.session.scalar(
                select(Delivery)
                .join(User, User.id == Delivery.user_id)
                .where(User.chat_id == chat, Delivery.kind == "checkin")
                .where(Delivery.status == "pending")
                .order_by(Delivery.due_at)
                .limit(1)
            )
            assert row is not None, f"nothing planned for {chat}"
            row.due_at = row.run_at = now
        await u.commit()


async def deliveries(uow: UowFactory, chat: int) -> list[Delivery]:
    async with uow() as u:
        rows = await u.session.scalars(
            select(Delivery)
            .join(User, User.id == Delivery.user_id)
            .where(User.chat_id == chat, Delivery.kind == "checkin")
            .order_by(Delivery.id)
        )
        return list(rows)


async def active(uow: UowFactory, chat: int) -> bool:
    async with uow() as u:
        user = await u.users.by_chat(chat)
        assert user is not None
        return user.active


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 15.0) -> None:
    deadline = time.monotonic() + within
    while not await check():
        assert time.monotonic() < deadline, f"not within {within} s: {check.__name__}"
        await asyncio.sleep(0.1)


def prompts(fake: FakeTelegram, chat: int) -> int:
    return sum(1 for m in fake.sent(chat) if (m.text or "").startswith(PROMPT))


def stamp_sends(fake: FakeTelegram) -> list[tuple[float, int, int]]:
    """(monotonic time, chat, HTTP status) of every sendMessage the server answers."""
    stamps: list[tuple[float, int, int]] = []
    handle = fake.handle

    def recording(method: str, params: Any, **kwargs: Any) -> tuple[int, dict[str, Any]]:
        status, body = handle(method, params, **kwargs)
        if method.lower() == "sendmessage":
            stamps.append((time.monotonic(), int(params["chat_id"]), status))
        return status, body

    fake.handle = recording  # type: ignore[method-assign]
    return stamps


# Two a second: a second send in the same batch leaves well after a 429 has come back.
@pytest.mark.bot_env(NUDGEBOT_MAX_MESSAGES_PER_SECOND="2")
async def test_429_5xx_lost_answers_and_blocked_users_against_the_running_bot(
    world: World,
) -> None:
    fake, bot = world.fake, world.bot
    uow = uow_factory(world.engine)
    bot.start(fake)
    for user in (ANA, BEN, CY, DEE, EVE):
        await onboard(fake, user)
    stamps = stamp_sends(fake)

    # 429 on the first send: the other user's check-in waits the whole retry_after too.
    fake.fail_next(
        "sendMessage", status=429, description="Too Many Requests: retry after 2", retry_after=2
    )
    await due_now(uow, ANA, BEN)
    await fake.async_wait_for(lambda f: prompts(f, ANA) and prompts(f, BEN), timeout=20)
    (t_429, limited, status), (t_next, other, ok), *rest = stamps
    assert (status, ok, {limited, other}) == (429, 200, {ANA, BEN})
    assert t_next - t_429 >= 2.0, "a message went out while Telegram had asked us to wait"
    [(_, again, ok)] = rest
    assert (again, ok) == (limited, 200)
    stamps.clear()

    # 502: retried after a backoff, delivered once.
    fake.fail_next("sendMessage", status=502, description="Bad Gateway")
    await due_now(uow, CY)
    await fake.async_wait_for(lambda f: prompts(f, CY), timeout=20)
    [(t_502, _, bad), (t_sent, _, ok)] = stamps
    assert (bad, ok) == (502, 200) and t_sent - t_502 >= 2.0
    stamps.clear()

    # The message reaches Telegram but the answer is lost: "unknown", never sent again.
    fake.hang_up_next("sendMessage", after_processing=True)
    await due_now(uow, DEE)

    async def dee_unknown() -> bool:
        return any(d.status == "unknown" for d in await deliveries(uow, DEE))

    await eventually(dee_unknown)
    await asyncio.sleep(2)  # four more ticks
    assert prompts(fake, DEE) == 1

    # Blocked: no more check-ins until Eve writes again.
    fake.fail_next("sendMessage", status=403, description="Forbidden: bot was blocked by the user")
    await due_now(uow, EVE)

    async def eve_inactive() -> bool:
        return not await active(uow, EVE)

    await eventually(eve_inactive)
    assert [d.status for d in await deliveries(uow, EVE)] == ["failed"]
    fake.send_text(EVE, "/help")
    await fake.async_wait_for_message(EVE, "/checkin: check in now")
    assert await active(uow, EVE)
    assert [d.status for d in await deliveries(uow, EVE)] == ["failed", "pending"]

    assert bot.stop() == 0
    assert (prompts(fake, ANA), prompts(fake, BEN), prompts(fake, CY)) == (1, 1, 1)
    [cy_row] = [d for d in await deliveries(uow, CY) if d.status == "sent"]
    assert cy_row.attempts == 2
