"""`nudgebot run` with the send budget off, for benchmarks that measure the bot, not Telegram.

Everything else is the command operators run: settings from the environment, migrations,
polling or webhook. Only the pacing of messages is lifted (Telegram allows at most 1,000 a
second even with paid broadcasts, and the setting is capped there).
"""

from __future__ import annotations

import sys
from typing import Any

import nudgebot.bootstrap
from nudgebot import cli
from nudgebot.scheduling.budget import SendBudget


def _unlimited(*_args: Any, **_kwargs: Any) -> SendBudget:
    return SendBudget(1e9)


if __name__ == "__main__":
    nudgebot.bootstrap.SendBudget = _unlimited  # type: ignore[assignment,misc]
    sys.exit(cli.main(["run"]))
