"""Times, time zone, pause and the settings menu."""

from __future__ import annotations

import contextlib

from telegram import ReplyKeyboardRemove, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from nudgebot.bot import keyboards
from nudgebot.bot.deps import BotDeps, deps
from nudgebot.bot.formatting import join_times, local_clock, quote
from nudgebot.bot.handlers.common import (
    chat_id,
    continue_setup,
    language,
    next_label,
    say,
    settings_text,
    weekly_label,
)
from nudgebot.domain.times import TimeParseError, parse_quiet_hours, parse_times, parse_weekly
from nudgebot.domain.zones import UnknownZone, resolve_zone
from nudgebot.geo import zone_at
from nudgebot.services import questions
from nudgebot.services.views import Account

MAX_TIMES = 6


def _time_error(d: BotDeps, error: TimeParseError) -> str:
    return d.texts(f"errors.time_{error.reason}", token=quote(error.token), max=MAX_TIMES)


async def _account(update: Update, d: BotDeps) -> Account:
    """The sender's account, created on the spot for someone who skipped /start."""
    return await d.accounts.get(chat_id(update)) or await d.accounts.start(
        chat_id(update), language(update), d.clock()
    )


async def _confirm(
    update: Update, context: ContextTypes.DEFAULT_TYPE, before: Account, after: Account, key: str
) -> None:
    d = deps(context)
    if after.setup_step != "done" or before.setup_step != "done":
        # Part of setup: say what is still missing (or that setup just finished).
        await continue_setup(update, context, after)
        return
    assert after.timezone is not None
    await say(
        update,
        d.texts(
            key,
            times=join_times(after.times),
            zone=after.timezone,
            local_now=local_clock(d.clock(), after.timezone),
            next=next_label(d, after),
        ),
        ReplyKeyboardRemove(),
    )


async def apply_times(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    d = deps(context)
    try:
        times = parse_times(text, MAX_TIMES)
    except TimeParseError as error:
        await say(update, _time_error(d, error))
        return
    before = await _account(update, d)
    after = await d.accounts.set_times(chat_id(update), times, d.clock())
    if after is not None:
        await _confirm(update, context, before, after, "settings.times_set")


async def apply_zone(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    d = deps(context)
    try:
        zone = resolve_zone(text, d.zone_aliases)
    except UnknownZone as error:
        reply = d.texts("errors.zone_unknown", text=quote(error.text))
        if error.suggestions:
            reply += " " + d.texts("errors.zone_suggest")
            await say(update, reply, keyboards.zone_choices(error.suggestions))
        else:
            await say(update, reply + " " + d.texts("errors.zone_hint"))
        return
    await set_zone(update, context, zone)


async def set_zone(update: Update, context: ContextTypes.DEFAULT_TYPE, zone: str) -> None:
    d = deps(context)
    before = await _account(update, d)
    after = await d.accounts.set_timezone(chat_id(update), zone, d.clock())
    if after is not None:
        await _confirm(update, context, before, after, "settings.zone_set")


async def time_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    if context.args:
        await apply_times(update, context, " ".join(context.args))
        return
    account = await d.accounts.get(chat_id(update))
    if account is None or not account.times:
        await say(update, d.texts("errors.time_empty"))
        return
    await say(
        update, d.texts("settings.times_current", times=join_times(account.times), max=MAX_TIMES)
    )


async def timezone_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    if context.args:
        await apply_zone(update, context, " ".join(context.args))
        return
    account = await d.accounts.get(chat_id(update))
    if account is None or account.timezone is None:
        await say(update, d.texts("errors.zone_empty"))
        return
    await say(update, d.texts("settings.zone_current", zone=account.timezone))


async def location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    message = update.effective_message
    assert message is not None and message.location is not None
    zone = zone_at(message.location.latitude, message.location.longitude)
    if zone is None:
        await say(update, d.texts("errors.location_unknown"))
        return
    await set_zone(update, context, zone)


async def settings_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    account = await d.accounts.get(chat_id(update))
    if account is None or account.setup_step != "done":
        await say(update, d.texts("onboarding.finish_first"))
        await continue_setup(update, context, account or await _account(update, d))
        return
    await say(update, settings_text(d, account), keyboards.settings_menu(d.texts, account))


async def set_paused(update: Update, context: ContextTypes.DEFAULT_TYPE, paused: bool) -> None:
    d = deps(context)
    before = await d.accounts.get(chat_id(update))
    if before is None or before.setup_step != "done":
        await say(update, d.texts("onboarding.finish_first"))
        await continue_setup(update, context, before or await _account(update, d))
        return
    after = await d.accounts.set_paused(chat_id(update), paused, d.clock())
    assert after is not None
    if paused:
        key = "settings.already_paused" if before.paused else "settings.paused"
    else:
        key = "settings.resumed" if before.paused else "settings.already_active"
    await say(update, d.texts(key, next=next_label(d, after)))


async def pause_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await set_paused(update, context, True)


async def resume_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await set_paused(update, context, False)


async def ask_for_times(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    await d.accounts.await_answer(chat_id(update), questions.TIMES)
    await say(update, d.texts("settings.ask_times", max=MAX_TIMES))


async def ask_for_zone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    await d.accounts.await_answer(chat_id(update), questions.TIMEZONE)
    await say(update, d.texts("onboarding.ask_timezone"), keyboards.share_location(d.texts))


THRESHOLDS = (3, 4, 5)
PREFERENCES = ("either", "run", "walk")


async def cycle(update: Update, context: ContextTypes.DEFAULT_TYPE, what: str) -> None:
    """Step a setting to its next value and redraw the settings message."""
    d = deps(context)
    query = update.callback_query
    account = await d.accounts.get(chat_id(update))
    if query is None or account is None or account.setup_step != "done":
        return
    if what == "threshold":
        nxt = THRESHOLDS[(THRESHOLDS.index(account.stress_threshold) + 1) % len(THRESHOLDS)]
        updated = await d.accounts.update_nudging(chat_id(update), threshold=nxt)
    else:
        index = PREFERENCES.index(account.preference) if account.preference in PREFERENCES else 0
        nxt_pref = PREFERENCES[(index + 1) % len(PREFERENCES)]
        updated = await d.accounts.update_nudging(chat_id(update), preference=nxt_pref)
    if updated is not None:
        with contextlib.suppress(BadRequest):
            await query.edit_message_text(
                settings_text(d, updated), reply_markup=keyboards.settings_menu(d.texts, updated)
            )


async def ask_for(
    update: Update, context: ContextTypes.DEFAULT_TYPE, what: str, question: str
) -> None:
    d = deps(context)
    await d.accounts.await_answer(chat_id(update), what)
    await say(update, d.texts(question))


async def apply_summary_time(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    d = deps(context)
    try:
        weekday, at = parse_weekly(text)
    except TimeParseError:
        await say(update, d.texts("settings.ask_summary"))
        return
    account = await d.accounts.set_summary_time(chat_id(update), weekday, at, d.clock())
    if account is not None:
        await say(update, d.texts("settings.summary_set", weekly=weekly_label(d, account)))


async def apply_quiet_hours(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    d = deps(context)
    try:
        hours = parse_quiet_hours(text)
    except TimeParseError as error:
        await say(update, _time_error(d, error) + "\n\n" + d.texts("settings.ask_quiet"))
        return
    account = await d.accounts.update_nudging(chat_id(update), quiet_hours=hours)
    if account is not None:
        shown = "–".join(account.quiet_hours) if account.quiet_hours else None
        await say(
            update, d.texts("settings.quiet_set", quiet=shown or d.texts("settings.quiet_off"))
        )
