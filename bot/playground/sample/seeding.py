"""Writing the plan: `seed` sets up the people and settings and writes the customers, their
history, the pool moves and the complaints through the services, each at its own instant."""

from __future__ import annotations

import csv
import dataclasses
import random
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import col

from bot.clock import FixedClock
from bot.env import Env
from bot.playground.sample.cast import COMPLAINTS, POOL, SALES, Sample, SampleError, SamplePerson, SeedReport
from bot.playground.sample.days import Calendar
from bot.playground.sample.plan import (
    COHORT_AGE,
    POOL_COHORT,
    Order,
    Plan,
    PlannedCustomer,
    Planner,
    Rules,
    Step,
    Visit,
    overdue_clock_day,
)
from bot.playground.sample.words import WORDS, Words
from bot.services import bulk, complaints, opportunities, pool
from bot.services import settings as settings_service
from bot.services.people import Actor, ProfileLookup, change_team, resolve_actor, set_role
from store.bulk import COMPLAINT, CUSTOMER, ORDER, VISIT
from store.models import ROLE_ADMIN, ROLE_MANAGER, Customer
from store.models import Workspace as WorkspaceRow


def is_seeded(env: Env, team_id: str) -> bool:
    """Whether the workspace has any customer (a kept database): then `seed` writes nothing."""
    with env.db.connection() as connection:
        found = connection.execute(
            sa.select(col(Customer.id)).where(col(Customer.workspace_id) == team_id).limit(1)
        ).first()
    return found is not None


def seed(env: Env, sample: Sample, *, lookup: ProfileLookup, seed: int) -> SeedReport:
    """Write the sample workspace as of `env.clock.now()`: people, settings, customers with their
    visits and orders, pool moves and complaints. Nothing when the workspace has customers already."""
    if is_seeded(env, sample.team_id):
        return _report(env, sample.team_id, kept=True)
    actors = _set_up_people(env, sample, lookup)
    admin = actors[next(p.handle for p in sample.people if p.role == ROLE_ADMIN)]
    settings_service.save(
        env, admin, {"pool_channel": POOL, "complaints_channel": COMPLAINTS, "champions_channel": SALES}
    )
    settings = settings_service.load(env, sample.team_id)
    calendar = Calendar.starting(env.clock.now(), country=settings.country, morning=settings.reminder_at)
    rules = Rules(settings.pool_rules(), settings.tier_a_percent, settings.tier_b_percent)
    sample_random = random.Random(seed)  # noqa: S311 (a seeded, repeatable sample, not a secret)
    plan = Planner(sample_random, WORDS[sample.lang], calendar, rules).make()
    by_id = {actor.user_id: actor for actor in actors.values()}
    workspace = bulk.workspace_for(env, sample.team_id)
    _import_customers(env, workspace, plan)
    ids = _customer_ids(env, sample.team_id)
    _claim(env, plan, by_id, ids)
    _import_history(env, workspace, plan, calendar)
    _release(env, plan, by_id, ids)
    _file_complaints(env, plan, by_id, ids)
    _open_opportunities(env, WORDS[sample.lang], by_id, ids)
    return _report(env, sample.team_id, kept=False)


def _set_up_people(env: Env, sample: Sample, lookup: ProfileLookup) -> dict[str, Actor]:
    """Everyone met (as on first contact), Max made a manager and given his team, by the admin."""

    def meet(person: SamplePerson) -> Actor:
        return resolve_actor(env, workspace_id=sample.team_id, user_id=person.user_id, lookup=lookup)

    admin = meet(next(p for p in sample.people if p.role == ROLE_ADMIN))
    if not admin.is_admin:
        raise SampleError(f"{admin.user_id} is not an admin: pass sample.admin_ids as ADMIN_USER_IDS")
    for person in sample.people:
        meet(person)
    for manager in (p for p in sample.people if p.role == ROLE_MANAGER):
        set_role(env, admin, user_id=manager.user_id, role=ROLE_MANAGER, lookup=lookup)
        team = [p.user_id for p in sample.people if p.manager_id == manager.user_id]
        change_team(env, admin, manager_id=manager.user_id, add=True, rep_ids=team, lookup=lookup)
    return {person.handle: meet(person) for person in sample.people}  # with their roles now


def _at(env: Env, when: datetime) -> Env:
    """The services as they ran at an earlier instant."""
    return dataclasses.replace(env, clock=FixedClock(when))


def _import_customers(env: Env, workspace: WorkspaceRow, plan: Plan) -> None:
    for cohort, age in COHORT_AGE.items():
        rows = [_customer_row(c) for c in plan.customers if c.cohort == cohort]
        _import(_at(env, env.clock.now() - age), workspace, "customers", rows)


def _customer_row(customer: PlannedCustomer) -> dict[str, str]:
    # Owners as they were when the cohort came in: the story's claims and release come later.
    owner = customer.owner if customer.cohort != POOL_COHORT else None
    return {"name": customer.name, **customer.details, "level": customer.level, "owner": owner or ""}


def _import_history(env: Env, workspace: WorkspaceRow, plan: Plan, calendar: Calendar) -> None:
    """Orders and visits as of now; the visits that promised the overdue follow-ups as of the day they
    were promised on (the visit form takes no follow-up in the past)."""
    _import(env, workspace, "orders", [_order_row(order) for order in plan.orders])
    _import(env, workspace, "visits", [_visit_row(visit) for visit in plan.visits if not visit.early])
    promised_on = calendar.at(overdue_clock_day(calendar), 18)
    _import(_at(env, promised_on), workspace, "visits", [_visit_row(v) for v in plan.visits if v.early])


def _order_row(order: Order) -> dict[str, str]:
    return {
        "customer": order.customer,
        "amount": str(order.amount),
        "date": order.day.isoformat(),
        "product": order.product,
    }


def _visit_row(visit: Visit) -> dict[str, str]:
    return {
        "customer": visit.customer,
        "author": visit.author,
        "kind": visit.kind,
        "date": visit.day.isoformat(),
        "note": visit.note,
        "satisfaction": str(visit.satisfaction or ""),
        "next_follow_up": visit.follow_up.isoformat() if visit.follow_up else "",
    }


def _import(
    env: Env,
    workspace: WorkspaceRow,
    kind: str,
    rows: list[dict[str, str]],
) -> None:
    """One CSV file through the bulk import, all or nothing; any line not added is a bug here."""
    if not rows:
        return
    with tempfile.TemporaryDirectory(prefix="tidewater-sample-") as folder:
        path = Path(folder) / f"{kind}.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        report = bulk.import_file(
            env,
            kind,
            path,
            workspace=workspace,
            options=bulk.ImportOptions(strict=True),
        )
    if not report.committed or report.outcomes:
        raise SampleError(f"the sample's {kind} did not import: {report.aborted} {report.outcomes[:3]}")


def _customer_ids(env: Env, team_id: str) -> dict[str, int]:
    with env.db.connection() as connection:
        rows = connection.execute(
            sa.select(col(Customer.name), col(Customer.id)).where(col(Customer.workspace_id) == team_id)
        )
        return {str(name): int(customer_id or 0) for name, customer_id in rows}


def _claim(env: Env, plan: Plan, actors: dict[str, Actor], ids: dict[str, int]) -> None:
    for move in sorted((m for m in plan.moves if not m.release), key=lambda m: m.at):
        pool.claim(_at(env, move.at), actors[move.user_id], ids[move.customer])


def _release(env: Env, plan: Plan, actors: dict[str, Actor], ids: dict[str, int]) -> None:
    for move in (m for m in plan.moves if m.release):
        actor, customer_id = actors[move.user_id], ids[move.customer]
        pool.release(_at(env, move.at), actor, customer_id, reason="not_interested", note=move.note)


def _file_complaints(env: Env, plan: Plan, actors: dict[str, Actor], ids: dict[str, int]) -> None:
    """Each complaint filed and handled at its own times; each step queues its messages as it happens."""
    for spec in plan.complaints:
        filer = actors[spec.filer]
        draft = complaints.ComplaintDraft(
            ids[spec.customer], spec.category, spec.severity, spec.description, "phone"
        )
        filed = complaints.file(_at(env, spec.filed_at), filer, draft)  # its card queued with it
        number = filed.complaint.id or 0
        for step in spec.steps:
            _handle(_at(env, spec.filed_at + step.after), filer, number, step)


# (story key, amount, opened days ago, moved to proposal days ago, expected close in days): Evergreen's
# has sat in proposal longer than its 14 days (Mei hears of it on day 1), Jade Garden's has slipped
# past its close date (Li hears of it).
OPPORTUNITIES = (("evergreen", "120000", 20, 18, 10), ("jade", "80000", 30, 25, -3))


def _open_opportunities(env: Env, words: Words, actors: dict[str, Actor], ids: dict[str, int]) -> None:
    """Two open opportunities, opened and moved at their own instants through the service."""
    now = env.clock.now()
    for key, amount, opened_ago, moved_ago, closing_in in OPPORTUNITIES:
        customer_id = ids[words.fixed[key]]
        owner = actors[_owner_of(env, customer_id)]
        opened_at = _at(env, now - timedelta(days=opened_ago))
        close = (now + timedelta(days=closing_in)).date()
        # Its close date was ahead when it was opened: a slipped one slipped since.
        draft = opportunities.OpportunityDraft(customer_id, words.opportunity_titles[key], amount, close)
        opened = opportunities.open_opportunity(opened_at, owner, draft)
        proposal = next(s.id for s in opportunities.stages(env, owner.workspace_id) if s.key == "proposal")
        moved_at = _at(env, now - timedelta(days=moved_ago))
        opportunities.move(moved_at, owner, opened.id, seen_version=1, stage_id=proposal)


def _owner_of(env: Env, customer_id: int) -> str:
    with env.db.connection() as connection:
        owner = connection.scalar(sa.select(col(Customer.owner_id)).where(col(Customer.id) == customer_id))
    return str(owner)


def _handle(env: Env, actor: Actor, number: int, step: Step) -> None:
    if step.action == "acknowledge":
        complaints.acknowledge(env, actor, number)
    elif step.action == "resolve":
        complaints.resolve(env, actor, number, step.text)
    else:
        complaints.close(env, actor, number, step.satisfaction, step.text)


def _report(env: Env, team_id: str, *, kept: bool) -> SeedReport:
    def count(table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
        query = sa.select(sa.func.count()).select_from(table).where(table.c.workspace_id == team_id, *where)
        return int(connection.execute(query).scalar_one())

    with env.db.connection() as connection:
        return SeedReport(
            customers=count(CUSTOMER),
            in_pool=count(CUSTOMER, CUSTOMER.c.owner_id.is_(None)),
            visits=count(VISIT),
            orders=count(ORDER),
            complaints=count(COMPLAINT),
            kept=kept,
        )
