"""The unit of work: one transaction, with the repositories that act inside it."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from nudgebot.storage.engine import session_factory
from nudgebot.storage.repositories import (
    ActivityRepo,
    CheckinRepo,
    DeliveryRepo,
    SuggestionRepo,
    UpdateRepo,
    UserRepo,
)


class UnitOfWork:
    """`async with uow:` opens a transaction; leaving it without commit() rolls back."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside `async with`")
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        self._session = self._sessions()
        dialect = self._session.bind.dialect.name if self._session.bind else "sqlite"
        self.users = UserRepo(self._session)
        self.checkins = CheckinRepo(self._session)
        self.deliveries = DeliveryRepo(self._session, dialect)
        self.suggestions = SuggestionRepo(self._session)
        self.activities = ActivityRepo(self._session)
        self.updates = UpdateRepo(self._session, dialect)
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

    async def commit(self) -> None:
        await self.session.commit()


UowFactory = Callable[[], UnitOfWork]


def uow_factory(engine: AsyncEngine) -> UowFactory:
    sessions = session_factory(engine)
    return lambda: UnitOfWork(sessions)
