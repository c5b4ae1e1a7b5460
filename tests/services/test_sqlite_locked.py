"""SQLite "database is locked" never loses a reply (issue 5.7).

Another connection (a second bot process, an operator's sqlite3 shell, a backup) can hold the
write lock for a while. The bot's transactions start with BEGIN IMMEDIATE and wait on a busy
timeout, so an answer given meanwhile is stored once the lock is free; if the lock outlasts the
timeout, the person is asked to send it again rather than met with silence.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from nudgebot.storage import engine as engine_module
from nudgebot.storage.engine import create_engine
from nudgebot.storage.migrate import upgrade
from nudgebot.storage.uow import UowFactory, uow_factory
from tests.bot.conftest import START
from tests.bot.harness import BotHarness, Chat, local, onboard
from tests.bot.records import stored
from tests.support.fake_telegram import SentMessage

ANA = 1001
INTERNAL = "Sorry, something went wrong on my side and I couldn't save that."
LOCKED_FOR = 2.0


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "nudgebot.db"


async def migrated(path: Path) -> AsyncEngine:
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade(engine)
    return engine


@pytest.fixture
async def engine(db_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = await migrated(db_path)
    yield engine
    await engine.dispose()


@pytest.fixture
def uow(engine: AsyncEngine) -> UowFactory:
    return uow_factory(engine)


@pytest.fixture
async def harness(engine: AsyncEngine) -> AsyncIterator[BotHarness]:
    async with BotHarness.running(engine, START) as harness:
        yield harness


@contextmanager
def write_locked(path: Path) -> Iterator[sqlite3.Connection]:
    """Hold SQLite's write lock from another connection, with a change waiting to commit."""
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("CREATE TABLE IF NOT EXISTS someone_elses_table (x INTEGER)")
        other.execute("INSERT INTO someone_elses_table VALUES (1)")
        yield other
    finally:
        if other.in_transaction:
            other.execute("COMMIT")
        other.close()


def release_later(lock: sqlite3.Connection, seconds: float) -> None:
    """Commit the other connection's transaction after `seconds` (on this event loop)."""
    asyncio.get_running_loop().call_later(seconds, lock.execute, "COMMIT")


async def prompted(harness: BotHarness) -> tuple[Chat, SentMessage]:
    ana = await onboard(harness, ANA, times="08:30")
    [prompt] = await harness.tick(at=local("Europe/Berlin", 2025, 1, 13, 8, 30))
    return ana, prompt


async def test_a_rating_and_a_note_given_while_the_database_is_locked_are_stored(
    harness: BotHarness, uow: UowFactory, db_path: Path
) -> None:
    ana, prompt = await prompted(harness)

    with write_locked(db_path) as lock:
        release_later(lock, LOCKED_FOR)
        began = time.monotonic()
        rated = await ana.taps("4", message_id=prompt.message_id)
        waited = time.monotonic() - began
    with write_locked(db_path) as lock:
        release_later(lock, LOCKED_FOR / 2)
        noted = await ana.says("train was late again")

    assert waited >= LOCKED_FOR - 0.1, "the tap never met the lock"
    assert rated.toast == "Saved: 4"
    assert "Anything you want to add" in rated.text
    assert "Got it" in noted.text
    [checkin] = (await stored(uow, ANA)).checkins
    assert (checkin.rating, checkin.note) == (4, "train was late again")


async def test_when_the_lock_outlasts_the_busy_timeout_the_user_is_asked_to_send_again(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 200)
    engine = await migrated(db_path)
    uow = uow_factory(engine)
    try:
        async with BotHarness.running(engine, START) as harness:
            ana, prompt = await prompted(harness)

            with write_locked(db_path):
                query = harness.fake.tap_button(ANA, "4", message_id=prompt.message_id)
                with pytest.raises(AssertionError, match="handling an update failed"):
                    await harness.deliver()
                before = len(ana.messages)
                harness.fake.send_text(ANA, "4")
                with pytest.raises(AssertionError, match="handling an update failed"):
                    await harness.deliver()
                typed_replies = [m.text or "" for m in ana.messages[before:]]

            assert (await stored(uow, ANA)).ratings == [None]
            # Told once, not ignored: a pop-up for the button, a message for the typed answer.
            [answer] = [
                p
                for p in harness.fake.calls_of("answerCallbackQuery")
                if p["callback_query_id"] == query
            ]
            assert answer.get("show_alert") is True and INTERNAL in answer["text"]
            [typed_reply] = typed_replies
            assert INTERNAL in typed_reply
            # Once the lock is gone, sending it again works.
            again = await ana.taps("4", message_id=prompt.message_id)
            assert again.toast == "Saved: 4"
            assert (await stored(uow, ANA)).ratings == [4]
    finally:
        await engine.dispose()
