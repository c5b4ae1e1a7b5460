"""Where on Earth is a shared location, time-zone-wise."""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def _finder() -> Any:
    # Imported on first use: the polygon index costs memory that many bots never need.
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()


def zone_at(latitude: float, longitude: float) -> str | None:
    """The IANA zone at a point, or None at sea or for impossible coordinates."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    name = _finder().timezone_at(lat=latitude, lng=longitude)
    return None if not name or name.startswith("Etc/") else str(name)
