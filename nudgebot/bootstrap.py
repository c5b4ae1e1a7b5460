"""The composition root: settings in, a running bot out. Nothing else wires things together."""

from __future__ import annotations

import asyncio
import logging
import signal
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

from nudgebot.bot.app import menu, register_handlers
from nudgebot.bot.deps import BotDeps, Clock
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
from nudgebot.storage.engine import create_engine
from nudgebot.storage.leader import SenderLock
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
        .post_init(lambda a: _started(a, runtime))
        .post_stop(lambda a: _stopping(a, runtime))
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    app = builder.build()
    register_handlers(app, bot_deps)
    sender = TelegramSender(
        app.bot,
        content,
        budget or SendBudget(settings.max_messages_per_second),
        SummaryService(uow),
        clock,
    )
    dispatch = DispatchService(uow, grace=timedelta(minutes=settings.grace_minutes))
    sender_lock = SenderLock(engine, settings.token.get_secret_value().partition(":")[0])
    dispatcher = Dispatcher(
        dispatch,
        sender.send,
        batch_size=settings.batch_size,
        tick_seconds=settings.tick_seconds,
        clock=clock,
        is_sender=sender_lock.held,
    )
    runtime = Runtime(settings, engine, content, app, dispatcher, dispatch, sender_lock)
    return runtime


async def _started(app: Application, runtime: Runtime) -> None:  # type: ignore[type-arg]
    await app.bot.set_my_commands(menu(app.bot_data["deps"]))
    runtime.dispatcher.start()
    log.info("nudgebot is running as @%s", app.bot.username)


async def _stopping(app: Application, runtime: Runtime) -> None:  # type: ignore[type-arg]
    await runtime.dispatcher.stop()
    await runtime.sender_lock.release()
    await runtime.engine.dispose()
    log.info("nudgebot stopped")


async def health(runtime: Runtime) -> tuple[bool, dict[str, Any]]:
    """Whether the database answers, and how far behind due work the dispatcher is."""
    try:
        lag = await runtime.dispatch.lag_seconds(utc_now())
    except (SQLAlchemyError, OSError):
        return False, {"database": "unreachable"}
    return True, {
        "database": "ok",
        "dispatcher_lag_seconds": round(lag, 1),
        "sender": await runtime.sender_lock.held(),
    }


EXIT_CONFLICT = 3


async def serve(runtime: Runtime) -> int:
    """Run until SIGINT or SIGTERM: long polling, or a webhook when one is configured.

    On SIGTERM no new work is claimed, messages being sent are finished and recorded, and the
    exit status is 0. Returns 3 when another process is already long-polling this token.
    """
    settings, app = runtime.settings, runtime.app
    stop = asyncio.Event()
    conflict = False
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    def polling_error(error: TelegramError) -> None:
        nonlocal conflict
        if isinstance(error, Conflict):
            conflict = True
            stop.set()
        else:
            log.warning("polling: %s", type(error).__name__)

    await app.initialize()
    server = None
    try:
        if app.post_init:
            await app.post_init(app)
        await app.start()
        webhook_path = None
        if settings.webhook_url and settings.webhook_secret:
            webhook_path = urlsplit(settings.webhook_url).path or "/"
            await app.bot.set_webhook(
                settings.webhook_url,
                secret_token=settings.webhook_secret.get_secret_value(),
                allowed_updates=Update.ALL_TYPES,
                drop_pending_updates=False,
            )
        else:
            assert app.updater is not None
            await app.updater.start_polling(
                timeout=settings.poll_timeout_seconds,
                allowed_updates=Update.ALL_TYPES,
                drop_pending_updates=False,
                error_callback=polling_error,
            )
        if settings.http_port:
            server = start_http_server(
                listen=settings.http_listen,
                port=settings.http_port,
                health=lambda: health(runtime),
                app=app,
                webhook_path=webhook_path,
                secret=settings.webhook_secret.get_secret_value()
                if settings.webhook_secret
                else None,
            )
        await stop.wait()
    finally:
        if server is not None:
            server.stop()
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        if app.post_stop:
            await app.post_stop(app)
        await app.shutdown()
    if conflict:
        log.error(
            "another process is already long-polling this bot token (Telegram said 409). "
            "Run one process with polling, or give every process NUDGEBOT_WEBHOOK_URL."
        )
        return EXIT_CONFLICT
    return 0
