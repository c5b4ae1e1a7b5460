"""The composition root: settings in, a running bot out. Nothing else wires things together."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update
from telegram.ext import Application, ApplicationBuilder
from telegram.request import BaseRequest

from nudgebot.bot.app import menu, register_handlers
from nudgebot.bot.deps import BotDeps, Clock
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
from nudgebot.settings import Settings
from nudgebot.storage.engine import create_engine
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
    dispatcher = Dispatcher(
        DispatchService(uow, grace=timedelta(minutes=settings.grace_minutes)),
        sender.send,
        batch_size=settings.batch_size,
        tick_seconds=settings.tick_seconds,
        clock=clock,
    )
    runtime = Runtime(settings, engine, content, app, dispatcher)
    return runtime


async def _started(app: Application, runtime: Runtime) -> None:  # type: ignore[type-arg]
    await app.bot.set_my_commands(menu(app.bot_data["deps"]))
    runtime.dispatcher.start()
    log.info("nudgebot is running as @%s", app.bot.username)


async def _stopping(app: Application, runtime: Runtime) -> None:  # type: ignore[type-arg]
    await runtime.dispatcher.stop()
    await runtime.engine.dispose()
    log.info("nudgebot stopped")


def run_polling(runtime: Runtime) -> None:
    """Long polling until SIGINT/SIGTERM; updates that queued while we were down are kept."""
    runtime.app.run_polling(
        allowed_updates=Update.ALL_TYPES,
        drop_pending_updates=False,
        timeout=runtime.settings.poll_timeout_seconds,
        close_loop=False,
    )
