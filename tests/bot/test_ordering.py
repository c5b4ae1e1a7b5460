"""Updates run side by side, but one chat's updates are handled in the order they were sent."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update
from telegram.ext import ApplicationBuilder, ContextTypes, TypeHandler

from nudgebot.bot.ordering import PerChatOrder
from tests.support.fake_telegram import FakeTelegram
from tests.support.offline_request import OfflineRequest


def _update(update_id: int, chat_id: int, text: str) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    return Update(update_id, message=Message(update_id, None, chat, text=text))  # type: ignore[arg-type]


async def test_one_chats_updates_keep_their_order_while_other_chats_go_on() -> None:
    request = OfflineRequest(FakeTelegram())
    app = (
        ApplicationBuilder()
        .token(request.fake.token)
        .request(request)
        .get_updates_request(request)
        .concurrent_updates(PerChatOrder())
        .build()
    )
    handled: list[str] = []
    slow_started = asyncio.Event()

    async def handle(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        text = update.message.text
        if text == "ana 1":
            slow_started.set()
            await asyncio.sleep(0.2)  # a slow first update in Ana's chat
        handled.append(text)

    app.add_handler(TypeHandler(Update, handle))
    async with app:
        await app.start()
        for update in (
            _update(1, 100, "ana 1"),
            _update(2, 100, "ana 2"),
            _update(3, 200, "ben 1"),
        ):
            await app.update_queue.put(update)
        await asyncio.wait_for(slow_started.wait(), 5)
        for _ in range(100):
            if len(handled) == 3:
                break
            await asyncio.sleep(0.01)
        await app.stop()

    # Ben did not wait for Ana's slow update; Ana's second waited for her first.
    assert handled == ["ben 1", "ana 1", "ana 2"]
