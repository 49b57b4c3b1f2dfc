"""Stopping within a deadline (STOP_SECONDS): what a process is doing when asked to stop — a lazy
listener, a job, a send — gets that long to finish, then the process ends at once.

Nothing is half done either way: each change is one transaction, so work cut off rolls back, and every
message waits in the outbox until Slack has taken it, so a send cut off is sent by the next sender (a
post that may have reached Slack is looked for first: bot/notify). Under gunicorn the arbiter enforces
the same deadline (its graceful timeout); the worker and Socket Mode use `cut_off_after`.
"""

from __future__ import annotations

import logging
import os
import threading

log = logging.getLogger("tidewater.stopping")

CUT_OFF_STATUS = 3  # the exit status of a process that had to be ended at its deadline


def cut_off_after(seconds: float, what: str) -> threading.Timer:
    """From now, `what` has `seconds` to stop; past that this process ends with CUT_OFF_STATUS.
    Cancel the timer returned once stopped (a process that exits does not wait for it)."""
    timer = threading.Timer(seconds, _cut_off, args=(what, seconds))
    timer.daemon = True
    timer.name = "stop-deadline"
    timer.start()
    return timer


def _cut_off(what: str, seconds: float) -> None:
    log.error(
        "%s did not stop within %g s: ending it now; the work cut off rolls back and its messages stay queued",
        what,
        seconds,
    )
    logging.shutdown()  # the log line above is written before the process goes
    os._exit(CUT_OFF_STATUS)
