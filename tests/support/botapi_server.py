"""A local HTTP server that speaks the Bot API on top of a FakeTelegram.

Point a bot at it with base_url=f"{server.url}/bot" and base_file_url=f"{server.url}/file/bot"
(PTB appends the token itself). Standard library only, so end-to-end tests and benchmarks need
nothing beyond the test venv.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from tests.support.fake_telegram import FakeTelegram, HangUp

__all__ = ["BotApiServer", "parse_multipart"]

_METHOD_PATH = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[A-Za-z0-9_]+)/?$")
_FILE_PATH = re.compile(r"^/file/bot(?P<token>[^/]+)/(?P<path>.+)$")
_DISPOSITION_PARAM = re.compile(r';\s*([\w*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))')


def _error(status: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": status, "description": description}


def _header_params(value: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for match in _DISPOSITION_PARAM.finditer(value):
        name = match.group(1).lower()
        raw = match.group(2) if match.group(2) is not None else match.group(3)
        # httpx percent-escapes quotes in filenames and backslash-escapes backslashes.
        params[name] = unquote(re.sub(r"\\(.)", r"\1", raw))
    return params


def parse_multipart(body: bytes, content_type: str) -> dict[str, Any]:
    """Parse multipart/form-data: text fields become str, file parts become
    {"filename": str, "data": bytes, "content_type": str}.

    Hand-rolled rather than via `email` so binary payloads come back byte-for-byte.
    """
    boundary = _header_params(content_type).get("boundary")
    if not boundary:
        raise ValueError("multipart body without boundary")
    delimiter = b"--" + boundary.encode("latin-1")
    fields: dict[str, Any] = {}
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk.removeprefix(b"\r\n").removesuffix(b"\r\n")
        head, _, content = chunk.partition(b"\r\n\r\n")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, sep, value = line.partition(":")
            if sep:
                headers[key.strip().lower()] = value.strip()
        disposition = _header_params(headers.get("content-disposition", ""))
        name = disposition.get("name")
        if name is None:
            continue
        if "filename" in disposition:
            fields[name] = {
                "filename": disposition["filename"],
                "data": content,
                "content_type": headers.get("content-type", "application/octet-stream"),
            }
        else:
            fields[name] = content.decode("utf-8")
    return fields


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Long-polls may be parked in handler threads; closing must not join them.
    block_on_close = False
    allow_reuse_address = True
    # socketserver's backlog of 5 overflows when a bot sends hundreds of messages a second, and
    # the kernel then resets connections after the request was written; Telegram has no such
    # limit, so neither does this server.
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], fake: FakeTelegram) -> None:
        super().__init__(address, _Handler)
        self.fake = fake
        self.stopping = threading.Event()
        self._conn_lock = threading.Lock()
        self._connections: set[socket.socket] = set()

    def track(self, conn: socket.socket) -> None:
        with self._conn_lock:
            self._connections.add(conn)

    def untrack(self, conn: socket.socket) -> None:
        with self._conn_lock:
            self._connections.discard(conn)

    def drop_connections(self) -> None:
        # Keep-alive connections would otherwise stay served by their handler thread after
        # the listening socket is gone.
        with self._conn_lock:
            conns = list(self._connections)
            self._connections.clear()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 keep-alive, like api.telegram.org; benchmarks would otherwise measure connects.
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            parts: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _params(self, query: str, body: bytes) -> dict[str, Any]:
        params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        if not body:
            return params
        content_type = self.headers.get("Content-Type", "")
        media_type = content_type.split(";", 1)[0].strip().lower()
        if media_type == "application/json":
            decoded = json.loads(body)
            if not isinstance(decoded, dict):
                raise ValueError("JSON body must be an object")
            params.update(decoded)
        elif media_type == "multipart/form-data":
            params.update(parse_multipart(body, content_type))
        else:
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        return params

    def _dispatch(self) -> None:
        split = urlsplit(self.path)
        body = self._read_body()
        fake = self.server.fake

        file_match = _FILE_PATH.match(split.path)
        if file_match:
            # PTB percent-encodes the token in file URLs ("123%3AABC").
            if unquote(file_match["token"]) != fake.token:
                self._send_json(401, _error(401, "Unauthorized"))
                return
            data = fake.file_content(unquote(file_match["path"]))
            if data is None:
                self._send_json(404, _error(404, "Not Found"))
            else:
                self._send(200, data, "application/octet-stream")
            return

        match = _METHOD_PATH.match(split.path)
        if not match:
            self._send_json(404, _error(404, "Not Found"))
            return
        if unquote(match["token"]) != fake.token:
            self._send_json(401, _error(401, "Unauthorized"))
            return
        try:
            params = self._params(split.query, body)
        except (ValueError, UnicodeDecodeError) as exc:
            self._send_json(400, _error(400, f"Bad Request: can't parse request: {exc}"))
            return
        try:
            status, payload = fake.handle(match["method"], params, abort=self.server.stopping)
        except HangUp:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send_json(status, payload)

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            if self.server.stopping.is_set():
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            # The client gave up (e.g. its read timeout fired during a long-poll).
            self.close_connection = True


class BotApiServer:
    """Serve `fake` (a fresh FakeTelegram if None) on host:port in a background thread."""

    def __init__(
        self,
        fake: FakeTelegram | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.fake = fake if fake is not None else FakeTelegram()
        self._host = host
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Root URL, e.g. http://127.0.0.1:54321 (methods live under /bot<token>/)."""
        if self._server is None:
            raise RuntimeError("BotApiServer is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def base_url(self) -> str:
        """Value for telegram.Bot(base_url=...) / ApplicationBuilder().base_url(...)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    def start(self) -> BotApiServer:
        if self._server is not None:
            raise RuntimeError("BotApiServer already started")
        server = _Server((self._host, self._port), self.fake)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"BotApiServer:{server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; returns promptly even while long-polls are parked in handlers."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = None
        self._thread = None
        server.stopping.set()
        self.fake.wake()
        server.shutdown()
        server.drop_connections()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> BotApiServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
