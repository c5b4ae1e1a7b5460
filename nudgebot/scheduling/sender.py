"""Puts claimed deliveries on the wire and says what became of each one."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from telegram import Bot, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from nudgebot.bot.prompts import UnknownKind, render
from nudgebot.bot.summary_message import compose
from nudgebot.content import Content
from nudgebot.scheduling.budget import SendBudget
from nudgebot.services.planning import SUMMARY
from nudgebot.services.summaries import SummaryService
from nudgebot.services.views import Outcome, Outgoing, SendResult

log = logging.getLogger(__name__)

GONE_MARKERS = ("chat not found", "user is deactivated", "bot was blocked", "peer_id_invalid")


def backoff_seconds(attempt: int) -> float:
    return float(min(300, 2 ** max(attempt, 1)))


class TelegramSender:
    def __init__(
        self,
        bot: Bot,
        content: Content,
        budget: SendBudget,
        summaries: SummaryService,
        clock: Callable[[], datetime],
    ) -> None:
        self._clock = clock
        self._bot = bot
        self._content = content
        self._budget = budget
        self._summaries = summaries

    async def send(self, item: Outgoing) -> SendResult:
        if item.kind == SUMMARY:
            return await self._send_summary(item)
        try:
            text, markup = render(self._content, item)
        except UnknownKind:
            log.error("no renderer for delivery kind %s", item.kind)
            return SendResult(item.delivery_id, Outcome.FAILED)
        return await self._deliver(
            item, lambda: self._bot.send_message(item.chat_id, text, reply_markup=markup)
        )

    async def _send_summary(self, item: Outgoing) -> SendResult:
        """The week's text first (the part that matters), then its chart."""
        week_end = item.details.get("week_end")
        report = await self._summaries.weekly(item.chat_id, week_end, self._clock())
        if report is None:
            return SendResult(item.delivery_id, Outcome.FAILED)
        message = await compose(self._content, report)
        result = await self._deliver(
            item, lambda: self._bot.send_message(item.chat_id, message.text)
        )
        png = message.chart_png
        if result.outcome is Outcome.SENT and png is not None:
            chart = await self._deliver(
                item,
                lambda: self._bot.send_photo(item.chat_id, png, caption=message.chart_caption),
            )
            if chart.outcome is not Outcome.SENT:
                log.warning("a weekly chart could not be sent: %s", chart.outcome.value)
        return result

    async def _deliver(self, item: Outgoing, call: Callable[[], Awaitable[Message]]) -> SendResult:
        """One message on the wire, with Telegram's answer turned into an outcome."""
        await self._budget.acquire(item.chat_id)
        try:
            message = await call()
        except RetryAfter as exc:
            wait = _seconds(exc.retry_after)
            self._budget.pause(wait)
            log.warning("Telegram asked us to slow down for %.0f s", wait)
            return SendResult(item.delivery_id, Outcome.RETRY, retry_after_seconds=wait)
        except TimedOut:
            # It may have arrived; sending again could ask the same question twice.
            return SendResult(item.delivery_id, Outcome.UNKNOWN)
        except Forbidden:
            return SendResult(item.delivery_id, Outcome.GONE)
        except BadRequest as exc:
            gone = any(marker in exc.message.lower() for marker in GONE_MARKERS)
            if not gone:
                log.error("Telegram rejected a %s message: %s", item.kind, exc.message)
            return SendResult(item.delivery_id, Outcome.GONE if gone else Outcome.FAILED)
        except NetworkError as exc:
            # Refused connections and 5xx: the message did not go out, so trying again is safe.
            log.warning("sending failed, will retry: %s", type(exc).__name__)
            return SendResult(
                item.delivery_id, Outcome.RETRY, retry_after_seconds=backoff_seconds(item.attempt)
            )
        except TelegramError as exc:
            log.error("sending failed: %s", type(exc).__name__)
            return SendResult(item.delivery_id, Outcome.FAILED)
        return SendResult(item.delivery_id, Outcome.SENT, message_id=message.message_id)


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
