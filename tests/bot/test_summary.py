"""The weekly summary arrives at the chosen local time with a chart; /summary and /history."""

from __future__ import annotations

import struct
from datetime import datetime, timedelta
from typing import Any

from nudgebot.storage.uow import UowFactory
from tests.bot.harness import BotHarness, Chat, local, onboard
from tests.bot.records import stored

ANA = 1001
PNG = b"\x89PNG\r\n\x1a\n"


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    return local("Europe/Berlin", 2025, 1, day, hour, minute)


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG)
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def a_week_of_checkins(harness: BotHarness, ratings: list[int]) -> Chat:
    """Monday 13 January onwards, one check-in a day at 10:00, answered with these ratings."""
    ana = await onboard(harness, ANA, times="10:00")
    for day, rating in enumerate(ratings):
        [prompt] = [m for m in await harness.tick(at=berlin(13 + day, 10)) if m.chat_id == ANA]
        await ana.taps(str(rating), message_id=prompt.message_id)
        await ana.taps("Skip")
        if "Not today" in ana.last_buttons():
            await ana.taps("Not today")
        if day % 2 == 0:
            await ana.says(f"/log walk {20 + day} {max(1, rating - 2)}")
    return ana


async def test_the_weekly_summary_arrives_on_sunday_evening_with_a_chart(
    harness: BotHarness,
) -> None:
    ana = await a_week_of_checkins(harness, [4, 3, 5, 2, 3, 4])
    assert [m for m in await harness.tick(at=berlin(19, 17, 59)) if m.chat_id == ANA] == []
    sent = [m for m in await harness.tick(at=berlin(19, 18)) if m.chat_id == ANA]
    text, photo = sent
    assert "Your week: " in text.shown
    assert "6 of 6" in text.shown or "6 of 7" in text.shown
    assert "Tip:" in text.shown or "tip" in text.shown.lower()
    assert len(text.shown) < 4096
    assert photo.kind == "photo" and photo.file_data is not None
    assert png_size(photo.file_data) == (1000, 600)
    # Once only, and next week's is planned.
    assert [m for m in await harness.tick(at=berlin(19, 18, 5)) if m.chat_id == ANA] == []
    assert ana.messages[-1] is photo


async def test_summary_on_demand_gives_text_and_a_photo(harness: BotHarness) -> None:
    ana = await a_week_of_checkins(harness, [4, 4, 3])
    harness.clock.set(berlin(15, 20))
    reply = await ana.says("/summary")
    assert "Your week: " in reply.text
    assert ana.last().kind == "photo"


async def test_a_week_without_data_gets_a_short_kind_note_and_no_chart(
    harness: BotHarness,
) -> None:
    ana = await onboard(harness, ANA, times="10:00")
    harness.clock.set(berlin(13, 12))
    reply = await ana.says("/summary")
    assert "nothing from you this week" in reply.text
    assert ana.last().kind == "text"


async def test_paused_people_get_no_summary(harness: BotHarness, uow: UowFactory) -> None:
    ana = await a_week_of_checkins(harness, [3])
    await ana.says("/pause")
    for day in range(13, 21):
        assert [m for m in await harness.tick(at=berlin(day, 18)) if m.chat_id == ANA] == []
    assert [d.status for d in (await stored(uow, ANA)).summaries] == []


async def test_the_summary_moves_to_the_chosen_day_and_time(harness: BotHarness) -> None:
    ana = await onboard(harness, ANA, times="10:00")
    await ana.says("/settings")
    await ana.taps("Weekly summary day and time")
    done = await ana.says("Friday 7pm")
    assert "Fridays at 19:00" in done.text
    sent = [m for m in await harness.tick(at=berlin(17, 19)) if m.chat_id == ANA]
    assert sent and "nothing from you this week" in sent[0].shown


async def test_history_shows_the_last_14_days_compactly(harness: BotHarness) -> None:
    ana = await a_week_of_checkins(harness, [4, 2])
    harness.clock.set(berlin(14, 21))
    reply = await ana.says("/history")
    lines = reply.text.splitlines()
    assert lines[0].startswith("Your last 14 days")
    assert len(lines) == 15
    assert "Mon 13 Jan: 4 · walk 20 min" in lines
    assert "Tue 14 Jan: 2" in lines
    assert "Wed 1 Jan: –" in lines


async def test_threshold_preference_and_quiet_hours_change_in_settings(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana = await onboard(harness, ANA)
    await ana.says("/settings")
    menu = ana.last()
    await ana.taps("Suggest at 4+ (tap to change)")
    assert "when stress is 5 or higher" in menu.shown
    await ana.taps("Prefer: either (tap to change)")
    assert "Movement you prefer: running" in menu.shown
    await ana.taps("Quiet hours")
    wrong = await ana.says("late")
    assert "22:00-07:00" in wrong.text
    done = await ana.says("22:00-07:00")
    assert "22:00–07:00" in done.text
    user = (await stored(uow, ANA)).user
    assert user is not None
    assert (user.stress_threshold, user.preference, user.quiet_start, user.quiet_end) == (
        5,
        "run",
        "22:00",
        "07:00",
    )


async def test_a_summary_due_while_the_bot_was_down_too_long_is_not_sent_late(
    harness: BotHarness,
) -> None:
    await a_week_of_checkins(harness, [3])
    late = berlin(19, 18) + timedelta(hours=3)
    assert [m for m in await harness.tick(at=late) if m.chat_id == ANA] == []


async def test_summaries_due_together_are_made_together_and_each_is_ones_own(
    harness: BotHarness,
) -> None:
    """Several summaries in one batch come from one batched query (sender.prepare); each person
    still gets exactly their own week, as they would alone."""
    ana = await a_week_of_checkins(harness, [4, 3, 5, 2, 3, 4])
    ben = await onboard(harness, 1002, times="10:00")
    cy = await onboard(harness, 1003, times="10:00")
    harness.clock.set(berlin(19, 17, 59))
    alone = await ana.says("/summary")  # Ana's week, made on its own
    made: list[int] = []
    summaries = harness.runtime.dispatcher._prepare
    assert summaries is not None

    async def counting(items: list[Any]) -> None:
        made.append(sum(1 for i in items if i.kind == "summary"))
        assert summaries is not None
        await summaries(items)

    harness.runtime.dispatcher._prepare = counting
    sent = await harness.tick(at=berlin(19, 18))

    assert made and max(made) == 3  # the three summaries were prepared as one batch
    texts = {m.chat_id: m.shown for m in sent if m.kind == "text"}
    assert alone.text.startswith(texts[ANA])  # (the reply also holds the chart caption)
    assert "nothing from you this week" in texts[ben.chat_id]
    assert "nothing from you this week" in texts[cy.chat_id]
    assert [m.kind for m in sent if m.chat_id == ANA] == ["text", "photo"]
