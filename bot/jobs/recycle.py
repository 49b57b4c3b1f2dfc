"""`recycle`: first the warnings (one DM per owner, on the owner's working morning, listing customers
due back in the pool within the warning window: `messaging.recycle`), then the recycle itself,
set-based (`services.recycle`), announced in the pool channel in batches in the same transaction."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from bot.env import Env
from bot.jobs.passes import over_workspaces
from bot.messaging import recycle as messaging
from bot.messaging.recycle import WARNING as WARNING
from bot.rules.pool import PoolRules
from bot.services import recycle
from bot.services import settings as settings_service
from bot.services.home_types import Warned
from bot.services.job_runs import Tally


def run(env: Env) -> Tally:
    return over_workspaces(env, lambda workspace_id: _recycle(env, workspace_id)).said(
        "warned {owners} owners about {warned} customers; recycled {moved} customers in {announcements} announcements"
        "; told {told} previous owners"
    )


def _recycle(env: Env, workspace_id: str) -> dict[str, int]:
    settings = settings_service.load(env, workspace_id)
    owners, warned = messaging.warn_owners(env, workspace_id, settings)
    done = recycle.recycle_due(env, workspace_id, settings)
    return {
        "owners": owners,
        "warned": warned,
        "moved": len(done.moved),
        "announcements": len(done.announcements),
        "told": len(done.told),
    }


def nearly_due_by_owner(
    env: Env, workspace_id: str, rules: PoolRules, owners: Collection[str] | None, *, within: timedelta
) -> dict[str, list[Warned]]:
    """The digest's "back in the pool soon" (bot.jobs.digest reads it here): `recycle.due_soon`."""
    return recycle.due_soon(env, workspace_id, owners=owners, within=within, rules=rules)
