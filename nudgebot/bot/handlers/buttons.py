"""Every inline button press arrives here and is routed by its (untrusted) data."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from nudgebot.bot import callbacks
from nudgebot.bot.deps import deps
from nudgebot.bot.handlers import checkins, data, nudges, onboarding, preferences, safety
from nudgebot.bot.handlers.common import chat_id
from nudgebot.domain.zones import UnknownZone, resolve_zone
from nudgebot.services import questions

_SIMPLE = {
    callbacks.CONSENT_YES: onboarding.consent_given,
    callbacks.CONSENT_NO: onboarding.consent_declined,
    callbacks.PRIVACY: onboarding.privacy_button,
    callbacks.DELETE_YES: data.delete_confirmed,
    callbacks.DELETE_NO: data.delete_cancelled,
    callbacks.SOS_PLAN: safety.plan_button,
    callbacks.SOS_COUNTRY: safety.country_button,
}


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    d = deps(context)
    query = update.callback_query
    assert query is not None
    match callbacks.parse(query.data):
        case callbacks.Rate(checkin_id, rating):
            await checkins.rate_button(update, context, checkin_id, rating)
        case callbacks.SkipNote(checkin_id):
            await checkins.skip_note_button(update, context, checkin_id)
        case callbacks.Nudge(suggestion_id, action):
            await nudges.nudge_button(update, context, suggestion_id, action)
        case callbacks.Duration(suggestion_id, minutes):
            await nudges.duration_button(update, context, suggestion_id, minutes)
        case callbacks.Followup(suggestion_id, moved):
            await nudges.followup_button(update, context, suggestion_id, moved)
        case callbacks.StressAfter(activity_id, rating):
            await nudges.stress_after_button(update, context, activity_id, rating)
        case callbacks.SafetyAnswer(event_id, answer):
            await safety.question_answered(update, context, event_id, answer)
        case callbacks.Simple(action) if action in _SIMPLE:
            await _SIMPLE[action](update, context)
        case callbacks.Simple(action):
            await _settings_button(update, context, action)
        case callbacks.PickTime(value):
            account = await d.accounts.get(chat_id(update))
            if account is None or account.times:
                # Setup's time buttons only choose the first time; later, /time changes them.
                await query.answer(d.texts("errors.stale_button"))
                await onboarding.drop_buttons(query)
                return
            await query.answer()
            await onboarding.drop_buttons(query)
            await preferences.apply_times(update, context, value)
        case callbacks.PickZone(name):
            try:
                zone = resolve_zone(name)
            except UnknownZone:
                await query.answer(d.texts("errors.stale_button"))
                return
            await query.answer()
            await onboarding.drop_buttons(query)
            await preferences.set_zone(update, context, zone)
        case _:
            await query.answer(d.texts("errors.stale_button"))


async def _settings_button(update: Update, context: ContextTypes.DEFAULT_TYPE, action: str) -> None:
    query = update.callback_query
    assert query is not None
    if action in _CYCLES:
        # These change in place: the settings message shows the new value at once.
        await query.answer()
        await preferences.cycle(update, context, _CYCLES[action])
        return
    await query.answer()
    await onboarding.drop_buttons(query)
    if action == callbacks.SETTINGS_TIMES:
        await preferences.ask_for_times(update, context)
    elif action == callbacks.SETTINGS_ZONE:
        await preferences.ask_for_zone(update, context)
    elif action == callbacks.SETTINGS_SUMMARY:
        await preferences.ask_for(update, context, questions.SUMMARY, "settings.ask_summary")
    elif action == callbacks.SETTINGS_QUIET:
        await preferences.ask_for(update, context, questions.QUIET, "settings.ask_quiet")
    else:
        await preferences.set_paused(update, context, action == callbacks.SETTINGS_PAUSE)


_CYCLES = {callbacks.SETTINGS_THRESHOLD: "threshold", callbacks.SETTINGS_PREFERENCE: "preference"}
