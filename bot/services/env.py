"""What every service needs: the database, the clock and the settings."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from store.db import Database


@dataclass(frozen=True)
class Env:
    db: Database
    clock: Clock
    settings: Settings
