"""Shared fixtures: a real database (SQLite file, and PostgreSQL when one is configured)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine

from nudgebot.storage.engine import create_engine
from nudgebot.storage.migrate import upgrade
from nudgebot.storage.uow import UowFactory, uow_factory

# As `nudgebot` itself does: PTB's durations as timedelta, without its deprecation warning.
os.environ.setdefault("PTB_TIMEDELTA", "true")

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
    """A migrated, empty database of the given backend, used by this test alone."""
    if backend == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'nudgebot.db'}")
    else:
        engine = create_engine(await _create_pg_database())
    await upgrade(engine)
    return engine


async def dispose_engine(engine: AsyncEngine) -> None:
    await engine.dispose()
    if engine.dialect.name == "postgresql":
        admin = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
        async with admin.connect() as conn:
            await conn.execute(
                text(f'DROP DATABASE IF EXISTS "{engine.url.database}" WITH (FORCE)')
            )
        await admin.dispose()


def _pg_admin_url() -> str:
    url = postgres_url()
    assert url is not None
    return url.replace("postgresql://", "postgresql+asyncpg://", 1)


async def _create_pg_database() -> str:
    """A database of its own per test, so tests (and people) can run side by side."""
    name = f"nudgebot_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return make_url(_pg_admin_url()).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def engine(backend: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = await fresh_engine(backend, tmp_path)
    yield engine
    await dispose_engine(engine)


@pytest.fixture
def uow(engine: AsyncEngine) -> UowFactory:
    return uow_factory(engine)
