"""The unit of work: one transaction, with the repositories that act inside it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from nudgebot.storage.crisis_events import CrisisEventRepo
from nudgebot.storage.engine import session_factory
from nudgebot.storage.repositories import (
    ActivityRepo,
    CheckinRepo,
    DeliveryRepo,
    SuggestionRepo,
    UpdateRepo,
    UserRepo,
)


class WriteGate:
    """One SQLite transaction at a time within this process, queued in asyncio.

    Every SQLite transaction here takes the write lock (BEGIN IMMEDIATE), so only one can run
    anyway. Left to SQLite, the others wait in its busy handler, which sleeps 1, 2, 5, ... up to
    100 ms between tries: a reply could wait 50 ms for a lock freed after 1 ms. Queued here,
    each starts the moment the last one ends. Reentrant per task, so a unit of work opened
    inside another (there is none) meets SQLite's busy timeout as it always did rather than
    hanging for ever. Other processes meet the busy timeout as before.
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None
        self._depth = 0

    async def enter(self) -> None:
        task = asyncio.current_task()
        if self._owner is not task or task is None:
            await self._lock.acquire()
            self._owner = task
        self._depth += 1

    def leave(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._owner = None
            self._lock.release()


class UnitOfWork:
    """`async with uow:` opens a transaction; leaving it without commit() rolls back."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], gate: WriteGate | None = None
    ) -> None:
        self._sessions = sessions
        self._gate = gate
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside `async with`")
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        if self._gate is not None:
            await self._gate.enter()
        self._session = self._sessions()
        dialect = self._session.bind.dialect.name if self._session.bind else "sqlite"
        self.users = UserRepo(self._session)
        self.checkins = CheckinRepo(self._session)
        self.deliveries = DeliveryRepo(self._session, dialect)
        self.suggestions = SuggestionRepo(self._session)
        self.activities = ActivityRepo(self._session)
        self.updates = UpdateRepo(self._session, dialect)
        self.crisis_events = CrisisEventRepo(self._session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed and leaves loaded objects readable.
        try:
            await self.session.close()
        finally:
            self._session = None
            if self._gate is not None:
                self._gate.leave()

    async def commit(self) -> None:
        await self.session.commit()


UowFactory = Callable[[], UnitOfWork]


def uow_factory(engine: AsyncEngine) -> UowFactory:
    sessions = session_factory(engine)
    gate = _gate_of(engine) if engine.dialect.name == "sqlite" else None
    return lambda: UnitOfWork(sessions, gate)


def _gate_of(engine: AsyncEngine) -> WriteGate:
    """The engine's one gate, however many factories are made for it."""
    sync = engine.sync_engine
    gate: WriteGate | None = getattr(sync, "_nudgebot_write_gate", None)
    if gate is None:
        gate = WriteGate()
        sync._nudgebot_write_gate = gate  # type: ignore[attr-defined]
    return gate
