"""Logging that is useful to operators and never carries secrets or what users wrote."""

from __future__ import annotations

import json
import logging
import sys

# These libraries log request URLs (which contain the bot token) or request bodies (which
# contain message texts) at INFO or DEBUG; keep them above that whatever the operator asks.
_CHATTY = {
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    # PTB says "Application started" and the like at INFO: start-up and shutdown are one line
    # each, ours.
    "telegram": logging.WARNING,
    "telegram.ext": logging.WARNING,
    "apscheduler": logging.WARNING,
    "aiosqlite": logging.INFO,
    "sqlalchemy": logging.WARNING,
    "alembic": logging.WARNING,
    "matplotlib": logging.WARNING,
    "PIL": logging.WARNING,
    "tornado": logging.WARNING,
}


class _Redacting(logging.Formatter):
    """A last line of defence: hide the token anywhere in the finished line, tracebacks too.

    The bot id before the colon is public; the part after it is the secret, and it also
    appears percent-encoded in URLs.
    """

    def __init__(self, inner: logging.Formatter, token: str) -> None:
        super().__init__()
        self._inner = inner
        secret = token.partition(":")[2]
        self._secrets = [s for s in (token, secret) if len(s) >= 5]

    def format(self, record: logging.LogRecord) -> str:
        line = self._inner.format(record)
        for secret in self._secrets:
            line = line.replace(secret, "<token>")
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object a line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(level: str, token: str = "", fmt: str = "plain") -> None:
    handler = logging.StreamHandler(sys.stderr)
    inner = (
        JsonFormatter()
        if fmt == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler.setFormatter(_Redacting(inner, token))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name, floor in _CHATTY.items():
        logging.getLogger(name).setLevel(max(floor, logging.getLevelName(level)))
