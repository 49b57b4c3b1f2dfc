"""Orders: validation, conversion to the workspace currency, and the first order making a deal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col

from bot.env import Env
from bot.errors import Checks, InvalidInput, NotFound
from bot.i18n import N_
from bot.rules import money
from bot.services.customers import get_customer, require_work_access
from bot.services.people import Actor
from store import activity
from store.models import MOVE_UNLOST, Customer, Order, OwnershipEvent

PRODUCT_LIMIT = 200
BACKDATE_LIMIT = timedelta(days=10 * 366)

_AMOUNT_ERRORS = {
    "not_a_number": N_("The amount must be a number, like 1200 or 99.50."),
    "not_positive": N_("The amount must be more than zero."),
    "too_large": N_("That amount is too large; check the number of zeros."),
    "too_many_decimals": N_("%(currency)s amounts have at most %(digits)s decimals."),
}
_RATE_ERRORS = {
    "not_a_number": N_("The rate must be a number, like 7.12."),
    "not_positive": N_("The rate must be more than zero."),
    "too_large": N_("That rate is too large; check the number."),
}


@dataclass(frozen=True)
class OrderDraft:
    customer_id: int
    amount: str
    currency: str
    ordered_on: date
    product: str = ""
    rate: str = ""


@dataclass(frozen=True)
class OrderLogged:
    customer: Customer
    order: Order
    first_order: bool


@dataclass(frozen=True)
class ValidOrder:
    amount: Decimal
    currency: str
    rate: Decimal
    ordered_on: date
    product: str


def validate_order(draft: OrderDraft, *, base_currency: str, today: date) -> ValidOrder:
    """The order as it will be stored; every wrong field flagged at once (InvalidFields for several).
    The amount and the rate are read only in a known currency."""
    currency = (draft.currency or base_currency).strip().upper()
    product = " ".join(draft.product.split())
    checks = Checks()
    amount, rate = Decimal(0), Decimal(1)
    with checks.field():
        if not money.is_currency_code(currency):
            raise InvalidInput(N_("Choose a currency such as CNY or USD."), field="currency")
    if not checks.failed:
        with checks.field():
            amount = amount_in(draft.amount, currency)
        with checks.field():
            rate = rate_to_base(draft.rate, currency, base_currency)
    with checks.field():
        _check_order_day(draft.ordered_on, today)
    with checks.field():
        if len(product) > PRODUCT_LIMIT:
            raise InvalidInput(
                N_("This is too long: at most %(limit)s characters."), field="product", limit=PRODUCT_LIMIT
            )
    checks.done()
    return ValidOrder(amount, currency, rate, draft.ordered_on, product)


def amount_in(text: str, currency: str) -> Decimal:
    try:
        return money.parse_amount(text, currency)
    except money.AmountError as error:
        digits = money.precision(currency)
        raise InvalidInput(
            _AMOUNT_ERRORS[error.reason], field="amount", currency=currency, digits=digits
        ) from None


def _check_order_day(ordered_on: date, today: date) -> None:
    if ordered_on > today:
        raise InvalidInput(N_("The order date is in the future."), field="ordered_on")
    if ordered_on < today - BACKDATE_LIMIT:
        raise InvalidInput(N_("The order date is more than ten years ago."), field="ordered_on")


def rate_to_base(text: str, currency: str, base_currency: str) -> Decimal:
    if currency == base_currency:
        return Decimal(1)
    if not text.strip():
        raise InvalidInput(
            N_("Give the rate: how many %(base)s is one %(currency)s?"),
            field="rate",
            base=base_currency,
            currency=currency,
        )
    try:
        return money.parse_rate(text)
    except money.AmountError as error:
        raise InvalidInput(_RATE_ERRORS[error.reason], field="rate") from None


def log_order(env: Env, actor: Actor, draft: OrderDraft) -> OrderLogged:
    valid = validate_order(draft, base_currency=actor.currency, today=actor.today(env))
    customer = get_customer(env, actor, draft.customer_id)
    require_work_access(env, actor, customer)
    with env.db.session() as session:
        return log_order_in(session, env, actor, customer, valid)


def log_order_in(
    session: Session, env: Env, actor: Actor, customer: Customer, valid: ValidOrder
) -> OrderLogged:
    """The order written in the caller's transaction, with what a first order and a win-back change
    (an opportunity won writes its order so, with its own change)."""
    now = env.clock.now()
    order = Order(
        workspace_id=actor.workspace_id,
        customer_id=customer.id or 0,
        author_id=actor.user_id,
        amount_minor=money.to_minor(valid.amount, valid.currency),
        currency=valid.currency,
        rate=str(valid.rate),
        amount_base_minor=money.convert_minor(valid.amount, valid.rate, actor.currency),
        ordered_on=valid.ordered_on,
        product=valid.product,
        created_at=now,
    )
    activity.add_order(session=session, order=order)
    first = _mark_dealt(session, customer, now)
    _win_back(session, customer, actor, now)
    updated = _note_order_day(session, customer, valid.ordered_on)
    return OrderLogged(customer=updated, order=order, first_order=first)


def _mark_dealt(session: Session, customer: Customer, now: datetime) -> bool:
    """Conditional update: of two first orders at once, exactly one makes the deal."""
    result = session.execute(
        sa.update(Customer)
        .where(col(Customer.id) == customer.id, col(Customer.dealt_at).is_(None))
        .values(
            dealt_at=now,
            stage=sa.case(
                (col(Customer.stage).in_(("prospect", "interested", "lost")), "new"),
                else_=col(Customer.stage),
            ),
            stage_since=now,
            lost_at=None,
            lost_reason="",
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _win_back(session: Session, customer: Customer, actor: Actor, now: datetime) -> None:
    """An order undoes "lost" (noted in the history) and wins back a lost or dormant customer."""
    result = session.execute(
        sa.update(Customer)
        .where(col(Customer.id) == customer.id, col(Customer.stage).in_(("lost", "dormant")))
        .values(stage="won_back", stage_since=now, lost_at=None, lost_reason="", updated_at=now)
    )
    if result.rowcount and customer.lost_at is not None:  # type: ignore[attr-defined]
        session.add(
            OwnershipEvent(
                workspace_id=customer.workspace_id, customer_id=customer.id or 0, kind=MOVE_UNLOST,
                actor_id=actor.user_id, from_owner_id=customer.owner_id, to_owner_id=customer.owner_id, at=now,
            )
        )  # fmt: skip


def _note_order_day(session: Session, customer: Customer, ordered_on: date) -> Customer:
    """The order facts the churn signals read: first and last order day, and the count."""
    last, first = col(Customer.last_order_on), col(Customer.first_order_on)
    session.execute(
        sa.update(Customer)
        .where(col(Customer.id) == customer.id)
        .values(
            last_order_on=sa.case((sa.or_(last.is_(None), last < ordered_on), ordered_on), else_=last),
            first_order_on=sa.case((sa.or_(first.is_(None), first > ordered_on), ordered_on), else_=first),
            order_count=col(Customer.order_count) + 1,
        )
    )
    fresh = session.get(Customer, customer.id, populate_existing=True)
    assert fresh is not None
    return fresh


def logged_order(env: Env, actor: Actor, order_id: int, *, first_order: bool) -> OrderLogged:
    with env.db.session() as session:
        order = session.get(Order, order_id)
    if order is None or order.workspace_id != actor.workspace_id:
        raise NotFound(N_("That order no longer exists."))
    return OrderLogged(
        customer=get_customer(env, actor, order.customer_id), order=order, first_order=first_order
    )
