"""The app's installations, as the bot needs them: a workspace's bot token (many workspaces: its
installation's; one workspace: SLACK_BOT_TOKEN), the installed workspaces, forgetting one."""

from __future__ import annotations

from bot.env import Env
from bot.services import freshness
from store import installations as store
from store import people as people_store
from store.installations import Bot


def bot_for(env: Env, *, team_id: str | None, enterprise_id: str | None = None) -> Bot | None:
    """The workspace's bot (its own install's, or its organisation's), kept in the process while the
    workspace's version holds: forgetting an installation bumps it."""
    if team_id is None:
        return _bot_of(env, team_id, enterprise_id)
    return _BOTS.get_or_read(
        env, team_id, (team_id, enterprise_id), lambda: _bot_of(env, team_id, enterprise_id)
    )


_BOTS = freshness.Kept("bots")


def _bot_of(env: Env, team_id: str | None, enterprise_id: str | None) -> Bot | None:
    with env.db.connection() as connection:
        return store.bot_of(connection, team_id=team_id, enterprise_id=enterprise_id)


def token_for(env: Env, workspace_id: str) -> str | None:
    """The bot token to speak in the workspace; None when it is not installed (many workspaces): its
    own installation's, or its organisation's install's."""
    if not env.settings.installs_many:
        return env.settings.slack_bot_token.get_secret_value()
    return _TOKENS.get_or_read(env, workspace_id, workspace_id, lambda: _token_of(env, workspace_id))


_TOKENS = freshness.Kept("tokens")  # kept while the workspace's version holds (an enterprise id bumps it)


def _token_of(env: Env, workspace_id: str) -> str | None:
    with env.db.session() as session:
        workspace = people_store.get_workspace(session=session, workspace_id=workspace_id)
        enterprise_id = workspace.enterprise_id if workspace else None
    bot = _bot_of(env, workspace_id, enterprise_id)
    return bot.token if bot else None


def remember_organisation(env: Env, workspace_id: str, enterprise_id: str) -> None:
    """A request from a workspace that an organisation-wide install covers: the workspace is recorded
    as the organisation's (once per process and database), so the jobs and the outbox find its bot."""
    written: set[tuple[str, str]] = env.db.kept.setdefault("organisations", set())
    if (workspace_id, enterprise_id) in written:
        return
    with env.db.session() as session:
        people_store.set_enterprise(session=session, workspace_id=workspace_id, enterprise_id=enterprise_id)
        known = people_store.get_workspace(session=session, workspace_id=workspace_id) is not None
    if known:  # a workspace not recorded yet (its first request) is recorded by its next one
        written.add((workspace_id, enterprise_id))


def forget_organisation(env: Env, enterprise_id: str) -> list[str]:
    """The organisation-wide install deleted (uninstalled from the organisation); the organisation's
    workspaces, which it served."""
    with env.db.connection() as connection:
        return store.forget_organisation(connection, enterprise_id=enterprise_id)


def installed(env: Env) -> list[str]:
    with env.db.connection() as connection:
        return store.installed_teams(connection)


def installed_now(env: Env, workspace_id: str) -> None:
    """The workspace was (re)installed: a token kept for it in any process is read again."""
    with env.db.connection() as connection:
        store.bump(connection, team_id=workspace_id)


def forget(env: Env, workspace_id: str) -> int:
    """The workspace's installation deleted (uninstalled, or its data deleted); how many rows went."""
    with env.db.connection() as connection:
        return store.forget(connection, team_id=workspace_id)
