"""One validated settings object, read once at start and passed in."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SLACK_APP_PAGE = "https://api.slack.com/apps"


class ConfigError(Exception):
    """The settings cannot start the bot; the message says what to set and where to find it."""


_WHERE_TO_FIND = {
    "SLACK_BOT_TOKEN": (
        "the Bot User OAuth Token (xoxb-...): your app at "
        f"{SLACK_APP_PAGE} → OAuth & Permissions → Install to Workspace, then copy the token"
    ),
    "SLACK_SIGNING_SECRET": (
        f"the Signing Secret: your app at {SLACK_APP_PAGE} → Basic Information → App Credentials"
    ),
    "SLACK_CLIENT_SECRET": (
        f"the Client Secret: your app at {SLACK_APP_PAGE} → Basic Information → App Credentials"
    ),
}

_PLACEHOLDERS = {"", "changeme", "changethis", "xoxb-...", "xoxb-your-token", "your-signing-secret"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_file_encoding="utf-8")

    slack_bot_token: SecretStr = SecretStr("")
    slack_signing_secret: SecretStr = SecretStr("")
    slack_app_token: SecretStr | None = None
    # Many workspaces: with SLACK_CLIENT_ID and SLACK_CLIENT_SECRET set and no SLACK_BOT_TOKEN, each
    # workspace installs the app through "Add to Slack" (/slack/install) and gets its own bot token.
    slack_client_id: str = ""
    slack_client_secret: SecretStr = SecretStr("")
    slack_oauth_authorize_url: str = "https://slack.com/oauth/v2/authorize"
    database_url: str = "sqlite:///tidewater.db"
    slack_api_url: str = "https://slack.com/api/"
    admin_user_ids: Annotated[frozenset[str], NoDecode] = frozenset()
    # The workspace's language when set ("en" or "zh_CN"); otherwise each person's Slack locale decides.
    default_locale: str | None = None
    default_timezone: str = "Asia/Shanghai"
    default_country: str = "CN"
    default_currency: str = "CNY"
    port: int = Field(default=3000, ge=1, le=65535)
    # The web process: gunicorn processes, and request threads in each (each runs twice as many lazy
    # listener threads). Database connections follow from them: see `web_connections`.
    web_concurrency: int = Field(default=2, ge=1)
    web_threads: int = Field(default=8, ge=1)
    # The worker's jobs pass over this many workspaces at once on PostgreSQL (bot/jobs/passes.py), from
    # one pool of threads: the worker holds as many more database connections. SQLite: one at a time.
    job_threads: int = Field(default=4, ge=1)
    # Workers elect one leader (bot/leader.py): it renews its lease every LEADER_CHECK_SECONDS; on SQLite a
    # standby takes over once the lease has gone LEADER_LEASE_SECONDS without a renewal.
    leader_lease_seconds: float = Field(default=20, gt=0)
    leader_check_seconds: float = Field(default=5, gt=0)
    # Ctrl-C or SIGTERM: what a process is doing (a request, lazy listeners, a job, a send) has this long
    # to finish before the process ends (bot/stopping.py). Below the 30 s most platforms allow.
    stop_seconds: float = Field(default=25, gt=0)
    # How long a sender holds a queued message it took (bot/notify): longer than a request to Slack may
    # last (30 s); a sender that dies mid-send gives the message back after it.
    outbox_lease_seconds: float = Field(default=120, gt=0)
    log_format: Literal["text", "json"] = "text"  # json: one object a line (bot/logs.py)
    # How long the machinery's own rows are kept (bot/services/retention.py): sent messages, job marks.
    outbox_kept_days: int = Field(default=30, ge=1)
    job_marks_kept_days: int = Field(default=90, ge=1)

    @property
    def lazy_threads(self) -> int:
        """Lazy listeners per web process: two for each request thread (most acks hand one over)."""
        return 2 * self.web_threads

    @property
    def web_connections(self) -> int:
        """A web process's database pool: one connection for each of its threads, requests and lazy."""
        return self.web_threads + self.lazy_threads

    @property
    def worker_connections(self) -> int:
        """A worker's database pool: one connection for each job that can run at once (APScheduler's
        default pool of 10 threads; each job runs one at a time, and there are more than 10), the
        leader's lock, the lease's renewal, and each workspace pass running at once."""
        return 10 + 2 + self.job_threads

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("default_locale", mode="before")
    @classmethod
    def _known_locale(cls, value: object) -> object:
        if value in (None, ""):
            return None
        from bot.i18n import normalize_locale

        locale = normalize_locale(str(value))
        if locale is None:
            raise ValueError("DEFAULT_LOCALE must be en or zh_CN")
        return locale

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like Asia/Shanghai)") from error
        return value

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL with the psycopg 3 driver named, as SQLAlchemy wants it."""
        url = self.database_url
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    @property
    def installs_many(self) -> bool:
        """Many workspaces through "Add to Slack": the client's credentials set and no single bot token."""
        single = self.slack_bot_token.get_secret_value().strip().lower() not in _PLACEHOLDERS
        return bool(self.slack_client_id.strip()) and not single

    def missing_secrets(self) -> list[str]:
        """Names of the Slack secrets that are unset or still a placeholder."""
        if self.installs_many:
            values = {"SLACK_CLIENT_SECRET": self.slack_client_secret.get_secret_value()}
        else:
            values = {"SLACK_BOT_TOKEN": self.slack_bot_token.get_secret_value()}
        values["SLACK_SIGNING_SECRET"] = self.slack_signing_secret.get_secret_value()
        return [name for name, value in values.items() if value.strip().lower() in _PLACEHOLDERS]

    def require_slack_secrets(self) -> None:
        """Refuse to serve without real secrets, naming each missing one and where to get it."""
        missing = self.missing_secrets()
        if missing:
            lines = [f"  {name}: {_WHERE_TO_FIND[name]}" for name in missing]
            raise ConfigError(
                "Tidewater needs its Slack secrets to connect to your workspace. Set them in the\n"
                "environment or in a .env file in this folder:\n" + "\n".join(lines) + "\n"
                "The README's 'Connect it to your Slack workspace' section walks through it (manifest.yml in one paste)."
            )
