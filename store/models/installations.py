"""Slack's installations of the app, one per workspace (or organisation) that went through "Add to
Slack", and the install flow's short-lived states. slack_sdk's own SQLAlchemy stores read and write
these tables; their shape is slack_sdk's (3.48), written out here so the store needs no Slack library
(a test holds it equal to slack_sdk's builders). Small reference tables, not distributed by workspace:
a row per installation."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import SQLModel

INSTALLATIONS_TABLE = "slack_installations"
BOTS_TABLE = "slack_bots"
STATES_TABLE = "slack_oauth_states"


def _bot_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("bot_token", sa.String(200)),
        sa.Column("bot_id", sa.String(32)),
        sa.Column("bot_user_id", sa.String(32)),
        sa.Column("bot_scopes", sa.String(1000)),
        sa.Column("bot_refresh_token", sa.String(200)),
        sa.Column("bot_token_expires_at", sa.DateTime),
    ]


def _who() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.String(32), nullable=False),
        sa.Column("app_id", sa.String(32), nullable=False),
        sa.Column("enterprise_id", sa.String(32)),
        sa.Column("enterprise_name", sa.String(200)),
    ]


def _installed() -> list[sa.Column[object]]:
    return [
        sa.Column("is_enterprise_install", sa.Boolean, default=False, nullable=False),
        sa.Column("installed_at", sa.DateTime, nullable=False, default=sa.func.now()),
    ]


REFERENCE = {"doc": "a small reference table: a row per installation, not distributed by workspace"}

INSTALLATIONS = sa.Table(
    INSTALLATIONS_TABLE,
    SQLModel.metadata,
    *_who(),
    sa.Column("enterprise_url", sa.String(200)),
    sa.Column("team_id", sa.String(32)),
    sa.Column("team_name", sa.String(200)),
    *_bot_columns(),
    sa.Column("user_id", sa.String(32), nullable=False),
    sa.Column("user_token", sa.String(200)),
    sa.Column("user_scopes", sa.String(1000)),
    sa.Column("user_refresh_token", sa.String(200)),
    sa.Column("user_token_expires_at", sa.DateTime),
    sa.Column("incoming_webhook_url", sa.String(200)),
    sa.Column("incoming_webhook_channel", sa.String(200)),
    sa.Column("incoming_webhook_channel_id", sa.String(200)),
    sa.Column("incoming_webhook_configuration_url", sa.String(200)),
    _installed()[0],
    sa.Column("token_type", sa.String(32)),
    _installed()[1],
    sa.Index(
        f"{INSTALLATIONS_TABLE}_idx", "client_id", "enterprise_id", "team_id", "user_id", "installed_at"
    ),
    info=REFERENCE,
)
BOTS = sa.Table(
    BOTS_TABLE,
    SQLModel.metadata,
    *_who(),
    sa.Column("team_id", sa.String(32)),
    sa.Column("team_name", sa.String(200)),
    *_bot_columns(),
    *_installed(),
    sa.Index(f"{BOTS_TABLE}_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
    info=REFERENCE,
)
STATES = sa.Table(
    STATES_TABLE,
    SQLModel.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("state", sa.String(200), nullable=False),
    sa.Column("expire_at", sa.DateTime, nullable=False),
    info={"doc": "a small reference table: an install flow's state lives ten minutes"},
)
