"""Work done once per period of a workspace (its day or its week, in its own zone): the period is
claimed with a job mark in the work's own transaction, so a run that fails leaves it to the next one
and a second worker waits for the first and then skips."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TypeVar

from sqlmodel import Session

from bot.env import Env
from bot.rules.calendar import zone
from store import home as home_store
from store import jobmarks
from store import people as people_store

T = TypeVar("T")
Work = Callable[[Session, date], T]


def once_per_day(env: Env, workspace_id: str, job: str, work: Work[T]) -> T | None:
    """`work(session, today)` the first time `job` runs on the workspace's today; else None."""
    return _once(env, workspace_id, job, work, lambda today: today.isoformat())


def once_per_week(env: Env, workspace_id: str, job: str, work: Work[T]) -> T | None:
    """`work(session, today)` the first time `job` runs in the workspace's week (ISO, from Monday)."""
    return _once(env, workspace_id, job, work, _iso_week)


def _iso_week(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def _once(env: Env, workspace_id: str, job: str, work: Work[T], period: Callable[[date], str]) -> T | None:
    now = env.clock.now()
    with env.db.session() as session:
        today = _today(session, workspace_id, now)
        claimed = jobmarks.mark_once(
            session=session, workspace_id=workspace_id, job=job, period=period(today), now=now
        )
        return work(session, today) if claimed else None


def _today(session: Session, workspace_id: str, now: datetime) -> date:
    """The workspace's date at `now`, in its zone."""
    timezone = people_store.timezone_of(session=session, workspace_id=workspace_id)
    return now.astimezone(zone(timezone)).date()


def done(env: Env, workspace_id: str, marks: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (job, period) marks are set already: a catch-up run skips them."""
    with env.db.session() as session:
        return home_store.marked(
            session=session,
            workspace_id=workspace_id,
            jobs=sorted({job for job, _ in marks}),
            periods=[period for _, period in marks],
        )


def mark(env: Env, workspace_id: str, job: str, period: str) -> bool:
    """Set the (job, period) mark now, on its own: True the first time."""
    with env.db.session() as session:
        return jobmarks.mark_once(
            session=session, workspace_id=workspace_id, job=job, period=period, now=env.clock.now()
        )
