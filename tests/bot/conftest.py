"""Every handler test gets the real bot on a fresh database (SQLite, and PostgreSQL if set up)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.bot.harness import BotHarness, utc

# A Monday in winter: Berlin is UTC+1, 06:00 there. Tests that need other moments move the clock.
START = utc(2025, 1, 13, 5, 0)


@pytest.fixture
async def harness(engine: AsyncEngine) -> AsyncIterator[BotHarness]:
    async with BotHarness.running(engine, start=START) as harness:
        yield harness
