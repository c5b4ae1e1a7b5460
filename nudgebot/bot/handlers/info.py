"""/help and /privacy."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from nudgebot.bot.deps import deps
from nudgebot.bot.handlers.common import say


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await say(update, deps(context).texts("info.help"))


async def privacy_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await say(update, deps(context).texts("info.privacy"))
