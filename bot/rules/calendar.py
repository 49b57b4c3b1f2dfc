"""Time zones: a person's local day from an instant."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str, fallback: str = "UTC") -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(fallback)


def local_today(now: datetime, timezone: str) -> date:
    return now.astimezone(zone(timezone)).date()
