"""What recycling says on its own: the morning warning (one DM per owner, on the owner's working
morning, listing customers due back in the pool within the warning window), the night's recycled
customers announced in the pool channel, a request for more days to its approvers, and the decision
to the owner."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot import events, notify
from bot.env import Env
from bot.i18n import lang
from bot.messaging import pool as pool_messages
from bot.messaging.mornings import due_at_reminder_time, queue_all
from bot.services import recycle
from bot.services.people import directory
from bot.services.settings import WorkspaceSettings
from bot.views import recycle as views
from store.sql import Bind

WARNING = "recycle_warning"
REQUEST = "extension_request"
DECISION = "extension_decision"


def warn_owners(env: Env, workspace_id: str, settings: WorkspaceSettings) -> tuple[int, int]:
    """Queue this morning's warning for each owner due one; returns (owners, customers in them)."""
    rules = settings.pool_rules()
    if rules.warning_days <= 0:
        return 0, 0
    due = due_at_reminder_time(env, workspace_id, settings, WARNING)
    if not due:
        return 0, 0
    owners = {one.person.user_id for one in due}
    within = timedelta(days=rules.warning_days)
    rows = recycle.due_soon(env, workspace_id, owners=owners, within=within, rules=rules)
    messages, count = [], 0
    for one in due:
        mine = rows.get(one.person.user_id)
        if mine:
            messages.append(one.outgoing(views.warning(one.person.lang, mine, one.person.timezone)))
            count += len(mine)
    queue_all(env, messages)
    return len(messages), count


RECYCLED_DM = "recycled"  # a previous owner's message about their customers a run recycled


@events.on(recycle.Recycled)
def announce_recycled(env: Env, bind: Bind, recycled: recycle.Recycled) -> Sequence[str]:
    """The night's batch, in the pool channel (the pool's announcements, in the same transaction)."""
    return pool_messages.announce(env, bind, recycled.workspace_id, recycled.channel, recycled.customer_ids)


@events.on(recycle.RecycledFromOwners)
def tell_previous_owners(env: Env, bind: Bind, recycled: recycle.RecycledFromOwners) -> Sequence[str]:
    """One message to each previous owner (still a member) listing theirs, in their language."""
    by_owner: dict[str, list[tuple[str, str]]] = {}
    for owner, name, reason in recycled.lost:
        by_owner.setdefault(owner, []).append((name, reason))
    people = directory(env, recycled.workspace_id)
    period = f"{env.clock.now().timestamp():.6f}"
    keys = []
    for owner, lost in by_owner.items():
        person = people.by_id(owner)
        if person is None:
            continue  # someone who left the workspace hears nothing
        keys.append(
            notify.enqueue(
                env, workspace_id=recycled.workspace_id, kind=RECYCLED_DM, recipient=owner, subject="",
                period=period, message=views.recycled_from_you(person.lang, lost), session=bind,
            )
        )  # fmt: skip
    return keys


@events.on(recycle.ExtensionAsked)
def ask_approvers(env: Env, bind: Bind, asked: recycle.ExtensionAsked) -> Sequence[str]:
    """Each approver's message with Approve and Decline, in their language and zone."""
    request, customer = asked.request, asked.customer
    return [
        notify.enqueue(
            env,
            workspace_id=request.workspace_id,
            kind=REQUEST,
            recipient=approver.user_id,
            subject=str(request.id),
            period="",
            message=views.extension_request(approver.lang, request, customer, approver.timezone),
            session=bind,
        )
        for approver in asked.approvers
    ]


@events.on(recycle.ExtensionDecided)
def tell_owner(env: Env, bind: Bind, decided: recycle.ExtensionDecided) -> Sequence[str]:
    """The owner hears the decision, queued in the transaction that records it."""
    request, owner = decided.request, decided.owner
    reader, zone = (owner.lang, owner.timezone) if owner else (lang("en"), "UTC")
    key = notify.enqueue(
        env,
        workspace_id=request.workspace_id,
        kind=DECISION,
        recipient=request.asked_by,
        subject=str(request.id),
        period="",
        message=views.extension_decided(reader, request, decided.customer, decided.until, zone),
        session=bind,
    )
    return [key]
