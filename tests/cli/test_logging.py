"""The token never reaches the log, not even inside a traceback."""

from __future__ import annotations

import io
import json
import logging

import pytest

from nudgebot import logging_setup

TOKEN = "123456:SECRET-part-of-the-token"


@pytest.mark.parametrize("fmt", ["plain", "json"])
def test_the_token_is_hidden_in_messages_and_tracebacks(fmt: str) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    logging_setup.configure("INFO", TOKEN, fmt)
    stream = io.StringIO()
    root.handlers[0].setStream(stream)  # type: ignore[attr-defined]
    try:
        log = logging.getLogger("nudgebot.test")
        log.info("calling /bot%s/getMe", TOKEN)
        try:
            raise RuntimeError(f"The token `{TOKEN}` was rejected (SECRET-part-of-the-token)")
        except RuntimeError:
            log.exception("start-up failed")
    finally:
        root.handlers[:], root.level = saved
    output = stream.getvalue()
    assert "SECRET-part-of-the-token" not in output
    assert "<token>" in output and "RuntimeError" in output
    if fmt == "json":
        assert all(json.loads(line) for line in output.splitlines() if line.startswith("{"))
