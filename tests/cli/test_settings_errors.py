"""A bad or missing setting stops `nudgebot` with one line that says what to fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from nudgebot.settings import SettingsError, load_settings
from nudgebot.storage.migrate import alembic_config

TOKEN = "123456:TEST-TOKEN-abcdef"


def run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NUDGEBOT_")}
    return subprocess.run(
        [sys.executable, "-m", "nudgebot", *args],
        cwd=tmp_path,  # no .env or config/ here
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({}, "NUDGEBOT_TOKEN"),
        ({"NUDGEBOT_TOKEN": "not-a-token"}, "NUDGEBOT_TOKEN"),
        ({"NUDGEBOT_TOKEN": TOKEN, "NUDGEBOT_GRACE_MINUTES": "soon"}, "NUDGEBOT_GRACE_MINUTES"),
        ({"NUDGEBOT_TOKEN": TOKEN, "NUDGEBOT_FOLLOWUP_MINUTES": "0"}, "NUDGEBOT_FOLLOWUP_MINUTES"),
        ({"NUDGEBOT_TOKEN": TOKEN, "NUDGEBOT_GRACE_MINUTES": "0"}, "NUDGEBOT_GRACE_MINUTES"),
        ({"NUDGEBOT_TOKEN": TOKEN, "NUDGEBOT_LOG_LEVEL": "LOUD"}, "NUDGEBOT_LOG_LEVEL"),
        ({"NUDGEBOT_TOKEN": TOKEN, "NUDGEBOT_DATABASE_URL": "mysql://x"}, "NUDGEBOT_DATABASE_URL"),
        ({"NUDGEBOT_TOKEN": TOKEN, "NUDGEBOT_API_URL": "ftp://x"}, "NUDGEBOT_API_URL"),
    ],
)
def test_bad_settings_exit_2_with_one_line(tmp_path: Path, env: dict[str, str], names: str) -> None:
    result = run_cli(tmp_path, "run", **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert names in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists()


def test_a_malformed_token_is_not_echoed(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "run", NUDGEBOT_TOKEN="12x:secretvalue123")
    assert result.returncode == 2
    assert "secretvalue123" not in result.stderr + result.stdout


def test_environment_wins_over_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "nudgebot.toml"
    config.write_text('token = "1:from-the-file"\ngrace_minutes = 5\nfollowup_minutes = 30\n')
    for key in list(os.environ):
        if key.startswith("NUDGEBOT_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NUDGEBOT_CONFIG_FILE", str(config))
    monkeypatch.setenv("NUDGEBOT_GRACE_MINUTES", "15")
    settings = load_settings()
    assert settings.grace_minutes == 15
    assert settings.followup_minutes == 30
    assert settings.token.get_secret_value() == "1:from-the-file"
    assert settings.database_url == "sqlite+aiosqlite:///data/nudgebot.db"


def test_a_missing_config_file_named_by_the_operator_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NUDGEBOT_CONFIG_FILE", str(tmp_path / "nope.toml"))
    with pytest.raises(SettingsError, match="NUDGEBOT_CONFIG_FILE"):
        load_settings()


def test_plain_database_urls_get_async_drivers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUDGEBOT_TOKEN", TOKEN)
    monkeypatch.setenv("NUDGEBOT_DATABASE_URL", "postgresql://u@h/db")
    assert load_settings().database_url == "postgresql+asyncpg://u@h/db"


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "db", "upgrade", NUDGEBOT_TOKEN=TOKEN)
    assert result.returncode == 0, result.stderr
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert result.stdout.strip() == head
    assert (tmp_path / "data" / "nudgebot.db").is_file()


def test_db_commands_need_no_token_and_current_creates_nothing(tmp_path: Path) -> None:
    current = run_cli(tmp_path, "db", "current")
    assert current.returncode == 1
    [line] = current.stderr.strip().splitlines()
    assert "no database yet" in line and str(tmp_path / "data" / "nudgebot.db") in line
    assert not (tmp_path / "data").exists()

    assert run_cli(tmp_path, "db", "upgrade").returncode == 0
    again = run_cli(tmp_path, "db", "current")
    assert again.returncode == 0
    assert again.stdout.strip() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_version_is_printed(tmp_path: Path) -> None:
    from importlib.metadata import version

    result = run_cli(tmp_path, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"nudgebot {version('nudgebot')}"
