"""A lean local Bot API server for benchmarks, run as its own process.

The test suite's server (tests/support/botapi_server.py) records everything a test could ask
about and serves each connection on a thread; at thousands of requests a second it, not the bot,
would be what is measured. This one speaks just enough of the Bot API for the bot to run
(getMe, getUpdates, sending, editing, answering buttons), answers at once, and keeps only
counters and timestamps. It runs in its own process so that it does not share the bot's core.

Optional limits act like Telegram's: more than `--rate` sends in any one second, or a second
send into one chat within `--per-chat` seconds, gets a 429 with retry_after.

Control endpoints, under /_bench/: `updates` (POST a JSON list of updates to queue for
getUpdates; each is stamped when queued), `stats` (GET counters and timestamps), `reset`.
`BenchApi` starts the process and talks to it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx

SEND_METHODS = frozenset({"sendmessage", "sendphoto", "senddocument"})
REPLY_METHODS = frozenset({"sendmessage", "editmessagetext", "editmessagereplymarkup"})
BOT_ID = 7000001
_CHAT_ID = re.compile(rb'name="chat_id"\r\n\r\n(-?\d+)')


@dataclass
class State:
    rate: float | None
    per_chat: float | None
    started: float = field(default_factory=time.monotonic)
    counts: Counter[str] = field(default_factory=Counter)
    too_many: int = 0
    too_many_stamps: list[float] = field(default_factory=list)
    send_stamps: list[float] = field(default_factory=list)
    send_chats: list[int] = field(default_factory=list)
    window: deque[float] = field(default_factory=deque)
    chat_last: dict[int, float] = field(default_factory=dict)
    next_message_id: int = 1
    queue: deque[dict[str, Any]] = field(default_factory=deque)
    next_update_id: int = 1
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    # When each queued update was queued, and when it was first answered.
    queued_at: dict[str, float] = field(default_factory=dict)
    answered_at: dict[str, float] = field(default_factory=dict)
    pending_chat: dict[int, list[str]] = field(default_factory=dict)
    # Each chat's latest message with buttons: (message_id, callback data of every button).
    prompts: dict[int, tuple[int, list[str]]] = field(default_factory=dict)

    def limited(self, chat_id: int | None, now: float) -> int | None:
        """Seconds to wait if this send breaks a limit, else None (and the send is counted)."""
        if self.rate is not None:
            while self.window and self.window[0] <= now - 1.0:
                self.window.popleft()
            if len(self.window) >= self.rate:
                return 1
        if self.per_chat is not None and chat_id is not None:
            last = self.chat_last.get(chat_id)
            if last is not None and now - last < self.per_chat:
                return 1
            self.chat_last[chat_id] = now
        if self.rate is not None:
            self.window.append(now)
        return None

    def answered(self, key: str, now: float) -> None:
        if key in self.queued_at and key not in self.answered_at:
            self.answered_at[key] = now


def _message(state: State, chat_id: int, text: str | None) -> dict[str, Any]:
    state.next_message_id += 1
    return {
        "message_id": state.next_message_id,
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private", "first_name": "U"},
        "from": {"id": BOT_ID, "is_bot": True, "first_name": "nudgebot", "username": "nudgebot"},
        "text": text or "",
    }


def _params(body: bytes, content_type: str) -> dict[str, Any]:
    if not body:
        return {}
    if content_type.startswith("application/json"):
        decoded: dict[str, Any] = json.loads(body)
        return decoded
    if content_type.startswith("multipart/form-data"):
        match = _CHAT_ID.search(body)  # enough for sendPhoto/sendDocument
        return {"chat_id": match.group(1).decode()} if match else {}
    return dict(parse_qsl(body.decode(), keep_blank_values=True))


async def _get_updates(state: State, params: dict[str, Any]) -> list[dict[str, Any]]:
    offset = int(params.get("offset") or 0)
    while state.queue and state.queue[0]["update_id"] < offset:
        state.queue.popleft()
    if not state.queue:
        state.wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(state.wake.wait(), float(params.get("timeout") or 0))
    limit = int(params.get("limit") or 100)
    return [u for u, _ in zip(state.queue, range(limit), strict=False)]


async def _method(state: State, method: str, params: dict[str, Any]) -> tuple[int, Any]:
    now = time.monotonic()
    name = method.lower()
    state.counts[name] += 1
    chat = params.get("chat_id")
    chat_id = int(chat) if chat is not None else None
    if name in SEND_METHODS:
        wait = state.limited(chat_id, now)
        if wait is not None:
            state.too_many += 1
            state.too_many_stamps.append(now)
            return 429, {
                "ok": False,
                "error_code": 429,
                "description": f"Too Many Requests: retry after {wait}",
                "parameters": {"retry_after": wait},
            }
        state.send_stamps.append(now)
        state.send_chats.append(chat_id or 0)
    if name in REPLY_METHODS and chat_id is not None and chat_id in state.pending_chat:
        for key in state.pending_chat.pop(chat_id):
            state.answered(key, now)
    if name == "answercallbackquery":
        state.answered(f"cb:{params.get('callback_query_id')}", now)
        return 200, True
    if name == "getme":
        return 200, {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "nudgebot",
            "username": "nudgebot",
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
    if name == "getupdates":
        return 200, await _get_updates(state, params)
    if name in {"sendmessage", "sendphoto", "senddocument", "editmessagetext"}:
        message = _message(state, chat_id or 0, params.get("text"))
        markup = params.get("reply_markup")
        if name == "sendmessage" and markup and chat_id is not None:
            rows = json.loads(markup).get("inline_keyboard", [])
            data = [b["callback_data"] for row in rows for b in row if "callback_data" in b]
            state.prompts[chat_id] = (message["message_id"], data)
        return 200, message
    return 200, True


def _queue_updates(state: State, updates: list[dict[str, Any]]) -> None:
    now = time.monotonic()
    for update in updates:
        update["update_id"] = state.next_update_id
        state.next_update_id += 1
        if "callback_query" in update:
            query = update["callback_query"]
            # Answered twice: the button's spinner stops, then the message changes.
            keys = [f"cb:{query['id']}", f"shown:{query['id']}"]
            chat_id = query["message"]["chat"]["id"]
        else:
            keys = [f"msg:{update['update_id']}"]
            chat_id = update["message"]["chat"]["id"]
        state.pending_chat.setdefault(chat_id, []).append(keys[-1])
        for key in keys:
            state.queued_at[key] = now
        state.queue.append(update)
    state.wake.set()


def _stats(state: State, detail: bool) -> dict[str, Any]:
    stats: dict[str, Any] = {
        "counts": dict(state.counts),
        "too_many": state.too_many,
        "sends": len(state.send_stamps),
        "queued": len(state.queued_at),
        "answered": len(state.answered_at),
    }
    if detail:
        stats["send_stamps"] = state.send_stamps
        stats["send_chats"] = state.send_chats
        stats["too_many_stamps"] = state.too_many_stamps
        stats["latencies"] = {
            k: state.answered_at[k] - state.queued_at[k] for k in state.answered_at
        }
        stats["unanswered"] = [k for k in state.queued_at if k not in state.answered_at]
    return stats


async def _serve_connection(
    state: State, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
                return
            lines = head.decode("latin-1").split("\r\n")
            _verb, path, _version = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                key, sep, value = line.partition(":")
                if sep:
                    headers[key.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length") or 0))
            path, _, query = path.partition("?")
            if path.startswith("/_bench/"):
                status, payload = _control(state, path[len("/_bench/") :], query, body)
            else:
                method = path.rstrip("/").rsplit("/", 1)[-1]
                params = _params(body, headers.get("content-type", ""))
                params.update(parse_qsl(query))
                try:
                    status, result = await _method(state, method, params)
                except asyncio.CancelledError:
                    return  # the server is stopping during a long poll
                payload = result if status != 200 else {"ok": True, "result": result}
            data = json.dumps(payload).encode()
            writer.write(
                b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                % (status, len(data))
                + data
            )
            await writer.drain()
    finally:
        writer.close()


def _control(state: State, name: str, query: str, body: bytes) -> tuple[int, Any]:
    if name == "updates":
        _queue_updates(state, json.loads(body))
        return 200, {"ok": True}
    if name == "stats":
        return 200, _stats(state, detail="detail" in query)
    if name == "prompts":
        return 200, {str(chat): prompt for chat, prompt in state.prompts.items()}
    if name == "reset":
        fresh = State(state.rate, state.per_chat)
        fresh.next_message_id = state.next_message_id
        fresh.next_update_id = state.next_update_id
        fresh.queue, fresh.wake = state.queue, state.wake
        state.__dict__.update(fresh.__dict__)
        return 200, {"ok": True}
    return 404, {"ok": False}


async def main(port: int, rate: float | None, per_chat: float | None) -> None:
    state = State(rate, per_chat)
    server = await asyncio.start_server(
        lambda r, w: _serve_connection(state, r, w), "127.0.0.1", port, backlog=1024
    )
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    async with server:
        await stop.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BenchApi:
    """The server as a child process, and a client for its control endpoints."""

    def __init__(self, rate: float | None = None, per_chat: float | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [sys.executable, "-m", "benchmarks.botapi", "--port", str(self.port)]
        if rate is not None:
            args += ["--rate", str(rate)]
        if per_chat is not None:
            args += ["--per-chat", str(per_chat)]
        self._proc = subprocess.Popen(args, stdout=subprocess.PIPE, env=os.environ.copy())
        assert self._proc.stdout is not None
        if self._proc.stdout.readline().strip() != b"ready":
            raise RuntimeError("the benchmark Bot API server did not start")
        self._client = httpx.Client(base_url=self.url, timeout=60)

    def queue_updates(self, updates: list[dict[str, Any]]) -> None:
        self._client.post("/_bench/updates", json=updates).raise_for_status()

    def stats(self, detail: bool = False) -> dict[str, Any]:
        response = self._client.get("/_bench/stats", params={"detail": 1} if detail else None)
        result: dict[str, Any] = response.json()
        return result

    def prompts(self) -> dict[int, tuple[int, list[str]]]:
        """Each chat's latest message with buttons: (message id, every button's data)."""
        answer = self._client.get("/_bench/prompts").json()
        return {int(chat): (int(mid), data) for chat, (mid, data) in answer.items()}

    def reset(self) -> None:
        self._client.post("/_bench/reset").raise_for_status()

    def close(self) -> None:
        self._client.close()
        self._proc.terminate()
        self._proc.wait(10)

    def __enter__(self) -> BenchApi:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rate", type=float, default=None, help="sends allowed per second")
    parser.add_argument("--per-chat", type=float, default=None, help="seconds between sends")
    opts = parser.parse_args()
    asyncio.run(main(opts.port, opts.rate, opts.per_chat))
