"""Before the bot starts: the embedded database brought to the newest schema, or a stop that says what
failed, that the database was left as it was, where the copy is and how to report it; and a started
process's heap settled out of the garbage collector's way."""

from __future__ import annotations

import gc

from bot import i18n
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


def settle() -> None:
    """What a long-running process (the worker, each web process) holds from its start: the catalogs
    and Babel's data read once, then everything alive moved out of the garbage collector's sight
    (gc.freeze). A full collection walks every tracked object; with the start's modules and caches
    among them it cost 60 to 100 ms, landing in whichever pass or request happened to allocate the
    most (the worker's warning pass at 1,000,000 customers; one manager's Home in a hundred)."""
    i18n.preload()
    gc.collect()
    gc.freeze()
