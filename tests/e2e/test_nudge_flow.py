"""A stressful moment to a walk or run and back, through `nudgebot run` as its own process."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.e2e.conftest import World
from tests.e2e.people import check_in_now, onboard
from tests.support.fake_telegram import FakeTelegram, SentMessage

ANA, BEN = 5001, 5002
GOING = "I'm going now"


async def onboard_and_rate_high(fake: FakeTelegram, user: int) -> SentMessage:
    """Onboarded, checks in now with a 5, skips the note; returns the suggestion."""
    await onboard(fake, user)
    await check_in_now(fake, user, "5")
    fake.tap_button(user, "Skip")
    return await fake.async_wait_for_message(user, "Tip:")


async def activities(engine: AsyncEngine) -> list[tuple[int, str, int | None, int | None]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT u.chat_id, a.kind, a.stress_before, a.stress_after "
                "FROM activities a JOIN users u ON u.id = a.user_id ORDER BY a.id"
            )
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows]


@pytest.mark.bot_env(NUDGEBOT_FOLLOWUP_MINUTES="1", NUDGEBOT_SNOOZE_MINUTES="1")
@pytest.mark.parametrize("backend", ["sqlite"])
async def test_suggestion_snooze_followup_and_a_restart_in_between(world: World) -> None:
    fake, bot = world.fake, world.bot
    bot.start(fake)

    # Ana goes now; Ben asks for later. Both wait a minute, and the bot restarts meanwhile.
    ana_offer = await onboard_and_rate_high(fake, ANA)
    ben_offer = await onboard_and_rate_high(fake, BEN)
    fake.tap_button(ANA, GOING, message_id=ana_offer.message_id)
    await fake.async_wait_for_message(ANA, "how long")
    fake.tap_button(BEN, "In an hour", message_id=ben_offer.message_id)
    await fake.async_wait_for_message(BEN, "ask again")

    assert bot.stop() == 0
    bot.start(fake)

    followup = await fake.async_wait_for_message(ANA, "Did you get out?", timeout=90)
    fake.tap_button(ANA, "I ran", message_id=followup.message_id)
    asked = await fake.async_wait_for_message(ANA, "How stressed do you feel now?")
    fake.tap_button(ANA, "2", message_id=asked.message_id)
    await fake.async_wait_for_message(ANA, "5 → 2")
    assert await activities(world.engine) == [(ANA, "run", 5, 2)]

    again = await fake.async_wait_for_message(BEN, "Still up for a little movement?", timeout=90)
    assert GOING in [label for label, _ in again.buttons]
    fake.tap_button(BEN, GOING, message_id=again.message_id)
    await fake.async_wait_for_message(BEN, "how long")

    assert bot.stop() == 0
    assert len([m for m in fake.sent(ANA) if "Did you get out?" in m.shown]) == 1
    assert len([m for m in fake.sent(BEN) if "Still up for" in m.shown]) == 1
