"""The bot's own HTTP server: Telegram's webhook calls, and /health for operators."""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import Application
from tornado.httpserver import HTTPServer
from tornado.web import Application as WebApplication
from tornado.web import RequestHandler

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
Health = Callable[[], Awaitable[tuple[bool, dict[str, Any]]]]


class _WebhookHandler(RequestHandler):
    def initialize(self, app: Application[Any, Any, Any, Any, Any, Any], secret: str) -> None:
        self._app = app
        self._secret = secret

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        # Checked before anything reads the body: a forged call must reach no handler.
        if not hmac.compare_digest(given.encode(), self._secret.encode()):
            self.set_status(403)
            return
        try:
            update = Update.de_json(json.loads(self.request.body), self._app.bot)
        except (ValueError, TypeError, KeyError):
            self.set_status(400)
            return
        await self._app.update_queue.put(update)
        self.set_status(200)


class _HealthHandler(RequestHandler):
    def initialize(self, health: Health) -> None:
        self._health = health

    async def get(self) -> None:
        healthy, report = await self._health()
        self.set_status(200 if healthy else 503)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(report))


def start_http_server(
    *,
    listen: str,
    port: int,
    health: Health,
    app: Application[Any, Any, Any, Any, Any, Any] | None = None,
    webhook_path: str | None = None,
    secret: str | None = None,
) -> HTTPServer:
    """Serve /health, and the webhook at `webhook_path` when one is given."""
    routes: list[Any] = [("/health", _HealthHandler, {"health": health})]
    if webhook_path is not None and app is not None and secret is not None:
        routes.append((webhook_path, _WebhookHandler, {"app": app, "secret": secret}))
    server = HTTPServer(WebApplication(routes, log_function=lambda _handler: None))
    # Binds now, so that a port in use is known before the bot says it is running.
    server.listen(port, address=listen)
    return server
