"""The Telegram side of the composition root: handlers in order, command menu, lifecycle."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from nudgebot.bot.deps import BotDeps
from nudgebot.bot.handlers import (
    buttons,
    checkins,
    data,
    guards,
    info,
    looking_back,
    nudges,
    onboarding,
    preferences,
    safety,
    text,
)

COMMANDS = {
    "start": onboarding.start_command,
    "checkin": checkins.checkin_command,
    "time": preferences.time_command,
    "timezone": preferences.timezone_command,
    "settings": preferences.settings_command,
    "pause": preferences.pause_command,
    "resume": preferences.resume_command,
    "log": nudges.log_command,
    "summary": looking_back.summary_command,
    "history": looking_back.history_command,
    "privacy": info.privacy_command,
    "export": data.export_command,
    "delete": data.delete_command,
    "sos": safety.sos_command,
    "help": info.help_command,
}
# The order people see in Telegram's menu.
MENU_ORDER = [
    "checkin",
    "sos",
    "time",
    "timezone",
    "settings",
    "pause",
    "resume",
    "log",
    "summary",
    "history",
    "privacy",
    "export",
    "delete",
    "help",
    "start",
]

Hook = Callable[[Application], Awaitable[None]]  # type: ignore[type-arg]


def register_handlers(app: Application, bot_deps: BotDeps) -> None:  # type: ignore[type-arg]
    app.bot_data["deps"] = bot_deps
    private = filters.ChatType.PRIVATE
    app.add_handler(TypeHandler(Update, guards.once), group=-3)
    app.add_handler(TypeHandler(Update, guards.private_only), group=-2)
    app.add_handler(ChatMemberHandler(guards.membership, ChatMemberHandler.MY_CHAT_MEMBER))
    for name, callback in COMMANDS.items():
        app.add_handler(
            CommandHandler(name, callback, filters=private & filters.UpdateType.MESSAGE)
        )
    app.add_handler(CallbackQueryHandler(buttons.on_button))
    app.add_handler(MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, guards.edited))
    app.add_handler(MessageHandler(private & filters.COMMAND, guards.unknown_command))
    app.add_handler(MessageHandler(private & filters.LOCATION, preferences.location))
    app.add_handler(MessageHandler(private & filters.TEXT, text.on_text))
    app.add_handler(MessageHandler(private & filters.UpdateType.MESSAGE, guards.not_text))
    app.add_error_handler(guards.on_error)


def menu(bot_deps: BotDeps) -> list[BotCommand]:
    return [BotCommand(name, bot_deps.texts(f"commands.{name}")) for name in MENU_ORDER]
