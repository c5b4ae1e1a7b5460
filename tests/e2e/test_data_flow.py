"""Looking back and taking control, through `nudgebot run`: summaries, export, delete."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from nudgebot.storage.models import Base
from tests.e2e.conftest import World
from tests.e2e.people import check_in_now, onboard
from tests.e2e.test_checkin_flow import next_minute_with_margin
from tests.support.fake_telegram import FakeTelegram

ANA, BEN = 6001, 6002
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


async def checked_in(fake: FakeTelegram, user: int, rating: str, note: str) -> None:
    await onboard(fake, user)
    await check_in_now(fake, user, rating)
    fake.send_text(user, note)
    await fake.async_wait_for_message(user, "Got it")


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_summary_export_and_delete(world: World) -> None:
    fake, bot = world.fake, world.bot
    bot.start(fake)
    await checked_in(fake, ANA, "2", "slept well")
    await checked_in(fake, BEN, "3", "ben's own note")

    # /summary now: the week in words, then the chart.
    before = len(fake.sent(ANA))
    fake.send_text(ANA, "/summary")
    await fake.async_wait_for_message(ANA, "Your week:", after_index=before)
    photo = await fake.async_wait_for(
        lambda f: next((m for m in f.sent(ANA)[before:] if m.kind == "photo"), None)
    )
    assert (photo.file_data or b"").startswith(b"\x89PNG")

    # The scheduled summary comes at the minute set in /settings.
    due = next_minute_with_margin(6)
    fake.send_text(ANA, "/settings")
    await fake.async_wait_for_message(ANA, "Your settings")
    fake.tap_button(ANA, "Weekly summary day and time")
    await fake.async_wait_for_message(ANA, "When should the weekly summary come?")
    fake.send_text(ANA, f"{WEEKDAYS[due.weekday()]} {due:%H:%M}")
    await fake.async_wait_for_message(ANA, "Your weekly summary comes on")
    count = len(fake.sent(ANA))
    scheduled = await fake.async_wait_for_message(ANA, "Your week:", after_index=count, timeout=90)
    assert timedelta(0) <= datetime.now(UTC) - due < timedelta(seconds=5), scheduled.shown

    # /export: Ana's rows and nobody else's.
    fake.send_text(ANA, "/export")
    files = await fake.async_wait_for(
        lambda f: (
            [m for m in f.sent(ANA) if m.kind == "document"]
            if len([m for m in f.sent(ANA) if m.kind == "document"]) == 2
            else None
        )
    )
    exported = {m.file_name: (m.file_data or b"").decode() for m in files}
    data = json.loads(exported["nudgebot-data.json"])
    assert [(c["rating"], c["note"]) for c in data["checkins"]] == [(2, "slept well")]
    assert "ben's own note" not in exported["nudgebot-data.csv"] + exported["nudgebot-data.json"]

    # /delete, confirmed: nothing of Ana's in any table; Ben untouched.
    async with world.engine.connect() as conn:
        ana_id = (
            await conn.execute(text("SELECT id FROM users WHERE chat_id = :c"), {"c": ANA})
        ).scalar_one()
    fake.send_text(ANA, "/delete")
    await fake.async_wait_for_message(ANA, "can't be undone")
    fake.tap_button(ANA, "Yes, delete everything")
    await fake.async_wait_for_message(ANA, "Everything about you is deleted")
    assert bot.stop() == 0
    async with world.engine.connect() as conn:
        ana_rows = 0
        for table in Base.metadata.sorted_tables:
            for column, value in (("chat_id", ANA), ("user_id", ana_id), ("id", ana_id)):
                if column in table.c and (column != "id" or table.name == "users"):
                    ana_rows += (
                        await conn.execute(
                            text(f"SELECT count(*) FROM {table.name} WHERE {column} = :v"),
                            {"v": value},
                        )
                    ).scalar_one()
        users = (await conn.execute(text("SELECT chat_id FROM users"))).scalars().all()
    assert ana_rows == 0
    assert list(users) == [BEN]
