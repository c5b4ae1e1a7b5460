"""Free text: whatever question the person is in the middle of answering decides its meaning."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from nudgebot.bot.deps import deps
from nudgebot.bot.handlers import checkins, nudges, preferences, safety
from nudgebot.bot.handlers.common import chat_id, continue_setup, language, say
from nudgebot.domain.ratings import parse_rating
from nudgebot.services.checkins import AWAITING_NOTE
from nudgebot.services.nudges import AWAITING_AFTER
from nudgebot.services.safety import AWAITING_COUNTRY, AWAITING_PLAN

# Longer than anything a person types as an answer here; Telegram itself caps at 4096.
MAX_TEXT = 2000


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    message = update.effective_message
    assert message is not None and message.text is not None
    text = message.text.strip()
    account = await d.accounts.get(chat_id(update))
    if account is not None and account.awaiting == AWAITING_PLAN:
        # A safety plan names hard moments on purpose; it is not screened.
        await safety.plan_text(update, context, text)
        return
    if safety.screen(d, update, text):
        if account is not None and account.awaiting == AWAITING_NOTE:
            # It answers the note question, so it is kept as the note, as the person meant.
            await d.checkins.save_note(chat_id(update), text, d.clock())
        await safety.crisis_reply(update, context)
        return
    if account is None:
        account = await d.accounts.start(chat_id(update), language(update), d.clock())
        await continue_setup(update, context, account)
        return
    if account.setup_step == "consent":
        await say(update, d.texts("onboarding.consent_first"))
        await continue_setup(update, context, account)
        return
    if len(text) > MAX_TEXT:
        await say(update, d.texts("errors.too_long"))
        return
    if account.awaiting == AWAITING_COUNTRY:
        await safety.country_text(update, context, text)
        return
    if account.awaiting == "summary":
        await preferences.apply_summary_time(update, context, text)
        return
    if account.awaiting == "quiet":
        await preferences.apply_quiet_hours(update, context, text)
        return
    if account.awaiting == AWAITING_NOTE and await checkins.note_text(update, context, text):
        return
    if account.awaiting == "timezone" or account.setup_step == "timezone":
        await preferences.apply_zone(update, context, text)
        return
    if account.awaiting == "times" or account.setup_step == "times":
        await preferences.apply_times(update, context, text)
        return
    rating = parse_rating(text)
    if (
        rating is not None
        and account.awaiting == AWAITING_AFTER
        and await nudges.record_stress_after(update, context, None, rating)
    ):
        return
    if rating is not None:
        await checkins.rate_typed(update, context, rating)
        return
    await say(update, d.texts("errors.not_understood"))
