"""A stressful moment turned into a short run or walk: offer, choice, follow-up, result."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from nudgebot.storage.models import Activity, Suggestion
from nudgebot.storage.uow import UowFactory
from tests.bot.harness import BotHarness, Chat, labels, local, onboard

ANA = 1001
SUGGESTION_BUTTONS = ["I'm going now", "In an hour", "Not today"]


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    return local("Europe/Berlin", 2025, 1, day, hour, minute)


async def rated(harness: BotHarness, rating: int, at: datetime, times: str = "10:00") -> Chat:
    """Ana is onboarded, gets her check-in at `at` and taps `rating`."""
    ana = await onboard(harness, ANA, times=times)
    [prompt] = await harness.tick(at=at)
    await ana.taps(str(rating), message_id=prompt.message_id)
    return ana


async def activities(uow: UowFactory) -> list[Activity]:
    async with uow() as u:
        return list((await u.session.scalars(select(Activity).order_by(Activity.id))).all())


async def test_a_high_rating_brings_a_suggestion_once_the_note_is_done(
    harness: BotHarness,
) -> None:
    ana = await rated(harness, 4, berlin(13, 10))
    skipped = await ana.taps("Skip")
    assert "Tip:" in skipped.text
    assert labels(ana.last())[:3] == SUGGESTION_BUTTONS
    assert "Low on energy? Something gentler" in labels(ana.last())


async def test_a_calm_rating_brings_no_suggestion(harness: BotHarness) -> None:
    ana = await rated(harness, 2, berlin(13, 10))
    after_note = await ana.says("fine day")
    assert "Tip:" not in after_note.text
    assert ana.last_buttons() == []


async def test_going_now_then_the_followup_records_the_run_and_the_change(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = await rated(harness, 4, berlin(13, 10))
    await ana.taps("Skip")
    going = await ana.taps("I'm going now")
    assert "how long" in going.text
    assert labels(ana.last()) == ["10 min", "15 min", "20 min", "30 min", "Not sure"]
    await ana.taps("20 min")

    # 45 minutes by default; a 20-minute outing plus a margin is sooner, so 45 it is.
    assert await harness.tick(at=berlin(13, 10, 44)) == []
    [followup] = await harness.tick(at=berlin(13, 10, 45))
    assert "Did you get out?" in followup.text
    assert labels(followup) == ["I ran", "I walked", "Didn't make it"]

    asked = await ana.taps("I ran")
    assert "How stressed do you feel now?" in asked.text
    assert labels(ana.last()) == ["1", "2", "3", "4", "5"]
    result = await ana.says("2")
    assert "4 → 2" in result.text
    [run] = await activities(uow)
    assert (run.kind, run.minutes, run.stress_before, run.stress_after, run.source) == (
        "run",
        20,
        4,
        2,
        "suggested",
    )


async def test_in_an_hour_asks_again_an_hour_later(harness: BotHarness) -> None:
    ana = await rated(harness, 5, berlin(13, 10))
    await ana.taps("Skip")
    ack = await ana.taps("In an hour")
    assert "in an hour" in ack.text
    assert await harness.tick(at=berlin(13, 10, 59)) == []
    [again] = await harness.tick(at=berlin(13, 11, 0))
    assert "It's been an hour" in again.text
    assert labels(again)[:3] == SUGGESTION_BUTTONS
    assert await harness.tick(at=berlin(13, 11, 5)) == []
    going = await ana.taps("I'm going now", message_id=again.message_id)
    assert "how long" in going.text


async def test_not_today_is_accepted_without_guilt_and_changes_nothing_else(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = await rated(harness, 4, berlin(13, 10))
    await ana.taps("Skip")
    suggestion = ana.last()
    no = await ana.taps("Not today")
    assert no.text and "?" not in no.text[-1:]
    assert suggestion.buttons == []
    # Pressing an old button again is answered, and nothing moves.
    stale = await ana.taps_data(suggestion.message_id, suggestion_data(suggestion, "go"))
    assert stale.toast == "This button isn't active any more."
    async with uow() as u:
        [row] = (await u.session.scalars(select(Suggestion))).all()
    assert row.status == "declined"
    assert await harness.tick(at=berlin(13, 12)) == []


def suggestion_data(message: object, action: str) -> str:
    """Rebuild the callback data of a suggestion button after the buttons were removed."""
    from tests.support.fake_telegram import SentMessage

    assert isinstance(message, SentMessage)
    original = message.reply_markup or {}
    for row in original.get("inline_keyboard", []):
        for button in row:
            if str(button.get("callback_data", "")).endswith(f":{action}"):
                return str(button["callback_data"])
    raise AssertionError("no such button")


async def test_low_energy_swaps_the_run_for_walk_run_intervals(harness: BotHarness) -> None:
    ana = await rated(harness, 4, berlin(13, 10))
    await ana.taps("Skip")
    suggestion = ana.last()
    await ana.taps("Low on energy? Something gentler")
    assert suggestion.shown != suggestion.text
    assert "Low on energy? Something gentler" not in labels(suggestion)
    assert labels(suggestion)[:3] == SUGGESTION_BUTTONS


async def test_late_in_the_evening_only_a_calm_walk_is_suggested(harness: BotHarness) -> None:
    ana = await rated(harness, 5, berlin(13, 22, 15), times="22:15")
    offer = await ana.taps("Skip")
    text = offer.text.split("Tip:")[0].lower()
    assert "walk" in text and "run" not in text and "jog" not in text


async def test_someone_elses_suggestion_buttons_do_nothing(harness: BotHarness) -> None:
    ana = await rated(harness, 4, berlin(13, 10))
    await ana.taps("Skip")
    suggestion = ana.last()
    ben = await onboard(harness, 2002)
    [ben_prompt] = await harness.tick(at=berlin(14, 8, 30))
    forged = await ben.taps_data(ben_prompt.message_id, suggestion_data(suggestion, "no"))
    assert forged.toast == "This button isn't active any more."
    assert labels(suggestion)[:3] == SUGGESTION_BUTTONS


async def test_log_records_movement_the_bot_did_not_suggest(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = await onboard(harness, ANA)
    harness.clock.set(berlin(13, 18) + timedelta(minutes=1))
    reply = await ana.says("/log walk 25 2")
    assert "Logged: a walk, 25 min, stress afterwards 2" in reply.text
    [walk] = await activities(uow)
    assert (walk.kind, walk.minutes, walk.stress_after, walk.source) == ("walk", 25, 2, "logged")


async def test_log_explains_what_is_wrong_and_stores_nothing(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = await onboard(harness, ANA)
    cases = {
        "/log": "/log walk 20",
        "/log swim 20": "not “swim”",
        "/log run fast": "whole number",
        "/log run 0": "between 1 and 300",
        "/log run 301": "between 1 and 300",
        "/log run 20 9": "from 1 (calm) to 5",
        "/log run 20 2 extra": "“extra”",
    }
    for command, expected in cases.items():
        reply = await ana.says(command)
        assert expected in reply.text, (command, reply.text)
    assert await activities(uow) == []
