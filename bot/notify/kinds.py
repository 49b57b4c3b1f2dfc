"""The kinds of message the outbox knows: their names, what the sender needs from the feature that
queues each (`Kind`, registered by that feature), and the dedupe key every message is queued under."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from bot.env import Env

ANNOUNCEMENT = "announcement"  # a pool-channel announcement; its subject is the announcement's id
COMPLAINT_CARD = "complaint_card"  # a complaint's card; its subject is the complaint's id
# A post about an opportunity in the deals channel; its subject is the opportunity's number, its period
# "new" (a big one opened) or "won" (a celebration).
OPPORTUNITY_ALERT = "opportunity_alert"
# Payload keys (taken out before sending): the dedupe key of the message this one answers in its
# thread, or replaces (chat.update). It waits until that one is in Slack.
REPLY_TO = "_reply_to"
UPDATE_OF = "_update_of"
# Every post carries this in its Slack message metadata, with its dedupe key: a post in doubt is looked
# for in the conversation before it is sent again.
METADATA_EVENT = "tidewater_message"


@dataclass(frozen=True)
class Rendered:
    """A message drawn at the moment it is sent, and what it showed (to see whether it is still current)."""

    message: dict[str, Any]
    shows: object


@dataclass(frozen=True)
class Kind:
    """What the sender needs from the feature that queues a kind of message: what to keep once it is
    posted (`posted(session, subject id, channel, ts)`), and, for a message drawn when it is sent
    rather than when it is queued, how to draw it (`render(env, subject id)`)."""

    posted: Callable[[Session, int, str, str], None] | None = None
    render: Callable[[Env, int], Rendered] | None = None


KINDS: dict[str, Kind] = {}


def register_kind(name: str, kind: Kind) -> None:
    """Called by the feature module that queues messages of this kind, when it is imported."""
    KINDS[name] = kind


def answered_later() -> frozenset[str]:
    """The kinds whose posted messages later ones answer in their thread or update (they keep where
    they were posted): kept past the outbox's retention, so those threads go on."""
    return frozenset(name for name, kind in KINDS.items() if kind.posted is not None)


def dedupe_key(kind: str, recipient: str, subject: str, period: str) -> str:
    return f"{kind}:{recipient}:{subject}:{period}"[:200]


def subject_of(key: str) -> str:
    return key.split(":")[2]
