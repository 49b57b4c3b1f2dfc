"""Opportunities in the database: numbers per workspace, the stages (the defaults written at first use),
an opportunity with its history, and changes made only from the version a person saw."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from store.models import (
    CHANGE_LOST,
    Customer,
    Opportunity,
    OpportunityChange,
    OpportunityStage,
    Visit,
    WorkspaceCounter,
)
from store.sql import day_number, insert_ignore, is_postgresql, one_of

OPPORTUNITY_NUMBERS = "opportunity"
STAGE_NUMBERS = "opportunity_stage"


def next_number(session: Session, *, workspace_id: str, name: str) -> int:
    """The workspace's next number of this kind, taken in the caller's transaction (the counter's row
    stays locked until it ends: two at once get two numbers)."""
    return take_numbers(session, workspace_id=workspace_id, name=name, count=1).start


def take_numbers(session: Session, *, workspace_id: str, name: str, count: int) -> range:
    """The workspace's next `count` numbers of this kind, in one statement (an import's batch)."""
    counters = WorkspaceCounter.__table__  # type: ignore[attr-defined]
    last = session.execute(
        counters.update()
        .where(counters.c.workspace_id == workspace_id, counters.c.name == name)
        .values(value=counters.c.value + count)
        .returning(counters.c.value)
    ).scalar()
    if last is not None:
        return range(int(last) - count + 1, int(last) + 1)
    insert_ignore(session, WorkspaceCounter, {"workspace_id": workspace_id, "name": name, "value": 0})
    return take_numbers(session, workspace_id=workspace_id, name=name, count=count)


def stages_of(session: Session, *, workspace_id: str) -> list[OpportunityStage]:
    """Every stage of the workspace, retired ones too (histories name them), in order."""
    return list(
        session.exec(
            select(OpportunityStage)
            .where(col(OpportunityStage.workspace_id) == workspace_id)
            .order_by(col(OpportunityStage.position), col(OpportunityStage.id))
        ).all()
    )


@dataclass(frozen=True)
class StageSeed:
    key: str
    probability: int
    outcome: str
    idle_days: int = 0


def add_stages(session: Session, *, workspace_id: str, seeds: Sequence[StageSeed]) -> None:
    """The default stages, numbered in order, unless the workspace has stages already (two first uses
    at once: the counter's lock makes the second wait and find them)."""
    first = next_number(session, workspace_id=workspace_id, name=STAGE_NUMBERS)
    if stages_of(session, workspace_id=workspace_id):
        return
    for place, seed in enumerate(seeds):
        number = first if place == 0 else next_number(session, workspace_id=workspace_id, name=STAGE_NUMBERS)
        session.add(
            OpportunityStage(
                workspace_id=workspace_id, id=number, key=seed.key, position=place + 1,
                probability=seed.probability, outcome=seed.outcome, idle_days=seed.idle_days,
            )
        )  # fmt: skip
    session.flush()


def add_opportunity(session: Session, *, opportunity: Opportunity, change: OpportunityChange) -> None:
    session.add(opportunity)
    session.flush()
    session.add(change)
    session.flush()


def get_opportunity(session: Session, *, workspace_id: str, number: int) -> Opportunity | None:
    return session.get(Opportunity, (workspace_id, number))


def change_from(
    session: Session,
    *,
    workspace_id: str,
    number: int,
    seen_version: int,
    values: dict[str, Any],
    change: OpportunityChange,
) -> bool:
    """Apply `values` and write `change` if the opportunity is still at the version the person saw;
    False (nothing written) if someone changed it first."""
    result = session.execute(
        sa.update(Opportunity)
        .where(
            col(Opportunity.workspace_id) == workspace_id,
            col(Opportunity.id) == number,
            col(Opportunity.version) == seen_version,
        )
        .values(**values, version=seen_version + 1)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    session.add(change)
    session.flush()
    return True


def history_of(session: Session, *, workspace_id: str, number: int) -> list[OpportunityChange]:
    return list(
        session.exec(
            select(OpportunityChange)
            .where(
                col(OpportunityChange.workspace_id) == workspace_id,
                col(OpportunityChange.opportunity_id) == number,
            )
            .order_by(col(OpportunityChange.version))
        ).all()
    )


def note_order(session: Session, *, workspace_id: str, number: int, order_id: int) -> None:
    """The order a won opportunity wrote, kept beside it."""
    session.execute(
        sa.update(Opportunity)
        .where(col(Opportunity.workspace_id) == workspace_id, col(Opportunity.id) == number)
        .values(order_id=order_id)
        .execution_options(synchronize_session=False)
    )


LISTED = 50  # a listing's rows at most: a message's blocks


def listed(
    session: Session,
    *,
    workspace_id: str,
    owners: Sequence[str] | None = None,
    customer_id: int | None = None,
) -> list[tuple[Opportunity, str]]:
    """Open opportunities of these owners (None: everyone's), or every one of a customer, each with its
    customer's name; the soonest to close first."""
    query = (
        select(Opportunity, col(Customer.name))
        .join(Customer, sa.and_(col(Customer.workspace_id) == col(Opportunity.workspace_id),
                                col(Customer.id) == col(Opportunity.customer_id)))
        .where(col(Opportunity.workspace_id) == workspace_id)
    )  # fmt: skip
    if customer_id is not None:
        query = query.where(col(Opportunity.customer_id) == customer_id)
    else:
        query = query.where(col(Opportunity.closed_at).is_(None))
    if owners is not None:
        query = query.where(col(Opportunity.owner_id).in_(list(owners)))
    rows = session.exec(query.order_by(col(Opportunity.expected_close_on), col(Opportunity.id)).limit(LISTED))
    return [(opportunity, str(name)) for opportunity, name in rows.all()]


def needing_attention(
    session: Session, *, workspace_id: str, owners: Sequence[str], today: date, per_owner: int
) -> dict[str, list[tuple[Opportunity, str, int]]]:
    """Each owner's open opportunities past their expected close date, or longer in their stage than
    it allows, not snoozed past today: (the opportunity, its customer's name, how many such the owner
    has), the slipped first, then the longest idle; `per_owner` each at most, cut in the database (a
    rep with hundreds slipped costs the rows shown, not all of them)."""
    ranked = _attention_ranked(workspace_id, owners, today)
    rows = session.execute(
        sa.select(Opportunity, col(Customer.name), ranked.c.total)
        .join(ranked, sa.and_(ranked.c.ws == col(Opportunity.workspace_id), ranked.c.number == col(Opportunity.id)))
        .join(Customer, sa.and_(col(Customer.workspace_id) == col(Opportunity.workspace_id),
                                col(Customer.id) == col(Opportunity.customer_id)))
        .where(ranked.c.place <= per_owner)
        .order_by(col(Opportunity.owner_id), ranked.c.place)
    )  # fmt: skip
    found: dict[str, list[tuple[Opportunity, str, int]]] = {}
    for opportunity, name, total in rows:
        found.setdefault(opportunity.owner_id, []).append((opportunity, str(name), int(total)))
    return found


def _attention_ranked(workspace_id: str, owners: Sequence[str], today: date) -> sa.Subquery:
    """The slipped and idle open opportunities of these owners, each with its place among its owner's
    (the slipped first, then the longest in their stage) and how many its owner has."""
    stage = OpportunityStage.__table__  # type: ignore[attr-defined]
    slipped = col(Opportunity.expected_close_on) < today
    days_in_stage = day_number(sa.literal(today, sa.Date)) - day_number(col(Opportunity.stage_since))
    idle = sa.and_(stage.c.idle_days > 0, days_in_stage > stage.c.idle_days)
    snoozed = col(Opportunity.reminder_snoozed_until)
    owner = col(Opportunity.owner_id)
    order = (sa.case((slipped, 0), else_=1), col(Opportunity.stage_since), col(Opportunity.id))
    return (
        sa.select(
            col(Opportunity.workspace_id).label("ws"), col(Opportunity.id).label("number"),
            sa.func.row_number().over(partition_by=owner, order_by=order).label("place"),
            sa.func.count().over(partition_by=owner).label("total"),
        )
        .join(stage, sa.and_(stage.c.workspace_id == col(Opportunity.workspace_id),
                             stage.c.id == col(Opportunity.stage_id)))
        .where(
            col(Opportunity.workspace_id) == workspace_id, owner.in_(list(owners)),
            col(Opportunity.closed_at).is_(None), sa.or_(slipped, idle),
            sa.or_(snoozed.is_(None), snoozed <= today),
        )
        .subquery("ranked")
    )  # fmt: skip


def snooze(session: Session, *, workspace_id: str, number: int, until: date) -> None:
    session.execute(
        sa.update(Opportunity)
        .where(col(Opportunity.workspace_id) == workspace_id, col(Opportunity.id) == number)
        .values(reminder_snoozed_until=until)
        .execution_options(synchronize_session=False)
    )


def visits_about(session: Session, *, workspace_id: str, number: int) -> tuple[int, date | None]:
    """How many visits were about the opportunity, and the day of the last."""
    count, last = session.execute(
        sa.select(sa.func.count(), sa.func.max(col(Visit.visited_on))).where(
            col(Visit.workspace_id) == workspace_id, col(Visit.opportunity_id) == number
        )
    ).one()
    return int(count or 0), last


def export_query(workspace_id: str) -> sa.Select[Any]:
    """Each opportunity with its customer's name and its stage's (a default stage by its key)."""
    opportunity = Opportunity.__table__  # type: ignore[attr-defined]
    stage = OpportunityStage.__table__  # type: ignore[attr-defined]
    stage_name = sa.select(sa.func.coalesce(sa.func.nullif(stage.c.name, ""), stage.c.key)).where(
        stage.c.workspace_id == opportunity.c.workspace_id, stage.c.id == opportunity.c.stage_id
    )
    customer_name = (
        sa.select(col(Customer.name))
        .where(
            col(Customer.workspace_id) == opportunity.c.workspace_id,
            col(Customer.id) == opportunity.c.customer_id,
        )
        .scalar_subquery()
    )
    return (
        sa.select(opportunity, customer_name.label("customer"),
                  stage_name.scalar_subquery().label("stage"))
        .where(opportunity.c.workspace_id == workspace_id)
        .order_by(opportunity.c.id)
    )  # fmt: skip


def open_of_customer(session: Session, *, workspace_id: str, customer_id: int) -> list[Opportunity]:
    return list(
        session.exec(
            select(Opportunity).where(
                col(Opportunity.workspace_id) == workspace_id,
                col(Opportunity.customer_id) == customer_id,
                col(Opportunity.closed_at).is_(None),
            )
        ).all()
    )


def open_titles(
    session: Session, *, workspace_id: str, customer_ids: Collection[int]
) -> list[tuple[int, str]]:
    """(customer, title) of every open opportunity of these customers (an import's batch)."""
    if not customer_ids:
        return []
    rows = session.execute(
        sa.select(col(Opportunity.customer_id), col(Opportunity.title)).where(
            col(Opportunity.workspace_id) == workspace_id,
            one_of(session, col(Opportunity.customer_id), sorted(customer_ids)),
            col(Opportunity.closed_at).is_(None),
        )
    ).all()
    return [(int(row[0]), str(row[1])) for row in rows]


def count_imported(session: Session) -> None:
    """The opportunities an import's transaction has written so far, counted for PostgreSQL's planner
    (SQLite looks each key up on its index anyway). Unseen by the statistics, a table that was empty
    when they were last gathered is planned as empty: its lookups read all of it at every batch. Once,
    after the first batch, is enough: from then on it is known to be large enough for its indexes."""
    if is_postgresql(session):
        session.execute(sa.text("ANALYZE opportunity"))


def lost_by_release(
    session: Session, *, workspace_id: str, customer_id: int, since: datetime, reason: str
) -> list[tuple[int, int | None]]:
    """The customer's opportunities still as a release lost them since `since` (their latest change is
    that loss, with `reason`): each with the stage it was in."""
    change = OpportunityChange.__table__  # type: ignore[attr-defined]
    rows = session.execute(
        sa.select(change.c.opportunity_id, change.c.from_stage_id)
        .join(Opportunity, sa.and_(col(Opportunity.workspace_id) == change.c.workspace_id,
                                   col(Opportunity.id) == change.c.opportunity_id))
        .where(
            change.c.workspace_id == workspace_id, col(Opportunity.customer_id) == customer_id,
            change.c.change == CHANGE_LOST, change.c.at >= since, col(Opportunity.lost_reason_key) == reason,
            col(Opportunity.version) == change.c.version,
        )
    ).all()  # fmt: skip
    return [(int(number), stage) for number, stage in rows]
