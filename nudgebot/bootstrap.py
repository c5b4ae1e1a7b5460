"""The composition root: settings in, a running bot out. Nothing else wires things together."""

from __future__ import annotations

import asyncio
import errno
import gc
import importlib
import logging
import math
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update
from telegram.error import Conflict, TelegramError
from telegram.ext import Application, ApplicationBuilder
from telegram.request import BaseRequest
from tornado.httpserver import HTTPServer

from nudgebot.bot.app import menu, register_handlers
from nudgebot.bot.deps import BotDeps, Clock
from nudgebot.bot.ordering import PerChatOrder
from nudgebot.bot.transport import AiohttpRequest, PacedRequest
from nudgebot.bot.webserver import start_http_server
from nudgebot.content import Content, load_content
from nudgebot.scheduling.budget import SendBudget
from nudgebot.scheduling.dispatcher import Dispatcher
from nudgebot.scheduling.sender import TelegramSender
from nudgebot.services.accounts import AccountService
from nudgebot.services.checkins import CheckinService
from nudgebot.services.dispatch import DispatchService
from nudgebot.services.nudges import NudgeService
from nudgebot.services.privacy import PrivacyService
from nudgebot.services.safety import SafetyService
from nudgebot.services.summaries import SummaryService
from nudgebot.services.updates import UpdateLog
from nudgebot.settings import Settings
from nudgebot.startup import StartupFailure, Stopped, describe, retrying, telegram_transient
from nudgebot.storage.engine import create_engine
from nudgebot.storage.leader import SenderLock
from nudgebot.storage.reachability import where
from nudgebot.storage.uow import uow_factory

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    content: Content
    app: Application  # type: ignore[type-arg]
    dispatcher: Dispatcher
    dispatch: DispatchService
    sender_lock: SenderLock
    # Every HTTP transport built, to close even when PTB never initialized them.
    requests: list[BaseRequest]


def build(
    settings: Settings,
    clock: Clock = utc_now,
    engine: AsyncEngine | None = None,
    request: BaseRequest | None = None,
    budget: SendBudget | None = None,
) -> Runtime:
    """Wire everything; connects to nothing until the application starts.

    `request` replaces PTB's HTTP transport for every Bot API call, getUpdates included (tests
    pass an in-process fake); it must tolerate being initialized and shut down twice. `budget`
    replaces the real-time send pacing (tests on a simulated clock pass one that reads it).
    """
    engine = engine or create_engine(settings.database_url)
    content = load_content(settings.content_dir)
    uow = uow_factory(engine)
    bot_deps = BotDeps(
        accounts=AccountService(uow),
        checkins=CheckinService(uow),
        nudges=NudgeService(
            uow, settings.followup_minutes, timedelta(minutes=settings.snooze_minutes)
        ),
        privacy=PrivacyService(uow),
        safety=SafetyService(uow),
        summaries=SummaryService(uow),
        updates=UpdateLog(uow),
        content=content,
        texts=content.texts,
        nudge_texts=content.nudges,
        zone_aliases=dict(content.zone_aliases),
        crisis=content.crisis,
        helplines=content.helplines,
        clock=clock,
    )
    builder = (
        ApplicationBuilder()
        .token(settings.token.get_secret_value())
        .base_url(f"{settings.api_url}/bot")
        .base_file_url(f"{settings.api_url}/file/bot")
        .concurrent_updates(PerChatOrder())
        .post_init(lambda a: _started(a, runtime))
        .post_stop(lambda a: _stopping(a, runtime))
    )
    budget = budget or SendBudget(settings.max_messages_per_second)
    # Replies take turns of the same budget as scheduled messages, ahead of them.
    replies = PacedRequest(request or AiohttpRequest(), budget)
    # Long polling keeps one connection of its own (see bot/transport.py).
    polls = request or AiohttpRequest(connection_pool_size=1)
    builder = builder.request(replies).get_updates_request(polls)
    app = builder.build()
    register_handlers(app, bot_deps)
    sender = TelegramSender(
        app.bot,
        content,
        budget,
        SummaryService(uow),
        clock,
    )
    dispatch = DispatchService(uow, grace=timedelta(minutes=settings.grace_minutes))
    sender_lock = SenderLock(engine, settings.token.get_secret_value().partition(":")[0])
    dispatcher = Dispatcher(
        dispatch,
        sender.send,
        batch_size=claim_size(settings),
        tick_seconds=settings.tick_seconds,
        clock=clock,
        is_sender=sender_lock.held,
        prepare=sender.prepare,
    )
    runtime = Runtime(
        settings, engine, content, app, dispatcher, dispatch, sender_lock, [replies, polls]
    )
    return runtime


# A claim holds at most this much sending: rows claimed by a process that is then killed end up
# "unknown" (never resent), and SIGTERM waits for a claimed batch to finish, so keep both small.
CLAIM_SECONDS = 1.0


def claim_size(settings: Settings) -> int:
    """Rows per claim: NUDGEBOT_BATCH_SIZE, but no more than about a second of the send budget."""
    per_claim = math.ceil(settings.max_messages_per_second * CLAIM_SECONDS)
    return max(1, min(settings.batch_size, per_claim))


async def _started(app: Application, runtime: Runtime) -> None:  # type: ignore[type-arg]
    # First, so that a failure here (retried by serve) has started nothing yet.
    await app.bot.set_my_commands(menu(app.bot_data["deps"]))
    runtime.dispatcher.start()
    # What start-up made lives as long as the process: keep the collector from walking it
    # again on every full collection (a third of the time of building 100,000 weekly reports
    # went to full collections, benchmarks/README.md).
    gc.collect()
    gc.freeze()
    # matplotlib takes 0.4 s to import: not before the bot is ready, and not on the event loop
    # when the first summary is drawn, but in a thread now, while the bot already answers.
    asyncio.get_running_loop().run_in_executor(None, importlib.import_module, "nudgebot.charts")


async def _stopping(app: Application, runtime: Runtime) -> None:  # type: ignore[type-arg]
    await runtime.dispatcher.stop()
    # The database may be what went away: stopping still ends with one line, not a traceback.
    try:
        await runtime.sender_lock.release()
    except (SQLAlchemyError, OSError) as error:
        log.warning("stopping: could not release the sender lock (%s)", type(error).__name__)
    await runtime.engine.dispose()


async def health(runtime: Runtime) -> tuple[bool, dict[str, Any]]:
    """Whether the database answers, and how far behind due work the dispatcher is."""
    try:
        lag = await runtime.dispatch.lag_seconds(utc_now())
    except (SQLAlchemyError, OSError):
        return False, {"database": "unreachable"}
    return True, {
        "database": "ok",
        "dispatcher_lag_seconds": round(lag, 1),
        "sender": runtime.sender_lock.holding,
    }


EXIT_CONFLICT = 3
# A poller that saw no conflict for this long after it started keeps its place on a 409.
CONFLICT_SETTLE_SECONDS = 5.0
# A poller that keeps seeing conflicts for this long gives up too.
CONFLICT_CONTEST_SECONDS = 60.0


class PollConflicts:
    """What a 409 Conflict from getUpdates means for this process.

    Telegram (and tests/support/fake_telegram.py) answer 409 to the *older* of two waiting
    getUpdates calls when a newer one arrives. So when a second process starts polling, the first
    409 lands on the process that was already running. That one keeps its place: it polls again,
    which ends the newcomer's call, and the newcomer, which sees its 409 while it is still new,
    is the one that exits. A process that keeps seeing conflicts for `contest` seconds is facing
    something that will not go away (another deployment, or a webhook set by another process)
    and exits too.
    """

    def __init__(
        self,
        settle: float = CONFLICT_SETTLE_SECONDS,
        contest: float = CONFLICT_CONTEST_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settle = settle
        self._contest = contest
        self._clock = clock
        self._started = clock()
        self._contest_began: float | None = None
        self._last: float | None = None

    def should_exit(self) -> bool:
        """Record one conflict; True if this process is the one that has to go."""
        now = self._clock()
        if self._last is not None and now - self._last > self._contest:
            self._contest_began = None  # the last contest is long over
        self._last = now
        if self._contest_began is None:
            if now - self._started < self._settle:
                return True  # we are the newcomer
            self._contest_began = now
        return now - self._contest_began > self._contest


def running_line(runtime: Runtime, webhook: str | None) -> str:
    """The one line that says the bot is up: who, how updates arrive, where the data is, and
    whether /health listens."""
    settings = runtime.settings
    mode = f"webhook at {urlsplit(webhook).path or '/'}" if webhook else "long polling"
    health = (
        f"/health on {settings.http_listen}:{settings.http_port}"
        if settings.http_port
        else "/health off (set NUDGEBOT_HTTP_PORT to serve it)"
    )
    return (
        f"nudgebot is running as @{runtime.app.bot.username}: {mode}; "
        f"database {where(settings.database_url)}; {health}"
    )


def _listen(runtime: Runtime, webhook: str | None, secret: str | None) -> HTTPServer | None:
    settings = runtime.settings
    if not settings.http_port:
        return None
    try:
        return start_http_server(
            listen=settings.http_listen,
            port=settings.http_port,
            health=lambda: health(runtime),
            app=runtime.app,
            webhook_path=(urlsplit(webhook).path or "/") if webhook else None,
            secret=secret,
        )
    except OSError as error:
        wrong_address = error.errno == errno.EADDRNOTAVAIL
        setting = "NUDGEBOT_HTTP_LISTEN" if wrong_address else "NUDGEBOT_HTTP_PORT"
        raise StartupFailure(
            f"{setting}: cannot listen on {settings.http_listen}:{settings.http_port} "
            f"({describe(error)}); pick a free port, or unset NUDGEBOT_HTTP_PORT when polling"
        ) from None


async def serve(runtime: Runtime, stop: asyncio.Event | None = None) -> int:
    """Run until SIGINT or SIGTERM (or `stop`): long polling, or a webhook when one is configured.

    Start-up calls that meet a passing failure are retried (nudgebot/startup.py). On SIGTERM no
    new work is claimed, messages being sent are finished and recorded, and the exit status is
    0. Returns 3 when another process is already long-polling this token; raises
    StartupFailure for what the operator has to fix.
    """
    settings, app = runtime.settings, runtime.app
    stop = stop or asyncio.Event()
    conflict = False
    conflicts: PollConflicts | None = None
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    def polling_error(error: TelegramError) -> None:
        nonlocal conflict
        if not isinstance(error, Conflict):
            log.warning("polling: %s", describe(error))
        elif conflicts is None or conflicts.should_exit():
            conflict = True
            stop.set()
        else:
            log.warning("another process called getUpdates for this bot token; polling on")

    server = None
    started = False
    webhook = settings.webhook_url if settings.webhook_secret else None
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    try:
        await retrying(
            "asking Telegram who the bot is (getMe)",
            app.initialize,
            transient=telegram_transient,
            stop=stop,
        )
        # Listening before setWebhook: Telegram may call as soon as the webhook is set.
        server = _listen(runtime, webhook, secret)
        post_init = app.post_init
        if post_init is not None:
            await retrying(
                "setting the command menu (setMyCommands)",
                lambda: post_init(app),
                transient=telegram_transient,
                stop=stop,
            )
        await app.start()
        started = True
        if webhook and secret:
            await retrying(
                "setting the webhook (setWebhook)",
                lambda: app.bot.set_webhook(
                    webhook,
                    secret_token=secret,
                    allowed_updates=Update.ALL_TYPES,
                    drop_pending_updates=False,
                ),
                transient=telegram_transient,
                stop=stop,
            )
        else:
            assert app.updater is not None
            conflicts = PollConflicts()
            updater = app.updater
            await retrying(
                "starting to poll (deleteWebhook)",
                lambda: updater.start_polling(
                    timeout=settings.poll_timeout_seconds,
                    allowed_updates=Update.ALL_TYPES,
                    drop_pending_updates=False,
                    error_callback=polling_error,
                ),
                transient=telegram_transient,
                stop=stop,
            )
        log.info("%s", running_line(runtime, webhook))
        await stop.wait()
    except Stopped:
        pass
    finally:
        # Stop claiming first; what is being sent finishes in post_stop (dispatcher.stop).
        runtime.dispatcher.halt()
        if server is not None:
            server.stop()
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        if started and app.post_stop:
            await app.post_stop(app)
        elif not started:
            await runtime.engine.dispose()
        await app.shutdown()
        # A getMe that never succeeded leaves the HTTP sessions open without PTB knowing.
        for request in runtime.requests:
            await request.shutdown()
    if conflict:
        log.error(
            "another process is already long-polling this bot token (Telegram said 409). "
            "Run one process with polling, or give every process NUDGEBOT_WEBHOOK_URL."
        )
        return EXIT_CONFLICT
    log.info("nudgebot stopped")
    return 0
