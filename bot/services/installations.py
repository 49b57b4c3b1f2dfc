"""The app's installations, as the bot needs them: a workspace's bot token (many workspaces: its
installation's; one workspace: SLACK_BOT_TOKEN), the installed workspaces, forgetting one."""

from __future__ import annotations

from bot.env import Env
from store import installations as store
from store.installations import Bot


def bot_for(env: Env, *, team_id: str | None, enterprise_id: str | None = None) -> Bot | None:
    with env.db.connection() as connection:
        return store.bot_of(connection, team_id=team_id, enterprise_id=enterprise_id)


def token_for(env: Env, workspace_id: str) -> str | None:
    """The bot token to speak in the workspace; None when it is not installed (many workspaces)."""
    if not env.settings.installs_many:
        return env.settings.slack_bot_token.get_secret_value()
    bot = bot_for(env, team_id=workspace_id)
    return bot.token if bot else None


def installed(env: Env) -> list[str]:
    with env.db.connection() as connection:
        return store.installed_teams(connection)


def forget(env: Env, workspace_id: str) -> int:
    """The workspace's installation deleted (uninstalled, or its data deleted); how many rows went."""
    with env.db.connection() as connection:
        return store.forget(connection, team_id=workspace_id)
