"""Case 4: scale. A million users stored and nothing due: what one dispatcher tick costs, how
much memory `nudgebot run` holds, and how long it takes to start.

Every user has consented, has one check-in time (spread over the day) and one pending check-in
due tomorrow, so nothing is due while the benchmark runs. An empty database (migrated, no users)
on the same backend is measured alongside for comparison.

- Start-up: `python -m nudgebot run` as a child process in polling mode against the benchmark
  Bot API server; the time from launch to its first getUpdates call, i.e. ready for users.
- Memory: VmRSS and VmHWM (peak) from /proc/<pid>/status once the process has run `--hold`
  seconds (several ticks), and its CPU use while idle (from ready to then).
- Tick: in-process, the runtime from nudgebot.bootstrap.build; the first tick (which also
  sweeps: expire_stale runs once a minute), then `--ticks` ticks back to back, then the sweep
  alone, `--sweeps` times.

    python -m benchmarks.scale --backend sqlite --users 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, text
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import make_url

from benchmarks.botapi import BenchApi
from benchmarks.common import (
    FIRST_CHAT,
    TOKEN,
    BotRun,
    Stopwatch,
    database,
    machine,
    migrated_engine,
    percentile,
    settings_env,
    start_profiler,
    status_counts,
    write_profile,
)
from nudgebot.bootstrap import build
from nudgebot.settings import Settings
from nudgebot.storage.engine import create_engine
from nudgebot.storage.uow import uow_factory

MINUTES_A_DAY = 24 * 60


# --- seeding ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What every seeded user looks like; user i (from 1) gets slot_of(i)."""

    users: int
    now: datetime  # aware UTC
    local_date: date  # of every pending check-in: tomorrow, or the day after late at night

    @classmethod
    def make(cls, users: int) -> Plan:
        now = datetime.now(UTC).replace(microsecond=0)
        # Tomorrow 00:00 must stay hours away while the benchmark runs.
        days = 1 if now.hour < 22 else 2
        return cls(users, now, now.date() + timedelta(days=days))

    @staticmethod
    def slot_of(i: int) -> str:
        minute = (i * 37) % MINUTES_A_DAY  # 37 is coprime to 1440: every minute of the day
        return f"{minute // 60:02d}:{minute % 60:02d}"

    def due_of(self, slot: str) -> datetime:
        hour, minute = int(slot[:2]), int(slot[3:])
        return datetime(
            self.local_date.year, self.local_date.month, self.local_date.day, hour, minute
        )  # naive UTC, as stored

    @property
    def consented(self) -> datetime:
        return (self.now - timedelta(days=30)).replace(tzinfo=None)


def _users(plan: Plan, stamp: Any) -> Iterator[tuple[Any, ...]]:
    joined = stamp(plan.consented)
    for i in range(1, plan.users + 1):
        yield (i, FIRST_CHAT + i, "en", "UTC", joined, False, True, joined, "GB")


def _times(plan: Plan) -> Iterator[tuple[Any, ...]]:
    for i in range(1, plan.users + 1):
        yield (i, i, plan.slot_of(i))


def _deliveries(plan: Plan, stamp: Any, day: Any) -> Iterator[tuple[Any, ...]]:
    local_date = day(plan.local_date)
    dues = {slot: stamp(plan.due_of(slot)) for slot in map(plan.slot_of, range(MINUTES_A_DAY))}
    for i in range(1, plan.users + 1):
        slot = plan.slot_of(i)
        due = dues[slot]
        yield (i, i, "checkin", local_date, slot, due, due, "pending", 0)


USER_COLUMNS = (
    "id",
    "chat_id",
    "language_code",
    "timezone",
    "consent_at",
    "paused",
    "active",
    "created_at",
    "country",
)
TIME_COLUMNS = ("id", "user_id", "local_time")
DELIVERY_COLUMNS = (
    "id",
    "user_id",
    "kind",
    "local_date",
    "slot",
    "due_at",
    "run_at",
    "status",
    "attempts",
)
TABLES = (
    ("users", USER_COLUMNS),
    ("checkin_times", TIME_COLUMNS),
    ("deliveries", DELIVERY_COLUMNS),
)


def _rows(plan: Plan, table: str, stamp: Any, day: Any) -> Iterator[tuple[Any, ...]]:
    if table == "users":
        return _users(plan, stamp)
    if table == "checkin_times":
        return _times(plan)
    return _deliveries(plan, stamp, day)


def seed_sqlite(url: str, plan: Plan) -> None:
    """Plain sqlite3 on the migrated file: one transaction, no journal while loading. Instants
    and dates are written the way SQLAlchemy writes them, by its own SQLite processors."""
    dialect = sqlite_dialect.dialect()
    stamp = DateTime().dialect_impl(dialect).bind_processor(dialect)
    day = Date().dialect_impl(dialect).bind_processor(dialect)
    path = make_url(url).database
    assert path
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-262144")  # 256 MiB while the indexes grow
        conn.execute("BEGIN")
        for table, columns in TABLES:
            marks = ", ".join("?" for _ in columns)
            conn.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                _rows(plan, table, stamp, day),
            )
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode=WAL")  # what the bot's engine sets on every connect
    finally:
        conn.close()


async def seed_postgresql(url: str, plan: Plan) -> None:
    """COPY, then the statistics and visibility map autovacuum would soon have made anyway.
    CHECKPOINT needs a superuser or pg_checkpoint: the benchmark's own cluster has one."""
    import asyncpg  # type: ignore[import-untyped]

    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    conn = await asyncpg.connect(dsn)
    try:

        def same(value: Any) -> Any:
            return value

        for table, columns in TABLES:
            await conn.copy_records_to_table(
                table, records=_rows(plan, table, same, same), columns=list(columns)
            )
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {plan.users})"
            )
        await conn.execute("VACUUM ANALYZE")
        # Write the load out now, not in the background of the first start-up measured.
        await conn.execute("CHECKPOINT")
    finally:
        await conn.close()


async def seed(url: str, plan: Plan) -> None:
    engine = await migrated_engine(url)
    await engine.dispose()
    if plan.users == 0:
        return
    if url.startswith("sqlite"):
        seed_sqlite(url, plan)
    else:
        await seed_postgresql(url, plan)


async def check_seeded(url: str, plan: Plan) -> str:
    """Through the bot's own repository: every row pending, none due now, all due by tomorrow
    night; returns the database's size."""
    engine = create_engine(url)
    try:
        counts = await status_counts(engine)
        expected = {"pending": plan.users} if plan.users else {}
        if counts != expected:
            raise SystemExit(f"seeded {counts}, expected {expected}")
        async with uow_factory(engine)() as uow:
            due_now = await uow.deliveries.oldest_due(plan.now)
            later = await uow.deliveries.oldest_due(plan.now + timedelta(days=3))
        if due_now is not None or (plan.users and later is None):
            raise SystemExit(f"the seeded check-ins are not as planned: {due_now}, {later}")
        async with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                size = await conn.execute(text("SELECT pg_database_size(current_database())"))
                return f"{size.scalar_one() / 2**20:,.0f} MiB"
        path = make_url(url).database
        assert path
        return f"{await asyncio.to_thread(os.path.getsize, path) / 2**20:,.0f} MiB"
    finally:
        await engine.dispose()


# --- start-up and memory: `nudgebot run` as its own process ------------------------------------


@dataclass
class Started:
    ready_s: float
    ready_cpu_s: float  # CPU time the process had used by then (user + system)
    rss_mb: float  # MiB, as BotRun reports it
    hwm_mb: float
    idle_cpu_pct: float  # of one core, from ready until memory was read
    stop_s: float


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        after_name = stat.read().rsplit(")", 1)[1].split()
    utime, stime = int(after_name[11]), int(after_name[12])  # fields 14 and 15 of stat(5)
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def _polls(api: BenchApi) -> int:
    return int(api.stats()["counts"].get("getupdates", 0))


def start_once(url: str, api: BenchApi, hold: float) -> Started:
    """Launch, wait for the first getUpdates, let it tick for `hold` seconds, stop it."""
    before = _polls(api)
    with tempfile.TemporaryDirectory(prefix="nudgebot-bench-run-") as workdir:
        bot = BotRun(settings_env(url, api.url), Path(workdir))
        try:
            ready = bot.wait_ready(lambda: _polls(api) - before)
            cpu_ready = _cpu_seconds(bot.proc.pid)
            time.sleep(max(0.0, hold - (time.monotonic() - bot.started)))
            cpu_idle = _cpu_seconds(bot.proc.pid) - cpu_ready
            idle_for = time.monotonic() - bot.started - ready
            rss, hwm = bot.rss_mb()
            stopping = Stopwatch()
            code = bot.stop()
            stop = stopping()
            log = bot.log_path.read_text().strip()
            if code != 0:
                raise SystemExit(f"nudgebot exited with {code}:\n{log}")
            if log:
                print(f"    its log:\n{log}")
        finally:
            if bot.proc.poll() is None:
                bot.proc.kill()
                bot.proc.wait(10)
    return Started(ready, cpu_ready, rss, hwm, 100 * cpu_idle / idle_for, stop)


# --- tick cost: the real dispatcher, in this process ------------------------------------------


@dataclass
class Ticks:
    first_ms: float
    wall_ms: list[float]
    cpu_ms: list[float]
    sweep_ms: list[float]


async def tick_costs(url: str, api_url: str, ticks: int, sweeps: int, profile: str | None) -> Ticks:
    engine = create_engine(url)
    settings = Settings(token=TOKEN, database_url=url, api_url=api_url)
    runtime = build(settings, engine=engine)
    await runtime.app.initialize()
    try:
        dispatcher = runtime.dispatcher
        watch = Stopwatch()
        attempted = await dispatcher.tick()  # the first sweeps too, and opens the connection
        first = watch() * 1000
        wall: list[float] = []
        cpu: list[float] = []
        for _ in range(ticks):
            cpu_before, watch = time.process_time(), Stopwatch()
            attempted += await dispatcher.tick()
            wall.append(watch() * 1000)
            cpu.append((time.process_time() - cpu_before) * 1000)
        swept: list[float] = []
        for _ in range(sweeps):
            watch = Stopwatch()
            await runtime.dispatch.expire_stale(datetime.now(UTC))
            swept.append(watch() * 1000)
        if profile is not None:
            # Apart from the timed ticks: sampling this often slows them several times over.
            profiler = start_profiler(interval=0.0001)
            for _ in range(ticks):
                attempted += await dispatcher.tick()
            write_profile(profiler, profile)
        if attempted:
            raise SystemExit(f"{attempted} deliveries were due: the seeding is wrong")
    finally:
        await runtime.app.shutdown()
        await engine.dispose()
    return Ticks(first, wall, cpu, swept)


# --- the run ----------------------------------------------------------------------------------


def _median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3, help="start-ups of each database")
    parser.add_argument("--hold", type=float, default=20.0, help="seconds before reading memory")
    parser.add_argument("--ticks", type=int, default=200)
    parser.add_argument("--sweeps", type=int, default=20)
    parser.add_argument(
        "--profile", help="profile another --ticks ticks (full database) with pyinstrument to here"
    )
    opts = parser.parse_args()
    print(f"scale, {opts.users:,} users, nothing due ({opts.backend}); {machine()}")

    full, empty = Plan.make(opts.users), Plan.make(0)
    with (
        database(opts.backend) as full_url,
        database(opts.backend) as empty_url,
        BenchApi() as api,
    ):
        watch = Stopwatch()
        asyncio.run(seed(full_url, full))
        seeded = watch()
        asyncio.run(seed(empty_url, empty))
        size = asyncio.run(check_seeded(full_url, full))
        asyncio.run(check_seeded(empty_url, empty))
        print(f"  seeded {opts.users:,} users in {seeded:.1f} s; database {size}", flush=True)

        databases = {f"{opts.users:,} users": full_url, "empty": empty_url}
        started: dict[str, list[Started]] = {label: [] for label in databases}
        for run in range(opts.runs):  # alternating, so that both see the same load
            for label, url in databases.items():
                one = start_once(url, api, opts.hold)
                started[label].append(one)
                print(
                    f"  start {run + 1} ({label}): ready in {one.ready_s:.2f} s "
                    f"({one.ready_cpu_s:.2f} s CPU), "
                    f"RSS {one.rss_mb:.1f} MiB (peak {one.hwm_mb:.1f}), "
                    f"idle CPU {one.idle_cpu_pct:.1f}%, stopped in {one.stop_s:.2f} s"
                )

        ticked: dict[str, Ticks] = {}
        for label, url in databases.items():
            profile = opts.profile if url == full_url else None
            ticked[label] = asyncio.run(tick_costs(url, api.url, opts.ticks, opts.sweeps, profile))
    print(f"load after: {os.getloadavg()[0]:.2f}")

    print(
        f"\n| {opts.backend} | start-up | start-up CPU | RSS | peak RSS | idle CPU | first tick "
        "| tick median | tick p99 | tick CPU median | sweep median |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label in databases:
        runs, t = started[label], ticked[label]
        print(
            f"| {label} | {_median([r.ready_s for r in runs]):.2f} s "
            f"| {_median([r.ready_cpu_s for r in runs]):.2f} s "
            f"| {_median([r.rss_mb for r in runs]):.0f} MiB "
            f"| {_median([r.hwm_mb for r in runs]):.0f} MiB "
            f"| {_median([r.idle_cpu_pct for r in runs]):.1f}% "
            f"| {t.first_ms:.1f} ms "
            f"| {_median(t.wall_ms):.2f} ms | {percentile(t.wall_ms, 99):.2f} ms "
            f"| {_median(t.cpu_ms):.2f} ms | {_median(t.sweep_ms):.2f} ms |"
        )


if __name__ == "__main__":
    main()
