"""Times, time zone, pause and /settings: changes show up in the very next check-in."""

from __future__ import annotations

from datetime import datetime

from nudgebot.storage.uow import UowFactory
from tests.bot.harness import BotHarness, local, onboard
from tests.bot.records import stored

ANA = 1001
PROMPT = "How stressed do you feel right now?"


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    return local("Europe/Berlin", 2025, 1, day, hour, minute)


async def prompts_on(harness: BotHarness, *moments: datetime) -> list[datetime]:
    """Tick at each moment; the moments at which a check-in prompt went out."""
    return [at for at in moments if any(PROMPT in m.text for m in await harness.tick(at=at))]


async def test_an_answered_checkin_is_not_sent_again_for_the_same_slot(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = await onboard(harness, ANA)
    assert await prompts_on(harness, berlin(13, 8, 30)) == [berlin(13, 8, 30)]
    await ana.taps("3")

    later_today = [berlin(13, 8, 30), berlin(13, 8, 31), berlin(13, 9, 0)]
    assert await prompts_on(harness, *later_today) == []
    # Moving west makes 08:30 come round again today; today's check-in is still done.
    moved = await ana.says("/timezone Europe/London")
    assert "it's 08:00 there now" in moved.text
    london = [local("Europe/London", 2025, 1, 13, hour, 30) for hour in (8, 12, 23)]
    assert await prompts_on(harness, *london) == []

    tomorrow = local("Europe/London", 2025, 1, 14, 8, 30)
    assert await prompts_on(harness, tomorrow) == [tomorrow]
    assert len((await stored(uow, ANA)).checkins) == 2


async def test_new_times_take_effect_for_the_next_occurrence(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = await onboard(harness, ANA, times="08:30")
    harness.clock.set(berlin(13, 7, 0))

    reply = await ana.says("/time 07:30 20:00")

    assert "I'll check in every day at 07:30 and 20:00 (Europe/Berlin)" in reply.text
    assert "Next: today at 07:30" in reply.text
    assert (await stored(uow, ANA)).times == ["07:30", "20:00"]
    day = [berlin(13, 7, 30), berlin(13, 8, 30), berlin(13, 20, 0)]
    assert await prompts_on(harness, *day) == [berlin(13, 7, 30), berlin(13, 20, 0)]


async def test_a_new_time_zone_takes_effect_for_the_next_occurrence(harness: BotHarness) -> None:
    ana = await onboard(harness, ANA, zone="Europe/Berlin", times="08:30")

    reply = await ana.says("/timezone America/New_York")

    assert "Time zone set to America/New_York" in reply.text
    assert "it's 00:00 there now" in reply.text  # 06:00 in Berlin
    new_york = local("America/New_York", 2025, 1, 13, 8, 30)
    assert await prompts_on(harness, berlin(13, 8, 30), new_york) == [new_york]


async def test_paused_users_get_nothing_until_they_resume(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = await onboard(harness, ANA, times="08:30 20:00")

    paused = await ana.says("/pause")

    assert "Check-ins paused" in paused.text and "/resume" in paused.text
    assert (await stored(uow, ANA)).pending == []
    days = [berlin(day, hour, 30) for day in (13, 14, 15) for hour in (8, 20)]
    assert await prompts_on(harness, *days) == []
    again = await ana.says("/pause")
    assert "already paused" in again.text

    harness.clock.set(berlin(16, 7, 0))
    resumed = await ana.says("/resume")

    assert "Check-ins are on again. Next: today at 08:30." in resumed.text
    assert await prompts_on(harness, berlin(16, 8, 30)) == [berlin(16, 8, 30)]
    assert "already on" in (await ana.says("/resume")).text


async def test_time_and_timezone_without_arguments_show_the_current_values(
    harness: BotHarness,
) -> None:
    ana = await onboard(harness, ANA, times="08:30 20:00")

    times = await ana.says("/time")
    zone = await ana.says("/timezone")

    assert "Your check-in times: 08:30 and 20:00." in times.text
    assert "/time 08:30 20:00" in times.text
    assert "Your time zone: Europe/Berlin." in zone.text


async def test_settings_shows_the_menu(harness: BotHarness) -> None:
    ana = await onboard(harness, ANA)

    [menu] = await ana.says("/settings")

    assert "Check-in times: 08:30" in menu
    assert "Time zone: Europe/Berlin (now 06:00 there)" in menu
    assert "Check-ins: on" in menu
    assert "Next check-in: today at 08:30" in menu
    assert ana.last_buttons() == [
        "Change times",
        "Change time zone",
        "Weekly summary day and time",
        "Suggest at 4+ (tap to change)",
        "Prefer: either (tap to change)",
        "Quiet hours",
        "Pause check-ins",
    ]
    assert "Weekly summary: Sundays at 18:00" in menu


async def test_settings_change_times(harness: BotHarness, uow: UowFactory) -> None:
    ana = await onboard(harness, ANA)
    await ana.says("/settings")

    asked = await ana.taps("Change times")
    assert "Send me the times you'd like" in asked.text
    assert ana.newest("Your settings").buttons == []
    done = await ana.says("7am 9:15 pm")

    assert "I'll check in every day at 07:00 and 21:15 (Europe/Berlin)" in done.text
    assert (await stored(uow, ANA)).times == ["07:00", "21:15"]
    # The question is answered: a later time-like text is not taken as new times.
    reply = (await ana.says("10:00")).text
    assert "check in every day" not in reply and "/checkin" in reply
    assert (await stored(uow, ANA)).times == ["07:00", "21:15"]


async def test_settings_change_time_zone(harness: BotHarness, uow: UowFactory) -> None:
    ana = await onboard(harness, ANA)
    await ana.says("/settings")

    asked = await ana.taps("Change time zone")
    assert "Which time zone are you in?" in asked.text
    assert ana.last_buttons() == ["Share my location"]
    done = await ana.says("Tokyo")

    assert "Time zone set to Asia/Tokyo" in done.text
    kept = await stored(uow, ANA)
    assert kept.user is not None and kept.user.timezone == "Asia/Tokyo"
    tokyo = local("Asia/Tokyo", 2025, 1, 14, 8, 30)  # 08:30 Monday in Tokyo has passed
    assert await prompts_on(harness, berlin(13, 8, 30), tokyo) == [tokyo]


async def test_settings_pause_and_resume_buttons(harness: BotHarness, uow: UowFactory) -> None:
    ana = await onboard(harness, ANA)
    await ana.says("/settings")

    paused = await ana.taps("Pause check-ins")
    assert "Check-ins paused" in paused.text
    assert (await stored(uow, ANA)).pending == []
    [menu] = await ana.says("/settings")
    assert "Check-ins: paused" in menu
    assert ana.last_buttons()[-1] == "Resume check-ins"

    resumed = await ana.taps("Resume check-ins")

    assert "Check-ins are on again" in resumed.text
    assert await prompts_on(harness, berlin(13, 8, 30)) == [berlin(13, 8, 30)]
