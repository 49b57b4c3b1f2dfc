"""A post in doubt (it may have reached Slack without being marked sent) is looked for in its
conversation's recent history, by the message metadata every post carries, before it is sent again."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.notify.kinds import METADATA_EVENT
from store.models.outbox import OutboxMessage

log = logging.getLogger("tidewater.notify")
LOOK_BACK = timedelta(minutes=10)  # a post in doubt is looked for from a little before it was sent
HISTORY_PAGES = 5


class UnreadableHistory:
    """The conversation's history could not be read: the post is sent again, flagged."""


Unreadable = UnreadableHistory()


def look_for(
    client: WebClient, message: OutboxMessage, channel: str, thread_ts: str | None
) -> tuple[str, str] | UnreadableHistory | None:
    """The (ts, channel) of this post if it is already in the conversation (found by its metadata)."""
    assert message.posting_since is not None
    oldest = f"{(message.posting_since - LOOK_BACK).timestamp():.6f}"
    try:
        conversation = _conversation(client, channel)
        for page in _history_pages(client, conversation, thread_ts, oldest):
            for posted in page:
                metadata = posted.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if metadata.get("event_type") == METADATA_EVENT and payload.get("key") == message.dedupe_key:
                    return str(posted["ts"]), conversation
    except (SlackApiError, OSError) as error:
        log.warning("could not read the history of %s for message %s: %s", channel, message.id, error)
        return Unreadable
    return None


def _conversation(client: WebClient, channel: str) -> str:
    """A DM is posted to the user's id; its history is read from the D… conversation."""
    if channel[:1] in ("U", "W"):
        return str(client.conversations_open(users=channel)["channel"]["id"])
    return channel


def _history_pages(
    client: WebClient, conversation: str, thread_ts: str | None, oldest: str
) -> Iterator[list[dict[str, Any]]]:
    cursor = None
    for _ in range(HISTORY_PAGES):
        if thread_ts:
            answer = client.conversations_replies(
                channel=conversation,
                ts=thread_ts,
                oldest=oldest,
                include_all_metadata=True,
                limit=200,
                cursor=cursor,
            )
        else:
            answer = client.conversations_history(
                channel=conversation, oldest=oldest, include_all_metadata=True, limit=200, cursor=cursor
            )
        yield list(answer.get("messages") or [])
        cursor = (answer.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return


def may_have_posted(error: Exception) -> bool:
    """No answer (a timeout, a dropped connection) or a server error: Slack may have the post."""
    if isinstance(error, SlackApiError):
        response = error.response
        return response is None or response.status_code >= 500
    return True
