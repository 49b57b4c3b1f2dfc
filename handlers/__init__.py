"""Slack listeners, one module per feature. Each acks first, calls one service, renders, replies."""

from __future__ import annotations

from slack_bolt import App

from handlers import admin, complaints, customers, home, orders, pool, scheduler, visits
from handlers.kit import Kit


def register(app: App, kit: Kit) -> None:
    for feature in (customers, visits, orders, pool, complaints, scheduler, home, admin):
        feature.register(app, kit)
    admin.register_fallbacks(app, kit)  # last: anything not handled above answers with help
