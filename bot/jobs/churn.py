"""`churn`: once per workspace day, score every dealt customer (`services.churn`); then, on each owner's
working morning at the reminder time, one DM with the customers slipping away (`messaging.churn`)."""

from __future__ import annotations

from bot.env import Env
from bot.messaging import churn as messaging
from bot.services import churn
from bot.services import settings as settings_service
from bot.services.job_runs import Tally
from bot.services.people import workspace_ids


def run(env: Env) -> Tally:
    tally = Tally()
    for workspace_id in workspace_ids(env):
        done = churn.score_today(env, workspace_id) or churn.NOTHING_SCORED  # None: the day's scores are done
        tally.add(workspace_id, scored=done.customers, changes=done.changes, rises=done.rises)
        owners, warned = messaging.warn_owners(env, workspace_id, settings_service.load(env, workspace_id))
        tally.add(workspace_id, owners=owners, warned=warned)
    return tally.said(
        "{scored} customers in a churn band, {changes} band changes ({rises} rises); "
        "warned {owners} owners about {warned} customers"
    )
