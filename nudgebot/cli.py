"""The `nudgebot` command."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from telegram.error import InvalidToken

from nudgebot.content import ContentError
from nudgebot.settings import SettingsError, load_settings

EXIT_CONFIG = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nudgebot",
        description="A Telegram bot that checks in on stress and nudges towards a run or walk.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("run", help="run the bot (long polling)")
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply database migrations and exit")
    db_commands.add_parser("current", help="print the schema revision of the database")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # Opt in to PTB's coming timedelta durations (RetryAfter.retry_after); the sender reads both.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"nudgebot: {error}", file=sys.stderr)
        return EXIT_CONFIG

    from nudgebot import logging_setup
    from nudgebot.storage.engine import create_engine
    from nudgebot.storage.migrate import current_revision, upgrade

    logging_setup.configure(
        settings.log_level, settings.token.get_secret_value(), settings.log_format
    )
    if args.command == "db":

        async def _db() -> None:
            engine = create_engine(settings.database_url)
            try:
                if args.db_command == "upgrade":
                    await upgrade(engine)
                print(await current_revision(engine) or "empty")
            finally:
                await engine.dispose()

        asyncio.run(_db())
        return 0

    from nudgebot.bootstrap import build, serve

    async def _migrate() -> None:
        engine = create_engine(settings.database_url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    async def _run() -> int:
        await _migrate()
        return await serve(build(settings))

    try:
        return asyncio.run(_run())
    except ContentError as error:
        print(f"nudgebot: content: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except InvalidToken:
        # PTB's message quotes the token; this line must not.
        print(
            "nudgebot: NUDGEBOT_TOKEN was rejected by the Bot API; check it with @BotFather",
            file=sys.stderr,
        )
        return EXIT_CONFIG


if __name__ == "__main__":
    sys.exit(main())
