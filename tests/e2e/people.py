"""What a person does in the end-to-end tests, step by step as they would."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.fake_telegram import FakeTelegram, SentMessage

PROMPT = "How stressed do you feel right now?"


async def onboard(
    fake: FakeTelegram, user: int, times: str | None = None, zone: str = "UTC"
) -> SentMessage:
    """/start, agree, a zone and check-in times; returns the confirmation.

    Without `times`, the check-in is set hours away so nothing falls due unless a test wants it.
    """
    fake.send_text(user, "/start")
    welcome = await fake.async_wait_for_message(user, "not a crisis service")
    assert [label for label, _ in welcome.buttons][:2] == ["Yes, I agree", "No, thanks"]
    fake.tap_button(user, "Yes, I agree")
    await fake.async_wait_for_message(user, "Which time zone")
    fake.send_text(user, zone)
    await fake.async_wait_for_message(user, "What time of day")
    fake.send_text(user, times or f"{(datetime.now(UTC).hour + 12) % 24}:00")
    return await fake.async_wait_for_message(user, "All set")


async def check_in_now(fake: FakeTelegram, user: int, rating: str) -> None:
    """/checkin and tap a rating; the bot then asks for a note."""
    fake.send_text(user, "/checkin")
    prompt = await fake.async_wait_for_message(user, PROMPT)
    fake.tap_button(user, rating, message_id=prompt.message_id)
    await fake.async_wait_for_message(user, "Anything you want to add")
