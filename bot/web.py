"""The WSGI entry for gunicorn: Slack's requests on /slack/events, a health check on /healthz."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.app import build_app
from bot.config import Settings
from store.db import Database

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def wsgi_app(app: App) -> WsgiApp:
    slack = SlackRequestHandler(app, path="/slack/events")

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        return slack(environ, start_response)

    return application


def create_application() -> WsgiApp:
    """Used by gunicorn (`bot.web:create_application()`): settings from the environment."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = Settings()
    settings.require_slack_secrets()
    return wsgi_app(build_app(settings, Database.from_url(settings.sqlalchemy_url)))
