"""Case 5: rating taps a second, end to end, and their latency at 100 a second.

Each user has a check-in question on screen. A tap on "2" arrives as an update through
getUpdates; the bot (the real `nudgebot run`, polling) checks and stores the rating, answers
the button, edits the question to show the answer, and asks for a note. The send budget is
off (benchmarks/unpaced_bot.py): this measures the bot, not Telegram's limit, under which each
tap's two messages would allow at most 15 taps a second at 30 messages a second.

Two phases in one run: `--burst` taps queued at once (throughput: taps answered a second, from
the first queued to the last message edited), then `--paced` more at `--rate` a second
(latency, from queued to the button answered and to the message edited).

    python -m benchmarks.inbound --backend sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from benchmarks.botapi import BenchApi
from benchmarks.common import (
    FIRST_CHAT,
    BotRun,
    database,
    machine,
    migrated_engine,
    percentile,
    seed_users,
    settings_env,
    tap,
)
from nudgebot.bot.callbacks import rate
from nudgebot.storage.models import Checkin

MESSAGE_ID_BASE = 10_000_000


async def seed(url: str, users: int) -> list[int]:
    """Users with an unanswered question each; returns the questions' ids in chat order."""
    engine = await migrated_engine(url)
    now = datetime.now(UTC)
    ids = await seed_users(engine, users, f"{now:%H:%M}", now - timedelta(days=1))
    checkin_ids: list[int] = []
    for start in range(0, users, 5_000):
        part = ids[start : start + 5_000]
        async with engine.begin() as conn:
            rows = await conn.execute(
                insert(Checkin).returning(Checkin.id, sort_by_parameter_order=True),
                [
                    {
                        "user_id": uid,
                        "local_date": now.date(),
                        "slot": f"{now:%H:%M}",
                        "created_at": now - timedelta(minutes=1),
                        "message_id": MESSAGE_ID_BASE + start + i,
                    }
                    for i, uid in enumerate(part)
                ],
            )
            checkin_ids.extend(rows.scalars())
    await engine.dispose()
    return checkin_ids


async def rated(url: str) -> int:
    engine = await migrated_engine(url)
    async with engine.connect() as conn:
        count = await conn.scalar(
            select(func.count()).select_from(Checkin).where(Checkin.rating.is_not(None))
        )
    await engine.dispose()
    return int(count or 0)


def taps_for(checkins: list[int], first: int, count: int) -> list[dict[str, Any]]:
    return [
        tap(FIRST_CHAT + i, MESSAGE_ID_BASE + i, rate(checkins[i], 2), f"q{i}")
        for i in range(first, first + count)
    ]


def wait_answered(api: BenchApi, answered: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while api.stats()["answered"] < answered and time.monotonic() < deadline:
        time.sleep(0.02)


def one_run(backend: str, burst: int, paced: int, rate_per_s: float) -> dict[str, float]:
    with (
        database(backend) as url,
        BenchApi() as api,
        tempfile.TemporaryDirectory() as work,
    ):
        checkins = asyncio.run(seed(url, burst + paced))
        bot = BotRun(settings_env(url, api.url), Path(work), unpaced=True)
        bot.wait_ready(lambda: int(api.stats()["counts"].get("getupdates", 0)))
        # Phase 1: everything at once. Each tap is answered twice (button, edited message).
        cpu = bot.cpu_seconds()
        api.queue_updates(taps_for(checkins, 0, burst))
        wait_answered(api, 2 * burst, timeout=120)
        cpu = bot.cpu_seconds() - cpu
        first = api.stats(detail=True)
        burst_seconds = max(first["latencies"].values())
        # Phase 2: a steady rate.
        api.reset()
        began = time.monotonic()
        for i in range(paced):
            time.sleep(max(0.0, began + i / rate_per_s - time.monotonic()))
            api.queue_updates(taps_for(checkins, burst + i, 1))
        wait_answered(api, 2 * paced, timeout=60)
        second = api.stats(detail=True)
        bot.stop()
        stored = asyncio.run(rated(url))
    button = [v * 1000 for k, v in second["latencies"].items() if k.startswith("cb:")]
    shown = [v * 1000 for k, v in second["latencies"].items() if k.startswith("shown:")]
    result = {
        "throughput": burst / burst_seconds,
        "cpu_ms": cpu / burst * 1000,
        "button_p50": percentile(button, 50),
        "button_p99": percentile(button, 99),
        "shown_p50": percentile(shown, 50),
        "shown_p99": percentile(shown, 99),
    }
    print(
        f"  {backend}: burst of {burst} answered in {burst_seconds:.2f} s = "
        f"{result['throughput']:,.0f} taps/s ({result['cpu_ms']:.2f} ms of bot CPU each); "
        f"at {rate_per_s:g}/s: button p50 "
        f"{result['button_p50']:.1f} ms p99 {result['button_p99']:.1f} ms, message edited p50 "
        f"{result['shown_p50']:.1f} ms p99 {result['shown_p99']:.1f} ms; "
        f"{stored} of {burst + paced} ratings stored, "
        f"{len(first['unanswered']) + len(second['unanswered'])} taps unanswered"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--burst", type=int, default=10_000)
    parser.add_argument("--paced", type=int, default=3_000)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--runs", type=int, default=1)
    opts = parser.parse_args()
    print(f"inbound rating taps; {machine()}")
    for _ in range(opts.runs):
        one_run(opts.backend, opts.burst, opts.paced, opts.rate)


if __name__ == "__main__":
    main()
