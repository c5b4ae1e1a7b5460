"""The process log keeps no secrets (design §5, issue 5.8): a whole conversation with DEBUG
logging leaves neither the token nor anything the user or the bot wrote in it."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from tests.e2e.conftest import TOKEN, World
from tests.support.fake_telegram import FakeTelegram

ANA = 8001

# Everything Ana types, each distinctive enough that no log line has it by chance.
ZONE = "Atlantic/Reykjavik"
TIME = "7:45 pm"
NOTE = "quarrel with Zebulon over the spreadsheet"
LOG = "/log walk 37 2"
PLAN = "ring Wilhelmina, then the lighthouse path"
CRISIS = "honestly everyone would be better off without me"
TYPED = [ZONE, TIME, NOTE, LOG, PLAN, CRISIS]
# What the bot wrote back: prompts, the note as echoed in the export, helplines.
BOT_TEXTS = [
    "How stressed do you feel right now?",
    "not a crisis service",
    "Anything you want to add",
    "findahelpline.com",
    "Logged: a walk, 37 min",
    "Your safety plan:",
    "Everything about you is deleted",
]


async def conversation(fake: FakeTelegram) -> None:
    """Start to /delete: consent, zone, time, a check-in with a note, a reply that fails, /log,
    /sos with a plan, a message in crisis, /export."""

    async def says(text: str, expect: str) -> None:
        before = len(fake.sent(ANA))
        fake.send_text(ANA, text)
        await fake.async_wait_for_message(ANA, expect, after_index=before)

    async def taps(label: str, expect: str) -> None:
        before = len(fake.sent(ANA))
        fake.tap_button(ANA, label)
        await fake.async_wait_for_message(ANA, expect, after_index=before)

    await says("/start", "not a crisis service")
    await taps("Yes, I agree", "Which time zone")
    await says(ZONE, "What time of day")
    await says(TIME, "All set")
    await says("/checkin", "How stressed do you feel right now?")
    await taps("4", "Anything you want to add")
    await says(NOTE, "Got it")
    # A reply that fails puts a traceback in the log; it must not carry anything either.
    fake.fail_next("sendMessage", status=502, description="Bad Gateway")
    await says("/history", "something went wrong on my side")
    await says(LOG, "Logged: a walk, 37 min")
    await says("/sos", "findahelpline.com")
    await taps("Write my safety plan", "Write your safety plan")
    await says(PLAN, "Saved")
    await says("/sos", PLAN)
    # An indirect phrase outside a check-in gets the direct question first.
    await says(CRISIS, "thoughts of ending your life")
    fake.send_text(ANA, "/export")
    await fake.async_wait_for(
        lambda f: sum(1 for m in f.sent(ANA) if m.kind == "document") == 2, timeout=20
    )
    await says("/delete", "can't be undone")
    await taps("Yes, delete everything", "Everything about you is deleted")


@pytest.mark.parametrize(
    "log_format",
    [
        pytest.param("plain", marks=pytest.mark.bot_env(NUDGEBOT_LOG_FORMAT="plain")),
        pytest.param("json", marks=pytest.mark.bot_env(NUDGEBOT_LOG_FORMAT="json")),
    ],
)
async def test_a_whole_conversation_logged_at_debug_keeps_token_and_texts_out(
    world: World, log_format: str
) -> None:
    assert world.bot.env["NUDGEBOT_LOG_LEVEL"] == "DEBUG"
    world.bot.start(world.fake)
    await conversation(world.fake)
    assert world.bot.stop() == 0

    log = world.bot.log()
    assert "nudgebot is running" in log and "nudgebot stopped" in log  # it did log
    assert "handling an update failed" in log and "Traceback" in log
    secret = TOKEN.partition(":")[2]
    for needle in [TOKEN, secret, quote(TOKEN, safe=""), *TYPED, *BOT_TEXTS]:
        assert needle.lower() not in log.lower(), f"{needle!r} is in the log:\n{log}"
    if log_format == "json":
        for line in log.splitlines():
            entry = json.loads(line)
            assert {"time", "level", "logger", "message"} <= entry.keys(), line
