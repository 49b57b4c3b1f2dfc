"""The App Home's first version: the person's follow-ups due today and overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from bot.services.env import Env
from bot.services.people import Actor
from store import customers as customer_store
from store.models import Customer

HOME_ROWS = 20


@dataclass(frozen=True)
class DueList:
    customers: list[Customer]
    total: int


@dataclass(frozen=True)
class HomeData:
    today: date
    due_today: DueList
    overdue: DueList


def home_data(env: Env, actor: Actor, *, rows: int = HOME_ROWS) -> HomeData:
    """Top `rows` of each list with the full counts, so the Home tab stays under Slack's block cap."""
    today = actor.today(env)
    with env.db.session() as session:
        overdue = _due(session, actor, None, today - timedelta(days=1), rows)
        due_today = _due(session, actor, today, today, rows)
    return HomeData(today=today, due_today=due_today, overdue=overdue)


def _due(session: Session, actor: Actor, start: date | None, through: date, rows: int) -> DueList:
    ws, owner = actor.workspace_id, actor.user_id
    customers = customer_store.follow_ups_due(
        session=session, workspace_id=ws, owner_id=owner, start=start, through=through, limit=rows
    )
    total = customer_store.count_follow_ups_due(
        session=session, workspace_id=ws, owner_id=owner, start=start, through=through
    )
    return DueList(customers=list(customers), total=total)
