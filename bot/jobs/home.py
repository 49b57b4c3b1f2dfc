"""`home`: each working day after the reminder time (in each person's own zone, as the morning
reminders), every active person's Home tab is published afresh, so its "due today" is today's even
for someone who has not opened it since yesterday.

views.publish is not a message, so this job calls Slack itself instead of queueing in the outbox; a
`job_mark` per person and day (job "home:<day>") makes it once a day: a repeated run publishes nothing
again, and a run stopped by Slack being down leaves the others to the next tick. Rate limits (views.*
are Tier 4, about 100 a minute) are waited out, within a budget a little shorter than the tick.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from enum import StrEnum

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.env import Env
from bot.messaging import home as messaging_home
from bot.messaging.mornings import Due, due_at_reminder_time
from bot.services import settings as settings_service
from bot.services.people import workspace_ids
from store import home as home_store
from store import jobmarks

log = logging.getLogger("tidewater.jobs.home")

KIND = "home"
RUN_BUDGET_SECONDS = 10 * 60  # the tick is 15 minutes: whoever is left goes in the next run
LONGEST_WAIT_SECONDS = 30.0  # a Retry-After beyond this ends the run instead
ATTEMPTS = 3

Sleep = Callable[[float], None]


class Outcome(StrEnum):
    PUBLISHED = "published"
    REFUSED = "refused"  # Slack refused it for good today (user gone, Home tab off): not tried again
    STOPPED = "stopped"  # Slack down or still limiting us: the run ends, the next tick goes on


def run(env: Env, client: WebClient, *, sleep: Sleep = time.sleep) -> str:
    published = 0
    for workspace_id in workspace_ids(env):
        published += publish_due(env, client, workspace_id, sleep)
    return f"{published} Home tabs published"


def _job(one: Due) -> str:
    return f"{KIND}:{one.day.isoformat()}"


def _not_done(env: Env, workspace_id: str, due: Sequence[Due]) -> list[Due]:
    with env.db.session() as session:
        done = home_store.marked(
            session=session,
            workspace_id=workspace_id,
            jobs=sorted({_job(one) for one in due}),
            periods=[one.person.user_id for one in due],
        )
    return [one for one in due if (_job(one), one.person.user_id) not in done]


def _mark(env: Env, one: Due) -> None:
    with env.db.session() as session:
        jobmarks.mark_once(
            session=session,
            workspace_id=one.workspace_id,
            job=_job(one),
            period=one.person.user_id,
            now=env.clock.now(),
        )


def publish_due(env: Env, client: WebClient, workspace_id: str, sleep: Sleep = time.sleep) -> int:
    settings = settings_service.load(env, workspace_id)
    due = _not_done(env, workspace_id, due_at_reminder_time(env, workspace_id, settings, KIND))
    deadline = time.monotonic() + RUN_BUDGET_SECONDS
    published = 0
    for one in due:
        outcome = _publish(env, client, one, sleep) if time.monotonic() < deadline else Outcome.STOPPED
        if outcome is Outcome.STOPPED:
            break
        _mark(env, one)
        published += outcome is Outcome.PUBLISHED
    return published


def _publish(env: Env, client: WebClient, one: Due, sleep: Sleep) -> Outcome:
    for _attempt in range(ATTEMPTS):
        try:
            messaging_home.publish(env, client, one.person)
            return Outcome.PUBLISHED
        except SlackApiError as error:
            status = error.response.status_code
            wait = float(error.response.headers.get("Retry-After") or 1)
            if status == 429 and wait <= LONGEST_WAIT_SECONDS:
                sleep(wait)
                continue
            if status == 429 or status >= 500:
                return Outcome.STOPPED
            log.warning("Slack refused the Home of %s: %s", one.person.user_id, error.response.get("error"))
            return Outcome.REFUSED
        except OSError as error:
            log.warning("Slack did not answer for the Home of %s: %s", one.person.user_id, error)
            return Outcome.STOPPED
    return Outcome.STOPPED
