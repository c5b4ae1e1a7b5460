"""Shared fixtures: a real database (SQLite file, and PostgreSQL when one is configured)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from nudgebot.storage.engine import create_engine
from nudgebot.storage.migrate import upgrade
from nudgebot.storage.uow import UowFactory, uow_factory

PG_URL_ENV = "NUDGEBOT_TEST_POSTGRES_URL"
# CI sets this so that a missing PostgreSQL fails the run instead of skipping half the suite.
PG_REQUIRED_ENV = "NUDGEBOT_TEST_REQUIRE_POSTGRES"


def postgres_url() -> str | None:
    url = os.environ.get(PG_URL_ENV)
    if url is None and os.environ.get(PG_REQUIRED_ENV):
        raise RuntimeError(f"{PG_REQUIRED_ENV} is set but {PG_URL_ENV} is not")
    return url


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if postgres_url():
        return
    skip = pytest.mark.skip(reason=f"set {PG_URL_ENV} (see scripts/test-postgres)")
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("backend") == "postgresql":
            item.add_marker(skip)


async def fresh_engine(backend: str, tmp_path: Path) -> AsyncEngine:
    """A migrated, empty database of the given backend."""
    if backend == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'nudgebot.db'}")
    else:
        url = postgres_url()
        assert url is not None
        engine = create_engine(url.replace("postgresql://", "postgresql+asyncpg://", 1))
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    await upgrade(engine)
    return engine


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def engine(backend: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = await fresh_engine(backend, tmp_path)
    yield engine
    await engine.dispose()


@pytest.fixture
def uow(engine: AsyncEngine) -> UowFactory:
    return uow_factory(engine)
