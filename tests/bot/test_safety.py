"""Crisis language gets calm words and real helplines, never a run; /sos and the safety plan."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from nudgebot.storage.models import Suggestion, User
from nudgebot.storage.uow import UowFactory
from tests.bot.harness import BotHarness, Chat, labels, local, onboard
from tests.support.fake_telegram import SentMessage, buttons

ANA = 1001


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    return local("Europe/Berlin", 2025, 1, day, hour, minute)


async def rated(harness: BotHarness, rating: int) -> Chat:
    ana = await onboard(harness, ANA, times="10:00")
    [prompt] = await harness.tick(at=berlin(13, 10))
    await ana.taps(str(rating), message_id=prompt.message_id)
    return ana


def first_data(message: SentMessage, label: str) -> str:
    """The callback data a button had when the message was first sent."""
    [data] = [d for text, d in buttons(message.reply_markup) if text == label]
    return data


async def user_row(uow: UowFactory, chat_id: int = ANA) -> User | None:
    async with uow() as u:
        return await u.users.by_chat(chat_id)


async def test_a_note_in_crisis_gets_helplines_and_no_suggestion(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = await rated(harness, 5)
    reply = await ana.says("honestly everyone would be better off without me")
    assert "glad you wrote" in reply.text
    assert "findahelpline.com" in reply.text
    # Berlin's zone says Germany: its helpline and emergency number.
    assert "TelefonSeelsorge" in reply.text and "call 112" in reply.text
    assert "/sos" in reply.text
    assert "Tip:" not in reply.text and labels(ana.last()) == []
    async with uow() as u:
        assert (await u.session.scalars(select(Suggestion))).all() == []
    # The rest of the day brings no unsolicited run either.
    await ana.says("/checkin")
    await ana.taps("5")
    after = await ana.taps("Skip")
    assert "Tip:" not in after.text


async def test_running_talk_is_not_mistaken_for_crisis(harness: BotHarness) -> None:
    ana = await rated(harness, 4)
    reply = await ana.says("this hill is killing me but I'm dying for a run")
    assert "glad you wrote" not in reply.text
    assert "Tip:" in reply.text  # the note was kept and the suggestion followed


async def test_an_offer_already_shown_is_withdrawn_when_crisis_language_follows(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = await rated(harness, 4)
    await ana.taps("Skip")
    offer = ana.last()
    assert "I'm going now" in labels(offer)
    await ana.says("I want to kill myself")
    # Its buttons are gone, and a press sent from an old copy of them changes nothing.
    assert labels(ana.newest("easy run")) == []
    going = await ana.taps_data(offer.message_id, first_data(offer, "I'm going now"))
    assert going.toast == "This button isn't active any more."
    async with uow() as u:
        [row] = (await u.session.scalars(select(Suggestion))).all()
    assert row.status == "withdrawn"


async def test_crisis_language_before_consent_is_answered_and_nothing_is_kept(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = harness.chat(ANA)
    await ana.says("/start")
    reply = await ana.says("i want to die")
    assert "findahelpline.com" in reply.text
    user = await user_row(uow)
    assert user is not None and user.last_crisis_at is None and user.consent_at is None


async def test_sos_shows_help_and_keeps_a_safety_plan(harness: BotHarness, uow: UowFactory) -> None:
    ana = await onboard(harness, ANA)
    sos = await ana.says("/sos")
    assert "findahelpline.com" in sos.text and "one small step" in sos.text
    assert labels(ana.last()) == ["Write my safety plan", "Helplines for another country"]
    await ana.taps("Write my safety plan")
    # A plan names hard moments on purpose: it is stored, not treated as a crisis message.
    saved = await ana.says("When I think I want to die: call Sam 0170 1234567, walk to the park.")
    assert "Saved" in saved.text
    again = await ana.says("/sos")
    assert "call Sam 0170 1234567" in again.text
    assert labels(ana.last())[0] == "Edit my safety plan"
    user = await user_row(uow)
    assert user is not None and user.safety_plan is not None and user.last_crisis_at is None


async def test_helplines_follow_the_country_chosen_in_sos(harness: BotHarness) -> None:
    ana = await onboard(harness, ANA)
    await ana.says("/sos")
    await ana.taps("Helplines for another country")
    assert "United States" in (await ana.says("us")).text
    sos = await ana.says("/sos")
    assert "988" in sos.text and "911" in sos.text
    await ana.says("/sos")
    await ana.taps("Helplines for another country")
    unknown = await ana.says("Atlantis")
    assert "international list" in unknown.text
    assert "Spain" in (await ana.says("spain")).text
    assert "024" in (await ana.says("/sos")).text


async def test_two_weeks_of_high_stress_bring_one_word_about_professional_help(
    harness: BotHarness,
) -> None:
    ana = await onboard(harness, ANA, times="10:00")
    said = []
    for day in range(14):
        at = berlin(13, 10) + timedelta(days=day)
        [prompt] = [m for m in await harness.tick(at=at) if m.chat_id == ANA]
        await ana.taps("4", message_id=prompt.message_id)
        reply = await ana.taps("Skip")
        said.append("doctor" in reply.text)
        if "Not today" in labels(ana.last()):
            await ana.taps("Not today")
    assert said.count(True) == 1
    assert said.index(True) >= 9  # only once most of two weeks were high
