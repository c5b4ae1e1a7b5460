"""/summary and /history: how the week went, and the last two weeks at a glance."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from nudgebot.bot.deps import deps
from nudgebot.bot.handlers.common import chat_id, say
from nudgebot.bot.summary_message import compose


async def summary_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    report = await d.summaries.weekly(chat_id(update), None, d.clock())
    if report is None:
        await say(update, d.texts("summary.nothing"))
        return
    message = await compose(d.content, report)
    await say(update, message.text)
    chat = update.effective_chat
    if message.chart_png is not None and chat is not None:
        await chat.send_photo(message.chart_png, caption=message.chart_caption)


async def history_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    t = d.texts
    days = await d.summaries.history(chat_id(update), d.clock())
    if days is None or not any(day.ratings or day.moves for day in days):
        await say(update, t("history.empty"))
        return
    lines = [t("history.title")]
    for day in days:
        what = ", ".join(
            t(f"history.{kind}", minutes=minutes or "?") for kind, minutes in day.moves
        )
        lines.append(
            t(
                "history.day",
                day=f"{day.local_date:%a} {day.local_date.day} {day.local_date:%b}",
                ratings=" ".join(str(r) for r in day.ratings) or t("history.no_ratings"),
                moves=t("history.moves", what=what) if what else "",
            )
        )
    await say(update, "\n".join(lines))
