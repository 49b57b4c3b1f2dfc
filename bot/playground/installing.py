"""Installing the app in the playground through Slack's real install flow, in process: the app's install
page (Bolt's OAuth flow), the stand-in's authorize page, the redirect back with its code and the state's
cookie, the app trading the code for the workspace's bot token. The playground installs its sample
workspace this way at start, and `install T…` adds another workspace."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from slack_bolt import App, BoltRequest

from bot.playground.installs import CLIENT_ID, CLIENT_SECRET
from bot.playground.standin import SlackStandIn

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "InstallFailed", "install"]


class InstallFailed(Exception):
    """A step of the flow answered otherwise than Slack and the app would."""


def install(app: App, standin: SlackStandIn, team_id: str) -> None:
    """The workspace's admin presses Add to Slack and approves; the app keeps its installation."""
    flow = app.oauth_flow
    if flow is None:
        raise InstallFailed("the app is not set up for Add to Slack")
    page = flow.handle_installation(BoltRequest(body="", query="", headers={}))
    link = re.search(r'<a href="([^"]+)"', str(page.body))
    cookies = page.headers.get("set-cookie") or []
    if page.status != 200 or link is None or not cookies:
        raise InstallFailed(f"the install page answered {page.status}")
    status, headers = standin.authorize(f"{urlsplit(html.unescape(link[1])).query}&team={team_id}")
    if status != 302:
        raise InstallFailed(f"Slack's authorize page answered {status}")
    back = BoltRequest(
        body="", query=urlsplit(headers["Location"]).query, headers={"cookie": cookies[0].split(";")[0]}
    )
    done = flow.handle_callback(back)
    if done.status != 200:
        raise InstallFailed(f"the redirect back answered {done.status}: {done.body}")
