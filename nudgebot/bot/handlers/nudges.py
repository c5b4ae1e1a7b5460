"""Suggesting a run or walk, and everything that follows: how long, later, how it went."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from nudgebot.bot import keyboards, prompts
from nudgebot.bot.deps import deps
from nudgebot.bot.handlers.common import chat_id, continue_setup, say
from nudgebot.bot.handlers.onboarding import drop_buttons
from nudgebot.domain.activities import MAX_MINUTES, MIN_MINUTES, LogError, parse_log
from nudgebot.domain.nudges import DURATION_CHOICES, pick
from nudgebot.services.nudges import Reply

_ACTIONS = {"go": Reply.GOING, "later": Reply.SNOOZED, "no": Reply.DECLINED}


async def offer_after(update: Update, context: ContextTypes.DEFAULT_TYPE, checkin_id: int) -> None:
    """Suggest movement after a check-in, if its rating calls for it."""
    d = deps(context)
    offer = await d.nudges.offer_after_rating(chat_id(update), checkin_id, d.clock())
    if offer is not None:
        text, markup = prompts.suggestion(d.nudge_texts, offer)
        message = await say(update, text, markup)
        if message is not None:
            await d.nudges.shown(offer.suggestion_id, message.message_id)
    if await d.safety.professional_help_due(chat_id(update), d.clock()):
        await say(update, d.nudge_texts("professional.text"))


async def nudge_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, suggestion_id: int, action: str
) -> None:
    d = deps(context)
    t = d.nudge_texts
    query = update.callback_query
    assert query is not None
    if action == "gentler":
        offer = await d.nudges.gentler(chat_id(update), suggestion_id, d.clock())
        if offer is None:
            await query.answer(d.texts("errors.stale_button"))
            return
        await query.answer()
        text, markup = prompts.suggestion(t, offer)
        await query.edit_message_text(text, reply_markup=markup)
        return
    reply = await d.nudges.respond(chat_id(update), suggestion_id, _ACTIONS[action], d.clock())
    if reply is Reply.STALE:
        await query.answer(d.texts("errors.stale_button"))
        await drop_buttons(query)
        return
    await query.answer()
    await drop_buttons(query)
    if reply is Reply.GOING:
        choices = keyboards.durations(t, suggestion_id, DURATION_CHOICES)
        await say(update, t("going.ask_duration"), choices)
    elif reply is Reply.SNOOZED:
        await say(update, t("snooze.ack"))
    else:
        await say(update, pick(t.items("decline.ack"), suggestion_id))


async def duration_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, suggestion_id: int, minutes: int | None
) -> None:
    d = deps(context)
    query = update.callback_query
    assert query is not None
    if not await d.nudges.set_duration(chat_id(update), suggestion_id, minutes, d.clock()):
        await query.answer(d.texts("errors.stale_button"))
        await drop_buttons(query)
        return
    await query.answer()
    await drop_buttons(query)
    await say(update, pick(d.nudge_texts.items("going.ack"), suggestion_id))


async def followup_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, suggestion_id: int, moved: str | None
) -> None:
    d = deps(context)
    t = d.nudge_texts
    query = update.callback_query
    assert query is not None
    activity_id = await d.nudges.followup_answer(chat_id(update), suggestion_id, moved, d.clock())
    if activity_id is Reply.STALE:
        await query.answer(d.texts("errors.stale_button"))
        await drop_buttons(query)
        return
    await query.answer()
    await drop_buttons(query)
    if isinstance(activity_id, int):
        await say(update, t("followup.ask_stress_after"), keyboards.stress_after(activity_id))
    else:
        await say(update, pick(t.items("followup.didnt_make_it"), suggestion_id))


async def record_stress_after(
    update: Update, context: ContextTypes.DEFAULT_TYPE, activity_id: int | None, rating: int
) -> bool:
    """How they feel after moving, shown as the change ("4 → 2"); False if nothing was asked."""
    d = deps(context)
    change = await d.nudges.stress_after(chat_id(update), activity_id, rating)
    if change is None:
        return False
    before = change.before if change.before is not None else rating
    key = (
        "followup.result_lower"
        if change.after < before
        else "followup.result_same"
        if change.after == before
        else "followup.result_higher"
    )
    await say(update, d.nudge_texts(key, before=before, after=change.after))
    return True


async def stress_after_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, activity_id: int, rating: int
) -> None:
    query = update.callback_query
    assert query is not None
    recorded = await record_stress_after(update, context, activity_id, rating)
    await query.answer(None if recorded else deps(context).texts("errors.stale_button"))
    await drop_buttons(query)


async def log_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    t = d.texts
    entry = parse_log(list(context.args or []))
    if isinstance(entry, LogError):
        key = "log.usage" if entry.reason == "empty" else f"log.bad_{entry.reason}"
        await say(update, t(key, token=entry.token[:40], min=MIN_MINUTES, max=MAX_MINUTES))
        return
    activity = await d.nudges.log(chat_id(update), entry, d.clock())
    if activity is None:
        account = await d.accounts.get(chat_id(update))
        await say(update, t("onboarding.finish_first"))
        if account is not None:
            await continue_setup(update, context, account)
        return
    after = t("log.saved_after", stress=entry.stress_after) if entry.stress_after else ""
    kind = t(f"log.kind_{entry.kind}")
    await say(update, t("log.saved", kind=kind, minutes=entry.minutes, after=after))
