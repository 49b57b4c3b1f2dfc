"""Whose bot speaks in a workspace: with many workspaces, the client of each message and each job's pass
carries that workspace's own bot token (its installation's); with one, the process's client as it is.
Registered with the outbox's sender on import."""

from __future__ import annotations

from functools import lru_cache

from slack_sdk import WebClient

from bot import notify
from bot.env import Env
from bot.services import installations


def client_for(env: Env, base: WebClient, workspace_id: str) -> WebClient | None:
    """`base` with the workspace's bot token; None when the workspace has no installation now."""
    if not env.settings.installs_many:
        return base
    token = installations.token_for(env, workspace_id)
    if token is None:
        return None
    return base if token == base.token else _with_token(base, token)


@lru_cache(maxsize=1024)
def _with_token(base: WebClient, token: str) -> WebClient:
    """The same client (address, timeout, retries) with another token; kept, as a client keeps its
    connection pool."""
    return WebClient(
        token=token, base_url=base.base_url, timeout=base.timeout, retry_handlers=list(base.retry_handlers)
    )


notify.register_client_for(client_for)
