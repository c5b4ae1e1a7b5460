"""Crisis language, /sos and the safety plan. Nothing here ever suggests exercise."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from nudgebot.bot import keyboards
from nudgebot.bot.deps import BotDeps, deps
from nudgebot.bot.formatting import quote
from nudgebot.bot.handlers.common import chat_id, language, say
from nudgebot.bot.handlers.onboarding import drop_buttons
from nudgebot.domain.crisis import Concern, HelplineSet, country_from_language
from nudgebot.domain.nudges import pick
from nudgebot.services import questions
from nudgebot.services.safety import PLAN_MAX_CHARS


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


def _support_text(d: BotDeps, update: Update, country: str | None, seed: int) -> str:
    lines = d.helplines.for_country(country or country_from_language(language(update)))
    t = d.texts
    return "\n\n".join(
        [
            helplines_text(d, lines),
            t("safety.emergency", emergency=lines.emergency),
            t("safety.grounding_title") + "\n" + pick(t.items("safety.grounding"), seed),
        ]
    )


def screen(d: BotDeps, update: Update, text: str) -> Concern:
    return d.crisis.check(text, language(update))


async def crisis_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Calm words, real people to talk to, one grounding step; and no run or walk."""
    d = deps(context)
    country = await d.safety.crisis_seen(chat_id(update), d.clock())
    t = d.texts
    await say(
        update,
        "\n\n".join(
            [
                t("safety.crisis_intro"),
                _support_text(d, update, country, chat_id(update)),
                t("safety.sos_hint"),
            ]
        ),
    )


async def sos_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    t = d.texts
    view = await d.safety.view(chat_id(update))
    country = view.country if view else None
    parts = [t("safety.sos_title"), _support_text(d, update, country, d.clock().day)]
    if view is not None and view.consented:
        parts.append(
            t("safety.plan_title") + "\n" + view.plan if view.plan else t("safety.plan_none")
        )
    # The plan is kept, so it is offered only to people who agreed to what is kept.
    markup = keyboards.sos(t, has_plan=bool(view.plan)) if view and view.consented else None
    await say(update, "\n\n".join(parts), markup)


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
    code = text.strip().upper()
    code = "GB" if code == "UK" else code
    if code in d.helplines.countries:
        await d.safety.set_country(chat_id(update), code)
        await say(update, d.texts("safety.country_set", country=code))
        return
    known = ", ".join(sorted(d.helplines.countries))
    await say(update, d.texts("safety.country_unknown", text=quote(text.strip()), known=known))
