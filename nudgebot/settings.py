"""Operator settings: environment (NUDGEBOT_*), then .env, then config/nudgebot.toml."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEFAULT_CONFIG_FILE = Path("config/nudgebot.toml")
# Lets tests and operators point at another file without changing the working directory.
CONFIG_FILE_ENV = "NUDGEBOT_CONFIG_FILE"


class DatabaseSettings(BaseSettings):
    """What `nudgebot db` needs: no token, so an operator can migrate before having one."""

    model_config = SettingsConfigDict(
        env_prefix="NUDGEBOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
    )

    database_url: str = "sqlite+aiosqlite:///data/nudgebot.db"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["plain", "json"] = "plain"

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        # Operators paste the URLs their other tools use; map them to the async drivers we ship.
        for plain, async_form in (
            ("sqlite://", "sqlite+aiosqlite://"),
            ("postgresql://", "postgresql+asyncpg://"),
            ("postgres://", "postgresql+asyncpg://"),
        ):
            if value.startswith(plain):
                return async_form + value[len(plain) :]
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must be a sqlite:// or postgresql:// URL")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = Path(os.environ.get(CONFIG_FILE_ENV, DEFAULT_CONFIG_FILE))
        return (
            init_settings,
            env_settings,
            dotenv_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=toml_path),
        )


class Settings(DatabaseSettings):
    """Everything an operator can set; see config/nudgebot.toml for explanations."""

    token: SecretStr
    api_url: str = "https://api.telegram.org"
    followup_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = 45
    # At least a minute: a check-in is always claimed a moment after its due instant.
    grace_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = 60
    snooze_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = 60
    content_dir: Path | None = None
    tick_seconds: Annotated[float, Field(gt=0, le=60)] = 1.0
    batch_size: Annotated[int, Field(ge=1, le=10_000)] = 50
    max_messages_per_second: Annotated[float, Field(gt=0, le=1000)] = 30.0
    poll_timeout_seconds: Annotated[int, Field(ge=0, le=60)] = 30
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    http_listen: str = "0.0.0.0"
    # Serves /health (and the webhook in webhook mode). Unset (or 0): no server while polling,
    # so a second bot on the machine, or anything else on a port, cannot collide with it.
    http_port: Annotated[int, Field(ge=0, le=65535)] | None = None

    @field_validator("webhook_url", "webhook_secret", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        # docker-compose passes `NAME: ${NAME:-}` through as an empty string: polling mode.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url_shape(cls, value: str | None) -> str | None:
        if (
            value is not None
            and not value.startswith("https://")
            and not value.startswith("http://")
        ):
            raise ValueError("must be the public https:// address Telegram should call")
        return value or None

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram accepts 1-256 characters of A-Z, a-z, 0-9, _ and - as a secret token.
        if value is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()
        ):
            raise ValueError("use 1 to 256 letters, digits, _ or -")
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError("NUDGEBOT_WEBHOOK_SECRET is required when NUDGEBOT_WEBHOOK_URL is set")
        if self.webhook_url and not self.http_port:
            raise ValueError("NUDGEBOT_HTTP_PORT must be set for webhook mode")
        return self

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        raw = value.get_secret_value().strip()
        bot_id, _, secret = raw.partition(":")
        if not bot_id.isdigit() or len(secret) < 5:
            raise ValueError("does not look like a bot token (expected 123456:ABC...)")
        return SecretStr(raw)

    @field_validator("api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")


S = TypeVar("S", bound=DatabaseSettings)


class SettingsError(Exception):
    """A setting is missing or invalid; the message is one line an operator can act on."""


_FIXES = {
    "token": "set NUDGEBOT_TOKEN to the token @BotFather gave you",
    "database_url": "set NUDGEBOT_DATABASE_URL, e.g. sqlite:///data/nudgebot.db",
}


def load_settings(**overrides: Any) -> Settings:
    """Read settings, turning the first validation problem into a SettingsError."""
    return _load(Settings, overrides)


def load_database_settings() -> DatabaseSettings:
    """Only what the database commands need; no token."""
    return _load(DatabaseSettings, {})


def _load(cls: type[S], overrides: dict[str, Any]) -> S:
    toml_path = Path(os.environ.get(CONFIG_FILE_ENV, DEFAULT_CONFIG_FILE))
    if CONFIG_FILE_ENV in os.environ and not toml_path.is_file():
        raise SettingsError(
            f"{CONFIG_FILE_ENV}: no such file {toml_path}; fix the path or unset it"
        )
    try:
        return cls(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        if not error["loc"]:  # a rule across settings; its message names them
            raise SettingsError(error["msg"].removeprefix("Value error, ")) from None
        field = str(error["loc"][0])
        name = f"NUDGEBOT_{field.upper()}"
        if error["type"] == "missing":
            fix = _FIXES.get(field, f"set {name}")
            raise SettingsError(f"{name} is required: {fix}") from None
        # Never echo the token's value back, even when it is malformed.
        reason = error["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{name} is invalid: {reason}") from None
    except ValueError as exc:  # a broken TOML file
        raise SettingsError(f"{toml_path}: {exc}; fix or remove the file") from None
