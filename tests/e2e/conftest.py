"""Fixtures for running `nudgebot run` against a local Bot API server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import dispose_engine, fresh_engine
from tests.e2e.process import BotProcess
from tests.support.botapi_server import BotApiServer
from tests.support.fake_telegram import FakeTelegram

TOKEN = "123456:TEST-TOKEN"


@dataclass
class World:
    fake: FakeTelegram
    bot: BotProcess
    engine: AsyncEngine


@pytest.fixture
def server() -> Iterator[BotApiServer]:
    with BotApiServer(FakeTelegram(token=TOKEN)) as srv:
        yield srv


@pytest.fixture
async def world(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path, server: BotApiServer
) -> AsyncIterator[World]:
    """A migrated database and a bot process ready to start.

    `@pytest.mark.bot_env(NUDGEBOT_X="...")` on a test adds settings for its bot.
    """
    engine = await fresh_engine(backend, tmp_path)
    marker = request.node.get_closest_marker("bot_env")
    env = {
        "NUDGEBOT_TOKEN": TOKEN,
        "NUDGEBOT_API_URL": server.url,
        "NUDGEBOT_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "NUDGEBOT_TICK_SECONDS": "0.5",
        "NUDGEBOT_POLL_TIMEOUT_SECONDS": "1",
        "NUDGEBOT_LOG_LEVEL": "DEBUG",
        "NUDGEBOT_HTTP_PORT": "0",
        **(marker.kwargs if marker else {}),
    }
    bot = BotProcess(tmp_path, env)
    yield World(server.fake, bot, engine)
    bot.kill()
    await dispose_engine(engine)
