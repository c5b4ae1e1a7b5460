"""Start-up and shutdown as an operator meets them: one line each, never a traceback.

Passing trouble (Telegram or PostgreSQL unreachable, a 429 or 500 on a start-up call) is waited
out with one line per attempt; what only the operator can fix (a rejected token, a folder that
cannot be written, a port in use) stops the program with status 2 and one line naming the
setting. Each case runs `nudgebot run` as a process against the local Bot API stand-in.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.ops import ServedBot, free_port
from tests.e2e.process import BotProcess
from tests.support.botapi_server import BotApiServer
from tests.support.fake_telegram import FakeTelegram

TOKEN = "123456:TEST-TOKEN"


@pytest.fixture
def api() -> Iterator[BotApiServer]:
    with BotApiServer(FakeTelegram(token=TOKEN)) as srv:
        yield srv


@pytest.fixture(autouse=True)
def reap(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Kill every bot a test started, whether or not it passed."""
    started: list[subprocess.Popen[bytes]] = []
    real = subprocess.Popen

    def popen(*args: object, **kwargs: object) -> subprocess.Popen[bytes]:
        proc = real(*args, **kwargs)  # type: ignore[call-overload]
        started.append(proc)
        return proc  # type: ignore[no-any-return]

    monkeypatch.setattr(subprocess, "Popen", popen)
    yield
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def env_for(tmp_path: Path, api_url: str, **extra: str) -> dict[str, str]:
    return {
        "NUDGEBOT_TOKEN": TOKEN,
        "NUDGEBOT_API_URL": api_url,
        "NUDGEBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "NUDGEBOT_POLL_TIMEOUT_SECONDS": "1",
        "NUDGEBOT_LOG_LEVEL": "INFO",
        **extra,
    }


def lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if line.strip()]


def wait_for_log(bot: BotProcess, part: str, count: int = 1, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while bot.log().count(part) < count:
        assert not bot.exited(), f"nudgebot exited early:\n{bot.log()}"
        assert time.monotonic() < deadline, f"no {part!r} x{count} in:\n{bot.log()}"
        time.sleep(0.1)


def run_to_exit(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NUDGEBOT_")}
    return subprocess.run(
        [sys.executable, "-m", "nudgebot", "run"],
        cwd=tmp_path,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_one_line_naming(result: subprocess.CompletedProcess[str], setting: str) -> None:
    assert result.returncode == 2, result.stderr
    output = lines(result.stderr + result.stdout)
    assert len(output) == 1, output
    assert setting in output[0]
    assert "Traceback" not in result.stderr
    assert "running" not in output[0]


def test_start_and_stop_are_one_line_each_and_polling_opens_no_port(
    tmp_path: Path, api: BotApiServer
) -> None:
    bot = BotProcess(tmp_path, env_for(tmp_path, api.url))
    bot.start(api.fake)
    wait_for_log(bot, "nudgebot is running")
    [started] = lines(bot.log())
    assert "@" in started and "long polling" in started
    assert str(tmp_path / "bot.db") in started  # where the data is, as an absolute path
    assert "/health off" in started

    assert bot.stop() == 0
    assert lines(bot.log())[1:] == [lines(bot.log())[-1]]
    assert lines(bot.log())[-1].endswith("nudgebot stopped")


def test_health_listens_when_a_port_is_set_and_the_line_says_where(
    tmp_path: Path, api: BotApiServer
) -> None:
    port = free_port()
    env = env_for(tmp_path, api.url, NUDGEBOT_HTTP_PORT=str(port), NUDGEBOT_HTTP_LISTEN="127.0.0.1")
    bot = ServedBot(tmp_path, env)
    bot.launch()
    try:
        assert bot.wait_healthy()["database"] == "ok"
        wait_for_log(bot, "nudgebot is running")
        assert f"/health on 127.0.0.1:{port}" in bot.log()
        assert bot.stop() == 0
    finally:
        bot.kill()


def test_500_and_429_on_start_up_calls_are_retried_with_one_line_each(
    tmp_path: Path, api: BotApiServer
) -> None:
    api.fake.fail_next("getMe", status=500, description="Internal Server Error", count=2)
    api.fake.fail_next("setMyCommands", status=429, description="Too Many Requests", retry_after=1)
    bot = BotProcess(tmp_path, env_for(tmp_path, api.url))
    bot.start(api.fake, timeout=60)
    wait_for_log(bot, "nudgebot is running")
    output = lines(bot.log())
    retries = [line for line in output if "trying again" in line]
    assert len(retries) == 3, output
    assert sum("getMe" in line for line in retries) == 2
    assert sum("setMyCommands" in line for line in retries) == 1
    assert len(output) == 4  # three attempts that failed, one line saying it runs
    assert "Traceback" not in bot.log()
    assert api.fake.commands  # the menu was set after all
    assert bot.stop() == 0


def test_telegram_unreachable_is_waited_out_and_stopping_meanwhile_is_clean(
    tmp_path: Path,
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    bot = BotProcess(tmp_path, env_for(tmp_path, nowhere))
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NUDGEBOT_")}
    with bot.log_path.open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "nudgebot", "run"],
            cwd=tmp_path,
            env={**clean, **bot.env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_log(bot, "trying again", count=2)
        proc.terminate()
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    output = lines(bot.log())
    assert all("getMe" in line for line in output[:-1]), output
    assert output[-1].endswith("nudgebot stopped")
    assert "Traceback" not in bot.log()


def test_postgres_unreachable_is_waited_out_and_stopping_meanwhile_is_clean(
    tmp_path: Path, api: BotApiServer
) -> None:
    url = f"postgresql://nudgebot:secret-pw@127.0.0.1:{free_port()}/nudgebot"
    env = env_for(tmp_path, api.url, NUDGEBOT_DATABASE_URL=url)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NUDGEBOT_")}
    bot = BotProcess(tmp_path, env)
    with bot.log_path.open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "nudgebot", "run"],
            cwd=tmp_path,
            env={**clean, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_log(bot, "trying again", count=2)
        proc.terminate()
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    output = lines(bot.log())
    assert all("opening the database (PostgreSQL 127.0.0.1:" in line for line in output[:-1])
    assert "secret-pw" not in bot.log()
    assert "stopped" in output[-1]
    assert "Traceback" not in bot.log()


def test_a_rejected_token_exits_2_with_one_line(tmp_path: Path, api: BotApiServer) -> None:
    result = run_to_exit(
        tmp_path, env_for(tmp_path, api.url, NUDGEBOT_TOKEN="654321:SOME-OTHER-TOKEN")
    )
    assert_one_line_naming(result, "NUDGEBOT_TOKEN")
    assert "SOME-OTHER-TOKEN" not in result.stderr


def test_an_unusable_data_folder_exits_2_with_one_line(tmp_path: Path, api: BotApiServer) -> None:
    # A file where the data folder should be: it cannot be created or written into, as root too.
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    for database in (blocker / "bot.db", blocker / "sub" / "bot.db"):
        result = run_to_exit(
            tmp_path, env_for(tmp_path, api.url, NUDGEBOT_DATABASE_URL=f"sqlite:///{database}")
        )
        assert_one_line_naming(result, "NUDGEBOT_DATABASE_URL")
        assert str(blocker) in result.stderr


def test_a_port_in_use_exits_2_with_one_line_before_saying_it_runs(
    tmp_path: Path, api: BotApiServer
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_to_exit(
            tmp_path,
            env_for(
                tmp_path, api.url, NUDGEBOT_HTTP_PORT=str(port), NUDGEBOT_HTTP_LISTEN="127.0.0.1"
            ),
        )
    assert_one_line_naming(result, "NUDGEBOT_HTTP_PORT")
    assert str(port) in result.stderr
