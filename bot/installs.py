"""Many workspaces from one installation: Slack's "Add to Slack" flow (OAuth v2) with slack_sdk's
installation and state stores over the app's own database, and Bolt's authorize answered from those
tables (no auth.test per request: the installation already says whose bot it is).

Single-workspace mode (SLACK_BOT_TOKEN set) needs none of it: `bot.app` uses this module only when
`Settings.installs_many`.
"""

from __future__ import annotations

import sqlalchemy as sa
from slack_bolt import BoltContext
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.config import Settings
from bot.env import Env
from bot.scopes import BOT_SCOPES
from bot.services import installations
from store.models.installations import BOTS_TABLE, INSTALLATIONS_TABLE, STATES_TABLE

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600  # an install started must finish within ten minutes
NOT_INSTALLED = (
    "Tidewater is not installed in this workspace (or was removed from it). An admin of the workspace "
    "can add it again from the app's install page. / Tidewater 尚未安装在这个工作区（或已被移除），"
    "请工作区管理员从安装页重新添加。"
)


class InstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's store on the app's tables (made by the migrations: never `create_tables`); a save
    makes every process read the workspace's token again."""

    def __init__(self, env: Env, client_id: str) -> None:
        super().__init__(
            client_id=client_id, engine=env.db.engine, bots_table_name=BOTS_TABLE,
            installations_table_name=INSTALLATIONS_TABLE,
        )  # fmt: skip
        self.env = env

    def save(self, installation: Installation) -> None:
        super().save(installation)
        if installation.team_id:
            installations.installed_now(self.env, installation.team_id)


def state_store(engine: sa.Engine) -> SQLAlchemyOAuthStateStore:
    return SQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=engine, table_name=STATES_TABLE)


def oauth_flow(settings: Settings, env: Env, client: WebClient) -> OAuthFlow:
    """The install pages (/slack/install, /slack/oauth_redirect): oauth.v2.access through `client`."""
    oauth = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=list(BOT_SCOPES),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        authorization_url=settings.slack_oauth_authorize_url,
        installation_store=InstallationStore(env, settings.slack_client_id),
        installation_store_bot_only=True,
        state_store=state_store(env.db.engine),
        state_expiration_seconds=STATE_SECONDS,
    )
    return OAuthFlow(client=client, settings=oauth)


class StoredAuthorize(Authorize):
    """Whose bot answers a request: the installation of its workspace, or of its organisation."""

    def __init__(self, env: Env) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.env = env

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **_actor: str | None,
    ) -> AuthorizeResult | None:
        bot = installations.bot_for(self.env, team_id=team_id, enterprise_id=enterprise_id)
        if bot is None:
            return None
        if bot.is_enterprise_install and team_id and enterprise_id:
            installations.remember_organisation(self.env, team_id, enterprise_id)
        return AuthorizeResult(
            enterprise_id=enterprise_id, team_id=team_id, bot_token=bot.token, bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id, user_id=user_id,
        )  # fmt: skip
