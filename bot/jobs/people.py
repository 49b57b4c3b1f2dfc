"""`people`: once a day per active workspace (the first run of its day, just after midnight there), every
person the bot knows gets their profile as Slack's users.list gives it now: name, zone, locale, e-mail,
admin, guest, deactivated. It catches what the user_change and team_join events missed (an event lost
while the app was down, a change made before the events were subscribed).

The writes come after the paging (`bot.messaging.people`), in one transaction with the day's mark: a run
that fails leaves the day to the next tick, and no transaction stays open while Slack is asked.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.env import Env
from bot.messaging import people as directory
from bot.messaging.clients import client_for
from bot.services import people
from bot.services.job_runs import Tally

log = logging.getLogger("tidewater.jobs.people")


def run(env: Env, client: WebClient) -> Tally:
    tally = Tally()
    for workspace_id in people.workspace_ids(env):
        speaking = client_for(env, client, workspace_id)
        if speaking is None:
            continue
        changed = sync_workspace(env, directory.directory_reader(speaking), workspace_id)
        tally.add(workspace_id, synced=int(changed is not None), updated=changed or 0)
    return tally.said("{synced} workspaces synced with Slack: {updated} people updated")


def sync_workspace(env: Env, slack: WebClient, workspace_id: str) -> int | None:
    """Today's sync of one workspace: the people changed, or None when done already or Slack failed."""
    day = people.sync_day(env, workspace_id)
    if day is None:
        return None
    try:
        profiles = directory.profiles(slack)
    except (SlackApiError, OSError) as error:
        log.warning("users.list failed for %s: %s; the next run tries again", workspace_id, error)
        return None
    return people.sync_profiles(env, workspace_id, profiles, day=day)
