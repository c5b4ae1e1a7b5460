"""/export and /delete: a person's own data, to take away or to remove."""

from __future__ import annotations

from telegram import InputFile, Update
from telegram.ext import ContextTypes

from nudgebot.bot import keyboards
from nudgebot.bot.deps import deps
from nudgebot.bot.export_files import as_csv, as_json
from nudgebot.bot.handlers.common import chat_id, say
from nudgebot.bot.handlers.onboarding import drop_buttons


async def export_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    export = await d.privacy.export(chat_id(update))
    if export is None:
        await say(update, d.texts("data.nothing_kept"))
        return
    chat = update.effective_chat
    assert chat is not None
    await chat.send_document(
        InputFile(as_csv(export), filename="nudgebot-data.csv"),
        caption=d.texts("data.export_caption"),
    )
    await chat.send_document(InputFile(as_json(export), filename="nudgebot-data.json"))


async def delete_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    if await d.accounts.get(chat_id(update)) is None:
        await say(update, d.texts("data.nothing_kept"))
        return
    await say(update, d.texts("data.confirm_delete"), keyboards.confirm_delete(d.texts))


async def delete_confirmed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _delete_answer(update, context, confirmed=True)


async def delete_cancelled(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _delete_answer(update, context, confirmed=False)


async def _delete_answer(
    update: Update, context: ContextTypes.DEFAULT_TYPE, *, confirmed: bool
) -> None:
    d = deps(context)
    query = update.callback_query
    assert query is not None
    await query.answer()
    await drop_buttons(query)
    if not confirmed:
        await say(update, d.texts("data.delete_cancelled"))
        return
    deleted = await d.privacy.delete_everything(chat_id(update))
    await say(update, d.texts("data.deleted" if deleted else "data.nothing_kept"))
