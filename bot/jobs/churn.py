"""`churn`: once per workspace day, score every dealt customer (`services.churn`); then, on each owner's
working morning at the reminder time, one DM with the customers slipping away (`messaging.churn`)."""

from __future__ import annotations

from bot.env import Env
from bot.jobs.passes import over_workspaces
from bot.messaging import churn as messaging
from bot.services import churn
from bot.services import settings as settings_service
from bot.services.job_runs import Tally


def run(env: Env) -> Tally:
    return over_workspaces(env, lambda workspace_id: _churn(env, workspace_id)).said(
        "{scored} customers in a churn band, {changes} band changes ({rises} rises); "
        "warned {owners} owners about {warned} customers"
    )


def _churn(env: Env, workspace_id: str) -> dict[str, int]:
    done = churn.score_today(env, workspace_id) or churn.NOTHING_SCORED  # None: the day's scores are done
    owners, warned = messaging.warn_owners(env, workspace_id, settings_service.load(env, workspace_id))
    return {"scored": done.customers, "changes": done.changes, "rises": done.rises, "owners": owners,
            "warned": warned}  # fmt: skip
