"""Publishing the App Home: `views.publish` is not a message, so it is sent at once, not queued.

Each working day after the reminder time (in each person's own zone, as the morning reminders), every
active person's Home tab is published afresh, so its "due today" is today's even for someone who has
not opened it since yesterday; a lead's charts are drawn and uploaded just before (once a morning: the
Home shows them by their file ids until the next morning's), and last week's standings of the reps are
computed once a week for everyone. A job mark per person and day (job "home:<day>") makes it once a day: a
repeated run publishes nothing again, and a run stopped by Slack being down leaves the others to the
next tick. Rate limits (views.* are Tier 4, about 100 a minute) are waited out, within a budget a
little shorter than the tick.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from enum import StrEnum

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.env import Env
from bot.messaging.mornings import Due, due_at_reminder_time
from bot.services import home_charts, periods, reports, standings
from bot.services import settings as settings_service
from bot.services.home import home_data
from bot.services.people import Actor
from bot.views import home as views
from bot.views import home_reports as home_views

log = logging.getLogger("tidewater.home")
morning_log = logging.getLogger("tidewater.jobs.home")  # the morning publishing's, as it was named

KIND = "home"
RUN_BUDGET_SECONDS = 10 * 60  # the tick is 15 minutes: whoever is left goes in the next run
LONGEST_WAIT_SECONDS = 30.0  # a Retry-After beyond this ends the run instead
ATTEMPTS = 3

Sleep = Callable[[float], None]


class Outcome(StrEnum):
    PUBLISHED = "published"
    REFUSED = "refused"  # Slack refused it for good today (user gone, Home tab off): not tried again
    STOPPED = "stopped"  # Slack down or still limiting us: the run ends, the next tick goes on


def publish(env: Env, client: WebClient, actor: Actor) -> None:
    """Render the person's Home from the database and publish it."""
    client.views_publish(user_id=actor.user_id, view=views.home_view(actor.lang, home_data(env, actor)))


def refresh_home(client: WebClient, env: Env, actor: Actor) -> None:
    """Bring the person's Home up to date after their own action. The action is done and confirmed by
    then, so Slack refusing or not answering is only logged; the next open or Refresh tries again."""
    try:
        publish(env, client, actor)
    except (SlackApiError, OSError) as error:
        log.warning("could not refresh the Home of %s: %s", actor.user_id, error)


def publish_due(env: Env, client: WebClient, workspace_id: str, sleep: Sleep = time.sleep) -> int:
    """Publish this morning's Home of everyone due one (a lead's charts drawn and uploaded first);
    returns how many were published."""
    settings = settings_service.load(env, workspace_id)
    due = _not_done(env, workspace_id, due_at_reminder_time(env, workspace_id, settings, KIND))
    if not due:
        return 0
    standings.ensure_standings(env, workspace_id)
    within = reports.workspace_of(env, workspace_id)
    deadline = time.monotonic() + RUN_BUDGET_SECONDS
    published = 0
    for one in due:
        outcome = (
            _publish(env, client, one, sleep, within) if time.monotonic() < deadline else Outcome.STOPPED
        )
        if outcome is Outcome.STOPPED:
            break
        periods.mark(env, one.workspace_id, _job(one), one.person.user_id)
        published += outcome is Outcome.PUBLISHED
    return published


def _job(one: Due) -> str:
    return f"{KIND}:{one.day.isoformat()}"


def _not_done(env: Env, workspace_id: str, due: Sequence[Due]) -> list[Due]:
    done = periods.done(env, workspace_id, [(_job(one), one.person.user_id) for one in due])
    return [one for one in due if (_job(one), one.person.user_id) not in done]


def _publish(env: Env, client: WebClient, one: Due, sleep: Sleep, within: reports.Workspace) -> Outcome:
    for _attempt in range(ATTEMPTS):
        try:
            if home_charts.leads(within, one.person) and not home_charts.charts_of_today(
                env, one.person, one.day
            ):
                _refresh_charts(env, client, one, within)
            publish(env, client, one.person)
            return Outcome.PUBLISHED
        except SlackApiError as error:
            status = error.response.status_code
            wait = float(error.response.headers.get("Retry-After") or 1)
            if status == 429 and wait <= LONGEST_WAIT_SECONDS:
                sleep(wait)
                continue
            if status == 429 or status >= 500:
                return Outcome.STOPPED
            morning_log.warning(
                "Slack refused the Home of %s: %s", one.person.user_id, error.response.get("error")
            )
            return Outcome.REFUSED
        except OSError as error:
            morning_log.warning("Slack did not answer for the Home of %s: %s", one.person.user_id, error)
            return Outcome.STOPPED
    return Outcome.STOPPED


def _refresh_charts(env: Env, client: WebClient, one: Due, within: reports.Workspace) -> None:
    """The lead's charts of this morning drawn, uploaded (each privately: the Home shows it by its id)
    and kept in place of yesterday's. An upload Slack refuses raises, as publishing would."""
    drawn = home_views.lead_charts(one.person.lang, home_charts.lead_figures(env, one.person, within))
    uploaded = []
    for n, chart in enumerate(drawn):
        answer = client.files_upload_v2(content=chart.png, filename=f"home{n}.png", title=chart.title)
        uploaded.append((str(answer["file"]["id"]), chart.title, chart.alt))
    home_charts.keep_charts(env, one.person, one.day, uploaded)
