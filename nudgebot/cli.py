"""The `nudgebot` command."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from importlib.metadata import PackageNotFoundError, version

from nudgebot.content import ContentError
from nudgebot.settings import SettingsError, load_database_settings, load_settings

EXIT_CONFIG = 2


def _version() -> str:
    try:
        return version("nudgebot")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nudgebot",
        description="A Telegram bot that checks in on stress and nudges towards a run or walk.",
    )
    parser.add_argument("--version", action="version", version=f"nudgebot {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("run", help="run the bot (long polling, or a webhook when configured)")
    db = commands.add_parser("db", help="database maintenance (needs no token)")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="create or migrate the database and exit")
    db_commands.add_parser(
        "current", help="print the schema revision of the database (creates nothing)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # Opt in to PTB's coming timedelta durations (RetryAfter.retry_after); the sender reads both.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    from nudgebot import logging_setup
    from nudgebot.startup import StartupFailure

    try:
        if args.command == "db":
            from nudgebot.database_commands import run_db_command

            db_settings = load_database_settings()
            logging_setup.configure(db_settings.log_level, "", db_settings.log_format)
            return asyncio.run(run_db_command(db_settings.database_url, args.db_command))
        from nudgebot.running import run

        settings = load_settings()
        logging_setup.configure(
            settings.log_level, settings.token.get_secret_value(), settings.log_format
        )
        return asyncio.run(run(settings))
    except SettingsError as error:
        print(f"nudgebot: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except ContentError as error:
        print(f"nudgebot: content: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except StartupFailure as failure:
        print(f"nudgebot: {failure}", file=sys.stderr)
        return EXIT_CONFIG


if __name__ == "__main__":
    sys.exit(main())
