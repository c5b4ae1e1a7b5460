"""A python-telegram-bot request backend that talks to a FakeTelegram in-process.

    fake = FakeTelegram()
    bot = telegram.Bot(fake.token, request=OfflineRequest(fake),
                       get_updates_request=OfflineRequest(fake))

No sockets are opened, so handler tests stay fast and cannot reach the network, yet every call
goes through PTB's real request pipeline (parameter encoding, error-code-to-exception mapping).
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any
from urllib.parse import unquote, urlsplit

from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from tests.support.fake_telegram import FakeTelegram

__all__ = ["OfflineRequest"]


def _error(status: int, description: str) -> bytes:
    return json.dumps({"ok": False, "error_code": status, "description": description}).encode()


def _retrieve_exception(task: asyncio.Future[Any]) -> None:
    # The caller may have stopped waiting (timeout/cancel); don't let a late HangUp surface as
    # "exception was never retrieved".
    if not task.cancelled():
        task.exception()


class OfflineRequest(BaseRequest):
    """Routes requests to `fake.handle`; see the module docstring.

    getUpdates (which long-polls) and calls slowed down by `fake.set_delay` run in a worker
    thread and honour `read_timeout` by raising TimedOut, like HTTPXRequest. As on a real
    server, a slow call whose client timed out still takes effect once its delay is over.
    """

    def __init__(self, fake: FakeTelegram, *, read_timeout: float | None = 5.0) -> None:
        self._fake = fake
        self._read_timeout = read_timeout
        self._aborts: set[threading.Event] = set()
        # Strong references: a timed-out call keeps running and the loop only holds weak ones.
        self._tasks: set[asyncio.Future[tuple[int, dict[str, Any]]]] = set()

    @property
    def fake(self) -> FakeTelegram:
        return self._fake

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        # Release any worker thread still parked in a long-poll so loop teardown isn't delayed.
        for abort in list(self._aborts):
            abort.set()
        self._fake.wake()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        segments = urlsplit(url).path.split("/")
        bot_index = next((i for i, s in enumerate(segments) if s.startswith("bot")), None)
        # File URLs carry the token percent-encoded ("123%3AABC"), method URLs do not.
        if bot_index is not None and unquote(segments[bot_index][3:]) != self._fake.token:
            return 401, _error(401, "Unauthorized")

        if bot_index is not None and bot_index > 0 and segments[bot_index - 1] == "file":
            data = self._fake.file_content(unquote("/".join(segments[bot_index + 1 :])))
            return (200, data) if data is not None else (404, _error(404, "Not Found"))

        name = segments[-1]
        params = self._params(request_data)
        timeout = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout

        if name.lower() != "getupdates" and self._fake.delay_of(name) <= 0:
            status, body = self._fake.handle(name, params)
            return status, json.dumps(body).encode()

        abort = threading.Event()
        self._aborts.add(abort)
        task = asyncio.ensure_future(
            asyncio.to_thread(self._fake.handle, name, params, abort=abort)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(_retrieve_exception)
        try:
            status, body = await asyncio.wait_for(asyncio.shield(task), timeout)
        except TimeoutError:
            if name.lower() == "getupdates":
                abort.set()
                self._fake.wake()
            raise TimedOut(f"offline read timeout ({timeout}s) calling {name}") from None
        except asyncio.CancelledError:
            abort.set()
            self._fake.wake()
            raise
        finally:
            self._aborts.discard(abort)
        return status, json.dumps(body).encode()

    @staticmethod
    def _params(request_data: RequestData | None) -> dict[str, Any]:
        if request_data is None:
            return {}
        # Round-trip through JSON so recorded params look exactly like wire-decoded ones
        # (tuples become lists, nothing aliases PTB's own objects).
        params: dict[str, Any] = json.loads(json.dumps(request_data.parameters))
        for part, (filename, content, mimetype) in request_data.multipart_data.items():
            data = content if isinstance(content, bytes) else content.read()
            params[part] = {"filename": filename, "data": data, "content_type": mimetype}
        return params
