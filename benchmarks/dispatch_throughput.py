"""Case 1: how many check-ins a second one process claims, sends and records as sent.

The real dispatcher, sender and services (built by nudgebot.bootstrap) drain N check-ins, all
due now, into the benchmark Bot API server, which answers at once. The send budget is off: this
measures the bot, not Telegram's limit.

    python -m benchmarks.dispatch_throughput --backend sqlite --users 20000 --runs 3
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import UTC, datetime, timedelta

from benchmarks.botapi import BenchApi
from benchmarks.common import (
    TOKEN,
    Stopwatch,
    database,
    machine,
    migrated_engine,
    seed_deliveries,
    seed_users,
    start_profiler,
    status_counts,
    write_profile,
)
from nudgebot.bootstrap import build
from nudgebot.scheduling.budget import SendBudget
from nudgebot.settings import Settings

UNLIMITED = 1e9


async def one_run(backend: str, users: int, batch: int, profile: str | None) -> float:
    with database(backend) as url, BenchApi() as api:
        engine = await migrated_engine(url)
        now = datetime.now(UTC)
        due = now.replace(second=0, microsecond=0)
        slot = f"{due:%H:%M}"
        ids = await seed_users(engine, users, slot, now - timedelta(days=1))
        await seed_deliveries(engine, ids, due, due.date(), slot)
        settings = Settings(
            token=TOKEN,
            database_url=url,
            api_url=api.url,
            batch_size=batch,
            max_messages_per_second=1000,
        )
        runtime = build(settings, engine=engine, budget=SendBudget(UNLIMITED))
        await runtime.app.initialize()
        profiler = start_profiler() if profile else None
        watch, cpu = Stopwatch(), time.process_time()
        sent = await runtime.dispatcher.tick()
        elapsed, cpu = watch(), time.process_time() - cpu
        if profiler is not None:
            assert profile is not None
            write_profile(profiler, profile)
        counts = await status_counts(engine)
        stats = api.stats()
        await runtime.sender_lock.release()
        await runtime.app.shutdown()
        await engine.dispose()
    # Each claimed check-in also planned tomorrow's, which stays pending.
    if counts != {"sent": users, "pending": users} or stats["sends"] != users or sent != users:
        raise SystemExit(f"not every check-in was sent once: {counts}, {stats['sends']} sends")
    rate = users / elapsed
    # CPU time is less at the mercy of whatever else the machine runs than the wall clock.
    print(
        f"  {backend}: {users} sent in {elapsed:.2f} s = {rate:,.0f}/s; "
        f"bot process CPU {cpu / users * 1000:.3f} ms per check-in"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=Settings.model_fields["batch_size"].default)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", help="write a pyinstrument HTML profile of one run here")
    opts = parser.parse_args()
    print(f"dispatch throughput, {opts.users} check-ins due at once; {machine()}")
    rates = [
        asyncio.run(one_run(opts.backend, opts.users, opts.batch, opts.profile))
        for _ in range(opts.runs)
    ]
    print(f"median {statistics.median(rates):,.0f} check-ins/s ({opts.backend}, {opts.runs} runs)")


if __name__ == "__main__":
    main()
