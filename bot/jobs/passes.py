"""A job's pass over each active workspace, several workspaces at once on PostgreSQL.

Each workspace's pass is independent of the others' (its own transactions over its own rows), so the
worker runs `JOB_THREADS` of them at a time from one pool shared by every job: the worker's database
connections grow by `JOB_THREADS`, not by as many for each job that may be running. On SQLite, which
writes one transaction at a time, the passes run one after another in the job's own thread.

A pass that fails fails the job, once the passes already started have ended (each is its own
transactions: what the others did stands, and the next tick catches up on the failed one).
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait

from bot.env import Env
from bot.services.job_runs import Tally
from bot.services.people import workspace_ids

Pass = Callable[[str], Mapping[str, int]]  # a workspace's pass: what it did, counted by name


def over_workspaces(env: Env, work: Pass) -> Tally:
    """`work` for each active workspace (or the one a command-line run names), counted per workspace."""
    tally = Tally()
    workspaces = workspace_ids(env)
    if env.db.is_sqlite or env.settings.job_threads <= 1 or len(workspaces) <= 1:
        for workspace_id in workspaces:
            tally.add(workspace_id, **work(workspace_id))
        return tally
    pool = _pool(env.settings.job_threads)
    # Each pass sees the job's context (its log scope), as it would in the job's own thread.
    started = [pool.submit(contextvars.copy_context().run, work, one) for one in workspaces]
    wait(started)
    for workspace_id, future in zip(workspaces, started, strict=True):
        tally.add(workspace_id, **_counts(future))
    return tally


def _counts(future: Future[Mapping[str, int]]) -> Mapping[str, int]:
    return future.result()  # raises the pass's own error


_POOLS: dict[int, ThreadPoolExecutor] = {}
_POOLS_LOCK = threading.Lock()


def _pool(threads: int) -> ThreadPoolExecutor:
    with _POOLS_LOCK:
        if threads not in _POOLS:
            _POOLS[threads] = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="workspace-pass")
        return _POOLS[threads]
