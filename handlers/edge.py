"""edge (being written)."""

from __future__ import annotations

from slack_bolt import App

from handlers.kit import Kit


def register(app: App, kit: Kit) -> None:
    del app, kit
