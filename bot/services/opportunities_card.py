"""What the opportunity card and the listings show: the opportunity, its customer's name, the stages
to name them, its history, and what the reader may do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.env import Env
from bot.errors import NotFound
from bot.i18n import N_
from bot.rules import opportunities as rules
from bot.rules.access import may_work_on
from bot.services.customers import get_customer
from bot.services.customers_card import standing_towards
from bot.services.opportunities import rule_stages, stages_in
from bot.services.people import Actor, directory
from store import opportunities as store
from store.models import Customer, Opportunity, OpportunityChange, OpportunityStage


@dataclass(frozen=True)
class OpportunityCard:
    """What the card shows: the opportunity, its customer's name, the stages (to name them), its
    history, and what the reader may do."""

    opportunity: Opportunity
    customer_name: str
    stages: list[OpportunityStage]
    history: list[OpportunityChange]
    can_change: bool
    next_stage_id: int | None
    visits: int = 0  # visits logged about it
    last_visit: date | None = None


def card(env: Env, actor: Actor, number: int) -> OpportunityCard:
    with env.db.session() as session:
        found = store.get_opportunity(session, workspace_id=actor.workspace_id, number=number)
        if found is None:
            raise NotFound(N_("That opportunity no longer exists."))
        customer = session.get(Customer, found.customer_id)
        all_stages = stages_in(session, actor.workspace_id)
        history = store.history_of(session, workspace_id=actor.workspace_id, number=number)
        can_change = may_work_on(standing_towards(session, actor, found.owner_id))
        visits, last_visit = store.visits_about(session, workspace_id=actor.workspace_id, number=number)
    following = rules.next_open_stage(rule_stages(all_stages), found.stage_id)
    return OpportunityCard(
        opportunity=found,
        customer_name=customer.name if customer else "",
        stages=all_stages,
        history=history,
        can_change=can_change and found.closed_at is None,
        next_stage_id=following.id if following else None,
        visits=visits,
        last_visit=last_visit,
    )


def open_for(env: Env, actor: Actor) -> list[OpportunityCard]:
    """The person's open opportunities; a manager's team's too; an admin's: everyone's."""
    owners: list[str] | None = [actor.user_id]
    if actor.is_admin:
        owners = None
    elif actor.is_manager:
        owners = [actor.user_id, *(rep.user_id for rep in directory(env, actor.workspace_id).team_of(actor))]
    return _listed(env, actor, owners=owners)


def of_customer(env: Env, actor: Actor, customer_id: int) -> list[OpportunityCard]:
    """Every opportunity of a customer the person may see (open ones and closed ones)."""
    customer = get_customer(env, actor, customer_id)
    return _listed(env, actor, customer_id=customer.id)


def _listed(
    env: Env, actor: Actor, *, owners: list[str] | None = None, customer_id: int | None = None
) -> list[OpportunityCard]:
    with env.db.session() as session:
        all_stages = stages_in(session, actor.workspace_id)
        rows = store.listed(session, workspace_id=actor.workspace_id, owners=owners, customer_id=customer_id)
    return [OpportunityCard(found, name, all_stages, [], False, None) for found, name in rows]


def open_titles(env: Env, actor: Actor, customer_id: int) -> list[tuple[int, str]]:
    """The customer's open opportunities, (number, title), for a visit to name the one it was about."""
    with env.db.session() as session:
        rows = store.listed(session, workspace_id=actor.workspace_id, customer_id=customer_id)
    return [(found.id, found.title) for found, _ in rows if found.closed_at is None]
