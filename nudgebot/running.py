"""`nudgebot run`: migrate (waiting for the database if it is not there yet), then serve."""

from __future__ import annotations

import asyncio
import logging
import signal

from nudgebot.bootstrap import build, serve
from nudgebot.settings import Settings
from nudgebot.startup import StartupFailure, Stopped, describe, retrying
from nudgebot.storage.engine import create_engine
from nudgebot.storage.migrate import upgrade
from nudgebot.storage.reachability import is_transient, where


async def run(settings: Settings) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # From the first moment: SIGTERM while waiting for the database is a clean stop too.
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    url = settings.database_url

    async def migrate() -> None:
        try:
            engine = create_engine(url)
        except OSError as error:  # the SQLite file's folder cannot be made
            raise StartupFailure(_unusable(url, error)) from None
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    def transient(error: BaseException) -> float | None:
        if isinstance(error, StartupFailure):
            return None
        if is_transient(url, error):
            return 0.0
        raise StartupFailure(_unusable(url, error)) from None

    try:
        await retrying(
            f"opening the database ({where(url)})", migrate, transient=transient, stop=stop
        )
    except Stopped:
        logging.getLogger("nudgebot.startup").info("nudgebot stopped before it was running")
        return 0
    return await serve(build(settings), stop)


def _unusable(url: str, error: BaseException) -> str:
    return (
        f"NUDGEBOT_DATABASE_URL: cannot use the database ({where(url)}): {describe(error)}; "
        "check the path is writable, or the server, user and password"
    )
