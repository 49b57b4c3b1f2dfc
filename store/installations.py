"""Installations of the app ("Add to Slack"), beside slack_sdk's own stores (bot/installs.py), which
write them: the reads the bot needs (a workspace's bot, the installed workspaces) and forgetting one."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from store.models import Workspace
from store.models.installations import BOTS, INSTALLATIONS


@dataclass(frozen=True)
class Bot:
    """The bot of an installation: what a request or a job needs to speak in its workspace."""

    token: str
    bot_id: str
    bot_user_id: str
    enterprise_id: str | None
    team_id: str | None
    is_enterprise_install: bool


def bot_of(connection: sa.Connection, *, team_id: str | None, enterprise_id: str | None) -> Bot | None:
    """The newest bot installed in the workspace, or in its organisation (an organisation-wide install,
    which covers each of its workspaces)."""
    here = BOTS.c.team_id == team_id
    if enterprise_id:
        here = sa.or_(here, sa.and_(BOTS.c.enterprise_id == enterprise_id, BOTS.c.is_enterprise_install))
    row = connection.execute(
        sa.select(BOTS)
        .where(here, BOTS.c.bot_token.is_not(None))
        .order_by(BOTS.c.installed_at.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return Bot(row.bot_token, row.bot_id or "", row.bot_user_id or "", row.enterprise_id, row.team_id,
               bool(row.is_enterprise_install))  # fmt: skip


def installed_teams(connection: sa.Connection) -> list[str]:
    """The workspaces installed one by one (an organisation's workspaces are known by their requests)."""
    rows = connection.execute(sa.select(BOTS.c.team_id).where(BOTS.c.team_id.is_not(None)).distinct())
    return sorted(str(team) for (team,) in rows)


def bump(connection: sa.Connection, *, team_id: str) -> None:
    """What a process keeps of the workspace's installation is stale now (see Workspace.version)."""
    workspaces = Workspace.__table__  # type: ignore[attr-defined]
    connection.execute(
        workspaces.update().where(workspaces.c.id == team_id).values(version=workspaces.c.version + 1)
    )


def forget(connection: sa.Connection, *, team_id: str) -> int:
    """Delete the workspace's installations and bots (uninstalled, or its data deleted); how many rows."""
    gone = connection.execute(INSTALLATIONS.delete().where(INSTALLATIONS.c.team_id == team_id)).rowcount
    gone += connection.execute(BOTS.delete().where(BOTS.c.team_id == team_id)).rowcount
    bump(connection, team_id=team_id)
    return int(gone)


def forget_organisation(connection: sa.Connection, *, enterprise_id: str) -> list[str]:
    """Delete the organisation-wide install and its bots (its workspaces' own installs stay); bump and
    return the organisation's workspaces."""
    wide = sa.and_(INSTALLATIONS.c.enterprise_id == enterprise_id, INSTALLATIONS.c.is_enterprise_install)
    connection.execute(INSTALLATIONS.delete().where(wide))
    connection.execute(
        BOTS.delete().where(BOTS.c.enterprise_id == enterprise_id, BOTS.c.is_enterprise_install)
    )
    workspaces = Workspace.__table__  # type: ignore[attr-defined]
    served = connection.execute(
        workspaces.update()
        .where(workspaces.c.enterprise_id == enterprise_id)
        .values(version=workspaces.c.version + 1)
        .returning(workspaces.c.id)
    )
    return sorted(str(workspace) for (workspace,) in served)
