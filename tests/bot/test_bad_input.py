"""Wrong, odd or hostile input gets a kind answer and changes nothing."""

from __future__ import annotations

from datetime import datetime

import pytest

from nudgebot.storage.models import User
from nudgebot.storage.uow import UowFactory
from tests.bot.harness import BotHarness, local, onboard
from tests.bot.records import count, stored

ANA = 1001
BOB = 1002


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    return local("Europe/Berlin", 2025, 1, day, hour, minute)


# ---------------------------------------------------------------- times and zones


@pytest.mark.parametrize(
    ("typed", "stored_as"),
    [
        ("8:30", "08:30"),
        ("08:30", "08:30"),
        ("20:15", "20:15"),
        ("8pm", "20:00"),
        ("8:30 pm", "20:30"),
    ],
)
async def test_the_time_forms_people_type(
    harness: BotHarness, uow: UowFactory, typed: str, stored_as: str
) -> None:
    ana = await onboard(harness, ANA, times="07:00")

    reply = await ana.says(f"/time {typed}")

    assert f"I'll check in every day at {stored_as} (Europe/Berlin)" in reply.text
    assert (await stored(uow, ANA)).times == [stored_as]


async def test_typed_time_forms_work_during_setup_too(harness: BotHarness, uow: UowFactory) -> None:
    ana = await onboard(harness, ANA, times="8:30 pm")
    assert (await stored(uow, ANA)).times == ["20:30"]
    assert "every day at 20:30" in ana.newest("All set!").shown


async def test_an_impossible_time_changes_nothing(harness: BotHarness, uow: UowFactory) -> None:
    ana = await onboard(harness, ANA)
    before = await stored(uow, ANA)

    reply = await ana.says("/time 25:99")

    assert "“25:99” isn't a time on the clock" in reply.text
    after = await stored(uow, ANA)
    assert after.times == ["08:30"]
    assert [d.due_at for d in after.pending] == [d.due_at for d in before.pending]


@pytest.mark.parametrize("command", ["/time", "/timezone"])
async def test_a_huge_argument_is_quoted_back_shortened(
    harness: BotHarness, uow: UowFactory, command: str
) -> None:
    ana = await onboard(harness, ANA)

    reply = await ana.says(f"{command} {'9' * (4090 - len(command))}")

    assert "I couldn't read" in reply.text or "I don't know the time zone" in reply.text
    assert "9" * 40 + "…" in reply.text and len(reply.text) < 300
    kept = await stored(uow, ANA)
    assert kept.user is not None and kept.user.timezone == "Europe/Berlin"
    assert kept.times == ["08:30"]


async def test_an_unreadable_time_during_setup_asks_again(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = harness.chat(ANA)
    await ana.says("/start")
    await ana.taps("Yes, I agree")
    await ana.says("Berlin")

    reply = await ana.says("half past eight")

    assert "couldn't read" in reply.text and "8:30 pm" in reply.text
    assert (await stored(uow, ANA)).times == []
    assert "All set!" in (await ana.says("8:30")).text


async def test_time_without_arguments_explains_how(harness: BotHarness, uow: UowFactory) -> None:
    ana = harness.chat(ANA)
    await ana.says("/start")

    reply = await ana.says("/time")

    assert "Please add the time, for example /time 08:30" in reply.text
    assert (await stored(uow, ANA)).times == []


async def test_timezone_without_arguments_explains_how(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = harness.chat(ANA)
    await ana.says("/start")

    reply = await ana.says("/timezone")

    assert "Please add a time zone, for example /timezone Europe/Berlin" in reply.text
    kept = await stored(uow, ANA)
    assert kept.user is not None and kept.user.timezone is None


async def test_a_misspelt_zone_offers_close_matches_as_buttons(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = await onboard(harness, ANA, zone="Asia/Tokyo")

    reply = await ana.says("/timezone Berlni")

    assert "I don't know the time zone “Berlni”" in reply.text
    assert "Did you mean" in reply.text
    assert "Europe/Berlin" in ana.last_buttons()
    kept = await stored(uow, ANA)
    assert kept.user is not None and kept.user.timezone == "Asia/Tokyo"

    chosen = await ana.taps("Europe/Berlin")

    assert "Time zone set to Europe/Berlin" in chosen.text
    assert ana.newest("Did you mean").buttons == []
    kept = await stored(uow, ANA)
    assert kept.user is not None and kept.user.timezone == "Europe/Berlin"


async def test_an_unknown_zone_with_no_close_match_gives_examples(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = await onboard(harness, ANA)

    reply = await ana.says("/timezone qqqqqqqqqqqq")

    assert "I don't know the time zone" in reply.text
    assert "Europe/Berlin" in reply.text and "UTC+2" in reply.text
    kept = await stored(uow, ANA)
    assert kept.user is not None and kept.user.timezone == "Europe/Berlin"


async def test_commands_with_arguments_work_before_consent_and_setup_continues(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = harness.chat(ANA)
    await ana.says("/start")

    reply = await ana.says("/timezone Europe/Berlin")

    assert "Is that okay with you?" in reply.text  # still the first thing to settle
    kept = await stored(uow, ANA)
    assert kept.user is not None and kept.user.timezone == "Europe/Berlin"
    assert kept.deliveries == []

    agreed = await ana.taps("Yes, I agree")
    assert "What time of day should I check in?" in agreed.text  # the zone is not asked again
    done = await ana.says("/time 8pm")
    assert "I'll check in every day at 20:00 (Europe/Berlin)" in done.text
    assert len((await stored(uow, ANA)).pending) == 1


# ---------------------------------------------------------------- buttons


async def test_a_second_press_on_an_answered_prompt_keeps_the_first_answer(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = await onboard(harness, ANA)
    [prompt] = await harness.tick(at=berlin(13, 8, 30))
    [(_, first)] = [b for b in prompt.buttons if b[0] == "3"]
    [(_, other)] = [b for b in prompt.buttons if b[0] == "5"]
    await ana.taps_data(prompt.message_id, first)

    # A second tap before the edit reached the phone, on the old keyboard.
    again = await ana.taps_data(prompt.message_id, other)

    assert again.toast == "You already answered this one: 3."
    assert again == []  # no second note question
    assert (await stored(uow, ANA)).ratings == [3]
    assert prompt.shown.endswith("You answered 3 (stressed) at 08:30.")


async def test_a_button_from_an_earlier_days_prompt_is_closed(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = await onboard(harness, ANA)
    [monday] = await harness.tick(at=berlin(13, 8, 30))
    [tuesday] = await harness.tick(at=berlin(14, 8, 30))

    reply = await ana.taps("2", message_id=monday.message_id)

    assert reply.alert and "This check-in has closed" in (reply.toast or "")
    assert monday.buttons == []  # taken off so it cannot be pressed again
    assert tuesday.buttons != []
    assert (await stored(uow, ANA)).ratings == [None, None]


async def test_a_late_evening_prompt_can_still_be_answered_just_after_midnight(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = await onboard(harness, ANA, times="23:30")
    [prompt] = await harness.tick(at=berlin(13, 23, 30))
    harness.clock.set(berlin(14, 0, 20))

    reply = await ana.taps("3", message_id=prompt.message_id)

    assert reply.toast == "Saved: 3"
    assert (await stored(uow, ANA)).ratings == [3]


@pytest.mark.parametrize("data", ["garbage", "r:1:9", "r:1:0", "r:x:3", "r:1:3:4", "t:25:00", ""])
async def test_forged_button_data_is_refused(
    harness: BotHarness, uow: UowFactory, data: str
) -> None:
    ana = await onboard(harness, ANA)
    [prompt] = await harness.tick(at=berlin(13, 8, 30))

    reply = await ana.taps_data(prompt.message_id, data)

    assert reply.toast == "This button isn't active any more."
    assert reply == []
    assert (await stored(uow, ANA)).ratings == [None]
    assert prompt.buttons != []  # the real buttons still work
    assert (await ana.taps("4", message_id=prompt.message_id)).toast == "Saved: 4"


async def test_a_press_never_touches_someone_elses_checkin(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = await onboard(harness, ANA)
    bob = await onboard(harness, BOB)
    sent = await harness.tick(at=berlin(13, 8, 30))
    [ana_prompt] = [m for m in sent if m.chat_id == ANA]
    [bob_checkin] = (await stored(uow, BOB)).checkins

    reply = await ana.taps_data(ana_prompt.message_id, f"r:{bob_checkin.id}:1")
    skip = await ana.taps_data(ana_prompt.message_id, f"n:{bob_checkin.id}")

    assert reply.toast == "This button isn't active any more."
    assert skip.toast is None and skip == []
    assert (await stored(uow, BOB)).ratings == [None]
    assert (await stored(uow, ANA)).ratings == [None]
    assert bob.last_buttons() == ["1", "2", "3", "4", "5"]


async def test_a_press_for_a_checkin_that_does_not_exist(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = await onboard(harness, ANA)
    [prompt] = await harness.tick(at=berlin(13, 8, 30))

    reply = await ana.taps_data(prompt.message_id, "r:999999999:3")

    assert reply.toast == "This button isn't active any more."
    assert (await stored(uow, ANA)).ratings == [None]


async def test_a_setup_time_button_pressed_after_setup_changes_nothing(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = harness.chat(ANA)
    await ana.says("/start")
    await ana.taps("Yes, I agree")
    asked = await ana.says("Berlin")
    assert "What time" in asked.text
    question = ana.last()
    await ana.says("/time 07:00")  # answered by typing; the buttons are still showing

    reply = await ana.taps("21:00", message_id=question.message_id)

    assert reply.toast == "This button isn't active any more."
    assert question.buttons == []
    assert (await stored(uow, ANA)).times == ["07:00"]


# ---------------------------------------------------------------- odd messages


@pytest.mark.parametrize("kind", ["sticker", "photo"])
async def test_messages_without_text_get_a_hint(
    harness: BotHarness, uow: UowFactory, kind: str
) -> None:
    ana = await onboard(harness, ANA)
    await harness.tick(at=berlin(13, 8, 30))

    reply = await (ana.sends_sticker() if kind == "sticker" else ana.sends_photo(caption="3"))

    assert "I can only read text and button taps" in reply.text
    assert (await stored(uow, ANA)).ratings == [None]


async def test_a_very_long_note_is_not_stored(harness: BotHarness, uow: UowFactory) -> None:
    ana = await onboard(harness, ANA)
    await harness.tick(at=berlin(13, 8, 30))
    await ana.taps("4")

    too_long = await ana.says("a" * 4000)
    long_ish = await ana.says("word " * 120)  # 600 characters
    kept = await ana.says("Better now")

    assert "longer than I can handle" in too_long.text
    assert "keep it under 500 characters" in long_ish.text
    assert "added that" in kept.text
    [checkin] = (await stored(uow, ANA)).checkins
    assert (checkin.rating, checkin.note) == (4, "Better now")


async def test_edited_messages_are_not_acted_on(harness: BotHarness, uow: UowFactory) -> None:
    ana = await onboard(harness, ANA)
    await ana.says("/time 09:00")

    reply = await ana.edits_last_message("/time 10:00")

    assert "I only read new messages, not edits" in reply.text
    assert (await stored(uow, ANA)).times == ["09:00"]


async def test_a_group_chat_is_told_to_use_a_private_chat(
    harness: BotHarness, uow: UowFactory
) -> None:
    group = harness.chat(-5001, user_id=ANA)

    started = await group.says("/start")
    chatter = await group.says("3")

    assert "private chats only" in started.text
    assert chatter == []  # ordinary group talk is not answered at all
    assert await count(uow, User) == 0


async def test_an_unknown_command(harness: BotHarness, uow: UowFactory) -> None:
    ana = await onboard(harness, ANA)

    reply = await ana.says("/dance")

    assert "not sure what you mean" in reply.text and "/help" in reply.text
    assert (await stored(uow, ANA)).times == ["08:30"]


async def test_text_nobody_asked_for(harness: BotHarness, uow: UowFactory) -> None:
    ana = await onboard(harness, ANA)

    reply = await ana.says("hello there")

    # Heard, and pointed to what it can do; never "I'm not sure what you mean".
    assert "not sure what you mean" not in reply.text
    assert "/checkin" in reply.text and "/sos" in reply.text
    assert (await stored(uow, ANA)).checkins == []
