"""Production operation, end to end: several processes on one PostgreSQL, webhooks and /health,
SIGKILL and SIGTERM while sending, a PostgreSQL restart, and the deployment files.

Every bot here is the real `nudgebot run` in a process of its own against a local Bot API server.
Counts and rates are printed (`pytest -s` shows them). Tests whose names start with `test_slow_`
take the longest (about 30 s each on two cores).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from nudgebot.bootstrap import CONFLICT_SETTLE_SECONDS, EXIT_CONFLICT, PollConflicts
from nudgebot.scheduling.dispatcher import PIPELINE
from nudgebot.services.dispatch import SENDING_LEASE, DispatchService
from nudgebot.storage.engine import create_engine
from nudgebot.storage.migrate import upgrade
from nudgebot.storage.models import Checkin, Delivery, ProcessedUpdate, User
from nudgebot.storage.uow import uow_factory
from tests.conftest import PG_REQUIRED_ENV, _create_pg_database, dispose_engine
from tests.e2e.conftest import TOKEN, World
from tests.e2e.ops import (
    PROMPT,
    SECRET,
    SECRET_HEADER,
    WEBHOOK_PATH,
    WEBHOOK_URL,
    ServedBot,
    ThrowawayPostgres,
    TimedTelegram,
    dockerfile_instructions,
    eventually,
    free_port,
    healthcheck_command,
    load_simple_yaml,
    max_in_window,
    prompts_per_chat,
    run_cli,
    seed_due_checkins,
    served_env,
    statuses,
    webhook_env,
)
from tests.support.botapi_server import BotApiServer
from tests.support.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
USER = 777001
INTERNAL_ERROR = "Please send it again"
# A send budget high enough that thousands of check-ins take seconds, low enough that this
# machine can exceed it (so a second sender, or no pacing, would show).
BUDGET = 300
# min(NUDGEBOT_BATCH_SIZE=50, one second of BUDGET): what one claim can hold.
CLAIM = 50
# Arrivals allowed above BUDGET in one second, for delivery jitter (see where it is used).
JITTER = 75


def _base_env(api_url: str, database_url: str) -> dict[str, str]:
    return {
        "NUDGEBOT_TOKEN": TOKEN,
        "NUDGEBOT_API_URL": api_url,
        "NUDGEBOT_DATABASE_URL": database_url,
        "NUDGEBOT_TICK_SECONDS": "0.5",
        "NUDGEBOT_POLL_TIMEOUT_SECONDS": "1",
        "NUDGEBOT_MAX_MESSAGES_PER_SECOND": str(BUDGET),
    }


def _db_url(engine: AsyncEngine) -> str:
    return engine.url.render_as_string(hide_password=False)


async def _count(engine: AsyncEngine, query: Any) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(query)).scalar_one())


# --------------------------------------------------------------------- point 2: several processes


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_slow_three_webhook_processes_send_each_checkin_once_within_one_budget(
    backend: str, tmp_path: Path
) -> None:
    """Three processes on one (empty) PostgreSQL database: they migrate it together, one of them
    sends, every user gets exactly one prompt, and the combined rate stays within the budget."""
    count = 3000
    url = await _create_pg_database()  # not migrated: the three processes do it at once
    engine = create_engine(url)
    fake = TimedTelegram(token=TOKEN)
    bots: list[ServedBot] = []
    try:
        with BotApiServer(fake) as server:
            base = _base_env(server.url, url)
            bots = [
                ServedBot(tmp_path / f"bot{i}", webhook_env(base, free_port())) for i in range(3)
            ]
            for bot in bots:
                bot.launch()
            for bot in bots:
                bot.wait_healthy()
            await asyncio.sleep(1.5)  # a few ticks: the sender lock has found its holder
            senders = [bot.health()[1]["sender"] for bot in bots]

            ids = await seed_due_checkins(engine, fake, count)
            started = time.monotonic()

            async def all_recorded() -> bool:
                now = await statuses(engine, ids)
                return now["pending"] + now["sending"] == 0

            await eventually(all_recorded, timeout=90, what="every seeded check-in recorded")
            elapsed = time.monotonic() - started
            await asyncio.sleep(2)  # room for a duplicate to show up, if there were one
            exits = [bot.stop() for bot in bots]

        per_chat = prompts_per_chat(fake)
        final = await statuses(engine, ids)
        stamps = fake.stamps()
        busiest = max_in_window(stamps)
        span = stamps[-1] - stamps[0]
        print(
            f"\n3 processes, {count} due check-ins: {len(per_chat)} chats got a prompt, "
            f"prompts per chat {dict(Counter(per_chat.values()))}, deliveries {dict(final)}, "
            f"sendMessage calls {len(fake.calls_of('sendMessage'))}; "
            f"all sent in {elapsed:.1f} s ({len(stamps) / span:.0f}/s on average), "
            f"busiest 1-second window {busiest} (budget {BUDGET}, allowed {BUDGET + JITTER}); "
            f"sender per process {senders}"
        )
        # Arrival times at the fake are the bot's send turns (never more than BUDGET in any
        # 1.02 s) plus a delay that varies: the HTTP client, loopback, this test's threaded
        # server, three bots and PostgreSQL on a two-core machine that CI loads with three
        # test workers, where a thread of this test's server can wait 200 ms for a core.
        # Requests held up that much more than those after them bunch up to BUDGET * 0.25 = 75
        # extra arrivals into one window (measured: 303 to 310 alone, 335 beside the rest of
        # the suite), hence JITTER. A second sender would add hundreds (measured: 501 with the
        # sender lock turned off).
        assert busiest <= BUDGET + JITTER
        assert exits == [0, 0, 0]
        assert len(per_chat) == count and set(per_chat.values()) == {1}
        assert len(fake.calls_of("sendMessage")) == count  # no 429s, no failed attempts
        assert final == {"sent": count}
        assert senders.count(True) == 1  # one process sends, the others stand by
    finally:
        for bot in bots:
            bot.kill()
        await dispose_engine(engine)


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_a_second_long_polling_process_exits_with_status_3_and_the_first_stays(
    world: World, tmp_path: Path
) -> None:
    """Telegram answers 409 to the *older* waiting getUpdates when a newer one arrives. The
    process that was there first keeps polling (which ends the newcomer's call); the newcomer,
    getting its 409 while still new, is the one that exits, with status 3 and one clear line."""
    fake, first = world.fake, world.bot
    first.start(fake)
    await asyncio.sleep(CONFLICT_SETTLE_SECONDS + 0.5)

    second = ServedBot(tmp_path / "second", dict(world.bot.env))
    second.launch()
    try:
        status = await eventually(
            lambda: _exit_status(second), timeout=30, what="the second poller exits"
        )
    finally:
        second.kill()
    log = second.log()
    polls = len(fake.calls_of("getUpdates"))
    print(f"\nsecond poller: exit status {status[0]}; getUpdates calls by both: {polls}")
    assert status[0] == EXIT_CONFLICT, log
    assert "another process is already long-polling this bot token" in log
    assert "Traceback" not in log

    # The first one is still there and still answers.
    assert not first.exited(), first.log()
    fake.send_text(USER, "/help")
    await fake.async_wait_for_message(USER, "/checkin", timeout=15)
    assert first.stop() == 0
    assert "another process called getUpdates" in first.log()


def test_poll_conflicts_send_the_newcomer_away_and_give_up_on_a_lasting_contest() -> None:
    now = [0.0]
    newcomer = PollConflicts(settle=5, contest=60, clock=lambda: now[0])
    now[0] = 1.0
    assert newcomer.should_exit()  # a 409 within its first seconds: someone was there first

    settled = PollConflicts(settle=5, contest=60, clock=lambda: now[0])
    now[0] = 100.0
    assert not settled.should_exit()  # a newcomer's poll ended ours: poll on, it goes away
    now[0] = 101.5
    assert not settled.should_exit()  # ...its last poll on the way out ends ours once more
    now[0] = 300.0
    assert not settled.should_exit()  # long after: a new contest, tolerated again
    for t in range(301, 362, 2):
        now[0] = float(t)
        gave_up = settled.should_exit()
    assert gave_up  # conflicts for over a minute: something else polls for good


async def _exit_status(bot: ServedBot) -> tuple[int] | None:
    return (bot.wait(0),) if bot.exited() else None


# --------------------------------------------------------------------- point 3: webhook mode


def _update_json(fake: FakeTelegram) -> dict[str, Any]:
    return fake.pending_updates()[-1]


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_webhook_refuses_a_wrong_secret_before_any_handler_and_reports_health(
    world: World, tmp_path: Path
) -> None:
    fake, engine = world.fake, world.engine
    port = free_port()
    bot = ServedBot(tmp_path / "hook", webhook_env(world.bot.env, port))
    bot.launch()
    try:
        report = bot.wait_healthy()
        [hook] = await fake.async_wait_for(lambda f: f.calls_of("setWebhook"), timeout=10)
        assert hook["url"] == WEBHOOK_URL
        assert hook["secret_token"] == SECRET
        assert hook["drop_pending_updates"] is False
        assert {"message", "callback_query", "my_chat_member"} <= set(hook["allowed_updates"])
        assert report["database"] == "ok"
        assert isinstance(report["dispatcher_lag_seconds"], int | float)
        assert report["sender"] is True

        fake.send_text(USER, "/start")
        update = _update_json(fake)
        endpoint = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
        async with httpx.AsyncClient(timeout=10) as client:
            refused = [
                (await client.post(endpoint, json=update, headers=headers)).status_code
                for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET + "x"})
            ]
            await asyncio.sleep(1.5)  # what a handler would have done by now
            sent_after_forgery = len(fake.sent(USER))
            users = await _count(engine, select(func.count()).select_from(User))
            seen = await _count(engine, select(func.count()).select_from(ProcessedUpdate))

            accepted = await client.post(endpoint, json=update, headers={SECRET_HEADER: SECRET})
            welcome = await fake.async_wait_for_message(USER, "not a crisis service", timeout=15)
            # Telegram retries a webhook call it got no answer to: the same update, handled once.
            again = await client.post(endpoint, json=update, headers={SECRET_HEADER: SECRET})
            await asyncio.sleep(1.0)
            health = await client.get(f"http://127.0.0.1:{port}/health")

        print(
            f"\nforged posts answered {refused}; then {sent_after_forgery} messages, {users} "
            f"users, {seen} updates recorded; right secret {accepted.status_code}, "
            f"/health {health.status_code} {health.text}"
        )
        assert refused == [403, 403, 403]
        assert (sent_after_forgery, users, seen) == (0, 0, 0)
        assert accepted.status_code == 200 and again.status_code == 200
        assert welcome.buttons
        assert len([m for m in fake.sent(USER) if "not a crisis service" in m.shown]) == 1
        assert await _count(engine, select(func.count()).select_from(User)) == 1
        assert health.status_code == 200
        assert health.json()["database"] == "ok"
        assert isinstance(health.json()["dispatcher_lag_seconds"], int | float)
        assert fake.calls_of("getUpdates") == []  # webhook mode never polls

        # The Dockerfile's HEALTHCHECK, run as Docker would: healthy now, unhealthy when down.
        check = {**os.environ, "NUDGEBOT_HTTP_PORT": str(port)}
        healthy = await _shell(healthcheck_command(), check)
        assert bot.stop() == 0
        unhealthy = await _shell(healthcheck_command(), check)
        assert (healthy, unhealthy) == (0, 1)
    finally:
        bot.kill()


async def _shell(command: str, env: dict[str, str]) -> int:
    proc = await asyncio.create_subprocess_shell(
        command,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    return await proc.wait()


def test_a_webhook_url_without_a_secret_stops_with_one_line(tmp_path: Path) -> None:
    result = run_cli(
        {
            "NUDGEBOT_TOKEN": TOKEN,
            "NUDGEBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'never.db'}",
            "NUDGEBOT_WEBHOOK_URL": WEBHOOK_URL,
        },
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "NUDGEBOT_WEBHOOK_SECRET" in lines[0]
    assert not (tmp_path / "never.db").exists()


# --------------------------------------------------------------------- point 5: crash safety


@pytest.mark.bot_env(NUDGEBOT_MAX_MESSAGES_PER_SECOND=str(BUDGET), NUDGEBOT_LOG_LEVEL="INFO")
async def test_slow_sigkill_again_and_again_never_sends_a_checkin_twice(world: World) -> None:
    fake, bot, engine = world.fake, world.bot, world.engine
    count = 3000
    seed = int(os.environ.get("NUDGEBOT_TEST_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    ids = await seed_due_checkins(engine, fake, count)

    kills: list[tuple[float, int]] = []
    for _ in range(6):
        bot.start(fake)
        delay = rng.uniform(0.3, 1.5)
        await asyncio.sleep(delay)
        bot.kill()  # SIGKILL: no chance to record anything
        kills.append((round(delay, 2), len(prompts_per_chat(fake))))
    bot.start(fake)

    async def nothing_due() -> bool:
        now = await statuses(engine, ids)
        return now["pending"] == 0

    await eventually(nothing_due, timeout=60, what="every seeded check-in claimed")
    await asyncio.sleep(1)
    assert bot.stop() == 0
    before_sweep = await statuses(engine, ids)

    # The sweep a running bot makes every minute, as if the lease had run out by now.
    service = DispatchService(uow_factory(engine), grace=timedelta(minutes=60))
    await service.expire_stale(datetime.now(UTC) + SENDING_LEASE + timedelta(seconds=1))

    final = await statuses(engine, ids)
    per_chat = prompts_per_chat(fake)
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(User.chat_id, Delivery.status)
            .join(Delivery, Delivery.user_id == User.id)
            .where(Delivery.id.in_(ids))
        )
        chat_status = {chat: status for chat, status in rows}
    unknown_arrived = sum(1 for c, s in chat_status.items() if s == "unknown" and per_chat[c])
    print(
        f"\n{world.engine.dialect.name}, seed {seed}: {len(kills)} SIGKILLs "
        f"(delay s, prompts so far) {kills}; before the sweep {dict(before_sweep)}; "
        f"final {dict(final)}; prompts per chat {dict(Counter(per_chat.values()))}; "
        f"{unknown_arrived} of the unknown ones had in fact arrived"
    )
    assert max(per_chat.values()) == 1  # nobody got the same check-in twice
    assert set(final) <= {"sent", "missed", "unknown"}
    assert sum(final.values()) == count
    assert final["unknown"] > 0  # the kills did land while sending
    # "sent" is only ever written after Telegram confirmed it.
    assert all(per_chat[c] == 1 for c, s in chat_status.items() if s == "sent")


@pytest.mark.bot_env(NUDGEBOT_MAX_MESSAGES_PER_SECOND=str(BUDGET), NUDGEBOT_LOG_LEVEL="INFO")
async def test_sigterm_while_sending_stops_claiming_finishes_what_is_in_flight_and_exits_0(
    world: World,
) -> None:
    fake, bot, engine = world.fake, world.bot, world.engine
    count = 3000
    ids = await seed_due_checkins(engine, fake, count)
    bot.start(fake)
    await fake.async_wait_for(lambda f: len(f.sent()) >= 300, timeout=30)
    at_signal = len(fake.sent())
    status = bot.stop()
    after = len(prompts_per_chat(fake))
    final = await statuses(engine, ids)
    print(
        f"\n{engine.dialect.name}: {at_signal} prompts when SIGTERM was sent, {after} when the "
        f"process had exited with {status}; deliveries {dict(final)}"
    )
    assert status == 0
    assert final["sending"] == 0  # every claimed row was sent and recorded
    assert final["sent"] == after  # ...and recorded as what it was
    assert final["pending"] > 0  # claiming stopped
    # At most the batches under way went out after the signal: the one being sent and the one
    # claimed behind it (the dispatcher claims ahead so the budget never waits).
    assert after - at_signal <= CLAIM * PIPELINE
    assert "Traceback" not in bot.log()


# --------------------------------------------------------------------- point 7a: database trouble


@pytest.fixture
def own_postgres() -> Iterator[ThrowawayPostgres]:
    try:
        cluster = ThrowawayPostgres()
    except (FileNotFoundError, OSError) as exc:
        if os.environ.get(PG_REQUIRED_ENV):
            raise
        pytest.skip(f"no PostgreSQL server to start: {exc}")
    yield cluster
    cluster.destroy()


@pytest.fixture
async def own_engine(own_postgres: ThrowawayPostgres) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(own_postgres.url)
    await upgrade(engine)
    yield engine
    await engine.dispose()


async def test_postgres_restart_while_running_never_leaves_an_answer_unacknowledged(
    own_postgres: ThrowawayPostgres,
    own_engine: AsyncEngine,
    server: BotApiServer,
    tmp_path: Path,
) -> None:
    fake, engine = server.fake, own_engine
    bot = ServedBot(
        tmp_path / "bot",
        served_env(_base_env(server.url, own_postgres.url), free_port()),
    )
    bot.launch()
    try:
        bot.wait_healthy()
        fake.send_text(USER, "/start")
        await fake.async_wait_for_message(USER, "not a crisis service", timeout=15)
        fake.tap_button(USER, "Yes, I agree")
        await fake.async_wait_for_message(USER, "Which time zone")
        fake.send_text(USER, "utc")
        await fake.async_wait_for_message(USER, "What time of day")
        fake.send_text(USER, "07:00")
        await fake.async_wait_for_message(USER, "All set")
        fake.send_text(USER, "/checkin")
        await fake.async_wait_for_message(USER, PROMPT)

        async def prompt_recorded() -> bool:
            async with engine.connect() as conn:
                query = select(func.count()).where(Checkin.message_id.is_not(None))
                return bool((await conn.execute(query)).scalar_one())

        await eventually(prompt_recorded, timeout=10, what="the open check-in is recorded")
        await asyncio.to_thread(own_postgres.stop, "fast")
        down = await eventually(lambda: _health_if(bot, 503), timeout=15, what="/health says 503")
        mark = len(fake.sent(USER))
        fake.send_text(USER, "3")  # the answer to the open check-in, while the database is down
        first = await fake.async_wait_for_message(USER, timeout=20, after_index=mark)
        await asyncio.sleep(1.5)
        replies = [m.shown for m in fake.sent(USER)[mark:]]
        await asyncio.to_thread(own_postgres.start)
        assert not bot.exited(), bot.log()
        assert len(replies) == 1, replies  # one answer to one message, not one per handler

        # Either it was handled after all, or the user was asked to send it again: never silence.
        assert INTERNAL_ERROR in first.shown or "Anything you want to add" in first.shown, (
            first.shown
        )
        if INTERNAL_ERROR in first.shown:
            mark = len(fake.sent(USER))
            fake.send_text(USER, "3")
            await fake.async_wait_for_message(
                USER, "Anything you want to add", timeout=30, after_index=mark
            )
        async with engine.connect() as conn:
            ratings = list((await conn.execute(select(Checkin.rating))).scalars())
        assert ratings == [3]

        # A check-in that falls due after the restart goes out.
        await seed_due_checkins(engine, fake, 1, first_chat=888001)
        await fake.async_wait_for_message(888001, PROMPT, timeout=30)
        up = await eventually(lambda: _health_if(bot, 200), timeout=15, what="/health is 200")
        print(
            f"\nwhile PostgreSQL was down: /health {down}; the user's answer got "
            f"{first.shown[:60]!r}; after the restart: /health {up}, ratings {ratings}"
        )
        assert down == {"database": "unreachable"}
        assert up["database"] == "ok"
        assert bot.stop() == 0
    finally:
        bot.kill()


async def _health_if(bot: ServedBot, status: int) -> dict[str, Any] | None:
    try:
        got, report = await asyncio.to_thread(bot.health)
    except (httpx.HTTPError, ValueError):  # not up, or not JSON
        return None
    return report if got == status else None


# --------------------------------------------------------------------- point 8: deployment


def test_dockerfile_is_slim_non_root_and_checks_health() -> None:
    steps = dockerfile_instructions((ROOT / "Dockerfile").read_text())
    stages = [i for i, (name, _) in enumerate(steps) if name == "FROM"]
    final = steps[stages[-1] :]
    assert final[0][1].startswith("python:3.11-slim")
    users = [args for name, args in final if name == "USER"]
    assert users and users[-1] not in ("root", "0")
    run_steps = " ".join(args for name, args in final if name == "RUN")
    assert "apt-get" not in run_steps  # nothing beyond the slim base and our wheels
    command = healthcheck_command()
    assert command.startswith("python -c ") and "urllib" in command and "/health" in command
    [(_, entrypoint)] = [step for step in final if step[0] == "ENTRYPOINT"]
    assert json.loads(entrypoint) == ["nudgebot"]  # exec form: SIGTERM reaches the bot


def test_compose_file_runs_the_bot_against_a_healthy_postgres() -> None:
    source = (ROOT / "docker-compose.yml").read_text()
    compose = load_simple_yaml(source)
    try:
        import yaml
    except ImportError:  # not a dependency; the subset parser above has read the file
        pass
    else:
        assert yaml.safe_load(source) == compose
    services = compose["services"]
    postgres, bot = services["postgres"], services["nudgebot"]
    assert postgres["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    volumes = [v.split(":")[0] for v in postgres["volumes"]]
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])
    assert set(volumes) <= set(compose["volumes"])
    assert bot["build"] == "."
    assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
    database_url = bot["environment"]["NUDGEBOT_DATABASE_URL"]
    assert database_url.startswith("postgresql://") and "@postgres:5432/" in database_url
    assert "NUDGEBOT_TOKEN" in bot["environment"]
