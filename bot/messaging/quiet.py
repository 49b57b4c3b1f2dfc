"""Quiet hours for what the bot says on its own: a direct message waits for its reader's working
hours, unless it is one of the scheduled mornings (their time is already the reader's own), an answer
to what the reader just asked for (`/crm report`'s charts and CSV), or the escalation of an urgent
complaint (the workspace's setting). Channel posts are never held."""

from __future__ import annotations

from datetime import datetime

from bot import notify
from bot.env import Env
from bot.messaging import churn, complaints, digest, followups, recycle, reports
from bot.services import quiet
from store.models.outbox import OutboxMessage

# Sent at a time each reader chose, in their own zone: never held.
SCHEDULED = frozenset((followups.KIND, digest.KIND, churn.KIND, recycle.WARNING, reports.KIND))
# Answers to what the reader just asked for (not said on the bot's own): never held either.
ASKED = frozenset((reports.ASKED, reports.ASKED_CSV))


def held_until(env: Env, message: OutboxMessage, now: datetime) -> datetime | None:
    if message.kind in SCHEDULED | ASKED or not message.channel.startswith(("U", "W")):
        return None
    urgent = message.kind == complaints.URGENT
    return quiet.held_until(env, message.workspace_id, message.channel, now, urgent=urgent)


notify.register_quiet_hours(held_until)
