"""Corrections: a visit or an order corrected or deleted by its author (within 7 days), the owner's
manager or an admin. Each changed field is kept in the customer's history, and a deleted record whole
(as JSON) with the reason why. The customer's facts are then read again from the records that remain,
so they are what logging the corrected records alone would have left: last visit, satisfaction, the
recycle clock; first and last order, their count, the deal, the stage.

Decisions, written down here:
- A deleted record leaves the visit or order table, so no total, signal or report can count it by
  forgetting a filter; its every field stays in the history row.
- The next follow-up is a plan, not a fact of the records: a correction leaves it as it is (Snooze or a
  new visit moves it).
- Levels rank customers against each other: the nightly tiers job ranks them again from the corrected
  orders. Churn bands are recomputed nightly too.
- A deleted order that had undone a "lost" mark does not bring the mark back: mark the customer lost
  again if it still is.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from bot.env import Env
from bot.errors import InvalidInput, NotAllowed, NotFound, required_text
from bot.i18n import N_
from bot.rules import money
from bot.rules.access import may_correct
from bot.rules.recycle import recycle_clock_after_visit
from bot.services.customers_card import standing_in
from bot.services.orders import OrderDraft, validate_order
from bot.services.people import Actor
from bot.services.tiers import STAGE_RULES
from bot.services.visits import VisitDraft, validate_visit
from store import corrections as store
from store import tiers as tiers_store
from store.models import Customer, CustomerChange, Order, Visit

REASON_LIMIT = 300
VISIT, ORDER = "visit", "order"
MODELS: dict[str, type[Visit] | type[Order]] = {VISIT: Visit, ORDER: Order}
VISIT_FIELDS = ("kind", "visited_on", "note", "satisfaction")
ORDER_FIELDS = ("amount_minor", "currency", "rate", "ordered_on", "product")
DELETED = "deleted"  # the history's field name for a record deleted

_GONE = {
    VISIT: N_("That visit no longer exists: it was deleted, or the customer was merged."),
    ORDER: N_("That order no longer exists: it was deleted, or the customer was merged."),
}
_NOT_YOURS = {
    VISIT: N_("Only its author (for 7 days), the owner's manager and admins can correct this visit."),
    ORDER: N_("Only its author (for 7 days), the owner's manager and admins can correct this order."),
}
_STALE = N_("Someone changed this record while you were correcting it. Open it again to see the change.")


@dataclass(frozen=True)
class RecordRef:
    """A visit or an order, as buttons and history rows name it: "visit:12", "order:5"."""

    kind: str
    id: int

    @classmethod
    def parse(cls, text: str) -> RecordRef:
        kind, _, number = text.partition(":")
        if kind not in MODELS or not number.isdigit():
            raise NotFound(_GONE[VISIT if kind != ORDER else ORDER])
        return cls(kind, int(number))

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True)
class Correctable:
    record: Visit | Order
    customer: Customer


@dataclass(frozen=True)
class Corrected:
    customer_id: int
    changed: tuple[str, ...]  # the fields written ("deleted" for a delete); empty when nothing changed


def shown_columns(record: Visit | Order) -> dict[str, Any]:
    """The record's correctable columns as the form shows them (JSON: days as ISO text)."""
    names = VISIT_FIELDS if isinstance(record, Visit) else ORDER_FIELDS
    return {name: _json(getattr(record, name)) for name in names}


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _columns(shown: dict[str, Any]) -> dict[str, Any]:
    days = ("visited_on", "ordered_on")
    return {name: date.fromisoformat(v) if name in days and v else v for name, v in shown.items()}


def open_correction(env: Env, actor: Actor, ref: RecordRef) -> Correctable:
    """The record and its customer, for one who may correct it; refused before the form opens."""
    with env.db.session() as session:
        return _correctable(session, actor, ref, env.clock.now(), lock=False)


def _correctable(
    session: Session, actor: Actor, ref: RecordRef, now: datetime, *, lock: bool = True
) -> Correctable:
    model = MODELS[ref.kind]
    record = store.get_record(session=session, model=model, workspace_id=actor.workspace_id, record_id=ref.id)
    if record is None:
        raise NotFound(_GONE[ref.kind])
    # The customer's row locked first when writing, as logging does: one correction or log at a time.
    customer = session.get(Customer, record.customer_id, with_for_update=lock)
    assert customer is not None
    standing = standing_in(session, actor, customer)
    if not may_correct(standing, author_id=record.author_id, logged_at=record.created_at, now=now):
        raise NotAllowed(_NOT_YOURS[ref.kind])
    return Correctable(record, customer)


def correct_visit(
    env: Env, actor: Actor, visit_id: int, shown: dict[str, Any], typed: VisitDraft
) -> Corrected:
    """Write what changed between the visit as the form showed it and as submitted; InvalidInput when
    someone changed it meanwhile (nothing written)."""
    before = _columns(shown)
    today = actor.today(env)
    # An unchanged day is not checked again: a manager may correct an old visit's note.
    probe = (
        typed if typed.visited_on != before["visited_on"] else dataclasses.replace(typed, visited_on=today)
    )
    clean = dataclasses.replace(validate_visit(probe, today=today), visited_on=typed.visited_on)
    after = {name: getattr(clean, name) for name in VISIT_FIELDS}
    return _correct(env, actor, RecordRef(VISIT, visit_id), before, after)


def correct_order(
    env: Env, actor: Actor, order_id: int, shown: dict[str, Any], typed: OrderDraft
) -> Corrected:
    """As `correct_visit`, for an order; its amount in the workspace currency follows."""
    before = _columns(shown)
    today = actor.today(env)
    probe = (
        typed if typed.ordered_on != before["ordered_on"] else dataclasses.replace(typed, ordered_on=today)
    )
    valid = validate_order(probe, base_currency=actor.currency, today=today)
    after = {
        "amount_minor": money.to_minor(valid.amount, valid.currency),
        "currency": valid.currency,
        "rate": before["rate"] if money.parse_rate(before["rate"]) == valid.rate else str(valid.rate),
        "ordered_on": typed.ordered_on,
        "product": valid.product,
    }
    extra = {"amount_base_minor": money.convert_minor(valid.amount, valid.rate, actor.currency)}
    return _correct(env, actor, RecordRef(ORDER, order_id), before, after, extra)


def _correct(
    env: Env,
    actor: Actor,
    ref: RecordRef,
    before: dict[str, Any],
    after: dict[str, Any],
    extra: dict[str, Any] | None = None,
) -> Corrected:
    changed = {name: value for name, value in after.items() if value != before[name]}
    now = env.clock.now()
    with env.db.session() as session:
        found = _correctable(session, actor, ref, now)
        if not changed:
            return Corrected(found.customer.id or 0, ())
        model = MODELS[ref.kind]
        values = {**changed, **(extra or {})}
        if not store.update_if_unchanged(
            session=session, model=model, record_id=ref.id, shown=before, values=values
        ):
            raise InvalidInput(_STALE)
        fields = tuple(dict.fromkeys(_history_field(name) for name in changed))
        session.add_all(
            _change(found.customer, actor, ref, name, _history_text(name, before), _history_text(name, after), now)
            for name in fields
        )  # fmt: skip
        _refresh(session, env, actor, found.customer, ref.kind, now)
    return Corrected(found.customer.id or 0, fields)


def _history_field(column: str) -> str:
    """An order's amount and its currency are one field in the history: "amount"."""
    return "amount" if column in ("amount_minor", "currency") else column


def _history_text(field: str, values: dict[str, Any]) -> str:
    """A value as the history keeps it: an amount with its currency ("1280000 CNY", minor units)."""
    if field == "amount":
        return f"{values['amount_minor']} {values['currency']}"
    value = values[field]
    return "" if value is None else str(_json(value))


def _change(
    customer: Customer,
    actor: Actor,
    ref: RecordRef,
    field: str,
    old: str,
    new: str,
    now: datetime,
    reason: str = "",
) -> CustomerChange:
    return CustomerChange(
        workspace_id=customer.workspace_id, customer_id=customer.id or 0, record=str(ref), field=field,
        old_value=old, new_value=new, reason=reason, actor_id=actor.user_id, at=now,
    )  # fmt: skip


def delete_record(env: Env, actor: Actor, ref: RecordRef, reason: str) -> Corrected:
    """Delete a visit or an order, with a reason; the record stays whole in the customer's history."""
    text = required_text(
        reason, field="reason", limit=REASON_LIMIT, one_line=True,
        missing=N_("Say why it is deleted: it stays in the customer's history."),
    )  # fmt: skip
    now = env.clock.now()
    with env.db.session() as session:
        found = _correctable(session, actor, ref, now)
        kept = json.dumps(found.record.model_dump(mode="json"), ensure_ascii=False)
        session.add(_change(found.customer, actor, ref, DELETED, kept, "", now, reason=text))
        store.delete_record(session=session, record=found.record)
        _refresh(session, env, actor, found.customer, ref.kind, now)
    return Corrected(found.customer.id or 0, (DELETED,))


def _refresh(session: Session, env: Env, actor: Actor, customer: Customer, kind: str, now: datetime) -> None:
    if kind == VISIT:
        refresh_visit_facts(session, customer, now)
    else:
        refresh_order_facts(session, customer, actor.today(env), now)


def refresh_visit_facts(session: Session, customer: Customer, now: datetime) -> None:
    """Last visit, last satisfaction and the recycle clock, as the remaining visits set them."""
    cid = customer.id or 0
    facts = store.visit_facts(session=session, workspace_id=customer.workspace_id, customer_id=cid)
    values: dict[str, Any] = {
        "last_visit_on": facts.last_visit_on,
        "last_satisfaction": facts.last_satisfaction,
        "last_satisfaction_on": facts.last_satisfaction_on,
        "updated_at": now,
    }
    if customer.owner_id is not None and customer.owned_since is not None:
        clock = customer.owned_since
        for day, zone in facts.latest:
            clock = recycle_clock_after_visit(clock, customer.owned_since, day, zone)
        values["recycle_clock_from"] = clock
    store.save_facts(session=session, customer_id=cid, values=values)


def refresh_order_facts(session: Session, customer: Customer, today: date, now: datetime) -> None:
    """Order days and count, the deal (when the first remaining order was logged), and the stage."""
    cid = customer.id or 0
    facts = store.order_facts(session=session, workspace_id=customer.workspace_id, customer_id=cid)
    values = {
        "order_count": facts.count,
        "first_order_on": facts.first_order_on,
        "last_order_on": facts.last_order_on,
        "dealt_at": facts.first_logged_at,
        "updated_at": now,
    }
    store.save_facts(session=session, customer_id=cid, values=values)
    tiers_store.refresh_stages(session=session, customer_ids=[cid], rules=STAGE_RULES, today=today, now=now)
