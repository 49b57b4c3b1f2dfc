"""Follow-ups: each owner's due today and overdue (for the morning reminder), and moving one, snoozed
from the reminder or a visit planned from a churn warning. Each move is written to the customer's
history (shown on the card)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.env import Env
from bot.errors import InvalidInput, NotAllowed
from bot.i18n import N_
from bot.services.customers import get_customer, require_work_access
from bot.services.people import Actor
from store import followups as followups_store
from store import recycle as recycle_store
from store.followups import DueRow

LONGEST = timedelta(days=730)


def due_by_owner(
    env: Env, workspace_id: str, owner_ids: Sequence[str], today: date, *, per_owner: int
) -> dict[str, list[DueRow]]:
    """Each owner's follow-ups due on or before `today`, most overdue first, `per_owner` at most each
    (every row carries the count of all)."""
    with env.db.session() as session:
        rows = followups_store.due_follow_ups(
            session=session,
            workspace_id=workspace_id,
            owner_ids=owner_ids,
            through=today,
            per_owner=per_owner,
        )
    grouped: dict[str, list[DueRow]] = defaultdict(list)
    for row in rows:
        grouped[row.owner_id].append(row)
    return grouped


@dataclass(frozen=True)
class Moved:
    customer_id: int
    name: str
    to_day: date


def move_follow_up(env: Env, actor: Actor, customer_id: int, *, to_day: date) -> Moved:
    """Set the customer's next follow-up to `to_day` (after today, within two years)."""
    customer = get_customer(env, actor, customer_id)
    customer_id = customer.id or 0
    require_work_access(env, actor, customer)
    today = actor.today(env)
    if to_day <= today:
        raise InvalidInput(N_("Pick a day after today."), field="to_day")
    if to_day > today + LONGEST:
        raise InvalidInput(N_("Pick a day within two years."), field="to_day")
    previous = customer.next_follow_up or today
    with env.db.session() as session:
        moved = recycle_store.snooze(
            session=session,
            workspace_id=actor.workspace_id,
            customer_id=customer_id,
            owner_id=customer.owner_id or "",
            to_day=to_day,
            actor_id=actor.user_id,
            days=(to_day - previous).days,
            now=env.clock.now(),
        )
    if not moved:
        raise NotAllowed(
            N_("%(name)s changed hands a moment ago. Open its card to see who has it."), name=customer.name
        )
    return Moved(customer_id, customer.name, to_day)


def snooze(env: Env, actor: Actor, customer_id: int, *, days: int) -> Moved:
    if days not in (1, 3):
        raise InvalidInput(N_("Snooze for 1 or 3 days, or pick a date."))
    return move_follow_up(env, actor, customer_id, to_day=actor.today(env) + timedelta(days=days))
