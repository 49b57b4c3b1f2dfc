"""`churn`: once per workspace day, score every dealt customer (`services.churn`); then, on each owner's
working morning at the reminder time, one DM with the customers slipping away (`messaging.churn`)."""

from __future__ import annotations

from bot.env import Env
from bot.messaging import churn as messaging
from bot.services import churn
from bot.services import settings as settings_service
from bot.services.people import workspace_ids


def run(env: Env) -> str:
    scored = changes = rises = owners = warned = 0
    for workspace_id in workspace_ids(env):
        done = churn.score_today(env, workspace_id)
        if done is not None:
            scored, changes, rises = scored + done.customers, changes + done.changes, rises + done.rises
        people, count = messaging.warn_owners(env, workspace_id, settings_service.load(env, workspace_id))
        owners, warned = owners + people, warned + count
    return (
        f"{scored} customers in a churn band, {changes} band changes ({rises} rises); "
        f"warned {owners} owners about {warned} customers"
    )
