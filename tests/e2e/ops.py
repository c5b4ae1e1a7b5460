"""Helpers for the operations tests: bot processes with an HTTP port, seeded load, and a
PostgreSQL server of their own."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from nudgebot.storage.models import CheckinTime, Delivery, User
from tests.e2e.process import BotProcess
from tests.support.fake_telegram import FakeTelegram

PROMPT = "How stressed do you feel right now?"
WEBHOOK_URL = "https://nudgebot.invalid/telegram/hook"
WEBHOOK_PATH = "/telegram/hook"
SECRET = "s3cret-Token_for-tests"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class TimedTelegram(FakeTelegram):
    """A FakeTelegram that also notes when each successful sendMessage arrived."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stamp_lock = threading.Lock()
        self.send_stamps: list[float] = []

    def handle(
        self,
        method: str,
        params: Mapping[str, Any],
        *,
        abort: threading.Event | None = None,
    ) -> tuple[int, dict[str, Any]]:
        arrived = time.monotonic()
        status, body = super().handle(method, params, abort=abort)
        if method.lower() == "sendmessage" and status == 200:
            with self._stamp_lock:
                self.send_stamps.append(arrived)
        return status, body

    def stamps(self) -> list[float]:
        with self._stamp_lock:
            return sorted(self.send_stamps)


def max_in_window(stamps: list[float], window: float = 1.0) -> int:
    """The most stamps that fall into any half-open interval [t, t + window)."""
    ordered = sorted(stamps)
    best = 0
    for i, start in enumerate(ordered):
        # The busiest window can always be slid right until it starts at a stamp.
        best = max(best, bisect_left(ordered, start + window, lo=i) - i)
    return best


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServedBot(BotProcess):
    """A bot process with an HTTP port: ready when /health answers, whatever the mode."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        super().__init__(workdir, env)
        self.port = int(env["NUDGEBOT_HTTP_PORT"])

    def launch(self) -> None:
        """Start the process without waiting for anything."""
        clean = {k: v for k, v in os.environ.items() if not k.startswith("NUDGEBOT_")}
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "nudgebot", "run"],
                cwd=self.workdir,
                env={**clean, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_healthy(self, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            assert not self.exited(), f"nudgebot exited early:\n{self.log()}"
            try:
                response = httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=2)
                if response.status_code == 200:
                    report: dict[str, Any] = response.json()
                    return report
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"no healthy /health within {timeout}s:\n{self.log()}")
            time.sleep(0.1)

    def health(self) -> tuple[int, dict[str, Any]]:
        response = httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=5)
        return response.status_code, response.json()

    def sigkill(self) -> None:
        assert self._proc is not None
        self._proc.send_signal(signal.SIGKILL)
        self._proc.wait(10)

    def wait(self, timeout: float) -> int:
        assert self._proc is not None
        return self._proc.wait(timeout)


def served_env(base: Mapping[str, str], port: int, **extra: str) -> dict[str, str]:
    return {
        **base,
        "NUDGEBOT_HTTP_LISTEN": "127.0.0.1",
        "NUDGEBOT_HTTP_PORT": str(port),
        "NUDGEBOT_LOG_LEVEL": "INFO",
        **extra,
    }


def webhook_env(base: Mapping[str, str], port: int, **extra: str) -> dict[str, str]:
    return served_env(
        base,
        port,
        NUDGEBOT_WEBHOOK_URL=WEBHOOK_URL,
        NUDGEBOT_WEBHOOK_SECRET=SECRET,
        **extra,
    )


async def seed_due_checkins(
    engine: AsyncEngine, fake: FakeTelegram, count: int, first_chat: int = 50_000_000
) -> list[int]:
    """`count` consented UTC users, each with one check-in due at the start of this minute.

    Returns the seeded deliveries' ids. The chats are known to `fake`, so sends to them succeed.
    """
    now = datetime.now(UTC)
    due = now.replace(second=0, microsecond=0)
    slot = f"{due:%H:%M}"
    chats = range(first_chat, first_chat + count)
    for chat in chats:
        fake.add_chat(chat)
    async with engine.begin() as conn:
        users = (
            await conn.execute(
                insert(User).returning(User.id, sort_by_parameter_order=True),
                [
                    {
                        "chat_id": chat,
                        "language_code": "en",
                        "timezone": "UTC",
                        "consent_at": now,
                        "created_at": now,
                        "paused": False,
                        "active": True,
                        "country": "DE",
                    }
                    for chat in chats
                ],
            )
        ).scalars()
        user_ids = list(users)
        await conn.execute(
            insert(CheckinTime), [{"user_id": uid, "local_time": slot} for uid in user_ids]
        )
        ids = (
            await conn.execute(
                insert(Delivery).returning(Delivery.id, sort_by_parameter_order=True),
                [
                    {
                        "user_id": uid,
                        "kind": "checkin",
                        "local_date": due.date(),
                        "slot": slot,
                        "due_at": due,
                        "run_at": due,
                        "status": "pending",
                        "attempts": 0,
                    }
                    for uid in user_ids
                ],
            )
        ).scalars()
        return list(ids)


async def statuses(engine: AsyncEngine, delivery_ids: Iterable[int]) -> Counter[str]:
    wanted = set(delivery_ids)
    async with engine.connect() as conn:
        rows = await conn.execute(select(Delivery.id, Delivery.status))
        return Counter(status for id_, status in rows if id_ in wanted)


def prompts_per_chat(fake: FakeTelegram) -> Counter[int]:
    """How many check-in prompts each chat received (successful sends only)."""
    return Counter(m.chat_id for m in fake.sent() if m.text and PROMPT in m.text)


def _pg_bindir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    return found[-1] if found else None


class ThrowawayPostgres:
    """A PostgreSQL cluster of its own on 127.0.0.1 (the scripts/test-postgres recipe), so a
    test can stop and restart it without disturbing the shared test server.

    `durable` keeps the server's default fsync (benchmarks); tests turn it off for speed.
    """

    def __init__(self, *, durable: bool = False) -> None:
        self._durable = durable
        bindir = _pg_bindir()
        if bindir is None:
            raise FileNotFoundError("no PostgreSQL server binaries under /usr/lib/postgresql")
        self._bin = bindir
        self.datadir = Path(tempfile.mkdtemp(prefix="nudgebot-pg-"))
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.datadir, "postgres")
        self._run("initdb", "-D", str(self.datadir), "-U", "nudgebot", "--auth=trust", "-E", "UTF8")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "nudgebot", "nudgebot")

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://nudgebot@127.0.0.1:{self.port}/nudgebot"

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self._bin / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.datadir}"
        if not self._durable:
            options += " -c fsync=off"
        log = str(self.datadir / "server.log")
        self._run("pg_ctl", "-D", str(self.datadir), "-l", log, "-w", "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.datadir), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.datadir, ignore_errors=True)


def run_cli(
    env: Mapping[str, str], cwd: Path, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NUDGEBOT_")}
    return subprocess.run(
        [sys.executable, "-m", "nudgebot", "run"],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


async def eventually(
    check: Callable[[], Awaitable[Any]],
    timeout: float,  # noqa: ASYNC109 - plain seconds, like FakeTelegram.async_wait_for
    what: str,
) -> Any:
    """Poll a condition that no Telegram call signals (a database state, a process exit)."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}")
        await asyncio.sleep(0.2)


def load_simple_yaml(source: str) -> Any:
    """Parse the block-style subset of YAML that docker-compose.yml uses (nested mappings, lists
    of scalars, comments), for machines without PyYAML. Raises ValueError on anything else."""
    lines: list[tuple[int, str]] = []
    for raw in source.splitlines():
        stripped = raw.strip()
        if stripped and not stripped.startswith("#"):
            if "\t" in raw[: len(raw) - len(raw.lstrip())]:
                raise ValueError(f"tab in indentation: {raw!r}")
            lines.append((len(raw) - len(raw.lstrip(" ")), stripped))
    if not lines:
        return None
    value, end = _yaml_block(lines, 0, lines[0][0])
    if end != len(lines):
        raise ValueError(f"unexpected indentation at {lines[end][1]!r}")
    return value


def _yaml_block(lines: list[tuple[int, str]], i: int, indent: int) -> tuple[Any, int]:
    if lines[i][1].startswith("- "):
        items: list[Any] = []
        while i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("- "):
            items.append(_yaml_scalar(lines[i][1][2:].strip()))
            i += 1
        return items, i
    mapping: dict[str, Any] = {}
    while i < len(lines) and lines[i][0] == indent:
        line = lines[i][1]
        if line.endswith(":"):
            key, rest = line[:-1], ""
        else:
            key, sep, rest = line.partition(": ")
            if not sep:
                raise ValueError(f"not a mapping entry: {line!r}")
        if key in mapping:
            raise ValueError(f"duplicate key {key!r}")
        i += 1
        if rest.strip():
            mapping[key] = _yaml_scalar(rest.strip())
        elif i < len(lines) and lines[i][0] > indent:
            mapping[key], i = _yaml_block(lines, i, lines[i][0])
        else:
            mapping[key] = None
    return mapping, i


def _yaml_scalar(text: str) -> Any:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    if text.isdigit():
        return int(text)
    if text in ("true", "false"):
        return text == "true"
    if text[0] in "[{&*!|>%@`" or " #" in text:
        raise ValueError(f"outside the supported subset: {text!r}")
    return text


def dockerfile_instructions(source: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined and comments dropped."""
    joined: list[str] = []
    pending = ""
    for raw in source.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        joined.append(pending + line)
        pending = ""
    return [(i.split(None, 1)[0].upper(), i.split(None, 1)[1]) for i in joined]


def healthcheck_command() -> str:
    """The shell command of the Dockerfile's HEALTHCHECK."""
    source = (Path(__file__).resolve().parents[2] / "Dockerfile").read_text()
    [check] = [args for name, args in dockerfile_instructions(source) if name == "HEALTHCHECK"]
    return check.split(" CMD ", 1)[1].strip()
