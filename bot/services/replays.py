"""Request marks: what identifies a request Slack may send again, written once (see handlers.replays).

Each call is its own short transaction, committed without waiting for the disk (`store.requests`): a
mark reaches the disk no later than the work it guards. A database that cannot be reached only loses
the protection against a replay of that one request, so the errors are logged here, not raised.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError

from bot.env import Env
from store import requests as requests_store
from store.requests import Seen

__all__ = ["KEPT", "Seen", "forget_old", "mark", "settle"]

log = logging.getLogger("tidewater.replays")

KEPT = timedelta(hours=1)  # Slack replays a request within minutes


def mark(env: Env, workspace_id: str, key: str) -> Seen | None:
    """Mark the request: None the first time, else what the first one left (its answer, if kept)."""
    try:
        with requests_store.marks_transaction(env.db.engine) as connection:
            return requests_store.mark_request(
                bind=connection, workspace_id=workspace_id, key=key, now=env.clock.now()
            )
    except SQLAlchemyError as error:
        log.warning("could not mark request %s: %s", key, error)
        return None


def settle(env: Env, workspace_id: str, key: str, *, answer: str | None, went_through: bool) -> None:
    """Keep the first answer for replays, or forget a request that did not go through, so the
    person's next try is not taken for a replay."""
    try:
        with requests_store.marks_transaction(env.db.engine) as connection:
            if not went_through:
                requests_store.forget_request(bind=connection, workspace_id=workspace_id, key=key)
            elif answer:
                requests_store.keep_request_answer(
                    bind=connection, workspace_id=workspace_id, key=key, answer=answer
                )
    except SQLAlchemyError as error:  # the answer is sent all the same
        log.warning("could not settle request mark %s: %s", key, error)


def forget_old(env: Env) -> int:
    """Forget the marks older than KEPT; how many went."""
    with env.db.session() as session:
        forgotten = requests_store.prune_request_marks(session=session, before=env.clock.now() - KEPT)
        session.commit()
    return forgotten
