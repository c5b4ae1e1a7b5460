"""Crisis language, /sos and the safety plan. Nothing here ever suggests exercise.

Help never waits for the database: the screen, the helplines and the grounding steps are
loaded content, and every service call made on the way to help returns something usable when
the database does not answer.
"""

from __future__ import annotations

import contextlib

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from nudgebot.bot import keyboards
from nudgebot.bot.deps import BotDeps, deps
from nudgebot.bot.formatting import quote
from nudgebot.bot.handlers.common import chat_id, language, say
from nudgebot.bot.handlers.onboarding import drop_buttons
from nudgebot.domain.crisis import Assessment, Tier
from nudgebot.domain.fit import fit
from nudgebot.domain.helplines import HelplineSet, where
from nudgebot.domain.nudges import pick
from nudgebot.services import questions
from nudgebot.services.safety import PLAN_MAX_CHARS, Answer, Flagged, Situation

_ANSWERS = {"yes": Answer.YES, "no": Answer.NO, "rather_not": Answer.RATHER_NOT}


def helplines_text(d: BotDeps, lines: HelplineSet) -> str:
    """One bullet per line: its name, then every way to reach it."""
    t = d.texts
    bullets = []
    for line in lines.lines:
        ways = [
            t("safety.line_phone", phone=line.phone) if line.phone else None,
            line.text,
            line.url,
            t("safety.line_hours", hours=line.hours) if line.hours else None,
        ]
        reach = " · ".join(w for w in ways if w)
        bullets.append(f"• {line.name}: {reach}" if reach else f"• {line.name}")
    return "\n".join(bullets)


def _support_parts(
    d: BotDeps, update: Update, chosen: str | None, zone: str | None, seed: int
) -> list[str]:
    country = where(chosen, zone, language(update), d.content.zone_countries)
    lines = d.helplines.for_country(country)
    t = d.texts
    return [
        helplines_text(d, lines),
        t("safety.emergency", emergency=lines.emergency),
        t("safety.grounding_title") + "\n" + pick(t.items("safety.grounding"), seed),
    ]


async def _send(update: Update, parts: list[str], markup: InlineKeyboardMarkup | None) -> None:
    """As few messages as Telegram's limit allows; buttons on the last, which always fits."""
    messages = fit(parts)
    for index, text in enumerate(messages):
        await say(update, text, markup if index == len(messages) - 1 else None)


def screen(d: BotDeps, update: Update, text: str, situation: Situation) -> Assessment:
    return d.crisis.screen(text, language(update), situation.context)


async def answer_flagged(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    assessment: Assessment,
    situation: Situation,
    text: str | None = None,
) -> None:
    """Clear risk: the crisis reply. Uncertain: ask directly first. Either way no run or walk
    for a day; a flagged note is still kept as the note (`text`, when it answered one)."""
    d = deps(context)
    note = text if situation.awaiting_note else None
    flagged = await d.safety.flagged(chat_id(update), assessment.tier, d.clock(), note)
    await _drop_offers(update, context, flagged)
    if assessment.tier is Tier.CLEAR:
        await _crisis_reply(update, context, flagged)
        return
    await say(
        update, d.texts("safety.question"), keyboards.safety_question(d.texts, flagged.event_id)
    )


async def crisis_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The crisis reply for a message the screen found clear (edits, captions)."""
    await answer_flagged(update, context, _CLEAR, Situation())


_CLEAR = Assessment(Tier.CLEAR)


async def _crisis_reply(
    update: Update, context: ContextTypes.DEFAULT_TYPE, flagged: Flagged
) -> None:
    """Calm words, real people to talk to, one grounding step; and no run or walk."""
    d = deps(context)
    t = d.texts
    parts = [
        t("safety.crisis_intro"),
        *_support_parts(d, update, flagged.country, flagged.zone, chat_id(update)),
        t("safety.sos_hint"),
    ]
    await _send(update, parts, None)


async def _drop_offers(
    update: Update, context: ContextTypes.DEFAULT_TYPE, flagged: Flagged
) -> None:
    """The buttons of a withdrawn run or walk come off, so the offer is visibly gone."""
    for message_id in flagged.withdrawn_messages:
        # Deleted by the person, or too old to edit: it is withdrawn either way.
        with contextlib.suppress(BadRequest):
            await context.bot.edit_message_reply_markup(
                chat_id=chat_id(update), message_id=message_id, reply_markup=None
            )


async def question_answered(
    update: Update, context: ContextTypes.DEFAULT_TYPE, event_id: int, answer: str
) -> None:
    """Yes or "rather not say": the crisis reply. No: a warm word, and the talk goes on."""
    d = deps(context)
    query = update.callback_query
    assert query is not None
    flagged = await d.safety.answer(chat_id(update), event_id, _ANSWERS[answer], d.clock())
    if flagged is None:
        await query.answer(d.texts("safety.question_stale"))
        await drop_buttons(query)
        return
    await query.answer()
    await drop_buttons(query)
    await _drop_offers(update, context, flagged)
    if answer == "no":
        await say(update, d.texts("safety.answer_no"))
    else:
        await _crisis_reply(update, context, flagged)


async def sos_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    t = d.texts
    view = await d.safety.view(chat_id(update))
    parts = [
        t("safety.sos_title"),
        *_support_parts(
            d, update, view.country if view else None, view.zone if view else None, d.clock().day
        ),
    ]
    markup = None
    if view is not None and view.consented:
        if view.plan:
            parts.append(t("safety.plan_title") + "\n" + view.plan)
        else:
            parts.append(t("safety.plan_none"))
        # The plan is kept, so it is offered only to people who agreed to what is kept.
        markup = keyboards.sos(t, has_plan=bool(view.plan))
    await _send(update, parts, markup)


async def plan_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    query = update.callback_query
    assert query is not None
    await query.answer()
    await drop_buttons(query)
    await d.accounts.await_answer(chat_id(update), questions.PLAN)
    await say(update, d.texts("safety.ask_plan"))


async def country_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    query = update.callback_query
    assert query is not None
    await query.answer()
    await drop_buttons(query)
    await d.accounts.await_answer(chat_id(update), questions.COUNTRY)
    await say(update, d.texts("safety.ask_country"))


async def plan_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    d = deps(context)
    if await d.safety.save_plan(chat_id(update), text):
        await say(update, d.texts("safety.plan_saved"))
    else:
        await say(update, d.texts("safety.plan_too_long", max=PLAN_MAX_CHARS))


async def country_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    d = deps(context)
    code = d.helplines.find(text)
    if code is not None:
        await d.safety.set_country(chat_id(update), code)
        await say(update, d.texts("safety.country_set", country=d.helplines.name_of(code)))
        return
    await say(update, d.texts("safety.country_unknown", text=quote(text.strip())))
