"""Puts claimed deliveries on the wire and says what became of each one."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from nudgebot.bot.prompts import UnknownKind, render
from nudgebot.content import Content
from nudgebot.scheduling.budget import SendBudget
from nudgebot.services.views import Outcome, Outgoing, SendResult

log = logging.getLogger(__name__)

GONE_MARKERS = ("chat not found", "user is deactivated", "bot was blocked", "peer_id_invalid")


def backoff_seconds(attempt: int) -> float:
    return float(min(300, 2 ** max(attempt, 1)))


class TelegramSender:
    def __init__(self, bot: Bot, content: Content, budget: SendBudget) -> None:
        self._bot = bot
        self._content = content
        self._budget = budget

    async def send(self, item: Outgoing) -> SendResult:
        try:
            text, markup = render(self._content, item)
        except UnknownKind:
            log.error("no renderer for delivery kind %s", item.kind)
            return SendResult(item.delivery_id, Outcome.FAILED)
        await self._budget.acquire(item.chat_id)
        try:
            message = await self._bot.send_message(item.chat_id, text, reply_markup=markup)
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
