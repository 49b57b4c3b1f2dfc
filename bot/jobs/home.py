"""`home`: each working day after the reminder time, every active person's Home tab is published
afresh, once a day each (`messaging.home`). Publishing is not a message, so this job calls Slack itself
instead of queueing in the outbox."""

from __future__ import annotations

import time

from slack_sdk import WebClient

from bot.env import Env
from bot.messaging import home as messaging
from bot.messaging.clients import client_for
from bot.services.job_runs import Tally
from bot.services.people import workspace_ids


def run(env: Env, client: WebClient, *, sleep: messaging.Sleep = time.sleep) -> Tally:
    tally = Tally()
    for workspace_id in workspace_ids(env):
        speaking = client_for(env, client, workspace_id)
        if speaking is not None:
            tally.add(workspace_id, published=messaging.publish_due(env, speaking, workspace_id, sleep))
    return tally.said("{published} Home tabs published")
