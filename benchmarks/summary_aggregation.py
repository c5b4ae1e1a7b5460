"""Case 6: the weekly summary's data (what SummaryService.weekly computes) for N users.

Seeds N consented users in four time zones with two weeks of check-ins and movement, then times
the reports for all of them through the product's code: weekly() one chat after another (on a
sample, extrapolated to N), weekly_many() for all N chats in one call, and weekly_many() in calls
of 1,000 chats whose reports are dropped after each call, as a dispatcher would. Every figure
is wall-clock time with this process's CPU time beside it. No chart is rendered and nothing is
sent; see chart_render.py for the chart.

    python -m benchmarks.summary_aggregation --backend sqlite --users 100000
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import statistics
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from time import perf_counter, process_time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks.common import (
    FIRST_CHAT,
    Stopwatch,
    database,
    machine,
    migrated_engine,
    seed_users,
    start_profiler,
    write_profile,
)
from nudgebot.services.summaries import SummaryService, WeeklyReport
from nudgebot.storage.models import Activity, Checkin
from nudgebot.storage.uow import uow_factory

# Sunday 29 November 2026, 12:00 UTC: Sunday in all four zones, as a weekly summary would be.
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC")
SLOTS = (time(8, 30), time(12, 30), time(17, 0), time(21, 0))
# Check-ins a day: 0 to 4, most often 2 (a mean of 2.0).
PER_DAY_WEIGHTS = (0.1, 0.2, 0.4, 0.2, 0.1)
ANSWERED = 0.85
MOVE_DAYS = 0.4
ACTIVITY_AT = time(19, 0)
ROWS_PER_STATEMENT = 20_000


def _one_day(
    day: date,
    groups: Sequence[tuple[ZoneInfo, Sequence[int]]],
    levels: dict[int, float],
    rng: random.Random,
    scatter: bool,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One local day's check-ins and activities for every user, in the order a live bot would
    write them: slot by slot across all users, then the evening's movement. So one user's rows
    lie scattered over the table as in production, not side by side. Within a slot the users
    come in id order, unless `scatter` shuffles them."""
    asked: list[tuple[int, datetime, str, int | None]] = []
    moves: list[dict[str, Any]] = []
    for zone, ids in groups:
        instants = [datetime.combine(day, slot, zone).astimezone(UTC) for slot in SLOTS]
        evening = datetime.combine(day, ACTIVITY_AT, zone).astimezone(UTC)
        for uid in ids:
            level = min(4.5, max(1.0, levels[uid] + rng.gauss(0, 0.4)))
            levels[uid] = level
            count = rng.choices(range(5), PER_DAY_WEIGHTS)[0]
            ratings: list[int] = []
            for slot, at in zip(SLOTS[:count], instants, strict=False):
                if at > NOW:
                    break
                rating = None
                if rng.random() < ANSWERED:
                    rating = min(5, max(1, round(level + rng.gauss(0, 0.7))))
                    ratings.append(rating)
                asked.append((uid, at, f"{slot:%H:%M}", rating))
            if rng.random() >= MOVE_DAYS or evening > NOW:
                continue
            for _ in range(2 if rng.random() < 0.1 else 1):
                before = ratings[-1] if ratings and rng.random() < 0.7 else None
                after = None
                if before is not None and rng.random() < 0.8:
                    after = max(1, before - rng.randint(0, 2))
                moves.append(
                    {
                        "user_id": uid,
                        "suggestion_id": None,
                        "kind": "run" if rng.random() < 0.35 else "walk",
                        "minutes": None if rng.random() < 0.1 else rng.randint(10, 60),
                        "stress_before": before,
                        "stress_after": after,
                        "source": "suggested" if before else "logged",
                        "created_at": evening,
                        "local_date": day,
                    }
                )
    if scatter:  # people answer in their own time: a new order within each slot every day
        rng.shuffle(asked)
    asked.sort(key=lambda row: row[1])  # stable: users keep their order within a slot
    checkins = [
        {
            "user_id": uid,
            "local_date": day,
            "slot": slot,
            "created_at": at,
            "message_id": rng.randrange(1, 1 << 30),
            "rating": rating,
            "answered_at": None if rating is None else at + timedelta(minutes=7),
            "note": None,
        }
        for uid, at, slot, rating in asked
    ]
    return checkins, moves


async def seed(
    engine: AsyncEngine, users: int, days: int, scatter: bool = False
) -> tuple[list[int], int, int]:
    """Users in ZONES (equal shares) with `days` local days of history up to NOW (the local
    date is the same in every zone); their chat ids and the numbers of rows."""
    rng = random.Random(6)
    chats: list[int] = []
    groups: list[tuple[ZoneInfo, Sequence[int]]] = []
    share = -(-users // len(ZONES))
    for zone in ZONES:
        count = min(share, users - len(chats))
        first_chat = FIRST_CHAT + len(chats)
        ids = await seed_users(engine, count, "08:30", NOW - timedelta(days=90), first_chat, zone)
        chats.extend(range(first_chat, first_chat + count))
        groups.append((ZoneInfo(zone), ids))
    # Each person's usual stress, which then drifts from day to day.
    levels = {uid: rng.uniform(1.5, 4.0) for _, ids in groups for uid in ids}
    n_checkins = n_moves = 0
    today = NOW.date()
    for back in reversed(range(days)):
        checkins, moves = _one_day(today - timedelta(days=back), groups, levels, rng, scatter)
        for table, rows in ((Checkin, checkins), (Activity, moves)):
            for start in range(0, len(rows), ROWS_PER_STATEMENT):
                async with engine.begin() as conn:
                    await conn.execute(insert(table), rows[start : start + ROWS_PER_STATEMENT])
        n_checkins += len(checkins)
        n_moves += len(moves)
    if engine.dialect.name == "postgresql":
        async with engine.connect() as conn:
            # What autovacuum does soon after a bulk load; without it the planner guesses.
            await conn.execute(text("ANALYZE"))
            await conn.commit()
    return chats, n_checkins, n_moves


class Timer:
    """Wall-clock and CPU time (this process: the bot's side, not PostgreSQL's) of a block."""

    def __enter__(self) -> Timer:
        self.wall, self.cpu = perf_counter(), process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = perf_counter() - self.wall
        self.cpu = process_time() - self.cpu


async def one_run(
    opts: argparse.Namespace, service: SummaryService, chats: list[int], sample: list[int]
) -> dict[str, tuple[float, float]]:
    """Each way of computing the reports once: name -> (wall s, CPU s) for all the chats."""
    figures: dict[str, tuple[float, float]] = {}
    expected: dict[int, WeeklyReport | None] = {}
    if not opts.skip_per_user:
        with Timer() as timer:
            for chat in sample:
                expected[chat] = await service.weekly(chat, None, NOW)
        scale = len(chats) / len(sample)
        figures["weekly() one chat at a time, extrapolated"] = (
            timer.wall * scale,
            timer.cpu * scale,
        )
    with Timer() as timer:
        reports = await service.weekly_many(dict.fromkeys(chats), NOW, chunk=opts.chunk)
    figures["weekly_many(), one call for all"] = (timer.wall, timer.cpu)
    if sum(1 for r in reports.values() if r is not None) != len(chats):
        raise SystemExit("weekly_many left users without a report")
    if any(reports[chat] != report for chat, report in expected.items()):
        raise SystemExit("weekly_many differs from weekly on the sample")
    del reports
    with Timer() as timer:
        made = 0
        for start in range(0, len(chats), opts.call):
            part = dict.fromkeys(chats[start : start + opts.call])
            made += len(await service.weekly_many(part, NOW, chunk=opts.chunk))
    if made != len(chats):
        raise SystemExit("weekly_many in calls missed some chats")
    figures[f"weekly_many(), calls of {opts.call}, reports dropped"] = (timer.wall, timer.cpu)
    return figures


async def run(opts: argparse.Namespace) -> None:
    with database(opts.backend) as url:
        engine = await migrated_engine(url)
        watch = Stopwatch()
        chats, n_checkins, n_moves = await seed(engine, opts.users, opts.days, opts.scatter)
        print(
            f"seeded {len(chats)} users, {n_checkins} check-ins, {n_moves} activities "
            f"over {opts.days} days in {watch():.1f} s",
            flush=True,
        )
        service = SummaryService(uow_factory(engine))
        sample = sorted(random.Random(1).sample(chats, min(opts.sample, len(chats))))
        await service.weekly_many(dict.fromkeys(sample), NOW)  # warm-up: statement caches
        if opts.gc_freeze:
            gc.collect()
            gc.freeze()  # as a bot could after start-up: later full collections skip these
        if opts.gc_gen0:
            gc.set_threshold(opts.gc_gen0, *gc.get_threshold()[1:])
        runs: list[dict[str, tuple[float, float]]] = []
        for number in range(1, opts.runs + 1):
            runs.append(await one_run(opts, service, chats, sample))
            for name, (wall, cpu) in runs[-1].items():
                print(f"  run {number}: {name}: {wall:.2f} s (CPU {cpu:.2f} s)", flush=True)
            print(f"  {machine()}", flush=True)
        if opts.profile:  # one more call for all, apart from the timed ones
            profiler = start_profiler()
            await service.weekly_many(dict.fromkeys(chats), NOW, chunk=opts.chunk)
            write_profile(profiler, opts.profile)
        await engine.dispose()
    print(f"{opts.backend}, {len(chats)} users, median of {opts.runs} runs:")
    for name in runs[0]:
        wall = statistics.median(r[name][0] for r in runs)
        cpu = statistics.median(r[name][1] for r in runs)
        print(f"  {name}: {wall:.2f} s (CPU {cpu:.2f} s)")
    print(f"  {machine()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=14, help="days of history per user")
    parser.add_argument("--sample", type=int, default=2_000, help="users timed with weekly()")
    parser.add_argument("--chunk", type=int, default=1_000, help="users per weekly_many chunk")
    parser.add_argument("--call", type=int, default=1_000, help="chats per weekly_many call")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-per-user", action="store_true", help="time weekly_many only")
    parser.add_argument("--scatter", action="store_true", help="shuffle users within a slot")
    parser.add_argument("--gc-freeze", action="store_true", help="gc.freeze() after warm-up")
    parser.add_argument("--gc-gen0", type=int, help="the GC's first threshold (default 700)")
    parser.add_argument("--profile", help="write a pyinstrument profile of an extra call for all")
    opts = parser.parse_args()
    gc_note = f", gc.freeze: {opts.gc_freeze}, gen0 threshold: {opts.gc_gen0 or 700}"
    print(f"weekly summary data for {opts.users} users{gc_note}; {machine()}")
    asyncio.run(run(opts))


if __name__ == "__main__":
    main()
