"""`recycle`: first the warnings (one DM per owner, on the owner's working morning, listing customers
due back in the pool within the warning window: `messaging.recycle`), then the recycle itself,
set-based (`services.recycle`), announced in the pool channel in batches in the same transaction."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from bot.env import Env
from bot.messaging import recycle as messaging
from bot.messaging.recycle import WARNING as WARNING
from bot.rules.pool import PoolRules
from bot.services import recycle
from bot.services import settings as settings_service
from bot.services.home_types import Warned
from bot.services.job_runs import Tally
from bot.services.people import workspace_ids


def run(env: Env) -> Tally:
    tally = Tally()
    for workspace_id in workspace_ids(env):
        settings = settings_service.load(env, workspace_id)
        owners, warned = messaging.warn_owners(env, workspace_id, settings)
        done = recycle.recycle_due(env, workspace_id, settings)
        tally.add(
            workspace_id,
            owners=owners,
            warned=warned,
            moved=len(done.moved),
            announcements=len(done.announcements),
            told=len(done.told),
        )
    return tally.said(
        "warned {owners} owners about {warned} customers; recycled {moved} customers in {announcements} announcements"
        "; told {told} previous owners"
    )


def nearly_due_by_owner(
    env: Env, workspace_id: str, rules: PoolRules, owners: Collection[str] | None, *, within: timedelta
) -> dict[str, list[Warned]]:
    """The digest's "back in the pool soon" (bot.jobs.digest reads it here): `recycle.due_soon`."""
    return recycle.due_soon(env, workspace_id, owners=owners, within=within, rules=rules)
