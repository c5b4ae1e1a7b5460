"""Messages the bot sends on its own initiative, rendered for Telegram."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from nudgebot.bot import keyboards
from nudgebot.content import Texts


def checkin_prompt(texts: Texts, checkin_id: int, late: bool) -> tuple[str, InlineKeyboardMarkup]:
    text = texts("checkin.prompt_late" if late else "checkin.prompt")
    return text, keyboards.rating(checkin_id)
