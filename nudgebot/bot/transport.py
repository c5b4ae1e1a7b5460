"""PTB's HTTP transport on aiohttp instead of httpx.

Measured on a 2-core machine against a local Bot API server (benchmarks/README.md): httpx spends
about 0.7 ms of CPU per request and slows as more are in flight (1,470 a second one at a time,
480 with 32 in flight); aiohttp does 9,000 to 11,000 a second. At Telegram's paid-broadcast
rate of 1,000 a second, httpx alone would use the whole core the bot runs on.

Errors are raised as PTB's, with the aiohttp error as the cause, so that the sender can tell a
request that never left (connection refused, no free connection) from one that may have arrived
(the server hung up, an answer timed out): see `never_sent` and `maybe_sent`.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from nudgebot.scheduling.budget import SendBudget, is_paced_by_caller

# Raised before any byte of the request was written.
NOT_CONNECTED: tuple[type[BaseException], ...] = (
    aiohttp.ClientConnectorError,
    aiohttp.ConnectionTimeoutError,
)
# Raised after the request may have been written.
IN_TRANSIT: tuple[type[BaseException], ...] = (aiohttp.ClientError, TimeoutError)


class AiohttpRequest(BaseRequest):
    """A keep-alive connection pool to the Bot API; timeouts in seconds as PTB's defaults."""

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float = 5.0,
        write_timeout: float = 5.0,
        connect_timeout: float = 5.0,
        pool_timeout: float = 1.0,
        media_write_timeout: float = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read = read_timeout
        self._write = write_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._media_write = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0),
                headers={"User-Agent": self.USER_AGENT},
                # The Bot API answers errors with JSON bodies that PTB reads; never raise on them.
                raise_for_status=False,
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

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
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        has_files = bool(request_data and request_data.contains_files)
        read = _seconds(read_timeout, self._read)
        write = _seconds(write_timeout, self._media_write if has_files else self._write)
        # aiohttp's connect timeout covers waiting for a pooled connection and connecting.
        pool, sock_connect = (
            _seconds(pool_timeout, self._pool),
            _seconds(connect_timeout, self._connect),
        )
        connect = pool + sock_connect if pool is not None and sock_connect is not None else None
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=connect,
            sock_connect=sock_connect,
            # aiohttp has no write timeout; a slow upload counts against the read.
            sock_read=read + write if read is not None and write is not None else None,
        )
        try:
            async with self._session.request(
                method, url, data=_body(request_data), timeout=timeout
            ) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as err:
            raise TimedOut("No connection to Telegram in time; the request was not sent") from err
        except (TimeoutError, aiohttp.ServerTimeoutError) as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err


def _seconds(value: ODVInput[float], default: float) -> float | None:
    if isinstance(value, DefaultValue):
        return default
    return value


def _body(request_data: RequestData | None) -> Any:
    if request_data is None:
        return None
    if not request_data.contains_files:
        return request_data.json_parameters  # sent form-encoded, as PTB does
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form


# Calls that put a message on a chat's screen, which Telegram counts against the bot's limit.
PACED_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendlocation",
        "sendsticker",
        "editmessagetext",
        "editmessagecaption",
        "editmessagereplymarkup",
    }
)


class PacedRequest(BaseRequest):
    """Every Bot API call that puts a message on screen takes a turn of the send budget.

    The dispatcher's sender paces its own calls (in order, a chat at a time); everything else
    is a reply to something a person just did and takes the next turn ahead of them. A 429,
    whoever met it, pauses the budget for everyone.
    """

    def __init__(self, inner: BaseRequest, budget: SendBudget) -> None:
        self._inner = inner
        self._budget = budget

    @property
    def read_timeout(self) -> float | None:
        return self._inner.read_timeout

    async def initialize(self) -> None:
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()

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
        if not is_paced_by_caller() and url.rsplit("/", 1)[-1].lower() in PACED_METHODS:
            await self._budget.acquire_urgent()
        status, body = await self._inner.do_request(
            url,
            method,
            request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        if status == HTTPStatus.TOO_MANY_REQUESTS:
            self._budget.pause(_retry_after(body))
        return status, body


def _retry_after(body: bytes) -> float:
    """Telegram's retry_after from a 429's body; a second if it cannot be read."""
    try:
        return float(json.loads(body)["parameters"]["retry_after"])
    except (ValueError, KeyError, TypeError):
        return 1.0
