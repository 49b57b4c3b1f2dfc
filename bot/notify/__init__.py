"""Sending what the bot says on its own to Slack: the outbox's sender.

Every message is queued (`enqueue`, `enqueue_many`) in the same transaction as the change it reports,
so it exists if and only if the change was committed; `deliver_due` (the worker's `outbox` job) and
`deliver_now` (a person is waiting) send it. What is true of delivery, exactly:

- A message is taken by one sender at a time: a conditional UPDATE leases it from the clock at the
  moment of taking (`OUTBOX_LEASE_SECONDS`, 120 by default, longer than a request to Slack may last),
  just before it is sent. A sender that dies mid-send holds it until then.
- Each is retried until Slack has it or refuses it for good: 429 waits for Retry-After; server errors
  and network failures back off from 30 s to an hour; refusals that will not change (an archived
  channel, invalid blocks) are recorded as undeliverable for the admins.
- A post that may have reached Slack without being marked sent (the sender died, or no answer came)
  is *in doubt*. Every post carries message metadata (`METADATA_EVENT` and its dedupe key); before an
  in-doubt post is sent again, its conversation's recent history is read and, if the post is there, it
  is marked sent with that ts. When the history cannot be read, the post is sent again and flagged
  as a possible duplicate (counted on the admins' Home). `chat.update` is idempotent: simply retried.
- Posts to one channel are paced a second apart, and fifty a second in a workspace.
- Messages of an uninstalled workspace stay queued and are not sent until it is active again.

The package: `kinds` (the kinds of message and their dedupe keys), `outbox` (queuing), `sender` (the
delivery loop, leases and retries), `doubt` (looking for a post in doubt), `pacing` (the Pacer).
"""

from bot.notify.doubt import HISTORY_PAGES, LOOK_BACK, Unreadable
from bot.notify.kinds import (
    ANNOUNCEMENT,
    COMPLAINT_CARD,
    KINDS,
    METADATA_EVENT,
    OPPORTUNITY_ALERT,
    REPLY_TO,
    UPDATE_OF,
    Kind,
    Rendered,
    answered_later,
    dedupe_key,
    register_kind,
    subject_of,
)
from bot.notify.outbox import (
    Image,
    Outgoing,
    SharedFile,
    enqueue,
    enqueue_many,
    json_payload,
    pending_file,
    shared_link,
)
from bot.notify.pacing import CHANNEL_GAP_SECONDS, WORKSPACE_GAP_SECONDS, WORKSPACE_MESSAGES_PER_SECOND, Pacer
from bot.notify.sender import (
    CURRENT_WITHIN,
    FIRST_BACKOFF,
    LONGEST_BACKOFF,
    PERMANENT_ERRORS,
    Delivery,
    Target,
    backoff,
    deliver_due,
    deliver_now,
    lease,
    register_client_for,
    register_quiet_hours,
    sender_name,
    without_retries,
)

__all__ = [
    "ANNOUNCEMENT",
    "CHANNEL_GAP_SECONDS",
    "COMPLAINT_CARD",
    "OPPORTUNITY_ALERT",
    "CURRENT_WITHIN",
    "FIRST_BACKOFF",
    "HISTORY_PAGES",
    "KINDS",
    "answered_later",
    "lease",
    "LONGEST_BACKOFF",
    "LOOK_BACK",
    "METADATA_EVENT",
    "PERMANENT_ERRORS",
    "REPLY_TO",
    "UPDATE_OF",
    "WORKSPACE_GAP_SECONDS",
    "WORKSPACE_MESSAGES_PER_SECOND",
    "Delivery",
    "Image",
    "Kind",
    "Outgoing",
    "Pacer",
    "SharedFile",
    "shared_link",
    "Rendered",
    "Target",
    "Unreadable",
    "backoff",
    "dedupe_key",
    "deliver_due",
    "deliver_now",
    "enqueue",
    "enqueue_many",
    "json_payload",
    "pending_file",
    "register_kind",
    "register_client_for",
    "register_quiet_hours",
    "sender_name",
    "subject_of",
    "without_retries",
]
