"""The customer card: everything it shows about one customer, read in one transaction, and the
standing of the person looking (what they may see and do)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.env import Env
from bot.rules import churn as churn_rules
from bot.rules import tiers as tier_rules
from bot.rules.access import Standing, may_correct, may_lock, may_merge, may_see_contact, may_work_on
from bot.services import churn as churn_service
from bot.services import settings as settings_service
from bot.services import snapshots
from bot.services.people import Actor
from store import activity
from store import churn as churn_store
from store import complaints as complaint_store
from store import contacts as contact_store
from store import customers as customer_store
from store import moves as moves_store
from store import people as people_store
from store import recycle as recycle_store
from store import tiers as tiers_store
from store.models import (
    Complaint,
    Contact,
    Customer,
    CustomerChange,
    ExtensionRequest,
    Order,
    OwnershipEvent,
    Visit,
)

CARD_HISTORY = 5


def standing(env: Env, actor: Actor, customer: Customer) -> Standing:
    with env.db.session() as session:
        return standing_in(session, actor, customer)


def standing_in(session: Session, actor: Actor, customer: Customer) -> Standing:
    return standing_towards(session, actor, customer.owner_id)


def standing_towards(session: Session, actor: Actor, owner_id: str | None) -> Standing:
    """Where the person stands towards what `owner_id` owns (a customer, an opportunity). Only a
    manager's standing depends on who manages the owner: nobody else costs a query."""
    manager = None
    if actor.is_manager and owner_id and owner_id != actor.user_id:
        owner = people_store.get_person(session=session, workspace_id=actor.workspace_id, user_id=owner_id)
        manager = owner.manager_id if owner else None
    return Standing(
        actor_id=actor.user_id,
        actor_is_admin=actor.is_admin,
        actor_is_manager=actor.is_manager,
        owner_id=owner_id,
        owner_manager_id=manager,
    )


@dataclass
class CustomerCard:
    customer: Customer
    show_contact: bool
    can_work_on: bool
    can_lock: bool = False
    can_merge: bool = False  # a manager for their team's customers, or an admin
    lock_needed: bool = True  # False for a customer who ordered where such are never recycled
    visits: Sequence[Visit] = field(default_factory=list)
    orders: Sequence[Order] = field(default_factory=list)
    order_count: int = 0
    revenue_minor: int = 0
    currency: str = "CNY"
    moves: Sequence[OwnershipEvent] = field(default_factory=list)
    changes: Sequence[CustomerChange] = field(default_factory=list)  # its details corrected by hand
    correctable: frozenset[str] = frozenset()  # the visits and orders shown the looker may correct
    contacts: Sequence[Contact] = field(default_factory=list)  # the primary first
    can_undo: bool = False  # the looker's own release or mark lost of the last minutes
    extension: ExtensionRequest | None = None  # the latest request for more days before a recycle
    churn: ChurnRisk | None = None  # last night's band and its reasons, for those who work on it
    complaints: Sequence[Complaint] = field(default_factory=list)  # the latest few
    value: tier_rules.Value | None = (
        None  # revenue, orders and lifetime value, for those who see contact details
    )
    timezone: str = "UTC"


@dataclass(frozen=True)
class ChurnRisk:
    band: str
    reasons: Sequence[churn_rules.Reason]


def _churn_risk(session: Session, customer: Customer, today: date) -> ChurnRisk | None:
    cid = customer.id or 0
    state = churn_store.state_of(session=session, customer_id=cid)
    if state is None:
        return None
    reasons = churn_service.reasons_for(
        session, customer.workspace_id, [(cid, customer, state.signals)], today
    )
    return ChurnRisk(state.band, reasons[cid])


def _value_of(
    session: Session, customer: Customer, today: date, orders_all: int, revenue_all: int
) -> tier_rules.Value:
    """Revenue and orders of the last 12 months, the average order and the lifetime value estimate
    (`orders_all`, `revenue_all`: every order's, already read for the card)."""
    ws, cid = customer.workspace_id, customer.id or 0
    since = today - timedelta(days=tier_rules.REVENUE_DAYS - 1)
    revenue_12m, orders_12m = tiers_store.totals_since(
        session=session, workspace_id=ws, customer_id=cid, since=since
    )
    workspace = people_store.get_workspace(session=session, workspace_id=ws)
    years = tier_rules.expected_years(
        workspace.retention_percent if workspace else None, workspace.retention_base if workspace else 0
    )
    return tier_rules.value_of(
        revenue_12m=revenue_12m,
        orders_12m=orders_12m,
        revenue_all=revenue_all,
        orders_all=orders_all,
        first_order_on=customer.first_order_on,
        today=today,
        years=years,
    )


@dataclass(frozen=True)
class _History:
    """The card's recent visits and orders, and the orders' count and revenue."""

    visits: Sequence[Visit] = ()
    orders: Sequence[Order] = ()
    count: int = 0
    revenue: int = 0


def _history(session: Session, customer: Customer) -> _History:
    """The row knows whether there is any history: a customer never visited costs no query for it."""
    ws, cid = customer.workspace_id, customer.id or 0
    visits: Sequence[Visit] = []
    if customer.last_visit_on is not None:
        visits = activity.recent_visits(session=session, workspace_id=ws, customer_id=cid, limit=CARD_HISTORY)
    if customer.dealt_at is None:
        return _History(visits)
    orders = activity.recent_orders(session=session, workspace_id=ws, customer_id=cid, limit=CARD_HISTORY)
    count, revenue = activity.order_totals(session=session, workspace_id=ws, customer_id=cid)
    return _History(visits, orders, count, revenue)


def _correctable(where: Standing, history: _History, now: datetime) -> frozenset[str]:
    """The records ("visit:12", "order:5") whose lines offer Correct and Delete to this person."""
    records = [("visit", visit) for visit in history.visits] + [("order", order) for order in history.orders]
    return frozenset(
        f"{kind}:{record.id}"
        for kind, record in records
        if may_correct(where, author_id=record.author_id, logged_at=record.created_at, now=now)
    )


def card_of(env: Env, actor: Actor, customer: Customer) -> CustomerCard:
    """Everything the customer card shows, read in one transaction."""
    ws, cid = actor.workspace_id, customer.id or 0
    with env.db.session() as session:
        where = standing_in(session, actor, customer)
        history = _history(session, customer)
        moves = moves_store.recent_moves(
            session=session, workspace_id=ws, customer_id=cid, limit=CARD_HISTORY
        )
        card = CustomerCard(
            customer=customer,
            show_contact=may_see_contact(where),
            can_work_on=may_work_on(where),
            can_lock=may_lock(where),
            can_merge=may_merge(where),
            moves=moves,
            changes=customer_store.recent_changes(
                session=session, workspace_id=ws, customer_id=cid, limit=CARD_HISTORY
            ),
            can_undo=snapshots.may_undo(moves[0] if moves else None, actor.user_id, env.clock.now()),
            complaints=complaint_store.of_customer(
                session=session, workspace_id=ws, customer_id=cid, limit=CARD_HISTORY
            ),
            timezone=actor.timezone,
            visits=history.visits,
            orders=history.orders,
            correctable=_correctable(where, history, env.clock.now()),
            contacts=contact_store.of_customer(session=session, workspace_id=ws, customer_id=cid),
            order_count=history.count,
            revenue_minor=history.revenue,
            currency=actor.currency,
        )
        _add_insight(session, card, where, actor.today(env))
    return card


def _add_insight(session: Session, card: CustomerCard, where: Standing, today: date) -> None:
    """The extension asked for, the value and churn risk (for those who see contact details), and
    whether a lock is needed at all."""
    customer = card.customer
    if customer.owner_id:
        card.extension = recycle_store.latest_request(
            session=session, workspace_id=customer.workspace_id, customer_id=customer.id or 0
        )
    if customer.dealt_at is not None and may_see_contact(where):
        card.value = _value_of(session, customer, today, card.order_count, card.revenue_minor)
        card.churn = _churn_risk(session, customer, today)
    # The settings are read only when they can change what the card offers: a lock on one who ordered.
    if may_lock(where) and customer.dealt_at is not None:
        card.lock_needed = not settings_service.load_in(session, customer.workspace_id).dealt_exempt
