"""A bare Bolt app that only acks, the baseline of bench/ack_latency.py.

BARE_MODE=inline  acks inline (process_before_response=True), as Tidewater does;
BARE_MODE=default Bolt's default mode, where the HTTP thread polls for ack() every 10 ms.
Served with: gunicorn 'bench.bare_app:create()' -k gthread -w 2 --threads 8
"""

from __future__ import annotations

import os
import re
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.authorization import AuthorizeResult

SIGNING_SECRET = "bench-signing-secret"


def _authorize(**_: Any) -> AuthorizeResult:
    """A fixed answer, so the bare app never calls Slack."""
    return AuthorizeResult(enterprise_id=None, team_id="T0BENCH", bot_token="xoxb-bare", bot_user_id="U0BOT")


def create() -> SlackRequestHandler:
    app = App(
        signing_secret=SIGNING_SECRET,
        authorize=_authorize,
        process_before_response=os.environ.get("BARE_MODE", "inline") == "inline",
    )

    @app.command(re.compile(".*"))
    def only_ack(ack: Ack) -> None:
        ack()

    return SlackRequestHandler(app)
