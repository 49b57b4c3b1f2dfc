"""Slack listeners, one module per feature. Each acks first, calls one service, renders, replies."""

from __future__ import annotations

from slack_bolt import App

import bot.messaging  # noqa: F401  (registers what the bot says on its own about each event)
from handlers import (
    admin,
    approvals,
    complaints,
    contacts,
    corrections,
    customers,
    digest,
    edge,
    followups,
    home,
    merge,
    opportunities,
    orders,
    people,
    pool,
    recycle,
    replays,
    visits,
)
from handlers.kit import Kit


def register(app: App, kit: Kit) -> None:
    replays.register(app, kit)  # first: a replayed request is recognised before anything writes
    for feature in (
        customers,
        visits,
        orders,
        opportunities,
        corrections,
        merge,
        approvals,
        contacts,
        pool,
        recycle,
        complaints,
        followups,
        digest,
        home,
        people,
        admin,
    ):
        feature.register(app, kit)
    admin.register_fallbacks(app, kit)  # then: a command or message not handled above answers with help
    edge.register(app, kit)  # last: every other request Slack may send is acknowledged
