"""Inline and reply keyboards."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from nudgebot.bot import callbacks
from nudgebot.content import Texts
from nudgebot.services.views import Account


def _rows(buttons: Sequence[InlineKeyboardButton], per_row: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]
    )


def consent(texts: Texts) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts("onboarding.agree_button"), callback_data=callbacks.CONSENT_YES
                )
            ],
            [
                InlineKeyboardButton(
                    texts("onboarding.decline_button"), callback_data=callbacks.CONSENT_NO
                )
            ],
            [
                InlineKeyboardButton(
                    texts("onboarding.privacy_button"), callback_data=callbacks.PRIVACY
                )
            ],
        ]
    )


def share_location(texts: Texts) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(texts("onboarding.share_location_button"), request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def time_choices(texts: Texts) -> InlineKeyboardMarkup:
    choices = texts.items("onboarding.time_choices")
    return _rows(
        [InlineKeyboardButton(t, callback_data=callbacks.pick_time(t)) for t in choices], 4
    )


def zone_choices(names: Sequence[str]) -> InlineKeyboardMarkup:
    return _rows([InlineKeyboardButton(n, callback_data=callbacks.pick_zone(n)) for n in names], 1)


def rating(checkin_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(str(n), callback_data=callbacks.rate(checkin_id, n))
                for n in range(1, 6)
            ]
        ]
    )


def skip_note(texts: Texts, checkin_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts("checkin.skip_button"), callback_data=callbacks.skip_note(checkin_id)
                )
            ]
        ]
    )


def settings_menu(texts: Texts, account: Account) -> InlineKeyboardMarkup:
    toggle = (
        _button(texts("settings.resume_button"), callbacks.SETTINGS_RESUME)
        if account.paused
        else _button(texts("settings.pause_button"), callbacks.SETTINGS_PAUSE)
    )
    preference = texts(f"settings.preferences.{account.preference}")
    return InlineKeyboardMarkup(
        [
            [
                _button(texts("settings.change_times_button"), callbacks.SETTINGS_TIMES),
                _button(texts("settings.change_zone_button"), callbacks.SETTINGS_ZONE),
            ],
            [_button(texts("settings.summary_button"), callbacks.SETTINGS_SUMMARY)],
            [
                _button(
                    texts("settings.threshold_button", threshold=account.stress_threshold),
                    callbacks.SETTINGS_THRESHOLD,
                )
            ],
            [
                _button(
                    texts("settings.preference_button", preference=preference),
                    callbacks.SETTINGS_PREFERENCE,
                )
            ],
            [_button(texts("settings.quiet_button"), callbacks.SETTINGS_QUIET)],
            [toggle],
        ]
    )


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def suggestion(nudges: Texts, suggestion_id: int, kind: str) -> InlineKeyboardMarkup:
    def button(key: str, action: str) -> InlineKeyboardButton:
        return _button(nudges(f"suggestion.{key}"), callbacks.nudge(suggestion_id, action))

    rows = [
        [button("going_now_button", "go"), button("in_an_hour_button", "later")],
        [button("not_today_button", "no")],
    ]
    if kind == "steady_run":
        rows.append([button("low_energy_button", "gentler")])
    return InlineKeyboardMarkup(rows)


def durations(nudges: Texts, suggestion_id: int, choices: Sequence[int]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(
                    nudges("going.duration_button", minutes=m), callbacks.duration(suggestion_id, m)
                )
                for m in choices
            ],
            [
                _button(
                    nudges("going.duration_unsure_button"), callbacks.duration(suggestion_id, None)
                )
            ],
        ]
    )


def followup(nudges: Texts, suggestion_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(nudges("followup.ran_button"), callbacks.followup(suggestion_id, "ran")),
                _button(
                    nudges("followup.walked_button"), callbacks.followup(suggestion_id, "walked")
                ),
            ],
            [_button(nudges("followup.didnt_button"), callbacks.followup(suggestion_id, None))],
        ]
    )


def stress_after(activity_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(str(n), callbacks.stress_after(activity_id, n)) for n in range(1, 6)]]
    )


def confirm_delete(texts: Texts) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(texts("data.delete_button"), callbacks.DELETE_YES)],
            [_button(texts("data.keep_button"), callbacks.DELETE_NO)],
        ]
    )


def sos(texts: Texts, has_plan: bool) -> InlineKeyboardMarkup:
    plan_key = "safety.edit_plan_button" if has_plan else "safety.write_plan_button"
    return InlineKeyboardMarkup(
        [
            [_button(texts(plan_key), callbacks.SOS_PLAN)],
            [_button(texts("safety.country_button"), callbacks.SOS_COUNTRY)],
        ]
    )


def safety_question(texts: Texts, event_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(texts("safety.yes_button"), callbacks.safety_answer(event_id, "yes")),
                _button(texts("safety.no_button"), callbacks.safety_answer(event_id, "no")),
            ],
            [
                _button(
                    texts("safety.rather_not_button"),
                    callbacks.safety_answer(event_id, "rather_not"),
                )
            ],
        ]
    )
