"""What a service, a job or the sender needs: the database, the clock and the settings.

Below every room that uses it (services, messaging, notify, jobs, the worker), so none of them imports
another room for one type."""

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
    # `python -m bot jobs run NAME --team T`: the jobs pass over this workspace alone, and the outbox
    # sends its messages alone. None: every active workspace (the worker).
    only_workspace: str | None = None
