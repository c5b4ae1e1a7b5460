"""The same update (same update_id) delivered again is handled once (design §4, issue 5.6).

Telegram redelivers an update when a webhook call timed out or a poll's offset was never
confirmed (the bot stopped in between); a webhook retry may even arrive while the first call is
still being handled. Each must be answered once: one reply, one stored rating.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update

from nudgebot.storage.uow import UowFactory
from tests.bot.conftest import START
from tests.bot.harness import BotHarness, Chat, local, onboard
from tests.bot.records import stored
from tests.support.fake_telegram import SentMessage

ANA = 1001
NOTE_QUESTION = "Anything you want to add"


async def prompted(harness: BotHarness) -> tuple[Chat, SentMessage]:
    """Ana, onboarded, with today's check-in prompt on her screen."""
    ana = await onboard(harness, ANA, times="08:30")
    [prompt] = await harness.tick(at=local("Europe/Berlin", 2025, 1, 13, 8, 30))
    return ana, prompt


def queued(harness: BotHarness) -> Update:
    """The one update waiting in Telegram's queue, as the application receives it."""
    [raw] = harness.fake.pending_updates()
    update = Update.de_json(raw, harness.app.bot)
    assert update is not None
    return update


def texts_containing(harness: BotHarness, part: str) -> int:
    return sum(1 for m in harness.fake.sent(ANA) if part in (m.text or ""))


def calls(harness: BotHarness, method: str, **match: Any) -> int:
    return sum(
        1
        for params in harness.fake.calls_of(method)
        if all(params.get(k) == v for k, v in match.items())
    )


async def test_a_button_press_delivered_three_times_is_handled_once(
    harness: BotHarness, uow: UowFactory
) -> None:
    _, prompt = await prompted(harness)
    query_id = harness.fake.tap_button(ANA, "4", message_id=prompt.message_id)
    update = queued(harness)

    await harness.app.process_update(update)
    await harness.app.process_update(update)  # a webhook retry: the very same update
    await harness.deliver()  # a poll replayed after a restart: same update_id, fresh object

    assert (await stored(uow, ANA)).ratings == [4]
    assert calls(harness, "answerCallbackQuery", callback_query_id=query_id) == 1
    assert calls(harness, "editMessageText", message_id=prompt.message_id) == 1
    assert texts_containing(harness, NOTE_QUESTION) == 1


async def test_a_typed_answer_redelivered_while_it_is_handled_is_answered_once(
    harness: BotHarness, uow: UowFactory
) -> None:
    await prompted(harness)
    harness.fake.send_text(ANA, "3")
    update = queued(harness)

    # Otherwise the second "3" would be read as the note the first one asked for.
    await asyncio.gather(harness.app.process_update(update), harness.app.process_update(update))
    await harness.deliver()

    [checkin] = (await stored(uow, ANA)).checkins
    assert (checkin.rating, checkin.note) == (3, None)
    assert texts_containing(harness, NOTE_QUESTION) == 1
    assert texts_containing(harness, "Got it") == 0


async def test_an_update_handled_before_a_restart_is_skipped_after_it(
    harness: BotHarness, engine: AsyncEngine, uow: UowFactory
) -> None:
    await onboard(harness, ANA)
    harness.fake.send_text(ANA, "/checkin")
    raw = queued(harness).to_dict()
    await harness.deliver()
    assert texts_containing(harness, "How stressed") == 1

    # A new process on the same database gets the update again (its offset was not confirmed).
    async with BotHarness.running(engine, START) as restarted:
        again = Update.de_json(raw, restarted.app.bot)
        assert again is not None
        await restarted.app.process_update(again)
        assert restarted.fake.calls_of("sendMessage") == []

    assert len((await stored(uow, ANA)).checkins) == 1


async def test_a_new_update_with_the_same_content_is_still_handled(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana, prompt = await prompted(harness)
    four = dict(prompt.buttons)["4"]
    first = await ana.taps_data(prompt.message_id, four)
    second = await ana.taps_data(prompt.message_id, four)  # pressed twice: two updates

    assert first.toast == "Saved: 4"
    assert second.toast is not None and "already" in second.toast
    assert (await stored(uow, ANA)).ratings == [4]
