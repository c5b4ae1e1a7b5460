"""Talk to the real bot as a user would, one update at a time, with time under the test's control.

    async with BotHarness.running(engine, start=utc(2025, 1, 13, 5)) as harness:
        ana = harness.chat(1001)
        replies = await ana.says("/start")
        await ana.taps("Yes, I agree")
        sent = await harness.tick(at=local("Europe/Berlin", 2025, 1, 13, 8, 30))

The application is the one `nudgebot.bootstrap.build` wires for production; only its transport
is swapped for an `OfflineRequest` into a `FakeTelegram`. Updates take the production path too:
the fake queues them, `getUpdates` (through PTB) hands them out, `Application.process_update`
runs the handlers. Nothing polls in the background and the dispatcher's scheduler never starts:
`tick()` runs the dispatcher exactly once, at whatever time the `FakeClock` says.

Every turn fails the test if the bot logged an error (a handler crashed, a send failed) or left
a pressed button's spinner turning (an unanswered callback query).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import Application

from nudgebot import bootstrap
from nudgebot.scheduling.budget import SendBudget
from nudgebot.settings import Settings
from tests.support.fake_telegram import FakeTelegram, SentMessage, buttons
from tests.support.offline_request import OfflineRequest


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(zone: str, *args: int) -> datetime:
    """A wall-clock reading in `zone` (year, month, day, hour, minute), as a UTC instant."""
    return datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)


class FakeClock:
    """The bot's idea of now; tests move it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        assert now.tzinfo is not None, "the bot's clock is in UTC; pass an aware datetime"
        self.now = now


class Replies(list[str]):
    """The texts of the messages the bot sent in answer to one action, oldest first."""

    toast: str | None = None  # what a button press showed (answerCallbackQuery text)
    alert: bool = False  # ...and whether it was a pop-up the user has to dismiss

    @property
    def text(self) -> str:
        return "\n\n".join(self)


class _ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


HARNESS_RATE = 1000.0


@dataclass
class BotHarness:
    fake: FakeTelegram
    clock: FakeClock
    runtime: bootstrap.Runtime
    _offset: int = 0
    _errors: _ErrorLog = field(default_factory=_ErrorLog)

    @classmethod
    @asynccontextmanager
    async def running(
        cls,
        engine: AsyncEngine,
        start: datetime,
        *,
        request: OfflineRequest | None = None,
        budget: Callable[[FakeClock], SendBudget] | None = None,
    ) -> AsyncIterator[BotHarness]:
        """`request` replaces the transport (its fake becomes the harness's); `budget` makes
        the send budget (say, one whose pauses pass in real time) from the harness's clock."""
        request = request or OfflineRequest(FakeTelegram())
        fake = request.fake
        clock = FakeClock(start)
        settings = Settings(
            token=fake.token, api_url="http://telegram.invalid", database_url="sqlite://"
        )
        # The send budget paces real seconds (1 message a second per chat); here time is the
        # test's, so the budget reads the fake clock and a day's ticks never wait for real.
        # The clock stands still while a test taps and types, so every reply would otherwise
        # wait a 30th of a real second more than the last; the paid-broadcast rate keeps it
        # to a millisecond.
        runtime = bootstrap.build(
            settings,
            clock=clock,
            engine=engine,
            request=request,
            budget=budget(clock)
            if budget
            else SendBudget(HARNESS_RATE, clock=lambda: clock().timestamp()),
        )
        harness = cls(fake, clock, runtime)
        logger = logging.getLogger("nudgebot")
        logger.addHandler(harness._errors)
        await runtime.app.initialize()
        try:
            yield harness
        finally:
            await runtime.sender_lock.release()
            await runtime.app.shutdown()
            logger.removeHandler(harness._errors)

    @property
    def app(self) -> Application[Any, Any, Any, Any, Any, Any]:
        return self.runtime.app

    def chat(self, chat_id: int, *, user_id: int | None = None) -> Chat:
        """A private chat (positive id) or a group (negative id, with `user_id` speaking)."""
        return Chat(self, chat_id, user_id)

    async def run_post_init(self) -> None:
        """Run the start-up hook `run_polling` runs, then stop the dispatcher it started."""
        await self.app.post_init(self.app)
        await self.runtime.dispatcher.stop()
        await self.runtime.sender_lock.release()

    async def tick(self, at: datetime | None = None) -> list[SentMessage]:
        """Run the dispatcher once (at `at`, if given); returns what it sent, to anyone."""
        if at is not None:
            self.clock.set(at)
        before = len(self.fake.sent())
        await self.runtime.dispatcher.tick()
        self._check()
        return self.fake.sent()[before:]

    async def deliver(self) -> None:
        """Hand every queued update to the application, the way polling would."""
        while updates := await self.app.bot.get_updates(offset=self._offset, timeout=0):
            for update in updates:
                self._offset = update.update_id + 1
                await self.app.process_update(update)
        self._check()

    def _check(self) -> None:
        if self._errors.records:
            record = self._errors.records[0]
            self._errors.records.clear()
            raise AssertionError(
                f"the bot logged an error: {record.getMessage()}\n"
                + (logging.Formatter().formatException(record.exc_info) if record.exc_info else "")
            )
        assert not self.fake.internal_errors, self.fake.internal_errors[-1]


@dataclass
class Chat:
    """One person's chat with the bot."""

    harness: BotHarness
    chat_id: int
    user_id: int | None = None
    _sent_texts: list[int] = field(default_factory=list)

    @property
    def _kind(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "chat_type": "private" if self.chat_id > 0 else "group",
        }

    async def says(self, text: str) -> Replies:
        def send() -> None:
            message = self.harness.fake.send_text(self.chat_id, text, **self._kind)
            self._sent_texts.append(message["message_id"])

        return await self._turn(send)

    async def shares_location(self, latitude: float, longitude: float) -> Replies:
        fake = self.harness.fake
        return await self._turn(
            lambda: fake.send_location(self.chat_id, latitude, longitude, **self._kind)
        )

    async def sends_sticker(self) -> Replies:
        return await self._turn(lambda: self.harness.fake.send_sticker(self.chat_id, **self._kind))

    async def sends_photo(self, caption: str | None = None) -> Replies:
        fake = self.harness.fake
        return await self._turn(
            lambda: fake.send_photo_from_user(self.chat_id, caption=caption, **self._kind)
        )

    async def edits_last_message(self, new_text: str) -> Replies:
        """The user edits the last text they sent."""
        assert self._sent_texts, "this user has sent no text to edit"
        message_id = self._sent_texts[-1]
        return await self._turn(
            lambda: self.harness.fake.edit_text(self.chat_id, message_id, new_text)
        )

    async def taps(self, label: str, *, message_id: int | None = None) -> Replies:
        """Press the button labelled `label` on the newest bot message that shows it."""
        fake = self.harness.fake
        return await self._press(
            lambda: fake.tap_button(
                self.chat_id, label, message_id=message_id, user_id=self.user_id
            )
        )

    async def taps_data(self, message_id: int, data: str) -> Replies:
        """Press a button carrying `data` on message `message_id`, whatever its keyboard says."""
        fake = self.harness.fake
        return await self._press(
            lambda: fake.tap(self.chat_id, message_id, data, user_id=self.user_id)
        )

    # ---------------------------------------------------------------- what the user sees

    @property
    def messages(self) -> list[SentMessage]:
        """Everything the bot sent here, oldest first, as currently shown (edits applied)."""
        return self.harness.fake.sent(self.chat_id)

    def last(self) -> SentMessage:
        return self.harness.fake.last(self.chat_id)

    def last_buttons(self) -> list[str]:
        """Labels of the buttons on the bot's newest message."""
        return labels(self.last()) if self.messages else []

    def newest(self, containing: str) -> SentMessage:
        """The bot's newest message whose current text contains `containing`."""
        for msg in reversed(self.messages):
            if containing in msg.shown:
                return msg
        raise AssertionError(f"no message containing {containing!r}\n{self.harness.fake.dump()}")

    # ---------------------------------------------------------------- plumbing

    async def _turn(self, act: Callable[[], object]) -> Replies:
        before = len(self.messages)
        act()
        await self.harness.deliver()
        return Replies(m.text or m.caption or "" for m in self.messages[before:])

    async def _press(self, act: Callable[[], str]) -> Replies:
        query_ids: list[str] = []
        replies = await self._turn(lambda: query_ids.append(act()))
        answer = self.harness.fake.callback_answers.get(query_ids[0])
        assert answer is not None, "the bot never answered the button press (spinner keeps going)"
        replies.toast = answer.get("text")
        replies.alert = bool(answer.get("show_alert"))
        return replies


def labels(message: SentMessage | None) -> list[str]:
    return [label for label, _data in buttons(message)]


async def onboard(
    harness: BotHarness, chat_id: int, zone: str = "Europe/Berlin", times: str = "08:30"
) -> Chat:
    """A user who went through /start, agreed, and answered both setup questions by typing."""
    chat = harness.chat(chat_id)
    await chat.says("/start")
    await chat.taps("Yes, I agree")
    await chat.says(zone)
    done = await chat.says(times)
    assert "All set!" in done.text, done
    return chat
