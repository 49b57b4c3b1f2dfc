"""A manager's nudge from the digest: one DM to the rep about one customer, at most once a day."""

from __future__ import annotations

from dataclasses import dataclass

from bot import notify
from bot.env import Env
from bot.errors import NotAllowed, NotFound
from bot.i18n import N_
from bot.services.customers import get_customer
from bot.services.people import Actor, directory
from bot.views import digest as views

NUDGE = "nudge"


@dataclass(frozen=True)
class Nudged:
    rep_id: str
    name: str
    key: str


def nudge(env: Env, actor: Actor, rep_id: str, customer_id: int) -> Nudged:
    people = directory(env, actor.workspace_id)
    rep = people.by_id(rep_id)
    if rep is None:
        raise NotFound(N_("That rep is no longer in the workspace."))
    if not (actor.is_admin or (actor.is_manager and rep.manager_id == actor.user_id)):
        raise NotAllowed(N_("Only the rep's manager or an admin can nudge them."))
    customer = get_customer(env, actor, customer_id)
    key = notify.enqueue(
        env,
        workspace_id=actor.workspace_id,
        kind=NUDGE,
        recipient=rep_id,
        subject=str(customer_id),
        period=rep.today(env).isoformat(),
        message=views.nudge(rep.lang, actor.user_id, customer),
    )
    return Nudged(rep_id, customer.name, key)
