"""Proof that the fake Bot API behaves like Telegram towards python-telegram-bot."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from tests.support.botapi_server import BotApiServer, parse_multipart
from tests.support.fake_telegram import FakeTelegram, SentMessage, buttons
from tests.support.offline_request import OfflineRequest

# PTB warns about RetryAfter.retry_after's future type whenever it builds one; not our concern.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

CHAT = 4242
# Every byte value plus sequences that would trip a sloppy multipart parser.
BINARY = bytes(range(256)) + b"\r\n--\r\n\r\n--boundary--\r\n" + bytes(range(255, -1, -1))

KEYBOARD = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Calm", callback_data="mood:1")],
        [
            InlineKeyboardButton("Tense", callback_data="mood:2"),
            InlineKeyboardButton("Help", url="https://example.invalid/help"),
        ],
    ]
)


def offline_bot(fake: FakeTelegram, **kwargs: Any) -> Bot:
    return Bot(
        fake.token,
        request=OfflineRequest(fake, **kwargs),
        get_updates_request=OfflineRequest(fake, **kwargs),
    )


@pytest.fixture
def fake() -> FakeTelegram:
    fake = FakeTelegram()
    fake.add_chat(CHAT)
    return fake


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with offline_bot(fake) as bot:
        yield bot


@pytest.fixture
def server(fake: FakeTelegram) -> Iterator[BotApiServer]:
    with BotApiServer(fake) as srv:
        yield srv


@pytest.fixture
async def http_bot(server: BotApiServer) -> AsyncIterator[Bot]:
    bot = Bot(
        server.fake.token,
        base_url=f"{server.url}/bot",
        base_file_url=f"{server.url}/file/bot",
    )
    async with bot:
        yield bot


async def exercise_bot(bot: Bot, fake: FakeTelegram) -> None:
    """The same conversation, whichever transport `bot` uses."""
    me = await bot.get_me()
    assert me.username == fake.bot_username
    assert me.id == fake.bot_id
    assert me.is_bot

    msg = await bot.send_message(CHAT, "How are you?", reply_markup=KEYBOARD)
    assert msg.chat_id == CHAT
    assert msg.from_user is not None and msg.from_user.id == fake.bot_id
    assert msg.reply_markup == KEYBOARD
    sent = fake.last(CHAT)
    assert (sent.kind, sent.text, sent.message_id) == ("text", "How are you?", msg.message_id)
    assert buttons(sent) == [("Calm", "mood:1"), ("Tense", "mood:2"), ("Help", "")]
    assert fake.calls_of("sendmessage")[-1]["chat_id"] == CHAT

    edited = await bot.edit_message_text(
        "<b>Noted</b> &amp; thanks", chat_id=CHAT, message_id=msg.message_id, parse_mode="HTML"
    )
    assert not isinstance(edited, bool)
    assert edited.text == "Noted & thanks"
    assert edited.edit_date is not None
    assert (sent.current_text, sent.current_markup, sent.text) == (
        "Noted & thanks",
        None,
        "How are you?",
    )
    assert [e.method for e in sent.edits] == ["editMessageText"]
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Noted & thanks", chat_id=CHAT, message_id=msg.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=CHAT, message_id=9999)
    await bot.edit_message_reply_markup(CHAT, msg.message_id, reply_markup=KEYBOARD)
    assert sent.current_markup == KEYBOARD.to_dict()

    query_id = fake.tap(CHAT, msg.message_id, "mood:2")
    updates = await bot.get_updates(timeout=0)
    query = updates[-1].callback_query
    assert query is not None and query.id == query_id
    assert query.data == "mood:2"
    assert query.message is not None and query.message.message_id == msg.message_id
    assert await bot.answer_callback_query(query_id, text="Got it")
    assert fake.callback_answers[query_id]["text"] == "Got it"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)

    commands = [BotCommand("start", "Begin"), BotCommand("checkin", "Check in now")]
    assert await bot.set_my_commands(commands)
    assert fake.commands == [c.to_dict() for c in commands]
    assert list(await bot.get_my_commands()) == commands
    assert await bot.delete_my_commands()
    assert fake.commands == []

    photo_msg = await bot.send_photo(CHAT, photo=BINARY, caption="weekly", filename="week.png")
    photo = fake.last(CHAT)
    assert (photo.kind, photo.caption, photo.file_data, photo.file_name) == (
        "photo",
        "weekly",
        BINARY,
        "week.png",
    )
    assert photo_msg.photo and photo_msg.photo[-1].file_id == photo.file_id
    downloaded = await (await bot.get_file(photo_msg.photo[-1].file_id)).download_as_bytearray()
    assert bytes(downloaded) == BINARY

    doc_msg = await bot.send_document(CHAT, document=b"a,b\n1,2\n", filename="export.csv")
    assert doc_msg.document is not None and doc_msg.document.file_name == "export.csv"
    assert fake.last(CHAT).file_data == b"a,b\n1,2\n"

    assert await bot.send_chat_action(CHAT, "typing")
    assert await bot.delete_message(CHAT, msg.message_id)
    assert sent.deleted
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(CHAT, msg.message_id)

    assert [m.kind for m in fake.sent(CHAT)] == ["text", "photo", "document"]
    chat = await bot.get_chat(CHAT)
    assert chat.id == CHAT and chat.type == "private"


# ---------------------------------------------------------------- in-process (OfflineRequest)


async def test_offline_bot_full_conversation(fake: FakeTelegram, bot: Bot) -> None:
    await exercise_bot(bot, fake)
    # Every call is recorded in order with canonical names and decoded params.
    names = [name for name, _ in fake.calls]
    assert names[0] == "getMe"  # Bot.initialize
    assert names.index("sendMessage") < names.index("editMessageText") < names.index("sendPhoto")


async def test_send_validation(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(777, "hi")
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(CHAT, "")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(CHAT, "x" * 4097)
    await bot.send_message(CHAT, "x" * 4096)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(CHAT, "a <b>bold", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(CHAT, "1 < 2 and <script>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="y" * 65)]])
        await bot.send_message(CHAT, "hi", reply_markup=too_long)
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("notAMethod")
    status, body = fake.handle("NoSuchMethod", {})
    assert (status, body) == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
    )
    # Reply keyboards are recorded but, as on Telegram, not echoed in Message.reply_markup.
    reply_kb = ReplyKeyboardMarkup([["Share location"]])
    msg = await bot.send_message(CHAT, "Where are you?", reply_markup=reply_kb)
    assert msg.reply_markup is None
    assert fake.last(CHAT).reply_markup == reply_kb.to_dict()
    assert buttons(fake.last(CHAT)) == [("Share location", "")]


async def test_user_side_updates_parse_in_ptb(fake: FakeTelegram, bot: Bot) -> None:
    start = fake.send_text(CHAT, "/start hello", first_name="Bea", language_code="de")
    fake.send_location(CHAT, 52.52, 13.405)
    fake.send_sticker(CHAT)
    fake.send_photo_from_user(CHAT, data=b"jpeg!", caption="me")
    fake.edit_text(CHAT, start["message_id"], "/start again")
    fake.send_text(-100500, "hi all", chat_type="supergroup", user_id=31)
    fake.chat_member_update(CHAT, "kicked")

    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == sorted(u.update_id for u in updates)
    first = updates[0].message
    assert first is not None and first.text == "/start hello"
    assert first.from_user is not None and first.from_user.language_code == "de"
    assert first.parse_entities(["bot_command"]) == {first.entities[0]: "/start"}
    loc = updates[1].message
    assert loc is not None and loc.location is not None and loc.location.latitude == 52.52
    sticker = updates[2].message
    assert sticker is not None and sticker.sticker is not None and sticker.text is None
    pic = updates[3].message
    assert pic is not None and pic.photo and pic.caption == "me"
    pic_bytes = await (await bot.get_file(pic.photo[-1].file_id)).download_as_bytearray()
    assert bytes(pic_bytes) == b"jpeg!"
    edited = updates[4].edited_message
    assert edited is not None and edited.text == "/start again"
    group = updates[5].message
    assert group is not None and group.chat.type == "supergroup" and group.chat.id == -100500
    assert group.from_user is not None and group.from_user.id == 31
    member = updates[6].my_chat_member
    assert member is not None
    assert (member.old_chat_member.status, member.new_chat_member.status) == ("member", "kicked")

    # A user who blocked the bot: sends fail like on Telegram until they come back.
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(CHAT, "still there?")
    fake.chat_member_update(CHAT, "member")
    await bot.send_message(CHAT, "welcome back")

    # Confirming with offset forgets everything before it.
    last_id = (await bot.get_updates(timeout=0))[-1].update_id
    assert await bot.get_updates(offset=last_id + 1, timeout=0) == ()
    assert fake.pending_updates() == []


async def test_offline_long_poll_wakes_on_update(fake: FakeTelegram, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    assert not poll.done()
    started = time.monotonic()
    fake.send_text(CHAT, "hello")
    updates = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 1
    assert updates[0].message is not None and updates[0].message.text == "hello"

    # Cancelling a parked poll must release its worker thread promptly.
    poll = asyncio.create_task(bot.get_updates(offset=updates[0].update_id + 1, timeout=30))
    await asyncio.sleep(0.1)
    poll.cancel()
    with pytest.raises(asyncio.CancelledError):
        await poll


async def test_offline_failure_injection(fake: FakeTelegram) -> None:
    async with offline_bot(fake, read_timeout=0.3) as bot:
        fake.fail_next(
            "sendMessage", status=429, description="Too Many Requests: retry after 3", retry_after=3
        )
        with pytest.raises(RetryAfter) as info:
            await bot.send_message(CHAT, "x")
        assert info.value.retry_after in (3, dtm.timedelta(seconds=3))
        fake.hang_up_next("sendMessage")
        with pytest.raises(NetworkError):
            await bot.send_message(CHAT, "lost")
        assert fake.sent() == []

        # A slow call times out on the client but still lands, like on the real server.
        fake.set_delay("sendMessage", 0.6)
        with pytest.raises(TimedOut):
            await bot.send_message(CHAT, "slow")
        await fake.async_wait_for_message(CHAT, "slow", timeout=3)
        fake.set_delay("sendMessage", 0)

    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", request=OfflineRequest(fake)):
            pass


async def test_rate_limit_answers_429(fake: FakeTelegram, bot: Bot) -> None:
    fake.rate_limit(per_chat_per_s=2)
    await bot.send_message(CHAT, "1")
    await bot.send_message(CHAT, "2")
    with pytest.raises(RetryAfter):
        await bot.send_message(CHAT, "3")
    fake.add_chat(CHAT + 1)
    await bot.send_message(CHAT + 1, "other chat is fine")
    fake.rate_limit(None, None)
    await bot.send_message(CHAT, "limits off")


def test_concurrent_get_updates_conflict(fake: FakeTelegram) -> None:
    results: list[tuple[int, dict[str, Any]]] = []
    first = threading.Thread(
        target=lambda: results.append(fake.handle("getUpdates", {"timeout": "5"}))
    )
    first.start()
    fake.wait_for(lambda f: f.calls_of("getUpdates"))
    assert fake.handle("getUpdates", {"timeout": 0}) == (200, {"ok": True, "result": []})
    first.join(2)
    assert results[0][0] == 409
    assert "terminated by other getUpdates request" in results[0][1]["description"]


def test_webhook_blocks_polling(fake: FakeTelegram) -> None:
    fake.send_text(CHAT, "queued")
    assert fake.handle("setWebhook", {"url": "https://example.invalid/hook"})[0] == 200
    assert fake.handle("getWebhookInfo", {})[1]["result"]["pending_update_count"] == 1
    status, body = fake.handle("getUpdates", {})
    assert status == 409 and body["description"].startswith("Conflict: can't use getUpdates")
    assert fake.handle("deleteWebhook", {"drop_pending_updates": "true"})[0] == 200
    assert fake.handle("getUpdates", {})[1]["result"] == []


def test_fake_bug_becomes_500(fake: FakeTelegram) -> None:
    status, body = fake.handle(
        "sendMessage", {"chat_id": CHAT, "text": "x", "reply_markup": {"inline_keyboard": [[1]]}}
    )
    assert status == 500 and body["ok"] is False
    assert "AttributeError" in fake.internal_errors[-1]
    assert "fake crashed" in fake.dump()


def test_wait_for_reports_recent_calls(fake: FakeTelegram) -> None:
    fake.handle("sendMessage", {"chat_id": CHAT, "text": "something else"})
    with pytest.raises(AssertionError) as info:
        fake.wait_for_message(CHAT, "expected text", timeout=0.1)
    assert "sendMessage" in str(info.value) and "something else" in str(info.value)


async def test_application_handlers_offline(fake: FakeTelegram) -> None:
    """The handler-test workflow: a real Application polling the fake in-process."""

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, "Hi!", reply_markup=KEYBOARD)

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("saved")
        await query.edit_message_text(f"You chose {query.data}")

    app: Application[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(fake.token)
        .request(OfflineRequest(fake))
        .get_updates_request(OfflineRequest(fake))
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=10)
        fake.send_text(CHAT, "/start")
        await fake.async_wait_for_message(CHAT, "Hi!")
        query_id = fake.tap_button(CHAT, "Calm")
        await fake.async_wait_for(lambda f: f.last(CHAT).current_text == "You chose mood:1")
        assert fake.callback_answers[query_id]["text"] == "saved"
        started = time.monotonic()
        await app.updater.stop()
        await app.stop()
        assert time.monotonic() - started < 2


# ---------------------------------------------------------------- over HTTP (BotApiServer)


async def test_http_bot_full_conversation(
    fake: FakeTelegram, server: BotApiServer, http_bot: Bot
) -> None:
    assert server.url.startswith("http://127.0.0.1:")
    await exercise_bot(http_bot, fake)


async def test_http_long_poll_and_offset(
    fake: FakeTelegram, server: BotApiServer, http_bot: Bot
) -> None:
    timer = threading.Timer(0.3, fake.send_text, args=(CHAT, "ping"))
    started = time.monotonic()
    timer.start()
    updates = await http_bot.get_updates(timeout=5)
    elapsed = time.monotonic() - started
    assert 0.25 < elapsed < 1.3
    assert len(updates) == 1
    assert updates[0].message is not None and updates[0].message.text == "ping"
    # Not confirmed yet: asking again without offset returns it again.
    assert (await http_bot.get_updates(timeout=0))[0].update_id == updates[0].update_id
    assert await http_bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()
    assert fake.pending_updates() == []
    assert fake.calls_of("getUpdates")[0]["timeout"] == 5


async def test_http_errors_map_to_ptb_exceptions(
    fake: FakeTelegram, server: BotApiServer, http_bot: Bot
) -> None:
    fake.fail_next(
        "sendMessage", status=429, description="Too Many Requests: retry after 7", retry_after=7
    )
    with pytest.raises(RetryAfter):
        await http_bot.send_message(CHAT, "x")
    fake.fail_next("sendMessage", status=403, description="Forbidden: bot was blocked by the user")
    with pytest.raises(Forbidden, match="blocked"):
        await http_bot.send_message(CHAT, "x")
    fake.fail_next("getUpdates", status=409, description="Conflict: terminated by other")
    with pytest.raises(Conflict):
        await http_bot.get_updates(timeout=0)

    fake.hang_up_next("sendMessage", after_processing=True)
    with pytest.raises(NetworkError):
        await http_bot.send_message(CHAT, "delivered but unanswered")
    assert fake.last(CHAT).text == "delivered but unanswered"

    fake.set_delay("sendMessage", 1.0)
    with pytest.raises(TimedOut):
        await http_bot.send_message(CHAT, "slow", read_timeout=0.2)
    fake.set_delay("sendMessage", 0)
    await http_bot.send_message(CHAT, "fast again")

    wrong = Bot("999:WRONG", base_url=f"{server.url}/bot", base_file_url=f"{server.url}/file/bot")
    with pytest.raises(InvalidToken):
        async with wrong:
            pass


def test_http_raw_encodings(fake: FakeTelegram, server: BotApiServer) -> None:
    base = f"{server.url}/bot{fake.token}"
    with httpx.Client() as client:
        me = client.get(f"{base}/getMe")
        assert me.status_code == 200 and me.json()["result"]["username"] == fake.bot_username

        markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
        as_json = client.post(
            f"{base}/sendMessage", json={"chat_id": CHAT, "text": "json", "reply_markup": markup}
        )
        assert as_json.json()["result"]["reply_markup"] == markup
        as_form = client.post(
            f"{base}/sendmessage",
            data={"chat_id": str(CHAT), "text": "form", "reply_markup": json.dumps(markup)},
        )
        assert as_form.json()["result"]["text"] == "form"
        as_query = client.get(f"{base}/sendMessage", params={"chat_id": CHAT, "text": "query"})
        assert as_query.json()["ok"] is True
        upload = client.post(
            f"{base}/sendDocument",
            data={"chat_id": str(CHAT), "caption": 'naïve "quoted" caption'},
            files={"document": ('we"ird ü.bin', BINARY, "application/x-test")},
        )
        assert upload.status_code == 200, upload.text
        doc = fake.last(CHAT)
        assert (doc.file_data, doc.file_name, doc.caption) == (
            BINARY,
            'we"ird ü.bin',
            'naïve "quoted" caption',
        )
        assert upload.json()["result"]["document"]["mime_type"] == "application/x-test"

        assert client.get(f"{server.url}/bot1:WRONG/getMe").json() == {
            "ok": False,
            "error_code": 401,
            "description": "Unauthorized",
        }
        missing = client.post(f"{base}/fooBar")
        assert missing.status_code == 404
        assert missing.json()["description"] == "Not Found: method not found"
        assert client.get(f"{server.url}/somewhere").status_code == 404

        fake.hang_up_next("getMe")
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(f"{base}/getMe")

    assert [m.text for m in fake.sent(CHAT)] == ["json", "form", "query", None]


def test_parse_multipart_roundtrip() -> None:
    request = httpx.Request(
        "POST",
        "http://127.0.0.1/x",
        data={"a": "1", "b": "ü"},
        files={"f": ("x.bin", BINARY, "application/octet-stream")},
    )
    body = request.read()
    fields = parse_multipart(body, request.headers["Content-Type"])
    assert fields["a"] == "1" and fields["b"] == "ü"
    assert fields["f"]["data"] == BINARY and fields["f"]["filename"] == "x.bin"


def test_wait_for_across_threads(fake: FakeTelegram, server: BotApiServer) -> None:
    def bot_side() -> None:
        with httpx.Client(base_url=f"{server.url}/bot{fake.token}/") as client:
            for i in range(5):
                time.sleep(0.02)
                client.post("sendMessage", data={"chat_id": str(CHAT), "text": f"msg {i}"})

    worker = threading.Thread(target=bot_side)
    worker.start()
    msg = fake.wait_for_message(CHAT, "msg 3", timeout=5)
    assert isinstance(msg, SentMessage) and msg.text == "msg 3"
    later = fake.wait_for_message(CHAT, after_index=4, timeout=5)
    assert later.text == "msg 4"
    worker.join(5)
    assert [m.message_id for m in fake.sent(CHAT)] == [1, 2, 3, 4, 5]


def test_stop_returns_promptly_during_long_poll(fake: FakeTelegram) -> None:
    server = BotApiServer(fake).start()
    outcome: list[object] = []

    def poll() -> None:
        try:
            with httpx.Client(timeout=60) as client:
                resp = client.post(
                    f"{server.url}/bot{fake.token}/getUpdates", data={"timeout": "50"}
                )
                outcome.append(resp.status_code)
        except httpx.HTTPError as exc:
            outcome.append(exc)

    poller = threading.Thread(target=poll)
    poller.start()
    fake.wait_for(lambda f: f.calls_of("getUpdates"))
    time.sleep(0.1)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 1.0
    poller.join(2)
    assert not poller.is_alive() and outcome
    with pytest.raises(RuntimeError):
        _ = server.url
