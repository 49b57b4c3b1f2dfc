"""What is kept, and for how long. Business history — visits, orders, ownership history, churn changes,
complaints and their steps, the settings log — is kept for good. What only the machinery needed is
forgotten past its age: messages Slack took (OUTBOX_KEPT_DAYS, 30 by default) and the marks of work done
once per period (JOB_MARKS_KEPT_DAYS, 90). A sent message that a later one may still answer in its thread
or update (a complaint's card, a pool announcement: `kept_kinds`) is kept, so its thread goes on; messages
Slack refused stay for the admins. Request marks go after an hour (bot/services/replays.py)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Connection

from bot.env import Env
from store import retention as retention_store


@dataclass(frozen=True)
class Forgotten:
    messages: int
    marks: int


def forget_old(env: Env, *, kept_kinds: Collection[str]) -> Forgotten:
    """Delete what is past its age, a chunk per transaction until none is left."""
    now = env.clock.now()
    sent_before = now - timedelta(days=env.settings.outbox_kept_days)
    done_before = now - timedelta(days=env.settings.job_marks_kept_days)
    messages = _until_none(
        env, lambda c: retention_store.forget_sent(c, before=sent_before, kept_kinds=kept_kinds)
    )
    marks = _until_none(env, lambda c: retention_store.forget_job_marks(c, before=done_before))
    _until_none(env, lambda c: retention_store.forget_images(c, before=sent_before))
    _until_none(env, lambda c: retention_store.forget_files(c, before=sent_before))
    return Forgotten(messages, marks)


def _until_none(env: Env, chunk: Callable[[Connection], int]) -> int:
    total = 0
    while True:
        with env.db.connection() as connection:
            gone = chunk(connection)
        total += gone
        if gone < retention_store.CHUNK:
            return total
