"""`recycle`: first the warnings (one DM per owner, on the owner's working morning, listing customers
due back in the pool within the warning window), then the recycle itself, set-based in SQL, written to
the ownership history and announced in the pool channel in batches (through the outbox)."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from bot.env import Env
from bot.messaging.mornings import due_at_reminder_time, queue_all
from bot.rules.pool import PoolRules, days_without_visit, recycle_at
from bot.services import announcements
from bot.services import settings as settings_service
from bot.services.people import workspace_ids
from bot.services.recycle import holding_of
from bot.views import recycle as views
from store import recycle as recycle_store
from store.models import LEVELS

WARNING = "recycle_warning"


def run(env: Env) -> str:
    owners = warned = moved = messages = 0
    for workspace_id in workspace_ids(env):
        settings = settings_service.load(env, workspace_id)
        people, count = warn_owners(env, workspace_id, settings)
        owners, warned = owners + people, warned + count
        recycled, queued = recycle_customers(env, workspace_id, settings.pool_rules())
        moved, messages = moved + len(recycled), messages + len(queued.keys)
    return f"warned {owners} owners about {warned} customers; recycled {moved} customers in {messages} announcements"


def sql_rules(rules: PoolRules) -> recycle_store.RecycleRules:
    return recycle_store.RecycleRules(
        days_without_visit={level: days_without_visit(rules, level) for level in LEVELS},
        days_to_first_order=rules.days_to_first_order,
        dealt_exempt=rules.dealt_exempt,
    )


def recycle_customers(
    env: Env, workspace_id: str, rules: PoolRules
) -> tuple[list[int], announcements.Queued]:
    """Recycle what is due and queue its announcements in the same transaction: a crash in between
    leaves both undone (the next run does them), never the customers moved and unannounced."""
    with env.db.session() as session:
        moved = recycle_store.recycle_due(
            session=session, workspace_id=workspace_id, rules=sql_rules(rules), now=env.clock.now()
        )
        recycled = [move.customer_id for move in moved]
        return recycled, announcements.queue(env, session, workspace_id, recycled)


def warn_owners(env: Env, workspace_id: str, settings: settings_service.WorkspaceSettings) -> tuple[int, int]:
    rules = settings.pool_rules()
    if rules.warning_days <= 0:
        return 0, 0
    due = due_at_reminder_time(env, workspace_id, settings, WARNING)
    if not due:
        return 0, 0
    owners = {one.person.user_id for one in due}
    rows = nearly_due_by_owner(env, workspace_id, rules, owners, within=timedelta(days=rules.warning_days))
    count = 0
    messages = []
    for one in due:
        mine = rows.get(one.person.user_id)
        if mine:
            messages.append(one.outgoing(views.warning(one.person.lang, mine, one.person.timezone)))
            count += len(mine)
    queue_all(env, messages)
    return sum(1 for one in due if one.person.user_id in rows), count


def nearly_due_by_owner(
    env: Env, workspace_id: str, rules: PoolRules, owners: set[str] | None, *, within: timedelta
) -> dict[str, list[views.Warned]]:
    """Customers going back to the pool within `within`, per owner (every owner when `owners` is None),
    each with its exact time and reason from the pure rule, soonest first."""
    now = env.clock.now()
    with env.db.session() as session:
        found = recycle_store.nearly_due(
            session=session, workspace_id=workspace_id, rules=sql_rules(rules), after=now, by=now + within
        )
    customers = [c for c in found if owners is None or c.owner_id in owners]
    grouped: dict[str, list[views.Warned]] = defaultdict(list)
    for customer in customers:
        holding = holding_of(customer)
        recycle = recycle_at(rules, holding) if holding else None
        if recycle is not None and now < recycle.at <= now + within:
            grouped[customer.owner_id or ""].append(views.Warned(customer, recycle, customer.asked))
    for rows in grouped.values():
        rows.sort(key=lambda warned: (warned.recycle.at, warned.customer.name))
    return grouped
