"""/start and the consent question."""

from __future__ import annotations

import contextlib

from telegram import CallbackQuery, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from nudgebot.bot import keyboards
from nudgebot.bot.deps import deps
from nudgebot.bot.handlers.common import chat_id, continue_setup, language, say, settings_text


async def start_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    account = await d.accounts.start(chat_id(update), language(update), d.clock())
    if account.setup_step == "done":
        await say(update, d.texts("onboarding.welcome_back") + "\n\n" + settings_text(d, account))
        return
    await continue_setup(update, context, account)


async def drop_buttons(query: CallbackQuery) -> None:
    """Take the buttons off the message that was pressed, so it cannot be pressed again."""
    # Already without buttons, or too old to edit: nothing to undo.
    with contextlib.suppress(BadRequest):
        await query.edit_message_reply_markup(None)


async def consent_given(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    query = update.callback_query
    assert query is not None
    account = await d.accounts.consent(chat_id(update), d.clock())
    if account is None:  # the button outlived the account (they said no, or deleted)
        account = await d.accounts.start(chat_id(update), language(update), d.clock())
        account = await d.accounts.consent(chat_id(update), d.clock()) or account
    await query.answer()
    await drop_buttons(query)
    await say(update, d.texts("onboarding.agreed"))
    await continue_setup(update, context, account)


async def consent_declined(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    query = update.callback_query
    assert query is not None
    forgotten = await d.accounts.decline(chat_id(update))
    await query.answer()
    await drop_buttons(query)
    key = "onboarding.declined" if forgotten else "onboarding.decline_after_consent"
    await say(update, d.texts(key))


async def privacy_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    query = update.callback_query
    assert query is not None
    await query.answer()
    await say(update, d.texts("info.privacy"), keyboards.consent(d.texts))
