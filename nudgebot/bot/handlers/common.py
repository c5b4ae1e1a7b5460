"""Small pieces every handler uses: replying, and moving a person through setup."""

from __future__ import annotations

from telegram import (
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import ContextTypes

from nudgebot.bot import keyboards
from nudgebot.bot.deps import BotDeps, deps
from nudgebot.bot.formatting import join_times, local_clock, when
from nudgebot.services.views import Account

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


async def say(update: Update, text: str, markup: Markup | None = None) -> Message | None:
    """Send `text` into the chat this update came from."""
    chat = update.effective_chat
    if chat is None:
        return None
    return await chat.send_message(text, reply_markup=markup)


def next_label(d: BotDeps, account: Account) -> str:
    if account.next_checkin_utc is None or account.timezone is None:
        return d.texts("settings.no_next")
    return when(account.next_checkin_utc, d.clock(), account.timezone)


def settings_text(d: BotDeps, account: Account) -> str:
    t = d.texts
    return t(
        "settings.summary",
        times=join_times(account.times) if account.times else t("settings.no_times"),
        zone=account.timezone or t("settings.no_zone"),
        local_now=local_clock(d.clock(), account.timezone) if account.timezone else "?",
        state=t("settings.state_paused" if account.paused else "settings.state_active"),
        next=next_label(d, account),
        weekly=weekly_label(d, account),
        threshold=account.stress_threshold,
        preference=t(f"settings.preferences.{account.preference}"),
        quiet="–".join(account.quiet_hours) if account.quiet_hours else t("settings.quiet_off"),
    )


def weekly_label(d: BotDeps, account: Account) -> str:
    day = d.texts.items("settings.weekdays")[account.summary_weekday]
    return d.texts("settings.weekly", day=day, time=account.summary_time)


async def continue_setup(
    update: Update, context: ContextTypes.DEFAULT_TYPE, account: Account
) -> None:
    """Ask for whatever setup still lacks, or confirm that it is complete."""
    d = deps(context)
    t = d.texts
    match account.setup_step:
        case "consent":
            await say(update, t("onboarding.welcome"), keyboards.consent(t))
        case "timezone":
            await say(update, t("onboarding.ask_timezone"), keyboards.share_location(t))
        case "times":
            await say(update, t("onboarding.ask_time"), keyboards.time_choices(t))
        case "done":
            assert account.timezone is not None
            await say(
                update,
                t(
                    "onboarding.done",
                    times=join_times(account.times),
                    zone=account.timezone,
                    next=next_label(d, account),
                ),
                ReplyKeyboardRemove(),
            )


def chat_id(update: Update) -> int:
    chat = update.effective_chat
    assert chat is not None
    return chat.id


def language(update: Update) -> str | None:
    user = update.effective_user
    return user.language_code if user else None
