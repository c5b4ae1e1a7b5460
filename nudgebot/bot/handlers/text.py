"""Free text: whatever question the person is in the middle of answering decides its meaning."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import ContextTypes

from nudgebot.bot.deps import deps
from nudgebot.bot.handlers import checkins, nudges, preferences, safety
from nudgebot.bot.handlers.common import chat_id, continue_setup, language, say
from nudgebot.domain.nudges import pick
from nudgebot.domain.ratings import parse_rating
from nudgebot.services import questions

# Longer than anything a person types as an answer here; Telegram itself caps at 4096.
MAX_TEXT = 2000


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    message = update.effective_message
    assert message is not None and message.text is not None
    text = message.text.strip()
    # Read before anything else, and never failing, so the screen works without the database.
    situation = await d.safety.situation(chat_id(update), d.clock())
    if situation.awaiting_plan:
        # A safety plan names hard moments on purpose; it is not screened.
        await safety.plan_text(update, context, text)
        return
    assessment = safety.screen(d, update, text, situation)
    if assessment:
        # Either tier: a note stays the note, and no run or walk follows, whatever the rating.
        await safety.answer_flagged(update, context, assessment, situation, text)
        return
    account = await d.accounts.get(chat_id(update))
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
    rating = parse_rating(text)
    if rating is not None:
        # A bare 1-5 answers the question about moving just asked, else an open check-in,
        # before any half-finished settings question: nobody means a check-in time of "3".
        if account.awaiting == questions.AFTER and await nudges.record_stress_after(
            update, context, None, rating
        ):
            return
        if await checkins.rate_typed(update, context, rating, only_if_open=True):
            return
    if account.awaiting == questions.NOTE and await checkins.note_text(update, context, text):
        return
    answer = _ANSWERS.get(account.awaiting or "") or _SETUP.get(account.setup_step)
    if answer is not None:
        await answer(update, context, text)
        return
    if rating is not None:
        await checkins.rate_typed(update, context, rating)
        return
    # Venting to the bot is normal: heard, then the natural next steps, never "what?".
    heard = pick(d.texts.items("chat.heard"), message.message_id)
    await say(update, heard + "\n\n" + d.texts("chat.next_steps"))


Answer = Callable[[Update, ContextTypes.DEFAULT_TYPE, str], Awaitable[None]]
# What a free text answers while a question is open (users.awaiting), or during setup.
_ANSWERS: dict[str, Answer] = {
    questions.COUNTRY: safety.country_text,
    questions.SUMMARY: preferences.apply_summary_time,
    questions.QUIET: preferences.apply_quiet_hours,
    questions.TIMEZONE: preferences.apply_zone,
    questions.TIMES: preferences.apply_times,
}
_SETUP: dict[str, Answer] = {
    "timezone": preferences.apply_zone,
    "times": preferences.apply_times,
}
