"""Asking how stressed someone is, and recording the answer and an optional note."""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from nudgebot.bot import keyboards
from nudgebot.bot.deps import BotDeps, deps
from nudgebot.bot.formatting import local_clock
from nudgebot.bot.handlers import nudges
from nudgebot.bot.handlers.common import chat_id, continue_setup, say
from nudgebot.bot.handlers.onboarding import drop_buttons
from nudgebot.bot.prompts import checkin_prompt
from nudgebot.domain.checkins import NOTE_MAX_CHARS
from nudgebot.services.views import NoteStatus, RateResult, RateStatus


async def checkin_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    new = await d.checkins.ask_now(chat_id(update), d.clock())
    if new is None:
        account = await d.accounts.get(chat_id(update))
        await say(update, d.texts("onboarding.finish_first"))
        if account is not None:
            await continue_setup(update, context, account)
        return
    text, markup = checkin_prompt(d.texts, new.checkin_id, late=False)
    message = await say(update, text, markup)
    if message is not None:
        await d.checkins.prompt_sent(new.checkin_id, message.message_id)


def _answered_text(d: BotDeps, rating: int, zone: str | None) -> str:
    labels = d.texts.items("checkin.labels")
    now = d.clock()
    return d.texts(
        "checkin.answered",
        rating=rating,
        label=labels[rating - 1],
        time=local_clock(now, zone) if zone else now.strftime("%H:%M UTC"),
    )


async def rate_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, checkin_id: int, rating: int
) -> None:
    d = deps(context)
    query = update.callback_query
    assert query is not None
    message_id = query.message.message_id if query.message else None
    result = await d.checkins.rate(chat_id(update), checkin_id, rating, d.clock(), message_id)
    t = d.texts
    match result.status:
        case RateStatus.RECORDED:
            await query.answer(t("checkin.saved_toast", rating=rating))
            # A prompt whose send timed out has no message id on record: it is the one pressed.
            await _show_answer(update, context, result, shown_in=message_id)
            await _ask_note(update, d, result)
        case RateStatus.ALREADY:
            await query.answer(t("checkin.already_toast", rating=result.rating))
            await drop_buttons(query)
        case RateStatus.CLOSED:
            await query.answer(t("checkin.closed_toast"), show_alert=True)
            await drop_buttons(query)
        case RateStatus.NOT_READY:
            await query.answer()
            await say(update, t("checkin.setup_needed"))
        case _:
            await query.answer(t("checkin.unknown_toast"))


async def rate_typed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, rating: int, *, only_if_open: bool = False
) -> bool:
    """A typed 1-5 for the open check-in; with only_if_open, says nothing when none is open."""
    d = deps(context)
    result = await d.checkins.rate_latest(chat_id(update), rating, d.clock())
    match result.status:
        case RateStatus.RECORDED:
            await _show_answer(update, context, result)
            await _ask_note(update, d, result)
        case _ if only_if_open:
            return False
        case RateStatus.NOT_READY:
            await say(update, d.texts("checkin.setup_needed"))
        case _:
            await say(update, d.texts("checkin.none_open"))
    return True


async def _show_answer(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    result: RateResult,
    shown_in: int | None = None,
) -> None:
    """Turn the prompt into a record of the answer, without buttons."""
    d = deps(context)
    message_id = result.message_id or shown_in
    if message_id is None or result.rating is None:
        return
    # Deleted by the user, or unchanged: the rating is stored either way.
    with contextlib.suppress(BadRequest):
        await context.bot.edit_message_text(
            _answered_text(d, result.rating, result.zone),
            chat_id=chat_id(update),
            message_id=message_id,
            reply_markup=None,
        )


async def _ask_note(update: Update, d: BotDeps, result: RateResult) -> None:
    assert result.checkin_id is not None
    await say(update, d.texts("checkin.ask_note"), keyboards.skip_note(d.texts, result.checkin_id))


async def note_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> bool:
    """Store `text` as the note being asked for; False if no note was being asked for."""
    d = deps(context)
    result = await d.checkins.save_note(chat_id(update), text, d.clock())
    if result.status is NoteStatus.NOT_EXPECTED:
        return False
    if result.status is NoteStatus.TOO_LONG:
        await say(update, d.texts("checkin.note_too_long", max=NOTE_MAX_CHARS))
        return True
    await say(update, d.texts("checkin.note_saved"))
    if result.checkin_id is not None:
        await nudges.offer_after(update, context, result.checkin_id)
    return True


async def skip_note_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, checkin_id: int
) -> None:
    d = deps(context)
    query = update.callback_query
    assert query is not None
    skipped = await d.checkins.skip_note(chat_id(update), checkin_id)
    await query.answer(d.texts("checkin.note_skipped") if skipped else None)
    await drop_buttons(query)
    if skipped:
        # The note question comes first so that what someone writes is read before any run
        # is suggested; once it is answered or skipped, the suggestion (if any) follows.
        await nudges.offer_after(update, context, checkin_id)
