"""An in-memory stand-in for the Telegram Bot API, as seen by a single bot.

`FakeTelegram.handle` answers Bot API calls with the same status codes and JSON shapes that
api.telegram.org uses, so python-telegram-bot raises the same exceptions it would in
production. Tests play the user through `send_text`, `tap` and friends, which enqueue updates
for the bot's getUpdates long-poll, and inspect what the bot did through `sent`, `calls` and
`wait_for`.

Two adapters put a bot in front of it: `OfflineRequest` (in-process, no sockets) and
`BotApiServer` (a real HTTP server for a bot running in another process).

Everything is guarded by one condition variable: the bot's requests arrive on HTTP or executor
threads while the test thread enqueues updates and waits for results.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import html
import itertools
import json
import math
import re
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

__all__ = [
    "ApiError",
    "Edit",
    "FakeTelegram",
    "HangUp",
    "SentMessage",
    "buttons",
]

T = TypeVar("T")

MessageKind = Literal["text", "photo", "document"]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"

# Over HTTP every parameter arrives as a string (PTB form-encodes and JSON-dumps non-strings),
# while in-process they arrive as Python values. Normalising both to the same shapes lets tests
# assert on `calls` without caring which transport was used.
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "commands",
        "allowed_updates",
        "scope",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "media",
        "message_ids",
        "results",
    }
)
_NUMBER_FIELDS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "from_chat_id",
        "message_thread_id",
        "reply_to_message_id",
        "cache_time",
        "max_connections",
        "latitude",
        "longitude",
    }
)
_BOOL_FIELDS = frozenset(
    {
        "show_alert",
        "drop_pending_updates",
        "disable_notification",
        "protect_content",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "has_spoiler",
        "disable_content_type_detection",
        "show_caption_above_media",
        "allow_paid_broadcast",
    }
)

# Methods that count towards Telegram's flood limits (the ones that put something in a chat).
_RATE_LIMITED = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "editmessagetext",
        "editmessagecaption",
        "editmessagereplymarkup",
    }
)

_ALLOWED_HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    }
)
_HTML_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>")
_HTML_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


class ApiError(Exception):
    """A Bot API error reply; raised inside method handlers, turned into a response by handle."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


class HangUp(ConnectionError):
    """Raised by `handle` when the transport should drop the connection without answering.

    BotApiServer closes the socket; OfflineRequest lets it propagate, which PTB reports as a
    NetworkError just like httpx's "server disconnected" error.
    """


@dataclass
class Edit:
    """One successful edit of a bot message, in the order they were applied."""

    method: str
    text: str | None
    caption: str | None
    reply_markup: dict[str, Any] | None
    date: int


@dataclass
class SentMessage:
    """A message the bot sent. `text`/`caption`/`reply_markup` are as first sent; the
    `current_*` fields follow later edits. Texts are what the user sees: HTML tags are
    stripped when parse_mode is HTML (`raw_text` keeps what the bot passed)."""

    chat_id: int
    message_id: int
    kind: MessageKind
    text: str | None
    caption: str | None
    reply_markup: dict[str, Any] | None
    date: int
    parse_mode: str | None = None
    raw_text: str | None = None
    file_data: bytes | None = None
    file_name: str | None = None
    file_id: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    edits: list[Edit] = field(default_factory=list)
    current_text: str | None = None
    current_caption: str | None = None
    current_markup: dict[str, Any] | None = None
    deleted: bool = False

    @property
    def buttons(self) -> list[tuple[str, str]]:
        return buttons(self)

    @property
    def shown(self) -> str:
        """The text or caption currently displayed, "" for media without a caption."""
        return self.current_text or self.current_caption or ""


@dataclass
class _Failure:
    status: int = 0
    description: str = ""
    retry_after: int | None = None
    hang_up: bool = False
    after_processing: bool = False


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes | None


@dataclass
class _RateLimit:
    per_s: float
    window: float = field(init=False)
    allowed: int = field(init=False)

    def __post_init__(self) -> None:
        # Rates below 1/s need a longer window to allow even a single call.
        self.window = max(1.0, 1.0 / self.per_s)
        self.allowed = max(1, math.floor(self.per_s * self.window))

    def check(self, stamps: deque[float], now: float) -> int | None:
        """Return seconds to wait if a call now would exceed the limit, else record it."""
        while stamps and stamps[0] <= now - self.window:
            stamps.popleft()
        if len(stamps) >= self.allowed:
            return max(1, math.ceil(stamps[0] + self.window - now))
        stamps.append(now)
        return None


def buttons(msg: SentMessage | Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Flatten a keyboard into (text, callback_data) pairs.

    Accepts a SentMessage (its current markup), a Message dict or a reply_markup dict. Buttons
    without callback data (URL buttons, reply-keyboard buttons) yield "" as data.
    """
    if msg is None:
        return []
    if isinstance(msg, SentMessage):
        markup: Mapping[str, Any] | None = msg.current_markup
    elif "inline_keyboard" in msg or "keyboard" in msg:
        markup = msg
    else:
        markup = msg.get("reply_markup")
    if not markup:
        return []
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    flat: list[tuple[str, str]] = []
    for row in rows:
        for button in row:
            if isinstance(button, str):
                flat.append((button, ""))
            else:
                flat.append((str(button.get("text", "")), str(button.get("callback_data", ""))))
    return flat


def _coerce_number(value: str) -> Any:
    try:
        return int(value)
    except ValueError:
        pass
    try:
        return float(value)
    except ValueError:
        return value


def normalize_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Bring wire-encoded (all-string) and in-process parameters to the same Python shapes."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, str):
            if key in _JSON_FIELDS:
                with contextlib.suppress(ValueError):
                    value = json.loads(value)
            elif key in _NUMBER_FIELDS:
                value = _coerce_number(value)
            elif key in _BOOL_FIELDS and value.lower() in ("true", "false"):
                value = value.lower() == "true"
        out[key] = value
    return out


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _command_entities(text: str) -> list[dict[str, Any]]:
    if not text.startswith("/"):
        return []
    token = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": _utf16_len(token)}]


def _visible_html(text: str) -> str:
    """Strip Telegram-HTML markup the way the server does, rejecting what it would reject.

    Catching an unescaped "<" here matters: real Telegram refuses the whole message.
    """
    stack: list[str] = []
    pos = 0
    visible: list[str] = []
    for match in _HTML_TAG.finditer(text):
        visible.append(text[pos : match.start()])
        closing, tag, _attrs = match.groups()
        tag = tag.lower()
        offset = len(text[: match.start()].encode())
        if tag not in _ALLOWED_HTML_TAGS:
            raise ApiError(
                400,
                f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}" '
                f"at byte offset {offset}",
            )
        if closing:
            if not stack or stack[-1] != tag:
                raise ApiError(
                    400,
                    f"Bad Request: can't parse entities: Unmatched end tag at byte offset "
                    f'{offset}, expected "</{stack[-1] if stack else ""}>", found "</{tag}>"',
                )
            stack.pop()
        else:
            stack.append(tag)
        pos = match.end()
    visible.append(text[pos:])
    if stack:
        raise ApiError(
            400,
            "Bad Request: can't parse entities: Can't find end tag corresponding to start tag "
            f'"{stack[-1]}"',
        )
    joined = "".join(visible)
    if "<" in joined or ">" in joined:
        offset = len(joined.split("<", 1)[0].encode()) if "<" in joined else 0
        raise ApiError(
            400,
            "Bad Request: can't parse entities: Unexpected end of name token at byte offset "
            f"{offset}",
        )
    return _HTML_ENTITY.sub(lambda m: html.unescape(m.group(0)), joined)


def _visible(text: str, parse_mode: Any) -> str:
    if isinstance(parse_mode, str) and parse_mode.upper() == "HTML":
        return _visible_html(text)
    return text


def _markup_key(markup: Mapping[str, Any] | None) -> Any:
    # Telegram treats "no keyboard" and "empty inline keyboard" as the same content.
    if not markup or markup == {"inline_keyboard": []}:
        return None
    return json.dumps(markup, sort_keys=True)


class FakeTelegram:
    """Telegram's state as one bot sees it. See the module docstring."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_id: int = 123456,
        bot_username: str = "nudgebot_test_bot",
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        # Re-entrant so predicates passed to wait_for may call sent()/last() etc.
        self._cond = threading.Condition(threading.RLock())
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._poll_generation = 0
        self._allowed_updates: list[str] | None = None
        self._webhook: dict[str, Any] | None = None
        self._chats: dict[int, dict[str, Any]] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._member_status: dict[int, str] = {}
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._deleted: set[tuple[int, int]] = set()
        self._sent: list[SentMessage] = []
        # Per-chat view so wait_for_message stays cheap when benchmarks send thousands.
        self._sent_by_chat: dict[int, list[SentMessage]] = {}
        self._sent_by_key: dict[tuple[int, int], SentMessage] = {}
        self._calls: list[tuple[str, dict[str, Any]]] = []
        self.internal_errors: list[str] = []
        self._callback_answers: dict[str, dict[str, Any]] = {}
        self._open_queries: set[str] = set()
        self._query_ids = itertools.count(4_000_000_000_001)
        self._file_ids = itertools.count(1)
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._failures: dict[str, deque[_Failure]] = {}
        self._delays: dict[str, float] = {}
        self._global_limit: _RateLimit | None = None
        self._chat_limit: _RateLimit | None = None
        self._global_stamps: deque[float] = deque()
        self._chat_stamps: dict[int, deque[float]] = {}
        self._methods: dict[str, tuple[str, Callable[[dict[str, Any], Any], Any]]] = {
            name.lower(): (name, fn)
            for name, fn in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "sendMessage": self._send_message,
                "editMessageText": self._edit_message_text,
                "editMessageCaption": self._edit_message_caption,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "answerCallbackQuery": self._answer_callback_query,
                "sendPhoto": self._send_photo,
                "sendDocument": self._send_document,
                "deleteMessage": self._delete_message,
                "sendChatAction": self._send_chat_action,
                "getChat": self._get_chat,
                "getFile": self._get_file,
                "close": self._close,
                "logOut": self._log_out,
            }.items()
        }

    # ------------------------------------------------------------------ Bot API entry point

    def handle(
        self,
        method: str,
        params: Mapping[str, Any],
        *,
        abort: threading.Event | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """Answer one Bot API call: (HTTP status, JSON body).

        Blocks for getUpdates long-polls and for delays set with `set_delay`; `abort` cuts both
        short (set it, then call `wake`) so transports can shut down without waiting.
        Raises HangUp when `hang_up_next` asked for a dropped connection.
        """
        lower = method.lower()
        entry = self._methods.get(lower)
        name = entry[0] if entry else method
        p = normalize_params(params)
        with self._cond:
            self._calls.append((name, p))
            queue = self._failures.get(lower)
            failure = queue.popleft() if queue else None
            delay = self._delays.get(lower, 0.0)
            self._cond.notify_all()

        if delay > 0:
            if abort is not None:
                abort.wait(delay)
            else:
                time.sleep(delay)

        if failure is not None and not failure.after_processing:
            if failure.hang_up:
                raise HangUp(f"fake hang-up on {name}")
            return failure.status, ApiError(
                failure.status, failure.description, retry_after=failure.retry_after
            ).body()

        if entry is None:
            return 404, ApiError(404, "Not Found: method not found").body()

        with self._cond:
            try:
                if lower in _RATE_LIMITED:
                    self._check_rate_limit(p)
                result = entry[1](p, abort)
            except ApiError as err:
                status, body = err.status, err.body()
            except Exception as exc:
                # A bug in the fake or params it cannot digest: answer like a server error (so
                # the bot side sees a NetworkError, not a hung connection) and keep the trace.
                self.internal_errors.append(traceback.format_exc())
                status, body = 500, ApiError(500, f"Internal Server Error: {exc!r}").body()
            else:
                status, body = 200, {"ok": True, "result": copy.deepcopy(result)}
            self._cond.notify_all()

        if failure is not None:  # the answer was produced but gets lost on the way back
            raise HangUp(f"fake hang-up after processing {name}")
        return status, body

    def wake(self) -> None:
        """Wake every blocked getUpdates so it can notice its abort event."""
        with self._cond:
            self._cond.notify_all()

    def delay_of(self, method: str) -> float:
        with self._cond:
            return self._delays.get(method.lower(), 0.0)

    def file_content(self, file_path: str) -> bytes | None:
        """Bytes served at {base_file_url}/<file_path>, as returned by getFile."""
        with self._cond:
            stored = self._files_by_path.get(file_path)
            return stored.data if stored else None

    # ------------------------------------------------------------------ failure injection

    def fail_next(
        self,
        method: str,
        *,
        status: int,
        description: str,
        retry_after: int | None = None,
        count: int = 1,
    ) -> None:
        """Answer the next `count` calls of `method` with this error instead of handling them."""
        with self._cond:
            queue = self._failures.setdefault(method.lower(), deque())
            for _ in range(count):
                queue.append(_Failure(status, description, retry_after))

    def hang_up_next(self, method: str, *, after_processing: bool = False, count: int = 1) -> None:
        """Drop the connection on the next call(s) of `method` instead of answering.

        With after_processing=True the call takes effect first (e.g. the message is sent) and
        only the response is lost, which is the case that exposes non-idempotent retries.
        """
        with self._cond:
            queue = self._failures.setdefault(method.lower(), deque())
            for _ in range(count):
                queue.append(_Failure(hang_up=True, after_processing=after_processing))

    def set_delay(self, method: str, seconds: float) -> None:
        """Make every call of `method` wait this long before being handled (0 to reset)."""
        with self._cond:
            if seconds > 0:
                self._delays[method.lower()] = seconds
            else:
                self._delays.pop(method.lower(), None)

    def rate_limit(
        self, global_per_s: float | None = None, per_chat_per_s: float | None = None
    ) -> None:
        """Answer 429 with retry_after when sends exceed these rates (None disables)."""
        with self._cond:
            self._global_limit = _RateLimit(global_per_s) if global_per_s else None
            self._chat_limit = _RateLimit(per_chat_per_s) if per_chat_per_s else None
            self._global_stamps.clear()
            self._chat_stamps.clear()

    def _check_rate_limit(self, p: dict[str, Any]) -> None:
        now = time.monotonic()
        chat_id = p.get("chat_id")
        if self._chat_limit is not None and isinstance(chat_id, int):
            wait = self._chat_limit.check(self._chat_stamps.setdefault(chat_id, deque()), now)
            if wait is not None:
                raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        if self._global_limit is not None:
            wait = self._global_limit.check(self._global_stamps, now)
            if wait is not None:
                raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)

    # ------------------------------------------------------------------ user side

    def add_chat(
        self,
        chat_id: int,
        *,
        first_name: str = "Ana",
        language_code: str = "en",
        chat_type: str = "private",
    ) -> dict[str, Any]:
        """Make a chat known without sending an update, as if the user had written long ago."""
        with self._cond:
            chat, _user = self._register(chat_id, None, first_name, language_code, chat_type)
            return copy.deepcopy(chat)

    def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        first_name: str = "Ana",
        language_code: str = "en",
        chat_type: str = "private",
    ) -> dict[str, Any]:
        """The user sends `text`; returns the Message. Commands get a bot_command entity."""
        content: dict[str, Any] = {"text": text}
        entities = _command_entities(text)
        if entities:
            content["entities"] = entities
        return self._user_message(chat_id, content, user_id, first_name, language_code, chat_type)

    def send_location(
        self,
        chat_id: int,
        latitude: float,
        longitude: float,
        *,
        user_id: int | None = None,
        first_name: str = "Ana",
        language_code: str = "en",
        chat_type: str = "private",
    ) -> dict[str, Any]:
        content = {"location": {"latitude": latitude, "longitude": longitude}}
        return self._user_message(chat_id, content, user_id, first_name, language_code, chat_type)

    def send_sticker(
        self,
        chat_id: int,
        *,
        emoji: str = "👍",
        user_id: int | None = None,
        first_name: str = "Ana",
        language_code: str = "en",
        chat_type: str = "private",
    ) -> dict[str, Any]:
        with self._cond:
            stored = self._store_file("stickers", "webp", b"RIFF-fake-sticker")
        content = {
            "sticker": {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": emoji,
            }
        }
        return self._user_message(chat_id, content, user_id, first_name, language_code, chat_type)

    def send_photo_from_user(
        self,
        chat_id: int,
        *,
        data: bytes = b"\xff\xd8\xff\xe0fake-jpeg",
        caption: str | None = None,
        user_id: int | None = None,
        first_name: str = "Ana",
        language_code: str = "en",
        chat_type: str = "private",
    ) -> dict[str, Any]:
        with self._cond:
            content: dict[str, Any] = {"photo": self._photo_sizes(data)}
        if caption is not None:
            content["caption"] = caption
        return self._user_message(chat_id, content, user_id, first_name, language_code, chat_type)

    def edit_text(self, chat_id: int, message_id: int, new_text: str) -> dict[str, Any]:
        """The user edits one of their text messages; enqueues an `edited_message` update."""
        with self._cond:
            msg = self._messages.get((chat_id, message_id))
            if msg is None or (chat_id, message_id) in self._deleted:
                raise ValueError(f"no message {message_id} in chat {chat_id}")
            if msg["from"]["id"] == self.bot_id or "text" not in msg:
                raise ValueError(f"message {message_id} is not a user text message")
            msg["text"] = new_text
            msg.pop("entities", None)
            entities = _command_entities(new_text)
            if entities:
                msg["entities"] = entities
            msg["edit_date"] = int(time.time())
            self._enqueue("edited_message", msg)
            return copy.deepcopy(msg)

    def tap(self, chat_id: int, message_id: int, data: str, *, user_id: int | None = None) -> str:
        """The user presses an inline button carrying `data` on the bot's message.

        `data` is not checked against the keyboard so tests can forge stale or hostile
        callbacks. Returns the callback query id.
        """
        with self._cond:
            msg = self._messages.get((chat_id, message_id))
            if msg is None or (chat_id, message_id) in self._deleted:
                raise ValueError(f"no message {message_id} in chat {chat_id}")
            if msg["from"]["id"] != self.bot_id:
                raise ValueError(f"message {message_id} in chat {chat_id} was not sent by the bot")
            user = self._user_for(chat_id, user_id)
            query_id = str(next(self._query_ids))
            query = {
                "id": query_id,
                "from": user,
                "message": msg,
                "chat_instance": f"{self.bot_id}{abs(chat_id)}",
                "data": data,
            }
            self._open_queries.add(query_id)
            self._enqueue("callback_query", query)
            return query_id

    def tap_button(
        self,
        chat_id: int,
        label: str,
        *,
        message_id: int | None = None,
        user_id: int | None = None,
    ) -> str:
        """Press the button labelled `label` on the newest bot message that shows it."""
        with self._cond:
            candidates = [
                m
                for m in reversed(self.sent(chat_id))
                if not m.deleted and (message_id is None or m.message_id == message_id)
            ]
            for msg in candidates:
                for text, data in buttons(msg):
                    if text == label and data:
                        return self.tap(chat_id, msg.message_id, data, user_id=user_id)
            shown = buttons(candidates[0]) if candidates else []
            raise AssertionError(
                f"no button {label!r} in chat {chat_id}; newest message has {shown}\n" + self.dump()
            )

    def chat_member_update(
        self, chat_id: int, new_status: str, *, user_id: int | None = None
    ) -> dict[str, Any]:
        """The bot's membership changes: "kicked" (user blocked the bot), "member", "left",
        "administrator". While "kicked", sends to the chat answer 403 like Telegram does."""
        with self._cond:
            if chat_id not in self._chats:
                self._register(chat_id, user_id, "Ana", "en", self._default_type(chat_id))
            old_status = self._member_status.get(
                chat_id, "member" if new_status != "member" else "kicked"
            )
            update = {
                "chat": self._chats[chat_id],
                "from": self._user_for(chat_id, user_id),
                "date": int(time.time()),
                "old_chat_member": self._member_dict(old_status),
                "new_chat_member": self._member_dict(new_status),
            }
            self._member_status[chat_id] = new_status
            self._enqueue("my_chat_member", update)
            return copy.deepcopy(update)

    # ------------------------------------------------------------------ inspection

    @property
    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Nudgebot Test",
            "username": self.bot_username,
        }

    @property
    def calls(self) -> list[tuple[str, dict[str, Any]]]:
        """Every method call in arrival order, with canonical method names."""
        with self._cond:
            return list(self._calls)

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        lower = method.lower()
        with self._cond:
            return [p for name, p in self._calls if name.lower() == lower]

    @property
    def callback_answers(self) -> dict[str, dict[str, Any]]:
        with self._cond:
            return dict(self._callback_answers)

    @property
    def commands(self) -> list[dict[str, Any]]:
        """Commands for the default scope and no language, as the bot set them."""
        return self.commands_for()

    def commands_for(
        self, scope: Mapping[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        with self._cond:
            return copy.deepcopy(self._commands.get(self._scope_key(scope, language_code), []))

    @property
    def webhook_url(self) -> str:
        with self._cond:
            return self._webhook["url"] if self._webhook else ""

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by a getUpdates offset."""
        with self._cond:
            return copy.deepcopy(self._updates)

    def sent(self, chat_id: int | None = None) -> list[SentMessage]:
        """Messages the bot sent (live objects; edits show up on them), in handling order."""
        with self._cond:
            if chat_id is None:
                return list(self._sent)
            return list(self._sent_by_chat.get(chat_id, ()))

    def last(self, chat_id: int | None = None) -> SentMessage:
        msgs = self.sent(chat_id)
        if not msgs:
            raise AssertionError(f"the bot sent nothing to chat {chat_id}\n" + self.dump())
        return msgs[-1]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """The current Message dict for any message (user's or bot's) in a chat."""
        with self._cond:
            msg = self._messages.get((chat_id, message_id))
            return copy.deepcopy(msg) if msg is not None else None

    def clear_records(self) -> None:
        """Forget recorded calls/sent messages (e.g. between benchmark phases); state stays."""
        with self._cond:
            self._calls.clear()
            self._sent.clear()
            self._sent_by_chat.clear()

    def wait_for(self, predicate: Callable[[FakeTelegram], T | None], timeout: float = 10.0) -> T:
        """Block until `predicate(self)` is truthy and return its value.

        Blocks the calling thread: from async tests whose bot runs in the same event loop use
        `async_wait_for` instead.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                value = predicate(self)
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"condition not met within {timeout}s: {predicate!r}\n" + self.dump()
                    )
                # Short slices so predicates that depend on the clock are re-checked too.
                self._cond.wait(min(remaining, 0.05))

    async def async_wait_for(
        self,
        predicate: Callable[[FakeTelegram], T | None],
        timeout: float = 10.0,  # noqa: ASYNC109 - mirrors wait_for; tests pass plain seconds
    ) -> T:
        """Like `wait_for` but yields to the event loop between checks."""
        deadline = time.monotonic() + timeout
        while True:
            with self._cond:
                value = predicate(self)
            if value:
                return value
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"condition not met within {timeout}s: {predicate!r}\n" + self.dump()
                )
            await asyncio.sleep(0.005)

    def wait_for_message(
        self,
        chat_id: int,
        contains: str | None = None,
        timeout: float = 10.0,
        after_index: int = 0,
    ) -> SentMessage:
        """Wait for a bot message to `chat_id` at position >= after_index in `sent(chat_id)`
        whose current text or caption contains `contains` (any message if None)."""
        return self.wait_for(self._message_matcher(chat_id, contains, after_index), timeout)

    async def async_wait_for_message(
        self,
        chat_id: int,
        contains: str | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - mirrors wait_for_message
        after_index: int = 0,
    ) -> SentMessage:
        return await self.async_wait_for(
            self._message_matcher(chat_id, contains, after_index), timeout
        )

    @staticmethod
    def _message_matcher(
        chat_id: int, contains: str | None, after_index: int
    ) -> Callable[[FakeTelegram], SentMessage | None]:
        def matcher(fake: FakeTelegram) -> SentMessage | None:
            for msg in fake.sent(chat_id)[after_index:]:
                if contains is None or contains in msg.shown:
                    return msg
            return None

        matcher.__qualname__ = f"message to {chat_id} containing {contains!r}"
        return matcher

    buttons = staticmethod(buttons)

    def dump(self, limit: int = 30) -> str:
        """A readable summary of recent calls and sent messages, for assertion messages."""
        with self._cond:
            polls = sum(1 for name, _ in self._calls if name == "getUpdates")
            others = [(n, p) for n, p in self._calls if n != "getUpdates"][-limit:]
            lines = [f"--- last {len(others)} calls (plus {polls} getUpdates) ---"]
            for name, p in others:
                lines.append(f"  {name} {_short(p)}")
            lines.append(f"--- last sent messages ({len(self._sent)} total) ---")
            for m in self._sent[-10:]:
                flags = " [deleted]" if m.deleted else ""
                lines.append(
                    f"  chat={m.chat_id} id={m.message_id} {m.kind}{flags}: {m.shown[:120]!r}"
                    f" buttons={buttons(m)}"
                )
            lines.append(f"--- pending updates: {len(self._updates)} ---")
            if self.internal_errors:
                lines.append(f"--- fake crashed {len(self.internal_errors)}x, last: ---")
                lines.append(self.internal_errors[-1])
            return "\n".join(lines)

    # ------------------------------------------------------------------ internals: chats

    @staticmethod
    def _default_type(chat_id: int) -> str:
        return "private" if chat_id > 0 else "group"

    def _register(
        self,
        chat_id: int,
        user_id: int | None,
        first_name: str,
        language_code: str,
        chat_type: str,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        if chat_type == "private":
            if chat_id <= 0:
                raise ValueError("private chats have positive ids")
            chat = {"id": chat_id, "type": "private", "first_name": first_name}
        elif chat_type in ("group", "supergroup"):
            if chat_id >= 0:
                raise ValueError("group chats have negative ids")
            chat = {"id": chat_id, "type": chat_type, "title": "Test group"}
        else:
            raise ValueError(f"unsupported chat_type {chat_type!r}")
        uid = user_id if user_id is not None else abs(chat_id)
        user = {"id": uid, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        self._chats[chat_id] = chat
        self._users[uid] = user
        return chat, user

    def _user_for(self, chat_id: int, user_id: int | None) -> dict[str, Any]:
        uid = user_id if user_id is not None else abs(chat_id)
        return self._users.get(uid) or {"id": uid, "is_bot": False, "first_name": "Ana"}

    def _member_dict(self, status: str) -> dict[str, Any]:
        bot = self.bot_user
        if status in ("member", "left"):
            return {"status": status, "user": bot}
        if status == "kicked":
            return {"status": "kicked", "user": bot, "until_date": 0}
        if status == "administrator":
            rights = [
                "can_manage_chat",
                "can_delete_messages",
                "can_manage_video_chats",
                "can_restrict_members",
                "can_change_info",
                "can_invite_users",
                "can_pin_messages",
            ]
            denied = [
                "can_be_edited",
                "is_anonymous",
                "can_promote_members",
                "can_post_stories",
                "can_edit_stories",
                "can_delete_stories",
            ]
            return {
                "status": "administrator",
                "user": bot,
                **dict.fromkeys(rights, True),
                **dict.fromkeys(denied, False),
            }
        raise ValueError(f"unsupported member status {status!r}")

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _user_message(
        self,
        chat_id: int,
        content: dict[str, Any],
        user_id: int | None,
        first_name: str,
        language_code: str,
        chat_type: str,
    ) -> dict[str, Any]:
        with self._cond:
            chat, user = self._register(chat_id, user_id, first_name, language_code, chat_type)
            msg = {
                "message_id": self._next_message_id(chat_id),
                "from": user,
                "chat": chat,
                "date": int(time.time()),
                **content,
            }
            self._messages[(chat_id, msg["message_id"])] = msg
            self._enqueue("message", msg)
            return copy.deepcopy(msg)

    def _enqueue(self, kind: str, payload: dict[str, Any]) -> None:
        # Snapshot now: later edits must not rewrite an update already in the queue.
        self._updates.append({"update_id": next(self._update_ids), kind: copy.deepcopy(payload)})
        self._cond.notify_all()

    # ------------------------------------------------------------------ internals: files

    def _store_file(self, folder: str, ext: str, data: bytes | None) -> _StoredFile:
        n = next(self._file_ids)
        stored = _StoredFile(
            file_id=f"FAKE{folder.upper()}-{n:06d}-{self.bot_id}",
            file_unique_id=f"U{n:06d}",
            file_path=f"{folder}/file_{n}.{ext}",
            data=data,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _photo_sizes(self, data: bytes | None) -> list[dict[str, Any]]:
        thumb = self._store_file("photos", "jpg", data)
        full = self._store_file("photos", "jpg", data)
        size = len(data) if data is not None else 0
        return [
            {
                "file_id": thumb.file_id,
                "file_unique_id": thumb.file_unique_id,
                "width": 90,
                "height": 90,
                "file_size": size,
            },
            {
                "file_id": full.file_id,
                "file_unique_id": full.file_unique_id,
                "width": 800,
                "height": 800,
                "file_size": size,
            },
        ]

    def _resolve_upload(self, p: dict[str, Any], key: str) -> tuple[bytes | None, str | None, Any]:
        """(bytes, filename, file reference) for an upload parameter in any of its forms."""
        value = p.get(key)
        if isinstance(value, str) and value.startswith("attach://"):
            value = p.get(value.removeprefix("attach://"))
        if isinstance(value, dict) and "data" in value:
            return value["data"], value.get("filename"), value
        if isinstance(value, str) and value:
            if value in self._files:
                return self._files[value].data, None, value
            if value.startswith(("http://", "https://")):
                return None, value.rsplit("/", 1)[-1], value
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    # ------------------------------------------------------------------ internals: methods

    def _chat_for_send(self, p: dict[str, Any]) -> dict[str, Any]:
        chat_id = p.get("chat_id")
        if chat_id is None or chat_id == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        if not isinstance(chat_id, int) or chat_id not in self._chats:
            raise ApiError(400, "Bad Request: chat not found")
        status = self._member_status.get(chat_id)
        if status == "kicked":
            if chat_id > 0:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            raise ApiError(403, "Forbidden: bot was kicked from the group chat")
        if status == "left" and chat_id < 0:
            raise ApiError(403, "Forbidden: bot is not a member of the group chat")
        return self._chats[chat_id]

    @staticmethod
    def _check_markup(markup: Any) -> dict[str, Any] | None:
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _bot_message(
        self,
        chat: dict[str, Any],
        p: dict[str, Any],
        content: dict[str, Any],
        markup: dict[str, Any] | None,
    ) -> dict[str, Any]:
        chat_id = chat["id"]
        msg: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "from": self.bot_user,
            "chat": chat,
            "date": int(time.time()),
            **content,
        }
        reply_to = self._reply_target(chat_id, p)
        if reply_to is not None:
            msg["reply_to_message"] = reply_to
        # Message.reply_markup only ever carries inline keyboards; reply keyboards are not echoed.
        if markup and "inline_keyboard" in markup:
            msg["reply_markup"] = markup
        self._messages[(chat_id, msg["message_id"])] = msg
        return msg

    def _reply_target(self, chat_id: int, p: dict[str, Any]) -> dict[str, Any] | None:
        params = p.get("reply_parameters")
        target_id = params.get("message_id") if isinstance(params, dict) else None
        if target_id is None:
            target_id = p.get("reply_to_message_id")
        if target_id is None:
            return None
        target = self._messages.get((chat_id, target_id))
        if target is None or (chat_id, target_id) in self._deleted:
            allow = (
                isinstance(params, dict) and params.get("allow_sending_without_reply")
            ) or p.get("allow_sending_without_reply")
            if allow:
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        return {k: v for k, v in target.items() if k != "reply_to_message"}

    def _record_sent(
        self,
        msg: dict[str, Any],
        p: dict[str, Any],
        kind: MessageKind,
        markup: dict[str, Any] | None,
        *,
        raw_text: str | None = None,
        file_data: bytes | None = None,
        file_name: str | None = None,
        file_id: str | None = None,
    ) -> None:
        stored_params = {k: v for k, v in p.items() if not isinstance(v, dict) or "data" not in v}
        sent = SentMessage(
            chat_id=msg["chat"]["id"],
            message_id=msg["message_id"],
            kind=kind,
            text=msg.get("text"),
            caption=msg.get("caption"),
            reply_markup=copy.deepcopy(markup),
            date=msg["date"],
            parse_mode=p.get("parse_mode"),
            raw_text=raw_text,
            file_data=file_data,
            file_name=file_name,
            file_id=file_id,
            params=stored_params,
            current_text=msg.get("text"),
            current_caption=msg.get("caption"),
            current_markup=copy.deepcopy(markup),
        )
        self._sent.append(sent)
        self._sent_by_chat.setdefault(sent.chat_id, []).append(sent)
        self._sent_by_key[(sent.chat_id, sent.message_id)] = sent

    def _get_me(self, p: dict[str, Any], abort: Any) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _get_updates(self, p: dict[str, Any], abort: threading.Event | None) -> list[Any]:
        if self._webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = p.get("offset")
        limit = p.get("limit", 100)
        limit = min(max(int(limit), 1), 100) if isinstance(limit, int | float) else 100
        timeout = p.get("timeout", 0)
        timeout = float(timeout) if isinstance(timeout, int | float) else 0.0
        allowed = p.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = list(allowed) or None

        if isinstance(offset, int):
            if offset < 0:
                del self._updates[: max(0, len(self._updates) + offset)]
            else:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]

        # A newer getUpdates terminates an older waiting one, as on the real server.
        self._poll_generation += 1
        generation = self._poll_generation
        deadline = time.monotonic() + timeout
        while True:
            if self._allowed_updates is not None:
                allowed_set = set(self._allowed_updates)
                self._updates = [u for u in self._updates if _update_kind(u) in allowed_set]
            if self._updates:
                return self._updates[:limit]
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running",
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0 or (abort is not None and abort.is_set()):
                return []
            self._cond.wait(remaining)

    def _set_webhook(self, p: dict[str, Any], abort: Any) -> bool:
        url = p.get("url") or ""
        if p.get("drop_pending_updates"):
            self._updates.clear()
        self._webhook = dict(p) if url else None
        return True

    def _delete_webhook(self, p: dict[str, Any], abort: Any) -> bool:
        if p.get("drop_pending_updates"):
            self._updates.clear()
        self._webhook = None
        return True

    def _get_webhook_info(self, p: dict[str, Any], abort: Any) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self._webhook["url"] if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook:
            info["max_connections"] = self._webhook.get("max_connections", 40)
            if self._allowed_updates:
                info["allowed_updates"] = list(self._allowed_updates)
        return info

    @staticmethod
    def _scope_key(scope: Any, language_code: Any) -> tuple[str, str]:
        scope = scope if isinstance(scope, dict) and scope else {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(language_code or "")

    def _set_my_commands(self, p: dict[str, Any], abort: Any) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, 'Bad Request: parameter "commands" is not an array')
        for cmd in commands:
            name = cmd.get("command", "") if isinstance(cmd, dict) else ""
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(cmd.get("description", "")) <= 256:
                raise ApiError(400, "Bad Request: command description is empty")
        key = self._scope_key(p.get("scope"), p.get("language_code"))
        if commands:
            self._commands[key] = copy.deepcopy(commands)
        else:
            self._commands.pop(key, None)
        return True

    def _get_my_commands(self, p: dict[str, Any], abort: Any) -> list[dict[str, Any]]:
        return self._commands.get(self._scope_key(p.get("scope"), p.get("language_code")), [])

    def _delete_my_commands(self, p: dict[str, Any], abort: Any) -> bool:
        self._commands.pop(self._scope_key(p.get("scope"), p.get("language_code")), None)
        return True

    def _send_message(self, p: dict[str, Any], abort: Any) -> dict[str, Any]:
        chat = self._chat_for_send(p)
        raw = p.get("text")
        raw = "" if raw is None else str(raw)
        text = _visible(raw, p.get("parse_mode"))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise ApiError(400, "Bad Request: message is too long")
        markup = self._check_markup(p.get("reply_markup"))
        msg = self._bot_message(chat, p, {"text": text}, markup)
        self._record_sent(msg, p, "text", markup, raw_text=raw)
        return msg

    def _caption(self, p: dict[str, Any]) -> str | None:
        raw = p.get("caption")
        if raw is None:
            return None
        caption = _visible(str(raw), p.get("parse_mode"))
        if len(caption) > MAX_CAPTION_LENGTH:
            raise ApiError(400, "Bad Request: message caption is too long")
        return caption or None

    def _send_photo(self, p: dict[str, Any], abort: Any) -> dict[str, Any]:
        chat = self._chat_for_send(p)
        data, filename, ref = self._resolve_upload(p, "photo")
        caption = self._caption(p)
        markup = self._check_markup(p.get("reply_markup"))
        sizes = self._photo_sizes(data)
        content: dict[str, Any] = {"photo": sizes}
        if caption is not None:
            content["caption"] = caption
        msg = self._bot_message(chat, p, content, markup)
        self._record_sent(
            msg,
            p,
            "photo",
            markup,
            raw_text=p.get("caption"),
            file_data=data,
            file_name=filename,
            file_id=sizes[-1]["file_id"] if isinstance(ref, dict) else str(ref),
        )
        return msg

    def _send_document(self, p: dict[str, Any], abort: Any) -> dict[str, Any]:
        chat = self._chat_for_send(p)
        data, filename, ref = self._resolve_upload(p, "document")
        caption = self._caption(p)
        markup = self._check_markup(p.get("reply_markup"))
        if isinstance(ref, dict):
            stored = self._store_file("documents", "bin", data)
            file_id, unique_id = stored.file_id, stored.file_unique_id
        else:
            file_id, unique_id = str(ref), f"U-{abs(hash(str(ref))) % 10**8}"
        document: dict[str, Any] = {"file_id": file_id, "file_unique_id": unique_id}
        if filename:
            document["file_name"] = filename
        if isinstance(ref, dict) and ref.get("content_type"):
            document["mime_type"] = ref["content_type"]
        if data is not None:
            document["file_size"] = len(data)
        content: dict[str, Any] = {"document": document}
        if caption is not None:
            content["caption"] = caption
        msg = self._bot_message(chat, p, content, markup)
        self._record_sent(
            msg,
            p,
            "document",
            markup,
            raw_text=p.get("caption"),
            file_data=data,
            file_name=filename,
            file_id=file_id,
        )
        return msg

    def _editable(self, p: dict[str, Any]) -> tuple[dict[str, Any], SentMessage]:
        if p.get("inline_message_id") is not None:
            raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")
        self._chat_for_send(p)
        message_id = p.get("message_id")
        key = (int(p["chat_id"]), message_id if isinstance(message_id, int) else -1)
        msg = self._messages.get(key)
        if msg is None or key in self._deleted:
            raise ApiError(400, "Bad Request: message to edit not found")
        sent = self._sent_by_key.get(key)
        if sent is None:
            raise ApiError(400, "Bad Request: message can't be edited")
        return msg, sent

    def _apply_edit(
        self,
        method: str,
        msg: dict[str, Any],
        sent: SentMessage,
        *,
        text: str | None,
        caption: str | None,
        markup: dict[str, Any] | None,
    ) -> dict[str, Any]:
        if (
            text == msg.get("text")
            and caption == msg.get("caption")
            and _markup_key(markup) == _markup_key(msg.get("reply_markup"))
        ):
            raise ApiError(400, NOT_MODIFIED)
        for key, value in (("text", text), ("caption", caption)):
            if value is None:
                msg.pop(key, None)
            else:
                msg[key] = value
        if markup and "inline_keyboard" in markup:
            msg["reply_markup"] = markup
        else:
            msg.pop("reply_markup", None)
        msg["edit_date"] = int(time.time())
        sent.current_text = text
        sent.current_caption = caption
        sent.current_markup = copy.deepcopy(markup)
        sent.edits.append(Edit(method, text, caption, copy.deepcopy(markup), msg["edit_date"]))
        return msg

    def _edit_message_text(self, p: dict[str, Any], abort: Any) -> dict[str, Any]:
        msg, sent = self._editable(p)
        if "text" not in msg:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        raw = p.get("text")
        text = _visible("" if raw is None else str(raw), p.get("parse_mode"))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        markup = self._check_markup(p.get("reply_markup"))
        return self._apply_edit(
            "editMessageText", msg, sent, text=text, caption=None, markup=markup
        )

    def _edit_message_caption(self, p: dict[str, Any], abort: Any) -> dict[str, Any]:
        msg, sent = self._editable(p)
        if "text" in msg:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        markup = self._check_markup(p.get("reply_markup"))
        return self._apply_edit(
            "editMessageCaption", msg, sent, text=None, caption=self._caption(p), markup=markup
        )

    def _edit_message_reply_markup(self, p: dict[str, Any], abort: Any) -> dict[str, Any]:
        msg, sent = self._editable(p)
        markup = self._check_markup(p.get("reply_markup"))
        return self._apply_edit(
            "editMessageReplyMarkup",
            msg,
            sent,
            text=msg.get("text"),
            caption=msg.get("caption"),
            markup=markup,
        )

    def _answer_callback_query(self, p: dict[str, Any], abort: Any) -> bool:
        query_id = str(p.get("callback_query_id", ""))
        if query_id not in self._open_queries:
            raise ApiError(400, QUERY_TOO_OLD)
        self._open_queries.discard(query_id)
        self._callback_answers[query_id] = dict(p)
        return True

    def _delete_message(self, p: dict[str, Any], abort: Any) -> bool:
        chat_id = p.get("chat_id")
        if not isinstance(chat_id, int) or chat_id not in self._chats:
            raise ApiError(400, "Bad Request: chat not found")
        message_id = p.get("message_id")
        key = (chat_id, message_id if isinstance(message_id, int) else -1)
        if key not in self._messages or key in self._deleted:
            raise ApiError(400, "Bad Request: message to delete not found")
        self._deleted.add(key)
        sent = self._sent_by_key.get(key)
        if sent is not None:
            sent.deleted = True
        return True

    def _send_chat_action(self, p: dict[str, Any], abort: Any) -> bool:
        self._chat_for_send(p)
        if not p.get("action"):
            raise ApiError(400, "Bad Request: action is empty")
        return True

    def _get_chat(self, p: dict[str, Any], abort: Any) -> dict[str, Any]:
        chat_id = p.get("chat_id")
        if not isinstance(chat_id, int) or chat_id not in self._chats:
            raise ApiError(400, "Bad Request: chat not found")
        return {
            **self._chats[chat_id],
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }

    def _get_file(self, p: dict[str, Any], abort: Any) -> dict[str, Any]:
        stored = self._files.get(str(p.get("file_id", "")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        info: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_path": stored.file_path,
        }
        if stored.data is not None:
            info["file_size"] = len(stored.data)
        return info

    def _close(self, p: dict[str, Any], abort: Any) -> bool:
        return True

    def _log_out(self, p: dict[str, Any], abort: Any) -> bool:
        return True


def _update_kind(update: Mapping[str, Any]) -> str:
    return next((k for k in update if k != "update_id"), "")


def _short(params: Mapping[str, Any], width: int = 200) -> str:
    def clean(value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("data"), bytes):
            return f"<file {value.get('filename')!r} {len(value['data'])} bytes>"
        return value

    text = json.dumps({k: clean(v) for k, v in params.items()}, ensure_ascii=False, default=repr)
    return text if len(text) <= width else text[: width - 3] + "..."
