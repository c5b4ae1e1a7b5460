"""The two tiers of the crisis screen as a person meets them: a direct question or help at once.

README: "Runs, walks and safety".
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from nudgebot.storage.models import Suggestion
from nudgebot.storage.uow import UowFactory
from tests.bot.harness import BotHarness, labels, onboard
from tests.bot.test_safety import ANA, first_data, rated

# Worrying but not clear on its own, outside any question: the screen's uncertain tier.
UNCERTAIN = "i cant go on anymore"
QUESTION = "Are you having thoughts of ending your life?"


async def test_an_uncertain_message_gets_a_direct_question_with_three_answers(
    harness: BotHarness,
) -> None:
    ana = await onboard(harness, ANA)
    asked = await ana.says(UNCERTAIN)
    assert QUESTION in asked.text
    assert "findahelpline.com" not in asked.text
    assert labels(ana.last()) == ["Yes", "No", "I'd rather not say"]


@pytest.mark.parametrize("answer", ["Yes", "I'd rather not say"])
async def test_yes_or_rather_not_say_brings_the_crisis_reply(
    harness: BotHarness, answer: str
) -> None:
    ana = await onboard(harness, ANA)
    await ana.says(UNCERTAIN)
    reply = await ana.taps(answer)
    assert "findahelpline.com" in reply.text and "/sos" in reply.text
    assert "call 112" in reply.text  # Berlin's zone says Germany


async def test_no_is_heard_warmly_and_a_second_press_changes_nothing(harness: BotHarness) -> None:
    ana = await onboard(harness, ANA)
    await ana.says(UNCERTAIN)
    question = ana.last()
    reply = await ana.taps("No")
    assert "glad you wrote" in reply.text and "findahelpline.com" not in reply.text
    # A press from an old copy of the buttons, after they were taken off.
    again = await ana.taps_data(question.message_id, first_data(question, "Yes"))
    assert again.toast is not None and "answered already" in again.toast
    assert "findahelpline.com" not in again.text


async def test_a_farewell_note_after_a_rating_of_5_gets_help_and_never_a_run(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = await rated(harness, 5)
    reply = await ana.says("thank you for everything. this is my last message, goodbye")
    assert "findahelpline.com" in reply.text
    assert "Tip:" not in reply.text and "I'm going now" not in labels(ana.last())
    async with uow() as u:
        assert (await u.session.scalars(select(Suggestion))).all() == []


async def test_venting_outside_a_question_is_heard_with_next_steps(harness: BotHarness) -> None:
    ana = await onboard(harness, ANA)
    reply = await ana.says("long day, my manager shouted at me in front of everyone")
    assert "not sure what you mean" not in reply.text
    assert "/checkin" in reply.text and "/sos" in reply.text


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("America/New_York", ["988", "911"]),
        ("Europe/London", ["116 123", "999"]),
        ("Europe/Madrid", ["024", "112"]),
        ("America/Sao_Paulo", ["188", "192"]),
    ],
)
async def test_helplines_follow_the_time_zone(
    harness: BotHarness, zone: str, expected: list[str]
) -> None:
    ana = await onboard(harness, ANA, zone=zone)
    sos = await ana.says("/sos")
    for number in expected:
        assert number in sos.text, (zone, number)


async def test_a_flagged_message_never_reaches_the_log(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    # At INFO, as the bot logs by default; tests/e2e/test_log_privacy.py runs the real process
    # at DEBUG, where the bot's own logging set-up keeps the libraries' loggers quiet.
    caplog.set_level(logging.INFO)
    ana = await onboard(harness, ANA)
    secret = "i want to die tonight, zebra-7731"
    reply = await ana.says(secret)
    assert "findahelpline.com" in reply.text or QUESTION in reply.text
    assert "zebra-7731" not in caplog.text
