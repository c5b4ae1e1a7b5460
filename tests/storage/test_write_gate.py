"""On SQLite, units of work queue in the process instead of in SQLite's sleeping busy handler."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import text

from nudgebot.storage.uow import UowFactory


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_a_waiting_transaction_starts_as_soon_as_the_last_one_ends(uow: UowFactory) -> None:
    held = asyncio.Event()
    ended: list[float] = []
    began: list[float] = []

    async def long_writer() -> None:
        async with uow() as u:
            await u.session.execute(text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))
            held.set()
            await asyncio.sleep(0.3)
            await u.commit()
        ended.append(time.monotonic())

    async def waiter() -> None:
        await held.wait()
        async with uow() as u:
            began.append(time.monotonic())
            await u.session.execute(text("INSERT INTO t VALUES (1)"))
            await u.commit()

    await asyncio.gather(long_writer(), waiter())
    # SQLite's busy handler would have slept in steps of up to 100 ms past the release.
    assert 0 <= began[0] - ended[0] < 0.02
