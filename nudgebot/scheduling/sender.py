"""Puts claimed deliveries on the wire and says what became of each one."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

import httpx
from telegram import Bot, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from nudgebot.bot.prompts import UnknownKind, render
from nudgebot.bot.summary_message import compose
from nudgebot.bot.transport import IN_TRANSIT
from nudgebot.bot.transport import NOT_CONNECTED as NOT_CONNECTED_AIOHTTP
from nudgebot.content import Content
from nudgebot.scheduling.budget import SendBudget, paced_by_caller
from nudgebot.services.planning import SUMMARY
from nudgebot.services.summaries import SummaryService, WeeklyReport
from nudgebot.services.views import Outcome, Outgoing, SendResult

log = logging.getLogger(__name__)

GONE_MARKERS = ("chat not found", "user is deactivated", "bot was blocked", "peer_id_invalid")
# Transport errors that mean no connection to Telegram was made, so nothing was sent.
NOT_CONNECTED = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    ConnectionRefusedError,
    *NOT_CONNECTED_AIOHTTP,
)


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
        # Weekly reports made ahead for a batch, by delivery id (see prepare).
        self._reports: dict[int, WeeklyReport | None] = {}

    async def prepare(self, items: Sequence[Outgoing]) -> None:
        """Make the weekly reports of a claimed batch in a few grouped queries, not four
        queries and a transaction each (benchmarks/README.md, case 6)."""
        summaries = [i for i in items if i.kind == SUMMARY]
        by_chat = {i.chat_id: i for i in summaries}
        if len(by_chat) < 2:
            return  # nothing to gain; send() makes it
        try:
            reports = await self._summaries.weekly_many(
                {chat: item.details.get("week_end") for chat, item in by_chat.items()},
                self._clock(),
            )
        except Exception:
            # One person's broken time zone must not cost the rest their summary: send() makes
            # each report on its own instead.
            log.exception("weekly reports for a batch failed; making them one by one")
            return
        for chat, item in by_chat.items():
            self._reports[item.delivery_id] = reports[chat]

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
        if item.delivery_id in self._reports:
            report = self._reports.pop(item.delivery_id)
        else:
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
            with paced_by_caller():
                message = await call()
        except RetryAfter as exc:
            wait = _seconds(exc.retry_after)
            self._budget.pause(wait)
            log.warning("Telegram asked us to slow down for %.0f s", wait)
            return SendResult(item.delivery_id, Outcome.RETRY, retry_after_seconds=wait)
        except TimedOut as exc:
            if not _never_sent(exc):
                # It may have arrived; sending again could ask the same question twice.
                return SendResult(item.delivery_id, Outcome.UNKNOWN)
            log.warning("sending failed, will retry: no connection to Telegram")
            return _retry(item)
        except Forbidden:
            return SendResult(item.delivery_id, Outcome.GONE)
        except BadRequest as exc:
            gone = any(marker in exc.message.lower() for marker in GONE_MARKERS)
            if not gone:
                log.error("Telegram rejected a %s message: %s", item.kind, exc.message)
            return SendResult(item.delivery_id, Outcome.GONE if gone else Outcome.FAILED)
        except NetworkError as exc:
            if _lost_in_transit(exc):
                # Like a timeout: it may have arrived, so it is not sent again.
                log.warning("the connection to Telegram broke while sending; not resending")
                return SendResult(item.delivery_id, Outcome.UNKNOWN)
            # Refused connections and 5xx: the message did not go out, so trying again is safe.
            log.warning("sending failed, will retry: %s", type(exc).__name__)
            return _retry(item)
        except TelegramError as exc:
            log.error("sending failed: %s", type(exc).__name__)
            return SendResult(item.delivery_id, Outcome.FAILED)
        return SendResult(item.delivery_id, Outcome.SENT, message_id=message.message_id)


def _retry(item: Outgoing) -> SendResult:
    return SendResult(
        item.delivery_id, Outcome.RETRY, retry_after_seconds=backoff_seconds(item.attempt)
    )


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    cause = exc.__cause__ or exc.__context__
    while cause is not None and cause not in chain:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    return chain


def _never_sent(exc: TelegramError) -> bool:
    """True when no connection was made, so the request cannot have reached Telegram."""
    return any(isinstance(c, NOT_CONNECTED) for c in _causes(exc))


def _lost_in_transit(exc: TelegramError) -> bool:
    """True when a connection was made and then failed without an answer (the server hung up,
    a read failed): Telegram may have taken the message. False for a 5xx answer."""
    in_transport = any(
        isinstance(c, (httpx.TransportError, OSError, *IN_TRANSIT)) for c in _causes(exc)
    )
    return in_transport and not _never_sent(exc)


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
