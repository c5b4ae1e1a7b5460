"""Which process sends: one per database, so the bot's send budget is spent in one place."""

from __future__ import annotations

import asyncio
import logging
import zlib

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)


class SenderLock:
    """On PostgreSQL an advisory lock, held on a connection of its own for as long as the
    process lives; whoever holds it dispatches, the others stand by and try again each tick.
    SQLite serves one process, which always holds it."""

    def __init__(self, engine: AsyncEngine, name: str) -> None:
        self._engine = engine
        self._key = zlib.crc32(f"nudgebot-sender:{name}".encode())
        self._conn: AsyncConnection | None = None
        # One connection serves the lock; two concurrent checks on it would fail each other.
        self._busy = asyncio.Lock()

    @property
    def holding(self) -> bool:
        """Whether this process held the lock when last checked (no I/O, for /health)."""
        return self._engine.dialect.name != "postgresql" or self._conn is not None

    async def held(self) -> bool:
        """Whether this process holds the lock, taking it if it is free."""
        if self._engine.dialect.name != "postgresql":
            return True
        async with self._busy:
            return await self._check()

    async def _check(self) -> bool:
        try:
            if self._conn is not None:
                await self._conn.execute(text("SELECT 1"))
                return True
            conn = await self._engine.connect()
            # Autocommit: the lock belongs to the session, and no transaction stays open.
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            got = (await conn.execute(select(func.pg_try_advisory_lock(self._key)))).scalar()
            if got:
                self._conn = conn
                log.info("this process is now the sender")
                return True
            await conn.close()
            return False
        except (SQLAlchemyError, OSError):
            # The connection (and with it the lock) is gone; someone else may take over.
            await self._drop()
            return False

    async def release(self) -> None:
        async with self._busy:
            await self._drop()

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                # Invalidate rather than return it to the pool: closing the database session
                # is what frees a session-level advisory lock.
                await conn.invalidate()
                await conn.close()
            except (SQLAlchemyError, OSError):
                log.warning("could not close the sender lock's connection")
