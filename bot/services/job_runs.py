"""Each job's latest run, kept for the operator: `/metrics` and `python -m bot status` read it.

What a run counted is a `Tally`: counts by workspace (the empty workspace id is the installation as a
whole, for the outbox and retention) and the run's one-line summary, worded from the totals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.env import Env
from store import job_runs as job_runs_store

INSTALLATION = ""  # the workspace id of what a job counts for every workspace at once


@dataclass
class Tally:
    """What one run of a job did, counted by workspace, and its summary once worded (`said`)."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    summary: str = ""

    def add(self, workspace_id: str, **counts: int) -> None:
        into = self.counts.setdefault(workspace_id, {})
        for name, value in counts.items():
            into[name] = into.get(name, 0) + value

    def totals(self) -> dict[str, int]:
        summed: dict[str, int] = {}
        for named in self.counts.values():
            for name, value in named.items():
                summed[name] = summed.get(name, 0) + value
        return summed

    def said(self, template: str) -> Tally:
        """The summary: `template` filled with the totals by name (a name no workspace counted is 0)."""
        self.summary = template.format_map(_ZeroWhenMissing(self.totals()))
        return self


class _ZeroWhenMissing(dict[str, int]):
    def __missing__(self, _name: str) -> int:
        return 0


def record_success(env: Env, job: str, *, started_at: datetime, seconds: float, tally: Tally) -> None:
    with env.db.connection() as connection:
        job_runs_store.record_success(
            connection,
            job=job,
            started_at=started_at,
            seconds=seconds,
            summary=tally.summary,
            counts=tally.counts,
        )


def record_failure(env: Env, job: str, *, started_at: datetime, seconds: float, error: BaseException) -> None:
    with env.db.connection() as connection:
        job_runs_store.record_failure(
            connection,
            job=job,
            started_at=started_at,
            seconds=seconds,
            error=f"{type(error).__name__}: {error}",
        )
