"""What happens before and around the real handlers: chat type, odd updates, errors."""

from __future__ import annotations

import logging

from telegram import ChatMember, Update
from telegram.constants import ChatType
from telegram.error import NetworkError, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from nudgebot.bot.deps import deps
from nudgebot.bot.handlers import safety
from nudgebot.bot.handlers.common import chat_id, say

log = logging.getLogger(__name__)


async def once(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop here if this update_id was handled before (a webhook retry, a replayed poll).

    Someone writing or tapping in their private chat also resumes check-ins that a 403 had
    stopped (they had blocked the bot and came back), in the same transaction.
    """
    d = deps(context)
    fresh = await d.updates.first_time_if_reachable(
        update.update_id, d.clock(), sender=_writer(update)
    )
    if fresh is None:
        # Help (/sos, the crisis reply) must not wait for the database: go on unrecorded;
        # whatever needs the database fails on its own and says so.
        log.warning("update %d: database unreachable; handled without a record", update.update_id)
    elif not fresh:
        log.info("update %d was handled before; skipped", update.update_id)
        raise ApplicationHandlerStop


def _writer(update: Update) -> int | None:
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        return None
    if update.message is None and update.callback_query is None:
        return None
    return chat.id


async def private_only(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Groups would mix several people's health data in one place: decline politely."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    d = deps(context)
    if update.callback_query is not None:
        await update.callback_query.answer(d.texts("errors.private_only"), show_alert=True)
    elif update.message is not None and update.message.text and update.message.text.startswith("/"):
        await say(update, d.texts("errors.private_only"))
    raise ApplicationHandlerStop


async def membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.PRIVATE:
        return
    d = deps(context)
    if change.new_chat_member.status in (ChatMember.BANNED, ChatMember.LEFT):
        await d.accounts.deactivate(change.chat.id)
    elif change.new_chat_member.status == ChatMember.MEMBER:
        await d.accounts.reactivate(change.chat.id, d.clock())


async def _screened(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str | None) -> bool:
    """Screen text that is not a new message (an edit, a caption); True if it was answered."""
    if not text:
        return False
    d = deps(context)
    situation = await d.safety.situation(chat_id(update), d.clock())
    assessment = safety.screen(d, update, text, situation)
    if not assessment:
        return False
    await safety.answer_flagged(update, context, assessment, situation)
    return True


async def edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and await _screened(update, context, message.text):
        return
    await say(update, deps(context).texts("errors.edited"))


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    # A photo's caption is free text too, and is screened like any message.
    if message is not None and await _screened(update, context, message.caption):
        return
    await say(update, deps(context).texts("errors.not_text"))


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await say(update, deps(context).texts("errors.not_understood"))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log what broke (never what the user wrote), tell the user to try again, and stop.

    Stopping matters: PTB otherwise goes on to the next handler group, so a guard that failed
    (the database was locked, say) would be followed by more handlers failing the same way,
    each apologising, or by the update being handled after all without being recorded as seen.
    """
    error = context.error
    if update is None and isinstance(error, NetworkError):
        log.warning("polling: %s", type(error).__name__)  # PTB retries on its own
        return
    log.error("handling an update failed", exc_info=error)
    if not isinstance(update, Update):
        return
    if update.effective_chat is not None:
        text = deps(context).texts("errors.internal")
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(text, show_alert=True)
            else:
                await say(update, text)
        except TelegramError:
            log.warning("could not tell the user about the failure")
    raise ApplicationHandlerStop
