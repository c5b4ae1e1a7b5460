"""Case 3: 30,000 check-ins due in the same minute, and people answering while they go out.

`nudgebot run` is started first; every user's check-in falls due at the next full minute. The
benchmark Bot API server enforces the budget the bot runs at (by default 1,000 a second,
Telegram's paid-broadcast rate; `--rate 30` for the free rate, which takes 17 minutes for
30,000) and one message per chat per second, with 429s. While the herd goes out, people who
already have their question tap a rating, `--taps` a second; the server times each tap from
the moment it is queued for getUpdates to the button's answer and to the edited message.

    python -m benchmarks.herd --users 30000
"""

from __future__ import annotations

import argparse
import asyncio
import random
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
    percentile,
    seed_deliveries,
    seed_users,
    settings_env,
    status_counts,
    tap,
)

LEAD = timedelta(seconds=25)  # time to seed and start the bot before the herd's minute
READ = 2.0


def herd_minute() -> datetime:
    return (datetime.now(UTC) + LEAD + timedelta(minutes=1)).replace(second=0, microsecond=0)


async def seed(url: str, users: int, due: datetime) -> None:
    engine = await migrated_engine(url)
    slot = f"{due:%H:%M}"
    ids = await seed_users(engine, users, slot, due - timedelta(days=1))
    await seed_deliveries(engine, ids, due, due.date(), slot)
    await engine.dispose()


async def counts(url: str) -> dict[str, int]:
    engine = await migrated_engine(url)
    result = await status_counts(engine)
    await engine.dispose()
    return result


def one_run(backend: str, users: int, rate: float, taps: float, extra: dict[str, str]) -> None:
    with (
        database(backend) as url,
        BenchApi(rate=rate, per_chat=1.0) as api,
        tempfile.TemporaryDirectory() as work,
    ):
        due = herd_minute()
        asyncio.run(seed(url, users, due))
        env = settings_env(url, api.url, NUDGEBOT_MAX_MESSAGES_PER_SECOND=str(rate), **extra)
        bot = BotRun(env, Path(work))
        bot.wait_ready(lambda: int(api.stats()["counts"].get("getupdates", 0)))
        # The server's clock is time.monotonic(); the herd's minute on that clock:
        due_mono = time.monotonic() + (due - datetime.now(UTC)).total_seconds()
        print(f"  herd due in {due_mono - time.monotonic():.0f} s")
        tapped: set[int] = set()
        deadline = due_mono + users / rate * 1.5 + 120
        next_tap = due_mono
        offered: list[tuple[int, int, str]] = []
        # People take a moment to read a question: tap only prompts seen READ seconds ago.
        snapshot, snapshot_at = {}, 0.0
        while time.monotonic() < deadline:
            now = time.monotonic()
            sends = api.stats()["sends"]
            if now >= due_mono and sends - len(tapped) >= users:
                break  # every check-in is out (each tap adds at most one message)
            if now >= next_tap and now >= due_mono:
                if not offered and now - snapshot_at >= READ:
                    offered = [
                        (chat, mid, next(d for d in data if d.endswith(":2")))
                        for chat, (mid, data) in snapshot.items()
                        if chat not in tapped and any(d.endswith(":2") for d in data)
                    ]
                    random.shuffle(offered)
                    snapshot, snapshot_at = api.prompts(), now
                if offered:
                    chat, mid, data = offered.pop()
                    tapped.add(chat)
                    api.queue_updates([tap(chat, mid, data, f"q{chat}")])
                next_tap += 1 / taps
            time.sleep(max(0.0, min(next_tap - time.monotonic(), 0.05)))
        time.sleep(3)
        rss, peak = bot.rss_mb()
        bot.stop()
        stats = api.stats(detail=True)
        statuses = asyncio.run(counts(url))
    report(stats, statuses, users, due_mono, rss, peak)


def report(
    stats: dict[str, object],
    statuses: dict[str, int],
    users: int,
    due_mono: float,
    rss: float,
    peak: float,
) -> None:
    stamps: list[float] = stats["send_stamps"]  # type: ignore[assignment]
    chats: list[int] = stats["send_chats"]  # type: ignore[assignment]
    first: dict[int, float] = {}
    for stamp, chat in zip(stamps, chats, strict=True):
        first.setdefault(chat, stamp)
    late = [first[c] - due_mono for c in first]
    latencies: dict[str, float] = stats["latencies"]  # type: ignore[assignment]
    button = [v * 1000 for k, v in latencies.items() if k.startswith("cb:")]
    shown = [v * 1000 for k, v in latencies.items() if k.startswith("shown:")]
    unanswered: list[str] = stats["unanswered"]  # type: ignore[assignment]
    print(
        f"  check-ins: {statuses.get('sent', 0)} sent of {users}, "
        f"{statuses.get('missed', 0)} missed, {statuses.get('unknown', 0)} unknown; "
        f"{len(first)} chats reached; {stats['too_many']} answered 429; "
        f"busiest second {max_in_window(stamps)}"
    )
    print(
        "  lateness after the minute (s): "
        + ", ".join(f"p{p} {percentile(late, p):.1f}" for p in (0, 50, 90, 99, 100))
    )
    print(
        f"  {len(button)} taps during the herd: button answered p50 "
        f"{percentile(button, 50):.0f} ms, p99 {percentile(button, 99):.0f} ms, max "
        f"{max(button, default=float('nan')):.0f} ms; message edited p50 "
        f"{percentile(shown, 50):.0f} ms, p99 {percentile(shown, 99):.0f} ms; "
        f"{len(unanswered)} unanswered"
    )
    print(f"  bot memory: {rss:.0f} MB resident at the end, {peak:.0f} MB peak")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--users", type=int, default=30_000)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--taps", type=float, default=20.0, help="taps a second during the herd")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--batch", type=int, help="NUDGEBOT_BATCH_SIZE (default: the bot's)")
    opts = parser.parse_args()
    extra = {"NUDGEBOT_BATCH_SIZE": str(opts.batch)} if opts.batch else {}
    print(f"herd of {opts.users} at {opts.rate:g}/s; {machine()}")
    for _ in range(opts.runs):
        one_run(opts.backend, opts.users, opts.rate, opts.taps, extra)


if __name__ == "__main__":
    main()
