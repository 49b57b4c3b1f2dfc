"""Whether the bot can post in a channel, asked of Slack with a short timeout (inside a 3-second ack)."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.i18n import N_

log = logging.getLogger("tidewater.channels")
CHECK_TIMEOUT_SECONDS = 2

NOT_VISIBLE = N_(
    "Tidewater cannot see this channel. If it is private, invite Tidewater there first "
    "(type /invite @Tidewater in the channel), then save again."
)
ARCHIVED = N_("This channel is archived. Choose another one.")


def channel_problem(client: WebClient, channel: str) -> str | None:
    """Why the bot could not post in `channel` (an untranslated message), or None when it can.

    The bot posts in public channels without joining (chat:write.public); a private channel must
    have it as a member. When Slack cannot be asked, the answer is None: the first post will tell.
    """
    quick = WebClient(token=client.token, base_url=client.base_url, timeout=CHECK_TIMEOUT_SECONDS)
    try:
        info = quick.conversations_info(channel=channel)["channel"]
    except SlackApiError as error:
        code = error.response.get("error") if error.response is not None else None
        if code in {"channel_not_found", "not_in_channel"}:
            return NOT_VISIBLE
        log.warning("could not check channel %s: %s", channel, code)
        return None
    except OSError as error:
        log.warning("could not check channel %s: %s", channel, error)
        return None
    if info.get("is_archived"):
        return ARCHIVED
    if info.get("is_private") and not info.get("is_member"):
        return NOT_VISIBLE
    return None
