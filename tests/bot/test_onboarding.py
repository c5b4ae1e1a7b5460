"""/start: what the bot is, consent, time zone, first time, and the command menu."""

from __future__ import annotations

import pytest

from nudgebot.storage.models import User
from nudgebot.storage.uow import UowFactory
from tests.bot.harness import BotHarness, local, onboard
from tests.bot.records import count, stored

ANA = 1001
CONSENT_BUTTONS = ["Yes, I agree", "No, thanks", "What exactly is kept?"]


async def test_start_says_what_the_bot_is_and_is_not_and_asks_for_consent(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = harness.chat(ANA)

    [welcome] = await ana.says("/start")

    assert "wellness companion" in welcome
    assert "not a doctor" in welcome and "medical advice" in welcome
    assert "not a crisis service" in welcome and "emergency number" in welcome
    assert ana.last_buttons() == CONSENT_BUTTONS
    # Only the bare account exists until they agree.
    kept = await stored(uow, ANA)
    assert kept.user is not None and kept.user.consent_at is None
    assert (kept.times, kept.checkins, kept.deliveries) == ([], [], [])


async def test_before_consent_nothing_is_asked_or_stored(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = harness.chat(ANA)
    await ana.says("/start")

    typed = await ana.says("3")
    asked = await ana.says("/checkin")
    sent = await harness.tick(at=local("Europe/Berlin", 2025, 1, 13, 8, 30))

    assert "need your okay" in typed.text and ana.last_buttons() == CONSENT_BUTTONS
    assert "finish setting up first" in asked.text
    assert "How stressed" not in asked.text
    assert sent == []
    kept = await stored(uow, ANA)
    assert (kept.checkins, kept.deliveries) == ([], [])


async def test_no_thanks_forgets_the_account_entirely(harness: BotHarness, uow: UowFactory) -> None:
    ana = harness.chat(ANA)
    await ana.says("/start")
    await ana.says("/timezone Europe/Berlin")  # even a setting given on the way is forgotten

    reply = await ana.taps("No, thanks")

    assert "haven't kept anything" in reply.text
    assert ana.newest("Is that okay with you?").buttons == []
    assert (await stored(uow, ANA)).user is None
    assert await count(uow, User) == 0


async def test_after_saying_no_start_begins_afresh(harness: BotHarness, uow: UowFactory) -> None:
    ana = harness.chat(ANA)
    await ana.says("/start")
    await ana.taps("No, thanks")

    [welcome] = await ana.says("/start")

    assert "Is that okay with you?" in welcome
    assert ana.last_buttons() == CONSENT_BUTTONS
    assert await count(uow, User) == 1


async def test_start_twice_never_duplicates_a_user(harness: BotHarness, uow: UowFactory) -> None:
    ana = harness.chat(ANA)
    await ana.says("/start")
    again = await ana.says("/start")
    assert "Is that okay with you?" in again.text
    assert await count(uow, User) == 1

    await onboard(harness, ANA)
    back = await ana.says("/start")

    assert "Welcome back" in back.text
    assert "Check-in times: 08:30" in back.text and "Europe/Berlin" in back.text
    assert await count(uow, User) == 1
    assert len((await stored(uow, ANA)).pending) == 1


async def test_privacy_button_explains_and_offers_the_choice_again(harness: BotHarness) -> None:
    ana = harness.chat(ANA)
    await ana.says("/start")

    reply = await ana.taps("What exactly is kept?")

    assert "What I keep, and why" in reply.text
    assert ana.last_buttons() == CONSENT_BUTTONS


async def test_full_onboarding_by_typing_a_city_and_tapping_a_time(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = harness.chat(ANA)
    await ana.says("/start")

    agreed = await ana.taps("Yes, I agree")
    assert "Which time zone are you in?" in agreed.text
    assert ana.last_buttons() == ["Share my location"]
    assert ana.newest("Is that okay with you?").buttons == []  # consent can't be pressed twice

    asked_time = await ana.says("Berlin")
    assert "What time of day should I check in?" in asked_time.text
    assert {"07:30", "08:00", "08:30", "21:00"} <= set(ana.last_buttons())

    done = await ana.taps("08:30")
    assert "I'll check in every day at 08:30 (Europe/Berlin)" in done.text
    assert "Next check-in: today at 08:30" in done.text
    assert ana.newest("What time of day").buttons == []

    kept = await stored(uow, ANA)
    assert kept.user is not None and kept.user.consent_at == harness.clock.now
    assert kept.user.timezone == "Europe/Berlin"
    assert kept.times == ["08:30"]
    [due] = kept.pending
    assert due.due_at == local("Europe/Berlin", 2025, 1, 13, 8, 30)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("berlin", "Europe/Berlin"),
        ("Tokyo", "Asia/Tokyo"),
        ("UTC+2", "UTC+02:00"),
        ("UTC-5", "UTC-05:00"),
    ],
)
async def test_time_zone_can_be_typed_as_name_city_or_offset(
    harness: BotHarness, uow: UowFactory, typed: str, zone: str
) -> None:
    ana = harness.chat(ANA)
    await ana.says("/start")
    await ana.taps("Yes, I agree")

    await ana.says(typed)
    done = await ana.says("8pm")

    assert f"I'll check in every day at 20:00 ({zone})" in done.text
    kept = await stored(uow, ANA)
    assert kept.user is not None and kept.user.timezone == zone
    assert kept.times == ["20:00"]


async def test_time_zone_from_a_shared_location(harness: BotHarness, uow: UowFactory) -> None:
    ana = harness.chat(ANA)
    await ana.says("/start")
    await ana.taps("Yes, I agree")

    asked = await ana.shares_location(48.8566, 2.3522)  # Paris

    assert "What time of day" in asked.text
    kept = await stored(uow, ANA)
    assert kept.user is not None and kept.user.timezone == "Europe/Paris"


async def test_a_location_at_sea_asks_for_a_typed_zone(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = harness.chat(ANA)
    await ana.says("/start")
    await ana.taps("Yes, I agree")

    reply = await ana.shares_location(0.0, -30.0)  # mid-Atlantic

    assert "couldn't find a time zone" in reply.text
    kept = await stored(uow, ANA)
    assert kept.user is not None and kept.user.timezone is None


async def test_the_command_menu_is_registered_at_start_up(harness: BotHarness) -> None:
    # Application.initialize() does not run post_init (run_polling does); run the same hook.
    await harness.run_post_init()

    names = [c["command"] for c in harness.fake.commands]
    assert sorted(names) == sorted(
        [
            "start",
            "help",
            "checkin",
            "time",
            "timezone",
            "settings",
            "pause",
            "resume",
            "log",
            "summary",
            "history",
            "export",
            "delete",
            "sos",
            "privacy",
        ]
    )
    assert all(c["description"] for c in harness.fake.commands)
