"""Quiet hours: a message that is not urgent waits for its reader's working hours (the workspace's
working hours and working days, in the reader's own time zone)."""

from __future__ import annotations

from datetime import datetime

from bot.env import Env
from bot.rules.calendar import quiet_until
from bot.services import settings as settings_service
from store import people as people_store


def held_until(env: Env, workspace_id: str, user_id: str, now: datetime, *, urgent: bool) -> datetime | None:
    """When a message to this person may go, if not now (None: now)."""
    with env.db.session() as session:
        settings = settings_service.load_in(session, workspace_id)
        if not settings.quiet_hours or (urgent and settings.urgent_breaks_quiet_hours):
            return None
        person = people_store.get_person(session=session, workspace_id=workspace_id, user_id=user_id)
    if person is None:
        return None  # someone the bot has not met: no zone to keep quiet in
    return quiet_until(now, person.timezone, settings.work_start_at, settings.work_end_at, settings.country)
