"""`people`: once a day per active workspace (the first run of its day, just after midnight there), every
person the bot knows gets their profile as Slack's users.list gives it now: name, zone, locale, e-mail,
admin, guest, deactivated. It catches what the user_change and team_join events missed (an event lost
while the app was down, a change made before the events were subscribed).

users.list is paged 200 members at a time (Slack's advice) and is a Tier 2 method (about 20 calls a
minute): a 429 is waited out by slack_sdk's rate-limit retry, which the worker's client (built for the
outbox) does not have. The writes come after the paging, in one transaction with the day's mark: a run
that fails leaves the day to the next tick, and no transaction stays open while Slack is asked.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.env import Env
from bot.services import people

log = logging.getLogger("tidewater.jobs.people")

PAGE = 200
RATE_LIMIT_RETRIES = 5


def run(env: Env, client: WebClient) -> str:
    slack = _waiting_out_rate_limits(client)
    done = updated = 0
    for workspace_id in people.workspace_ids(env):
        changed = sync_workspace(env, slack, workspace_id)
        if changed is not None:
            done, updated = done + 1, updated + changed
    return f"{done} workspaces synced with Slack: {updated} people updated"


def sync_workspace(env: Env, slack: WebClient, workspace_id: str) -> int | None:
    """Today's sync of one workspace: the people changed, or None when done already or Slack failed."""
    day = people.sync_day(env, workspace_id)
    if day is None:
        return None
    try:
        profiles = {str(member["id"]): people.profile_from_slack(member) for member in _members(slack)}
    except (SlackApiError, OSError) as error:
        log.warning("users.list failed for %s: %s; the next run tries again", workspace_id, error)
        return None
    return people.sync_profiles(env, workspace_id, profiles, day=day)


def _members(slack: WebClient) -> Iterator[dict[str, Any]]:
    cursor = ""
    while True:
        page = slack.users_list(limit=PAGE, cursor=cursor or None)
        yield from page.get("members") or []
        cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "")
        if not cursor:
            return


def _waiting_out_rate_limits(client: WebClient) -> WebClient:
    """The same token and Slack, with slack_sdk's retry after a 429: reading twice is harmless."""
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)],
    )
