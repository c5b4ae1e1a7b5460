"""What the benchmarks share: a fresh database on either backend, seeded in bulk, and figures."""

from __future__ import annotations

import math
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from nudgebot.storage.engine import create_engine
from nudgebot.storage.migrate import upgrade
from nudgebot.storage.models import CheckinTime, Delivery, User
from tests.e2e.ops import ThrowawayPostgres

TOKEN = "7000001:benchmark-token-not-a-secret"
FIRST_CHAT = 100_000_000
CHUNK = 5_000


def machine() -> str:
    cpu = "?"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg()[0]
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, load {load:.2f}"


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def max_in_window(stamps: Sequence[float], window: float = 1.0) -> int:
    """The most stamps in any half-open interval [t, t + window)."""
    ordered = sorted(stamps)
    best, lo = 0, 0
    for hi, stamp in enumerate(ordered):
        while ordered[lo] <= stamp - window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


@contextmanager
def database(backend: str) -> Iterator[str]:
    """The URL of a fresh, empty database on `backend` ("sqlite" or "postgresql")."""
    if backend == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="nudgebot-bench-"))
        try:
            yield f"sqlite+aiosqlite:///{folder}/nudgebot.db"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    # The server's default durability (fsync on), unlike the test suite's servers.
    server = ThrowawayPostgres(durable=True)
    try:
        yield server.url
    finally:
        server.destroy()


async def migrated_engine(url: str) -> AsyncEngine:
    engine = create_engine(url)
    await upgrade(engine)
    return engine


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


async def seed_users(
    engine: AsyncEngine,
    count: int,
    slot: str,
    consented_at: datetime,
    first_chat: int = FIRST_CHAT,
    timezone: str = "UTC",
) -> list[int]:
    """`count` consented users with one check-in time each; returns their ids in chat order."""
    ids: list[int] = []
    chats = list(range(first_chat, first_chat + count))
    for part in _chunks(chats):
        async with engine.begin() as conn:
            rows = await conn.execute(
                insert(User).returning(User.id, sort_by_parameter_order=True),
                [
                    {
                        "chat_id": chat,
                        "language_code": "en",
                        "timezone": timezone,
                        "consent_at": consented_at,
                        "created_at": consented_at,
                        "paused": False,
                        "active": True,
                        "country": "GB",
                    }
                    for chat in part
                ],
            )
            new = list(rows.scalars())
            await conn.execute(
                insert(CheckinTime), [{"user_id": uid, "local_time": slot} for uid in new]
            )
            ids.extend(new)
    return ids


async def seed_deliveries(
    engine: AsyncEngine, user_ids: Sequence[int], due: datetime, local_date: date, slot: str
) -> None:
    """One pending check-in per user, due at `due`."""
    for part in _chunks(user_ids):
        async with engine.begin() as conn:
            await conn.execute(
                insert(Delivery),
                [
                    {
                        "user_id": uid,
                        "kind": "checkin",
                        "local_date": local_date,
                        "slot": slot,
                        "due_at": due,
                        "run_at": due,
                        "status": "pending",
                        "attempts": 0,
                    }
                    for uid in part
                ],
            )


async def status_counts(engine: AsyncEngine, kind: str = "checkin") -> dict[str, int]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT status, count(*) FROM deliveries WHERE kind = :k GROUP BY status"),
            {"k": kind},
        )
        return {status: n for status, n in rows}


def settings_env(database_url: str, api_url: str, **extra: str) -> dict[str, str]:
    """NUDGEBOT_* settings for a bot pointed at the benchmark server."""
    return {
        "NUDGEBOT_TOKEN": TOKEN,
        "NUDGEBOT_DATABASE_URL": database_url,
        "NUDGEBOT_API_URL": api_url,
        "NUDGEBOT_LOG_LEVEL": "WARNING",
        "NUDGEBOT_HTTP_PORT": "0",
        **extra,
    }


def start_profiler(interval: float = 0.001) -> Any:
    """A running pyinstrument profiler (the `bench` extra), async-aware."""
    from pyinstrument import Profiler

    profiler = Profiler(async_mode="enabled", interval=interval)
    profiler.start()
    return profiler


def write_profile(profiler: Any, path: str) -> None:
    """Stop it; HTML for a browser if the name ends in .html, else the call tree as text."""
    profiler.stop()
    if path.endswith(".html"):
        profiler.write_html(path)
    else:
        Path(path).write_text(profiler.output_text(color=False, unicode=False))


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    def __call__(self) -> float:
        return time.perf_counter() - self.started


class BotRun:
    """`nudgebot run` as a child process, as an operator starts it."""

    def __init__(self, env: dict[str, str], workdir: Path, *, unpaced: bool = False) -> None:
        """With `unpaced`, the send budget is off (benchmarks/unpaced_bot.py)."""
        clean = {k: v for k, v in os.environ.items() if not k.startswith("NUDGEBOT_")}
        self.log_path = workdir / "nudgebot.log"
        self.started = time.monotonic()
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.unpaced_bot" if unpaced else "nudgebot", "run"],
                cwd=Path(__file__).resolve().parents[1],
                env={**clean, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self, polls: Callable[[], int], timeout: float = 60) -> float:
        """Seconds from launch until the bot first asked for updates."""
        deadline = self.started + timeout
        while polls() == 0:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"nudgebot did not start:\n{self.log_path.read_text()}")
            time.sleep(0.01)
        return time.monotonic() - self.started

    def rss_mb(self) -> tuple[float, float]:
        """Resident memory now and at its peak, in MB."""
        fields = {}
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            fields[key] = value
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024

    def cpu_seconds(self) -> float:
        """CPU time the process has used so far (user and system, all threads)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(60)


def tap(chat_id: int, message_id: int, data: str, query_id: str) -> dict[str, Any]:
    """The update Telegram sends when someone presses an inline button."""
    user = {"id": chat_id, "is_bot": False, "first_name": "U", "language_code": "en"}
    return {
        "callback_query": {
            "id": query_id,
            "from": user,
            "chat_instance": str(chat_id),
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private", "first_name": "U"},
                "from": {"id": 7000001, "is_bot": True, "first_name": "nudgebot"},
                "text": "How stressed do you feel right now?",
            },
        }
    }
