"""Case 2: with the budget at Telegram's 30 a second, does the bot use it all and never meet a 429?

`nudgebot run` sends N check-ins, all due at once, to N distinct chats. The benchmark Bot API
server enforces 30 sends in any one second and one per chat per second, answering 429 beyond
either, as Telegram does.

    python -m benchmarks.rate_fidelity --messages 10000
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.botapi import BenchApi
from benchmarks.common import (
    BotRun,
    database,
    machine,
    max_in_window,
    migrated_engine,
    seed_deliveries,
    seed_users,
    settings_env,
    status_counts,
)


async def seed(url: str, messages: int) -> None:
    engine = await migrated_engine(url)
    now = datetime.now(UTC)
    due = now.replace(second=0, microsecond=0)
    slot = f"{due:%H:%M}"
    ids = await seed_users(engine, messages, slot, now - timedelta(days=1))
    await seed_deliveries(engine, ids, due, due.date(), slot)
    await engine.dispose()


async def sent_count(url: str) -> int:
    engine = await migrated_engine(url)
    counts = await status_counts(engine)
    await engine.dispose()
    return counts.get("sent", 0)


def one_run(backend: str, messages: int, rate: float) -> dict[str, float]:
    with (
        database(backend) as url,
        BenchApi(rate=rate, per_chat=1.0) as api,
        tempfile.TemporaryDirectory() as work,
    ):
        asyncio.run(seed(url, messages))
        env = settings_env(url, api.url, NUDGEBOT_MAX_MESSAGES_PER_SECOND=str(rate))
        bot = BotRun(env, Path(work))
        bot.wait_ready(lambda: int(api.stats()["counts"].get("getupdates", 0)))
        deadline = time.monotonic() + messages / rate * 1.5 + 60
        while api.stats()["sends"] < messages and time.monotonic() < deadline:
            time.sleep(1)
        time.sleep(2)  # anything more (a duplicate) would arrive now
        bot.stop()
        stats = api.stats(detail=True)
        sent = asyncio.run(sent_count(url))
    stamps = sorted(stats["send_stamps"])
    sustained = (len(stamps) - 1) / (stamps[-1] - stamps[0])
    result = {
        "sends": len(stamps),
        "recorded_sent": sent,
        "too_many": stats["too_many"],
        "sustained": sustained,
        "fidelity": sustained / rate,
        "busiest_second": max_in_window(stamps),
        "distinct_chats": len(set(stats["send_chats"])),
    }
    print(
        f"  {backend}: {result['sends']} sends to {result['distinct_chats']} chats "
        f"({sent} recorded sent), {stats['too_many']} answered 429; sustained "
        f"{sustained:.2f}/s = {sustained / rate:.1%} of {rate:g}/s; "
        f"busiest second {result['busiest_second']}"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--runs", type=int, default=1)
    opts = parser.parse_args()
    print(f"rate fidelity, {opts.messages} check-ins at {opts.rate:g}/s; {machine()}")
    for _ in range(opts.runs):
        one_run(opts.backend, opts.messages, opts.rate)


if __name__ == "__main__":
    main()
