"""/export gives a person all of their data and only theirs; /delete leaves nothing behind."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from sqlalchemy import select, text

from nudgebot.storage.models import Base, User
from nudgebot.storage.uow import UowFactory
from tests.bot.harness import BotHarness, Chat, local, onboard

ANA, BEN = 1001, 2002


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    return local("Europe/Berlin", 2025, 1, day, hour, minute)


async def with_history(harness: BotHarness, notes: dict[int, tuple[int, str]]) -> list[Chat]:
    """People onboarded for 10:00 who answer with a rating and a note, then log a walk."""
    chats = [await onboard(harness, chat_id, times="10:00") for chat_id in notes]
    sent = await harness.tick(at=berlin(13, 10))
    for chat in chats:
        rating, note = notes[chat.chat_id]
        [prompt] = [m for m in sent if m.chat_id == chat.chat_id]
        await chat.taps(str(rating), message_id=prompt.message_id)
        await chat.says(note)
        await chat.says("/log walk 20 2")
    return chats


async def test_export_holds_exactly_this_users_rows(harness: BotHarness) -> None:
    ana, _ben = await with_history(
        harness, {ANA: (4, "tough meeting"), BEN: (2, "quiet day for ben")}
    )

    await ana.says("/export")

    files = {m.file_name: m.file_data for m in ana.messages if m.kind == "document"}
    assert set(files) == {"nudgebot-data.csv", "nudgebot-data.json"}
    data = json.loads(files["nudgebot-data.json"] or b"")
    assert [(c["rating"], c["note"]) for c in data["checkins"]] == [(4, "tough meeting")]
    assert data["checkins"][0]["answered"].startswith("2025-01-13T10:00+01:00")
    assert [(a["kind"], a["minutes"], a["stress_after"]) for a in data["activities"]] == [
        ("walk", 20, 2)
    ]
    assert data["settings"]["time_zone"] == "Europe/Berlin"
    rows = list(csv.DictReader(io.StringIO((files["nudgebot-data.csv"] or b"").decode())))
    assert [(r["rating"], r["note"]) for r in rows if r["record"] == "checkin"] == [
        ("4", "tough meeting")
    ]
    assert "quiet day for ben" not in (files["nudgebot-data.csv"] or b"").decode()
    assert "quiet day for ben" not in (files["nudgebot-data.json"] or b"").decode()


async def test_delete_asks_first_then_leaves_nothing_in_any_table(
    harness: BotHarness, uow: UowFactory
) -> None:
    ana, _ben = await with_history(harness, {ANA: (5, "awful"), BEN: (2, "fine")})

    asked = await ana.says("/delete")
    assert "can't be undone" in asked.text
    kept = await ana.taps("No, keep it")
    assert "nothing was deleted" in kept.text
    async with uow() as u:
        ana_id = (await u.session.scalars(select(User.id).where(User.chat_id == ANA))).one()

    await ana.says("/delete")
    done = await ana.taps("Yes, delete everything")
    assert "Everything about you is deleted" in done.text

    async with uow() as u:
        for table in Base.metadata.sorted_tables:
            column = "chat_id" if table.name == "users" else "user_id"
            if column not in table.c:
                continue
            value = ANA if column == "chat_id" else ana_id
            count = (
                await u.session.execute(
                    text(f"SELECT count(*) FROM {table.name} WHERE {column} = :v"), {"v": value}
                )
            ).scalar_one()
            assert count == 0, f"{table.name} still holds rows of the deleted user"
        assert (await u.session.scalars(select(User.chat_id))).all() == [BEN]

    # Afterwards the bot treats them as someone new, and nothing is sent to them.
    assert [m for m in await harness.tick(at=berlin(14, 10)) if m.chat_id == ANA] == []
    again = await ana.says("/start")
    assert "Is that okay with you?" in again.text
