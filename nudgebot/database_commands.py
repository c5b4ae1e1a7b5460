"""`nudgebot db upgrade` and `nudgebot db current`: no token, and `current` creates nothing."""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from nudgebot.startup import describe
from nudgebot.storage.engine import create_engine
from nudgebot.storage.migrate import current_revision, upgrade
from nudgebot.storage.reachability import where

EXIT_UNUSABLE = 1


async def run_db_command(url: str, action: str) -> int:
    if action == "current" and not _exists(url):
        print(
            f"nudgebot: no database yet at {where(url)}; `nudgebot db upgrade` creates it",
            file=sys.stderr,
        )
        return EXIT_UNUSABLE
    try:
        engine = create_engine(url)
    except OSError as error:
        print(f"nudgebot: NUDGEBOT_DATABASE_URL: {describe(error)}", file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        if action == "upgrade":
            await upgrade(engine)
        print(await current_revision(engine) or "empty")
    except (SQLAlchemyError, OSError) as error:
        print(
            f"nudgebot: NUDGEBOT_DATABASE_URL: cannot use the database ({where(url)}): "
            f"{describe(error)}",
            file=sys.stderr,
        )
        return EXIT_UNUSABLE
    finally:
        await engine.dispose()
    return 0


def _exists(url: str) -> bool:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return True  # a server: asking it creates nothing
    database = parsed.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return True

    return Path(database).is_file()
