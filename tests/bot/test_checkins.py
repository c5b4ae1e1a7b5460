"""A check-in arrives at the user's local time, and every way of answering it is stored."""

from __future__ import annotations

from datetime import datetime

from nudgebot.storage.uow import UowFactory
from tests.bot.harness import BotHarness, labels, local, onboard
from tests.bot.records import stored

ANA = 1001
PROMPT = "How stressed do you feel right now?"


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    return local("Europe/Berlin", 2025, 1, day, hour, minute)


async def test_a_checkin_arrives_when_the_local_time_comes(harness: BotHarness) -> None:
    ana = await onboard(harness, ANA, zone="Europe/Berlin", times="08:30")

    assert await harness.tick(at=berlin(13, 8, 29)) == []
    [prompt] = await harness.tick(at=berlin(13, 8, 30))

    assert prompt.chat_id == ANA and PROMPT in prompt.text
    assert labels(prompt) == ["1", "2", "3", "4", "5"]
    assert "1 = calm" in prompt.text and "5 = overwhelmed" in prompt.text
    assert ana.last() is prompt


async def test_pressing_a_rating_stores_it_and_turns_the_prompt_into_a_record(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = await onboard(harness, ANA)
    [prompt] = await harness.tick(at=berlin(13, 8, 30))
    harness.clock.set(berlin(13, 8, 32))

    reply = await ana.taps("4", message_id=prompt.message_id)

    assert reply.toast == "Saved: 4"
    assert prompt.shown == f"{PROMPT}\nYou answered 4 (very stressed) at 08:32."
    assert prompt.buttons == []
    assert "Anything you want to add" in reply.text
    assert ana.last_buttons() == ["Skip"]
    [checkin] = (await stored(uow, ANA)).checkins
    assert (checkin.rating, checkin.answered_at, checkin.note) == (4, berlin(13, 8, 32), None)


async def test_a_typed_note_is_kept_with_the_rating(harness: BotHarness, uow: UowFactory) -> None:
    ana = await onboard(harness, ANA)
    await harness.tick(at=berlin(13, 8, 30))
    await ana.taps("2")

    saved = await ana.says("  Deadline   at work  ")
    later = await ana.says("and also the train was late")

    assert "added that to today's check-in" in saved.text
    # One note per check-in; later text is heard as venting, not stored as a second note.
    assert "/checkin" in later.text and "added that" not in later.text
    [checkin] = (await stored(uow, ANA)).checkins
    assert (checkin.rating, checkin.note) == (2, "Deadline at work")


async def test_skip_closes_the_note_question(harness: BotHarness, uow: UowFactory) -> None:
    ana = await onboard(harness, ANA)
    await harness.tick(at=berlin(13, 8, 30))
    await ana.taps("5")

    skipped = await ana.taps("Skip")
    after = await ana.says("just some words")

    assert skipped.toast == "No problem."
    assert ana.newest("Anything you want to add").buttons == []
    assert "/checkin" in after.text and "added that" not in after.text
    [checkin] = (await stored(uow, ANA)).checkins
    assert (checkin.rating, checkin.note) == (5, None)


async def test_typing_a_digit_answers_the_open_checkin(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = await onboard(harness, ANA)
    [prompt] = await harness.tick(at=berlin(13, 8, 30))

    reply = await ana.says("3")

    assert "Anything you want to add" in reply.text
    assert prompt.shown.endswith("You answered 3 (stressed) at 08:30.")
    assert prompt.buttons == []
    assert (await stored(uow, ANA)).ratings == [3]


async def test_a_digit_with_no_open_checkin_is_not_stored(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = await onboard(harness, ANA)

    reply = await ana.says("3")

    assert "no open check-in" in reply.text
    assert (await stored(uow, ANA)).checkins == []


async def test_checkin_command_asks_now(harness: BotHarness, uow: UowFactory) -> None:
    ana = await onboard(harness, ANA)
    harness.clock.set(berlin(13, 7, 0))

    [prompt] = await ana.says("/checkin")
    assert PROMPT in prompt and ana.last_buttons() == ["1", "2", "3", "4", "5"]
    reply = await ana.taps("1")

    assert reply.toast == "Saved: 1"
    assert ana.newest("You answered").shown.endswith("You answered 1 (calm) at 07:00.")
    [checkin] = (await stored(uow, ANA)).checkins
    assert (checkin.slot, checkin.rating) == ("asked", 1)
    # Asking now does not use up the scheduled check-in.
    [scheduled] = await harness.tick(at=berlin(13, 8, 30))
    assert PROMPT in scheduled.text


async def test_a_new_prompt_ends_an_unanswered_note_question(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = await onboard(harness, ANA, times="08:30 20:00")
    await harness.tick(at=berlin(13, 8, 30))
    await ana.taps("4")  # the note question stays open...

    await harness.tick(at=berlin(13, 20, 0))
    reply = await ana.says("2")  # ...but a digit after the next prompt answers that prompt

    assert "Anything you want to add" in reply.text
    assert (await stored(uow, ANA)).ratings == [4, 2]


async def test_a_checkin_missed_while_the_bot_was_down(
    harness: BotHarness, uow: UowFactory
) -> None:
    await onboard(harness, ANA, times="08:30 12:00")

    # Down from 08:00 to 08:50: the 08:30 check-in is still worth sending, with an apology.
    [late] = await harness.tick(at=berlin(13, 8, 50))
    assert late.text.startswith("Sorry this comes a little late")
    assert labels(late) == ["1", "2", "3", "4", "5"]
    # Down from 11:00 to 13:30: an hour and a half late is too late; it is not sent at all.
    assert await harness.tick(at=berlin(13, 13, 30)) == []

    slots = [(d.slot, d.status) for d in (await stored(uow, ANA)).deliveries]
    assert ("08:30", "sent") in slots and ("12:00", "missed") in slots
    [tomorrow] = await harness.tick(at=berlin(14, 8, 30))
    assert tomorrow.text.startswith(PROMPT)


async def test_checkins_follow_the_local_clock_across_a_dst_change(harness: BotHarness) -> None:
    harness.clock.set(local("Europe/Berlin", 2025, 3, 28, 12, 0))
    await onboard(harness, ANA, times="08:30")

    # Clocks in Berlin go forward on Sunday 30 March: 08:30 is 07:30 UTC before, 06:30 after.
    saturday = local("Europe/Berlin", 2025, 3, 29, 8, 30)
    sunday = local("Europe/Berlin", 2025, 3, 30, 8, 30)
    assert (saturday.hour, sunday.hour) == (7, 6)
    assert len(await harness.tick(at=saturday)) == 1
    assert len(await harness.tick(at=sunday)) == 1
    assert await harness.tick(at=sunday.replace(hour=7)) == []
