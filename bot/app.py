"""Build the Slack app: client, middleware, error handler and every feature's listeners."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

import handlers
from bot import installs, slack_compat
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.env import Env
from bot.services import freshness, installations
from bot.services.people import Profile, ProfileLookup, profile_from_slack
from handlers.kit import Kit
from store.db import Database

log = logging.getLogger("tidewater")

PROFILE_TIMEOUT_SECONDS = 2


def web_client(settings: Settings, *, timeout: int = 30) -> WebClient:
    client = WebClient(
        token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url, timeout=timeout
    )
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    return client


def profile_lookup(client: WebClient) -> ProfileLookup:
    """users.info with a short timeout: a person's first contact must still ack within 3 seconds."""

    def lookup(user_id: str) -> Profile | None:
        try:
            user = client.users_info(user=user_id, include_locale=True)["user"]
        except (SlackApiError, OSError) as error:
            log.warning("users.info failed for %s: %s; using workspace defaults", user_id, error)
            return None
        return profile_from_slack(user)

    return lookup


def build_app(
    settings: Settings,
    db: Database,
    *,
    clock: Clock | None = None,
    executor: ThreadPoolExecutor | None = None,
) -> App:
    """The app; `executor` runs the lazy listeners (the tests pass theirs to wait for them)."""
    slack_compat.install()
    client = web_client(settings)
    env = Env(db=db, clock=clock or SystemClock(), settings=settings)
    app = FreshApp(
        client=client,
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        process_before_response=True,
        token_verification_enabled=False,
        listener_executor=executor
        or ThreadPoolExecutor(max_workers=settings.lazy_threads, thread_name_prefix="lazy"),
        raise_error_for_unhandled_request=False,
        **(_installs_many(settings, env, client) if settings.installs_many else {}),
    )
    handlers.register(app, Kit(env=env, profiles=_profiles(settings, env)))
    app.error(_log_unexpected)
    return app


class FreshApp(App):
    """Bolt's App, each request in its own scope of workspace versions (bot/services/freshness.py)."""

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        with freshness.request_scope():
            return super().dispatch(req)


def _installs_many(settings: Settings, env: Env, client: WebClient) -> dict[str, Any]:
    """Bolt's arguments for "Add to Slack": the install pages, and authorize from the installations."""
    return {
        "oauth_flow": installs.oauth_flow(settings, env, client),
        "authorize": installs.StoredAuthorize(env),
        "user_facing_authorize_error_message": installs.NOT_INSTALLED,
    }


def _profiles(settings: Settings, env: Env) -> Callable[[str], ProfileLookup]:
    """A workspace's users.info, with its own bot token, a short timeout and no retry."""

    @lru_cache(maxsize=1024)
    def lookup_with(token: str) -> ProfileLookup:
        client = WebClient(token=token, base_url=settings.slack_api_url, timeout=PROFILE_TIMEOUT_SECONDS)
        client.retry_handlers.clear()
        return profile_lookup(client)

    def profiles(workspace_id: str) -> ProfileLookup:
        # The token is looked up only when Slack is asked (a first contact), not at every request.
        return lambda user_id: lookup_with(installations.token_for(env, workspace_id) or "")(user_id)

    return profiles


def _log_unexpected(error: Exception, body: dict[str, Any], response: BoltResponse | None) -> BoltResponse:
    """Failures outside our listener wrapper (middleware, parsing): logged with a reference."""
    reference = secrets.token_hex(4)
    log.error("request failed (ref %s) type=%s: %s", reference, body.get("type"), error, exc_info=error)
    return BoltResponse(status=200, body="") if response is None else response
