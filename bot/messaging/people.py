"""What Slack says about the people of a workspace: its member directory, read page by page.

users.list is paged 200 members at a time (Slack's advice) and is a Tier 2 method (about 20 calls a
minute): a 429 is waited out by slack_sdk's rate-limit retry, which the worker's client (built for the
outbox) does not have. Reading twice is harmless, so retrying is safe.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.services import people

PAGE = 200
RATE_LIMIT_RETRIES = 5


def directory_reader(client: WebClient) -> WebClient:
    """The same token and Slack, with slack_sdk's retry after a 429."""
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)],
    )


def profiles(slack: WebClient) -> dict[str, people.Profile]:
    """Every member's profile as Slack gives it now, by user id (SlackApiError or OSError when Slack fails)."""
    return {str(member["id"]): people.profile_from_slack(member) for member in _members(slack)}


def _members(slack: WebClient) -> Iterator[dict[str, Any]]:
    cursor = ""
    while True:
        page = slack.users_list(limit=PAGE, cursor=cursor or None)
        yield from page.get("members") or []
        cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "")
        if not cursor:
            return
