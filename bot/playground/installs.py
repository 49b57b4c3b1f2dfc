"""Installs in the Slack stand-in: Slack's side of "Add to Slack" (the authorize page, which sends the
person back to the app's redirect URL with a code, and oauth.v2.access, which trades the code for the
workspace's bot token), and each call's token checked against the workspaces installed.

Until a workspace is installed through the flow, the stand-in is the one-workspace Slack of the tests
and the playground: any bot token is the default workspace's. Once one is, every call must carry the
token of an installed workspace (`invalid_auth` otherwise), and each call records whose it was."""

from __future__ import annotations

import base64
import itertools
import secrets
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

CLIENT_ID = "1234.5678"
CLIENT_SECRET = "standin-client-secret"  # noqa: S105 (the stand-in's own, for tests)
APP_ID = "A0TIDE"


@dataclass(frozen=True)
class Installed:
    team_id: str  # for an organisation-wide install, the organisation's id
    team_name: str
    token: str
    bot_user_id: str
    installer: str
    organisation_wide: bool = False


class Installs:
    """The stand-in's installs (`standin.SlackStandIn` mixes it in)."""

    _lock: threading.Condition
    team_id: str

    def _init_installs(self) -> None:
        self.redirect_url = ""  # the app's redirect URL, as the app's settings at Slack would name it
        self.installed: dict[str, Installed] = {}  # by token
        self._codes: dict[str, Installed] = {}
        self._bots = itertools.count(2)
        self.uninstalled: set[str] = set()  # tokens of workspaces that removed the app

    def authorize(self, query: str) -> tuple[int, dict[str, str]]:
        """GET /oauth/v2/authorize?client_id&scope&state[&team][&user][&enterprise]: the person approves at
        once (in the workspace `team`, the default one unless named; for the whole organisation
        `enterprise` if named) and is sent back with a code."""
        asked = {key: values[0] for key, values in parse_qs(query).items()}
        if asked.get("client_id") != CLIENT_ID or not self.redirect_url:
            return 400, {}
        team = asked.get("enterprise") or asked.get("team") or self.team_id
        installing = Installed(
            team, asked.get("team_name") or f"Team {team}", f"xoxb-{team.lower()}-{secrets.token_hex(4)}",
            f"U0BOT{next(self._bots)}", asked.get("user") or "U0INSTALLER", bool(asked.get("enterprise")),
        )  # fmt: skip
        code = secrets.token_hex(8)
        with self._lock:
            self._codes[code] = installing
        back = urlencode({"code": code, "state": asked.get("state", "")})
        return 302, {"Location": f"{self.redirect_url}?{back}"}

    def _oauth_access(self, args: dict[str, Any], auth: str) -> dict[str, Any]:
        """oauth.v2.access: the code (once) for the bot token, with the app's credentials."""
        if not _credentials_match(args, auth):
            return {"ok": False, "error": "invalid_client_id"}
        with self._lock:
            installing = self._codes.pop(str(args.get("code")), None)
            if installing is None:
                return {"ok": False, "error": "invalid_code"}
            self.installed[installing.token] = installing
        where: dict[str, Any] = {
            "team": {"id": installing.team_id, "name": installing.team_name},
            "enterprise": None,
        }
        if installing.organisation_wide:
            where = {"team": None, "enterprise": {"id": installing.team_id, "name": installing.team_name}}
        return {
            "ok": True, "app_id": APP_ID, "token_type": "bot", "access_token": installing.token,
            "scope": str(args.get("scope") or "commands,chat:write"), "bot_user_id": installing.bot_user_id,
            **where, "is_enterprise_install": installing.organisation_wide, "authed_user": {"id": installing.installer},
        }  # fmt: skip

    def team_of(self, auth: str) -> str | None:
        """The workspace a call's token speaks for; None for a token Slack would refuse."""
        token = auth.removeprefix("Bearer ")
        with self._lock:
            if not self.installed:
                return self.team_id if token.startswith("xoxb-") else None
            if token in self.uninstalled:
                return None
            found = self.installed.get(token)
            return found.team_id if found else None

    def uninstall(self, team_id: str) -> None:
        """The workspace removes the app: its token stops working."""
        with self._lock:
            self.uninstalled |= {token for token, one in self.installed.items() if one.team_id == team_id}

    def auth_test(self, auth: str) -> dict[str, Any]:
        team = self.team_of(auth)
        found = self.installed.get(auth.removeprefix("Bearer "))
        bot_user = found.bot_user_id if found else "U0BOT"
        return {"ok": True, "team_id": team, "user_id": bot_user, "bot_id": "B0BOT", "team": f"Team {team}"}


def _credentials_match(args: dict[str, Any], auth: str) -> bool:
    if auth.startswith("Basic "):
        client_id, _, secret = base64.b64decode(auth.removeprefix("Basic ")).decode().partition(":")
    else:
        client_id, secret = str(args.get("client_id") or ""), str(args.get("client_secret") or "")
    return client_id == CLIENT_ID and secret == CLIENT_SECRET


def redirect_target(location: str) -> tuple[str, str]:
    """A redirect's path and query (what a browser would ask the app for next)."""
    parts = urlsplit(location)
    return parts.path, parts.query
