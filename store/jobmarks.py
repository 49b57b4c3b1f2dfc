"""Once-per-period pieces of the scheduled jobs (the churn scores of a day): done once, never twice."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from store.models import JobMark
from store.sql import insert_ignore


def mark_once(*, session: Session, workspace_id: str, job: str, period: str, now: datetime) -> bool:
    """Claim the period for this run: True the first time. In the run's own transaction, so a run that
    fails leaves the period to the next one, and a second worker waits for the first and then skips."""
    values = {"workspace_id": workspace_id, "job": job, "period": period, "done_at": now}
    return insert_ignore(session, JobMark, values)
