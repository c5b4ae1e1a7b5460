"""The whole program, as a new user meets it: `nudgebot run` against a local Bot API server."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.e2e.conftest import World
from tests.e2e.people import PROMPT, onboard
from tests.support.fake_telegram import FakeTelegram, SentMessage

USER = 424242


def next_minute_with_margin(margin: float) -> datetime:
    """The next whole UTC minute at least `margin` seconds away."""
    now = datetime.now(UTC)
    target = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return target if (target - now).total_seconds() >= margin else target + timedelta(minutes=1)


def prompts(fake: FakeTelegram) -> list[SentMessage]:
    return [m for m in fake.sent(USER) if m.text and m.text.startswith(PROMPT)]


async def checkins(engine: AsyncEngine) -> list[tuple[str, int | None, str | None]]:
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT slot, rating, note FROM checkins ORDER BY id"))
        return [(r[0], r[1], r[2]) for r in rows]


async def sleep_until(instant: datetime) -> None:
    await asyncio.sleep(max(0.0, (instant - datetime.now(UTC)).total_seconds()))


async def test_checkins_arrive_on_the_minute_once_each_and_answers_are_stored(
    world: World,
) -> None:
    fake, bot = world.fake, world.bot
    bot.start(fake)
    assert [c["command"] for c in fake.commands][:3] == ["checkin", "sos", "time"]

    first = next_minute_with_margin(8)
    second = first + timedelta(minutes=1)
    done = await onboard(fake, USER, f"{first:%H:%M} {second:%H:%M}", zone="utc")
    assert f"every day at {first:%H:%M} and {second:%H:%M} (UTC)" in done.shown

    # The first check-in comes within seconds of its minute, with buttons 1 to 5.
    prompt = await fake.async_wait_for(lambda f: next(iter(prompts(f)), None), timeout=90)
    assert timedelta(0) <= datetime.now(UTC) - first < timedelta(seconds=5)
    assert [label for label, _ in prompt.buttons] == ["1", "2", "3", "4", "5"]

    # A tap records the rating, and the prompt turns into a record of it.
    query = fake.tap_button(USER, "4", message_id=prompt.message_id)
    await fake.async_wait_for(lambda f: query in f.callback_answers)
    await fake.async_wait_for(lambda f: "You answered 4" in prompt.shown)
    assert not prompt.current_markup
    await fake.async_wait_for_message(USER, "Anything you want to add")
    fake.send_text(USER, "deadline at work")
    await fake.async_wait_for_message(USER, "Got it")
    assert await checkins(world.engine) == [(f"{first:%H:%M}", 4, "deadline at work")]

    # Down over the second check-in's minute; a message sent meanwhile is not lost.
    assert bot.stop() == 0
    fake.send_text(USER, "/help")
    await sleep_until(second + timedelta(seconds=2))
    bot.start(fake)
    await fake.async_wait_for_message(USER, "/checkin: check in now", timeout=15)
    await fake.async_wait_for(lambda f: len(prompts(f)) == 2, timeout=15)

    # Neither more ticks nor another restart sends either of them again.
    await asyncio.sleep(2)
    assert bot.stop() == 0
    bot.start(fake)
    await asyncio.sleep(2)
    assert bot.stop() == 0
    assert len(prompts(fake)) == 2
    assert [slot for slot, _, _ in await checkins(world.engine)] == [
        f"{first:%H:%M}",
        f"{second:%H:%M}",
    ]

    log = bot.log()
    assert "TEST-TOKEN" not in log
    assert "deadline at work" not in log
