"""`nudgebot run` as its own process, pointed at a local Bot API server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.support.fake_telegram import FakeTelegram


class BotProcess:
    """Start and stop the real program; its log goes to a file the test can read."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir = workdir
        self.env = env
        self.log_path = workdir / "nudgebot.log"
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self, fake: FakeTelegram, timeout: float = 30.0) -> None:
        """Run it and wait until it polls for updates, i.e. it is ready for users."""
        polls_before = len(fake.calls_of("getUpdates"))
        clean = {k: v for k, v in os.environ.items() if not k.startswith("NUDGEBOT_")}
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "nudgebot", "run"],
                cwd=self.workdir,
                env={**clean, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            fake.wait_for(
                lambda f: len(f.calls_of("getUpdates")) > polls_before or self.exited(), timeout
            )
        except AssertionError:
            self.kill()
            raise
        assert not self.exited(), f"nudgebot exited early:\n{self.log()}"

    def exited(self) -> bool:
        return self._proc is not None and self._proc.poll() is not None

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM, as systemd or Docker would send; returns the exit status."""
        assert self._proc is not None
        self._proc.send_signal(signal.SIGTERM)
        try:
            return self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"nudgebot did not stop on SIGTERM:\n{self.log()}") from None

    def kill(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
