"""`digest`: each working morning, at the digest time in each manager's own zone, one message per
manager about their team (`messaging.digest`). Two missed days give one digest, today's."""

from __future__ import annotations

from bot.env import Env
from bot.jobs.passes import over_workspaces
from bot.jobs.recycle import nearly_due_by_owner
from bot.messaging import digest as messaging
from bot.messaging.digest import DueSoon
from bot.rules.pool import PoolRules
from bot.services import digest
from bot.services.job_runs import Tally


def run(env: Env) -> Tally:
    return over_workspaces(
        env,
        lambda workspace_id: {"digests": messaging.send_digests(env, workspace_id, back_in_the_pool_soon)},
    ).said("{digests} digests")


def back_in_the_pool_soon(env: Env, workspace_id: str, rules: PoolRules) -> DueSoon:
    return nearly_due_by_owner(env, workspace_id, rules, None, within=digest.SOON)
