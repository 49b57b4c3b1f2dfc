"""Publishing the App Home: `views.publish` is not a message, so it is sent at once, not queued."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.env import Env
from bot.services.home import home_data
from bot.services.people import Actor
from bot.views import home as views

log = logging.getLogger("tidewater.home")


def publish(env: Env, client: WebClient, actor: Actor) -> None:
    """Render the person's Home from the database and publish it."""
    client.views_publish(user_id=actor.user_id, view=views.home_view(actor.lang, home_data(env, actor)))


def refresh_home(client: WebClient, env: Env, actor: Actor) -> None:
    """Bring the person's Home up to date after their own action. The action is done and confirmed by
    then, so Slack refusing or not answering is only logged; the next open or Refresh tries again."""
    try:
        publish(env, client, actor)
    except (SlackApiError, OSError) as error:
        log.warning("could not refresh the Home of %s: %s", actor.user_id, error)
