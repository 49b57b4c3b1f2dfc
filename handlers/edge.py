"""The edge: every event and interaction Slack may send is acknowledged, even with no feature behind it.

Bolt answers 404 to a request no listener takes, and Slack counts that as a failure: it retries the
event and may turn off the app's event subscriptions. These catch-alls are registered last, so any
real listener wins. Commands, buttons, shortcuts and modal submissions already have theirs in
`admin.register_fallbacks` (help for a command, a plain ack for the rest).
"""

from __future__ import annotations

import re

from slack_bolt import Ack, App

from handlers.kit import Kit

ANYTHING = re.compile(".*")


def register(app: App, kit: Kit) -> None:
    del kit  # nothing here reads the database or asks who the person is
    app.event(ANYTHING)(acknowledge)  # messages, mentions, reactions, uninstalls, revoked tokens...
    app.options(ANYTHING)(no_options)  # a type-ahead the bot no longer knows
    app.view_closed(ANYTHING)(acknowledge)  # a modal closed with notify_on_close


def acknowledge(ack: Ack) -> None:
    ack()


def no_options(ack: Ack) -> None:
    ack(options=[])
