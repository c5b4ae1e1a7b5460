"""A half-answered question never captures what someone types later for something else."""

from __future__ import annotations

from datetime import datetime

from nudgebot.storage.uow import UowFactory
from tests.bot.harness import BotHarness, labels, local, onboard
from tests.bot.records import stored

ANA = 1001


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    return local("Europe/Berlin", 2025, 1, day, hour, minute)


async def test_a_rating_typed_for_an_open_checkin_is_not_taken_as_a_new_time(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = await onboard(harness, ANA, times="10:00")
    await ana.says("/settings")
    await ana.taps("Change times")  # ...and never answers
    await harness.tick(at=berlin(13, 10))
    reply = await ana.says("3")
    assert "Anything you want to add" in reply.text
    kept = await stored(uow, ANA)
    assert kept.times == ["10:00"] and kept.ratings == [3]


async def test_an_unanswered_settings_question_closes_when_the_next_checkin_comes(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = await onboard(harness, ANA, times="10:00")
    await ana.says("/settings")
    await ana.taps("Change time zone")
    await harness.tick(at=berlin(13, 10))
    await ana.taps("2")
    await ana.taps("Skip")
    reply = await ana.says("hello there")
    assert "/checkin" in reply.text and "time zone" not in reply.text
    user = (await stored(uow, ANA)).user
    assert user is not None and user.timezone == "Europe/Berlin"


async def test_crisis_words_in_a_photo_caption_get_the_crisis_answer(harness: BotHarness) -> None:
    ana = await onboard(harness, ANA)
    reply = await ana.sends_photo(caption="I want to kill myself")
    assert "findahelpline.com" in reply.text


async def test_sos_before_consent_offers_help_but_keeps_no_plan(harness: BotHarness) -> None:
    ana = harness.chat(ANA)
    await ana.says("/start")
    sos = await ana.says("/sos")
    assert "findahelpline.com" in sos.text
    assert "Write my safety plan" not in labels(ana.last())


async def test_an_unknown_country_keeps_the_one_chosen_before(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = await onboard(harness, ANA)
    await ana.says("/sos")
    await ana.taps("Helplines for another country")
    await ana.says("DE")
    await ana.says("/sos")
    await ana.taps("Helplines for another country")
    await ana.says("Narnia")
    user = (await stored(uow, ANA)).user
    assert user is not None and user.country == "DE"
