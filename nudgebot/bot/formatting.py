"""How times, zones and dates read in the bot's messages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from nudgebot.domain.schedule import local_date_of
from nudgebot.domain.zones import load_zone

# Quoting someone's input back to them: enough to recognise it, never enough to overflow a reply.
QUOTE_MAX_CHARS = 40


def quote(text: str) -> str:
    return text if len(text) <= QUOTE_MAX_CHARS else text[:QUOTE_MAX_CHARS] + "…"


def join_times(times: Sequence[str]) -> str:
    if len(times) <= 1:
        return "".join(times)
    return ", ".join(times[:-1]) + " and " + times[-1]


def local_clock(now: datetime, zone_name: str) -> str:
    return now.astimezone(load_zone(zone_name)).strftime("%H:%M")


def when(instant: datetime, now: datetime, zone_name: str) -> str:
    """'today at 08:30', 'tomorrow at 08:30' or 'Tue 3 Mar at 08:30', in the user's zone."""
    zone = load_zone(zone_name)
    local = instant.astimezone(zone)
    days = (local.date() - local_date_of(now, zone)).days
    clock = local.strftime("%H:%M")
    if days == 0:
        return f"today at {clock}"
    if days == 1:
        return f"tomorrow at {clock}"
    return f"{local:%a} {local.day} {local:%b} at {clock}"
