"""One leader among the workers: only the leader ticks the jobs and sends the outbox.

Every worker runs `follow`: while it does not lead it tries to, every `every` seconds; while it leads it
renews its lease on the same beat, and stops leading (the scheduler is shut down) the moment a renewal
fails. Who leads is decided in the database, so any number of workers on any number of machines agree:

- PostgreSQL: an advisory lock held on a connection of its own. A leader killed outright (`kill -9`, a
  machine gone) loses its connection and the server frees the lock at once: a standby takes over at its
  next try, within `every` seconds.
- SQLite: a lease row that expires `ttl` after the last renewal: a standby takes over at most
  `ttl + every` seconds after the leader's last heartbeat.

A leader that stalls longer than `ttl` (a suspended machine) may find a successor when it wakes; its next
renewal fails and it stops, having done at most one more tick beside the successor. That is within what
the outbox promises: a message is taken by one sender at a time and a post in doubt is looked for before
it is sent again.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from bot.clock import Clock
from store import leases
from store.db import Database

log = logging.getLogger("tidewater.leader")

LEASE = leases.WORKER
TTL = timedelta(seconds=20)
EVERY = timedelta(seconds=5)


def holder_name() -> str:
    """Who a worker is, in the lease row and the logs: machine, process and a random tail."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Leadership:
    """This worker's claim to lead: taken, renewed and given up through the database."""

    def __init__(
        self, db: Database, clock: Clock, *, holder: str | None = None, ttl: timedelta = TTL
    ) -> None:
        self.db = db
        self.clock = clock
        self.holder = holder or holder_name()
        self.ttl = ttl
        self._locked: sa.Connection | None = None  # PostgreSQL: the connection holding the advisory lock

    def try_lead(self) -> bool:
        """True when this worker leads from now on."""
        if not self.db.is_sqlite and not self._lock():
            return False
        return self.renew()

    def renew(self) -> bool:
        """True while this worker still leads."""
        if self._locked is not None:
            self._locked.execute(sa.text("SELECT 1"))  # a dead lock connection means the lock is gone
        with self.db.connection() as connection:
            return leases.take(
                connection,
                name=LEASE,
                holder=self.holder,
                now=self.clock.now(),
                ttl=self.ttl,
                force=self._locked is not None,
            )

    def give_up(self) -> None:
        """Stop leading now, so that a standby need not wait for the lease to expire."""
        try:
            with self.db.connection() as connection:
                leases.give_up(connection, name=LEASE, holder=self.holder, now=self.clock.now())
            self._unlock()
        finally:
            self.drop_lock()

    def _unlock(self) -> None:
        """Release the lock on its connection, so a standby may take it at once rather than when the
        server notices the connection gone; a connection already dead took the lock with it."""
        if self._locked is None:
            return
        try:
            leases.unlock(self._locked)
        except SQLAlchemyError:
            log.info("the lock's connection was gone already: so is the lock")

    def _lock(self) -> bool:
        if self._locked is None:
            connection = self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            if not leases.try_lock(connection):
                connection.close()
                return False
            self._locked = connection
        return True

    def drop_lock(self) -> None:
        """Close the lock's connection (PostgreSQL), which frees the lock if the server still holds it."""
        if self._locked is not None:
            try:
                # Really closed, not returned to the pool: the server frees the lock with its session.
                self._locked.invalidate()
                self._locked.close()
            finally:
                self._locked = None


def follow(
    leadership: Leadership,
    stop: threading.Event,
    *,
    lead: Callable[[], None],
    step_down: Callable[[], None],
    every: timedelta = EVERY,
) -> None:
    """Lead when possible, until `stop` is set: `lead` when this worker becomes the leader, `step_down`
    when it stops being it (a failed renewal, or the stop)."""
    leading = False
    while not stop.is_set():
        still = _attempt(leadership, leading)
        if still and not leading:
            log.info("%s leads the workers", leadership.holder)
            lead()
        elif leading and not still:
            log.warning("%s no longer leads (its lease could not be renewed); standing by", leadership.holder)
            step_down()
            leadership.give_up()
        leading = still
        stop.wait(every.total_seconds())
    if leading:
        step_down()
        leadership.give_up()


def _attempt(leadership: Leadership, leading: bool) -> bool:
    try:
        return leadership.renew() if leading else leadership.try_lead()
    except SQLAlchemyError:
        log.exception(
            "the database did not answer %s's %s", leadership.holder, "renewal" if leading else "try"
        )
        leadership.drop_lock()
        return False
