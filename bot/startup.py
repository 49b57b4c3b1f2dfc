"""Before the bot starts: the embedded database brought to the newest schema, or a stop that says what
failed, that the database was left as it was, where the copy is and how to report it."""

from __future__ import annotations

from bot.config import Settings
from store.db import Database, UpgradeFailed


def upgrade_embedded(settings: Settings) -> None:
    """SQLite databases are upgraded on start; PostgreSQL takes `python -m bot db upgrade`."""
    upgrade(settings, lead="Tidewater cannot start: ", sqlite_only=True)


def upgrade(settings: Settings, *, lead: str, sqlite_only: bool) -> None:
    """Upgrade the schema, or stop with what failed, where the copy is, and how to report it."""
    db = Database.from_url(settings.sqlalchemy_url)
    try:
        if db.is_sqlite or not sqlite_only:
            db.upgrade()
    except UpgradeFailed as failure:
        raise SystemExit(lead + upgrade_failed(failure)) from None
    finally:
        db.engine.dispose()


def upgrade_failed(failure: UpgradeFailed) -> str:
    where = f" {failure.database}" if failure.database else ""
    copy = f" A copy made before the upgrade is in {failure.backup}." if failure.backup else ""
    return (
        f"upgrading the database{where} from schema {failure.current} to {failure.newest} failed: "
        f"{failure.reason}.\nThe database was left as it was (the upgrade is one transaction).{copy}\n"
        "To report it, send this message and the log lines above it to whoever runs Tidewater."
    )
